from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", include("health.urls")),
    path("", include("core.urls")),
    path("", include("subscriptions.urls")),
    path("", include("relay.urls")),
    path("", include("trials.urls")),
    path("", include("plain.urls")),
]

handler404 = "core.views.page_not_found"
handler500 = "health.views.server_error"
