"""What the management commands that act on one plan share: which plan that is."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from .models import Plan

# The real plan, which `make run` loads: the demo commands are written and documented for its
# housing areas and act on it when no --plan is given, whatever other plans the database holds.
REAL_PLAN = "slagelse-2017-2021"


def choose_plan(slug: str | None, *, default: str | None = None) -> Plan:
    """The plan named by --plan, else the only plan there is, else the plan named by `default`
    if it exists; otherwise one plain line naming the plans to choose from."""
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
    for plan in plans:
        if plan.slug == default:
            return plan
    raise CommandError(
        _("There is more than one plan; choose one with --plan: %(slugs)s")
        % {"slugs": ", ".join(plan.slug for plan in plans)}
    )
