"""Load a plan from a fixture once: a plan that is already in the database is left alone.

`loaddata` overwrites every row it finds again, so running it on each start would undo the
secretariat's edits of the delaftaler (their drafts) and of the plan. `make run` uses this
command instead, so a restart keeps what was changed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from agreements.models import Plan


class Command(BaseCommand):
    help = "Load a plan fixture unless its plans are already in the database."

    def add_arguments(self, parser):
        parser.add_argument("fixture", help="The fixture's name, e.g. slagelse_2017_2021.")

    def handle(self, *args, fixture: str, **options):
        found = [
            path
            for directory in settings.FIXTURE_DIRS
            if (path := Path(directory) / f"{fixture}.json").is_file()
        ]
        if not found:
            raise CommandError(f"There is no fixture {fixture}.json in the fixture folders.")
        with found[0].open(encoding="utf-8") as file:
            objects = json.load(file)
        slugs = [obj["fields"]["slug"] for obj in objects if obj["model"] == "agreements.plan"]
        present = set(Plan.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if slugs and present == set(slugs):
            self.stdout.write(f"{', '.join(slugs)} is already loaded; left as it is.")
            return
        call_command("loaddata", fixture, verbosity=options["verbosity"])
