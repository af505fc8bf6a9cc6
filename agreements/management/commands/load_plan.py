"""Load a plan from a fixture once: a plan that is already in the database is left alone.

`loaddata` overwrites every row it finds again, so running it on each start would undo the
secretariat's edits of the delaftaler (their drafts) and of the plan. `make run` uses this
command instead, so a restart keeps what was changed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from agreements.models import Plan
from lib.commands import PlainCommand


class Command(PlainCommand):
    help = "Load a plan fixture unless its plans are already in the database."

    def add_arguments(self, parser):
        parser.add_argument("fixture", help="The fixture's name, e.g. slagelse_2017_2021.")

    def handle(self, *args, fixture: str, **options):
        found = [
            path
            for directory in settings.FIXTURE_DIRS
            if fixture and (path := Path(directory) / f"{fixture}.json").is_file()
        ]
        if not found:
            raise CommandError(
                _("There is no fixture %(fixture)s.json in the fixture folders.")
                % {"fixture": fixture}
            )
        slugs = plan_slugs(found[0])
        present = set(Plan.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if slugs and present == set(slugs):
            self.stdout.write(
                _("%(slugs)s is already loaded; left as it is.") % {"slugs": ", ".join(slugs)}
            )
            return
        try:
            # The file read above, by its path: loaddata would otherwise look for the name in
            # every app's fixtures too, and might load another file than the one checked.
            call_command("loaddata", str(found[0]), verbosity=options["verbosity"])
        except (DeserializationError, DatabaseError) as error:
            raise CommandError(
                _("The fixture %(file)s could not be loaded: %(error)s")
                % {"file": found[0], "error": " ".join(str(error).split())}
            ) from None


def plan_slugs(path: Path) -> list[str]:
    """The short names of the plans in a fixture; one plain line for a file that is not one."""
    try:
        objects = json.loads(path.read_bytes())
        return [
            obj["fields"]["slug"]
            for obj in objects
            if isinstance(obj, dict) and obj.get("model") == "agreements.plan"
        ]
    except (OSError, ValueError, LookupError, TypeError):
        raise CommandError(
            _("The fixture %(file)s is damaged: it is not a list of rows in JSON.") % {"file": path}
        ) from None
