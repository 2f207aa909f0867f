from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("updates/", views.subscribe, name="subscribe"),
    path("updates/confirm/<str:token>/", views.confirm, name="confirm"),
    path("updates/manage/<str:token>/", views.manage, name="manage"),
    path("updates/manage/<str:token>/export/", views.export, name="export"),
    path("updates/manage/<str:token>/delete/", views.delete, name="delete"),
    path("updates/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
