from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("terms/", views.static_page, {"page": "terms"}, name="terms"),
    path("privacy/", views.static_page, {"page": "privacy"}, name="privacy"),
    path("disclaimer/", views.static_page, {"page": "disclaimer"}, name="disclaimer"),
    path("how-we-write/", views.static_page, {"page": "how_we_write"}, name="plain-language"),
]
