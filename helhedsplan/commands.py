"""What the management commands share."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
