"""Restore a plan from a file export_plan wrote, all or nothing.

    import_plan FILE [--replace]

A plan with the same short name is refused, or with --replace deleted first in the same
transaction. Users the file names but the database lacks are created without a password.
Only a file signed with this installation's BACKUP_SIGNING_KEY is read. See agreements.backup.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agreements import backup
from lib.commands import PlainCommand
from lib.numbers import format_number


class Command(PlainCommand):
    help = "Restore a plan, with its history, from a file written by export_plan."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file export_plan wrote (.json or .json.gz).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete a plan with the same short name first, in the same transaction.",
        )

    def handle(self, *args, file: str, replace: bool = False, verbosity: int = 1, **options):
        started = time.perf_counter()

        def progress(label: str, rows: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {label}: {format_number(rows)}")

        try:
            document = backup.read_backup(Path(file))
            result = backup.import_plan(document, replace=replace, on_model=progress)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        if verbosity < 1:
            return
        if result.replaced_rows is not None:
            self.stdout.write(
                _("The plan %(slug)s that was here is deleted: %(rows)s rows.")
                % {"slug": result.slug, "rows": format_number(result.replaced_rows)}
            )
        users = get_user_model()._meta.label_lower
        for label, keys in result.created.items():
            for key in keys:
                if label == users:
                    self.stdout.write(
                        _(
                            "Created the user %(username)s without a password: they cannot log "
                            "in until one is set (manage.py changepassword %(username)s)."
                        )
                        % {"username": key}
                    )
                else:
                    created = _("Created %(model)s %(key)s.") % {"model": label, "key": key}
                    self.stdout.write(created)
        self.stdout.write(
            self.style.SUCCESS(
                _("Plan %(slug)s imported from %(file)s: %(rows)s rows in %(seconds)s s.")
                % {
                    "slug": result.slug,
                    "file": file,
                    "rows": format_number(result.rows),
                    "seconds": format_number(time.perf_counter() - started, 1),
                }
            )
        )
