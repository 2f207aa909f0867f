from django.urls import path, register_converter

from . import views


class NctIdConverter:
    """Any NCT-looking segment, in either case; the view canonicalises or 404s."""

    regex = r"[nN][cC][tT][0-9]+|[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NctIdConverter, "nct")

app_name = "trials"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="list"),
    path("trials/<nct:nct_id>/", views.trial_detail, name="detail"),
    path("conditions/<slug:slug>/", views.category_detail, name="category"),
    path("terms/", views.static_page, {"page": "terms"}, name="terms"),
    path("privacy/", views.static_page, {"page": "privacy"}, name="privacy"),
    path("disclaimer/", views.static_page, {"page": "disclaimer"}, name="disclaimer"),
]
