from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and its commands; no models of its own."""

    name = "demo"
