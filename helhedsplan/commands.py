"""What the management commands share."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agreements.models import Plan

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


def write_atomically(path: Path, data: bytes) -> None:
    """Write the file under a temporary name and rename it, so it is whole or absent."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": directory})
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=f"{path.suffix}.part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
