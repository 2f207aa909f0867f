from django.urls import path

from . import views

app_name = "relay"

# The paths are those of the links in emails already sent: they stay.
urlpatterns = [
    path("trials/<str:nct_id>/contact/", views.contact, name="contact"),
    path("updates/message/<str:token>/", views.confirm, name="confirm"),
]
