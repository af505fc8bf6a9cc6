from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    """Putting a whole plan in: the plan workbook and the set-up checklist."""

    name = "onboarding"
    verbose_name = _("Setting up a plan")
