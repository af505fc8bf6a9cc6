"""What the management commands share."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agreements.models import Plan


def choose_plan(slug: str | None) -> Plan:
    """The plan named by --plan, or the only plan there is; a plain error otherwise."""
    if slug:
        try:
            return Plan.objects.get(slug=slug)
        except Plan.DoesNotExist:
            raise CommandError(
                _("There is no plan with the short name '%(slug)s'.") % {"slug": slug}
            ) from None
    plans = list(Plan.objects.order_by("slug"))
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise CommandError(_("There is no plan yet."))
    raise CommandError(
        _("There is more than one plan; choose one with --plan: %(slugs)s")
        % {"slugs": ", ".join(plan.slug for plan in plans)}
    )
