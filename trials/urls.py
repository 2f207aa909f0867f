from django.urls import path

from . import views

app_name = "trials"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="list"),
    path("trials/<str:nct_id>/", views.trial_detail, name="detail"),
    path("conditions/<slug:slug>/", views.category_detail, name="category"),
    path("terms/", views.static_page, {"page": "terms"}, name="terms"),
    path("privacy/", views.static_page, {"page": "privacy"}, name="privacy"),
    path("disclaimer/", views.static_page, {"page": "disclaimer"}, name="disclaimer"),
]
