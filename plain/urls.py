from django.urls import path

from . import views

app_name = "plain"

urlpatterns = [
    path("glossary/", views.glossary, name="glossary"),
]
