from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials"

    def ready(self):
        from . import checks, signals  # noqa: F401
