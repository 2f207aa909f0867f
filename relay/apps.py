from django.apps import AppConfig


class RelayConfig(AppConfig):
    """“Contact the study team”: a patient's message passed on by email once they confirm."""

    name = "relay"
    verbose_name = "Messages to study teams"

    def ready(self):
        from . import signals  # noqa: F401
