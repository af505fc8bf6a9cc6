"""Write a whole plan, with its history, to one signed JSON file that import_plan reads back.

    export_plan SLUG --out FILE      (FILE ending in .gz is gzip-compressed)

See agreements.backup for what the file holds. It is signed with BACKUP_SIGNING_KEY, so that
import_plan reads it back only where that key is set, and refuses it once it is changed. It is
written only when complete, so a failure leaves no half file.
"""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements import backup
from agreements.commands import choose_plan
from lib.commands import PlainCommand, output_file, write_atomically
from lib.numbers import format_number


class Command(PlainCommand):
    help = (
        "Write a whole plan, with its versions, counts, measurements and their history, to a "
        "JSON file (gzip-compressed when the name ends in .gz) that import_plan reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The plan's short name, e.g. slagelse-2017-2021.")
        parser.add_argument(
            "--out", required=True, help="The file to write, e.g. plan.json or plan.json.gz."
        )

    def handle(self, *args, slug: str, out: str, verbosity: int = 1, **options):
        started = time.perf_counter()
        target = output_file(out)
        plan = choose_plan(slug)

        def progress(label: str, rows: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {label}: {format_number(rows)}")

        try:
            export = backup.export_plan(plan, on_model=progress)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        write_atomically(target, backup.encode_backup(export.document, gzipped=out.endswith(".gz")))
        if verbosity < 1:
            return
        for label, count in export.dangling.items():
            self.stdout.write(
                ngettext(
                    "%(model)s: %(count)s reference to a user or other shared row that no "
                    "longer exists is left empty.",
                    "%(model)s: %(count)s references to users or other shared rows that no "
                    "longer exist are left empty.",
                    count,
                )
                % {"model": label, "count": format_number(count)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Plan %(slug)s written to %(file)s: %(rows)s rows in %(seconds)s s.")
                % {
                    "slug": plan.slug,
                    "file": out,
                    "rows": format_number(export.rows),
                    "seconds": format_number(time.perf_counter() - started, 1),
                }
            )
        )
