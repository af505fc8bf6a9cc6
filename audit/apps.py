from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The history pages; no models of its own."""

    name = "audit"
