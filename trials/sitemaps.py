"""Every published trial and condition page, for search engines; lastmod only from real changes."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q

from .models import ConditionGroup, Trial


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, whatever host the request came in on."""

    limit = 50_000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class TrialSitemap(SiteSitemap):
    def items(self):
        return Trial.objects.published().order_by("id").only("nct_id", "last_updated_at")

    def lastmod(self, trial: Trial):
        # When the registry record last changed, as we recorded it; never the time of a render.
        return trial.last_updated_at

    def get_latest_lastmod(self):
        """The latest change, for the sitemap index: one index lookup, not every trial read."""
        latest = Trial.objects.published().recently_updated().exclude(last_updated_at=None)
        return latest.values_list("last_updated_at", flat=True).first()


class ConditionSitemap(SiteSitemap):
    def items(self):
        published = Q(trials__is_published=True)
        return ConditionGroup.objects.annotate(
            last_trial_change=Max("trials__last_updated_at", filter=published)
        ).order_by("id")

    def lastmod(self, group: ConditionGroup):
        return group.last_trial_change


SITEMAPS = {"trials": TrialSitemap, "conditions": ConditionSitemap}


def needs_index(sitemaps: dict) -> bool:
    """Whether the URLs no longer fit one sitemap file."""
    return sum(sitemap().paginator.count for sitemap in sitemaps.values()) > SiteSitemap.limit
