"""Delete the change records that changed nothing, recorded before only changes were.

Until every save recorded only what changed (lib.history.HistoricalRecordsOfChanges), a save
that changed nothing, an import of a sheet as it was, or a line break sent as CR LF was kept as
a change with the same value before and after. The history pages leave such a record out, so
a page of 50 showed fewer; deleting them brings the pages back to 50. Run it once after
upgrading; running it again finds nothing.

    python manage.py prune_unchanged_history --dry-run   # count them first
    python manage.py prune_unchanged_history
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from lib.commands import PlainCommand
from lib.history import unchanged_records

# Deleted in batches, so no query names more ids than a database takes at once.
BATCH = 500


class Command(PlainCommand):
    help = "Delete the change records that changed nothing (recorded before only changes were)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the records, delete nothing."
        )

    @transaction.atomic
    def handle(self, *args, dry_run: bool = False, **options):
        total = 0
        for model in apps.get_models():
            if not hasattr(model._meta, "simple_history_manager_attribute"):
                continue
            history_model = getattr(model, model._meta.simple_history_manager_attribute).model
            found = list(unchanged_records(history_model))
            if not found:
                continue
            total += len(found)
            if not dry_run:
                for start in range(0, len(found), BATCH):
                    history_model.objects.filter(
                        history_id__in=found[start : start + BATCH]
                    ).delete()
            self.stdout.write(f"{model._meta.label}: {len(found)}")
        message = (
            _("%(count)s records changed nothing; none were deleted (--dry-run).")
            if dry_run
            else _("%(count)s records that changed nothing were deleted.")
        )
        self.stdout.write(message % {"count": total})
