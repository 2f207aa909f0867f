from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "trials"

urlpatterns = [
    path("", views.home, name="home"),
    path("trials/", views.trial_list, name="list"),
    path("trials/<str:nct_id>/", views.trial_detail, name="detail"),
    path("trials/<str:nct_id>/history/", views.trial_history, name="history"),
    path("trials/<str:nct_id>/changes.rss", feeds.TrialChangesFeed(), name="trial-feed"),
    path("trials/<str:nct_id>/changes.atom", feeds.TrialChangesAtomFeed(), name="trial-atom"),
    path("conditions/", views.condition_index, name="conditions"),
    path("conditions/<slug:slug>/", views.group_detail, name="group"),
    path("conditions/<slug:slug>/new.rss", feeds.NewTrialsFeed(), name="group-feed"),
    path("conditions/<slug:slug>/new.atom", feeds.NewTrialsAtomFeed(), name="group-atom"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
