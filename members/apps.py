from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Who works in a plan: invitations by e-mail, roles and assignments, kept by the plan's
    own secretariat without a superuser."""

    name = "members"
    verbose_name = _("Members")
