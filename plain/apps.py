from django.apps import AppConfig


class PlainConfig(AppConfig):
    name = "plain"
    verbose_name = "Plain language"
