"""Write a plan to its workbook, or read a workbook in, for scripts and backups of the text.

    plan_workbook export SLUG --out FILE.xlsx
    plan_workbook import FILE.xlsx [--dry-run]

The import creates the workbook's plan, or updates it where it exists, all or nothing: any
error and nothing is written (onboarding.workbook_import says how rows are found and what is
kept). --dry-run says what it would do and writes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agreements.commands import choose_plan
from lib.commands import PlainCommand, output_file, write_atomically
from lib.numbers import format_number
from onboarding.workbook import export_workbook
from onboarding.workbook_import import WorkbookError, import_workbook


class Command(PlainCommand):
    help = (
        "Write a plan to the plan workbook (export SLUG --out FILE.xlsx), or create or update "
        "a plan from one (import FILE.xlsx [--dry-run])."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"], help="export or import.")
        parser.add_argument("target", help="The plan's short name (export) or the file (import).")
        parser.add_argument("--out", help="The workbook to write (export).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what the import would do."
        )

    def handle(self, *args, action: str, target: str, out=None, dry_run=False, **options):
        if action == "export":
            if dry_run:
                raise CommandError(_("--dry-run is for import only."))
            if not out:
                raise CommandError(_("--out needs the name of the file to write."))
            path = output_file(out)
            plan = choose_plan(target)
            write_atomically(path, export_workbook(plan))
            self.stdout.write(
                _("Plan %(slug)s written to %(file)s.") % {"slug": plan.slug, "file": out}
            )
            return
        if out:
            raise CommandError(_("--out is for export only."))
        started = time.perf_counter()
        try:
            outcome = import_workbook(
                read_file(target), dry_run=dry_run, reason=_("Imported from the plan workbook")
            )
        except WorkbookError as error:
            raise CommandError(
                _("%(error)s Nothing was imported.") % {"error": str(error)}
            ) from None
        if not outcome.ok:
            if options.get("verbosity", 1) >= 2:
                for message in outcome.errors:
                    self.stderr.write(message)
            raise CommandError(
                _("%(error)s (%(count)s errors in all.) Nothing was imported.")
                % {"error": outcome.errors[0], "count": len(outcome.errors)}
                if len(outcome.errors) > 1
                else _("%(error)s Nothing was imported.") % {"error": outcome.errors[0]}
            )
        figures = {
            "slug": outcome.slug,
            "new": outcome.total("new"),
            "changed": outcome.total("changed"),
            "unchanged": outcome.total("unchanged"),
            "removed": outcome.total("removed"),
            "kept": outcome.total("kept"),
            "seconds": format_number(time.perf_counter() - started, 1),
        }
        if dry_run:
            message = _(
                "Plan %(slug)s would get %(new)s new, %(changed)s changed and %(unchanged)s "
                "unchanged rows; %(removed)s removed, %(kept)s kept with reported data. "
                "Nothing was written (--dry-run)."
            )
        else:
            message = _(
                "Plan %(slug)s imported in %(seconds)s s: %(new)s new, %(changed)s changed and "
                "%(unchanged)s unchanged rows; %(removed)s removed, %(kept)s kept with reported "
                "data."
            )
        self.stdout.write(message % figures)
        for note in outcome.notes:
            self.stdout.write(note)


def read_file(name: str) -> bytes:
    """The workbook's bytes, or one plain line: no such file, a folder, or far too large."""
    path = Path(name)
    if not path.is_file():
        raise CommandError(_("There is no file %(file)s.") % {"file": name})
    try:
        with path.open("rb") as file:
            content = file.read(settings.MAX_REQUEST_BYTES + 1)
    except OSError as error:
        raise CommandError(
            _("The file %(file)s could not be read: %(reason)s.")
            % {"file": name, "reason": error.strerror or error}
        ) from None
    if len(content) > settings.MAX_REQUEST_BYTES:
        raise CommandError(
            _("The file %(file)s is larger than %(limit)s MB, far more than a plan workbook.")
            % {"file": name, "limit": settings.MAX_REQUEST_BYTES // (1024 * 1024)}
        )
    return content
