from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What the whole site shares: middleware, checks, error and static pages, the page cache."""

    name = "core"
    verbose_name = "Site-wide"

    def ready(self):
        from . import checks  # noqa: F401
