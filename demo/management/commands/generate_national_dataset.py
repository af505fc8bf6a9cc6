"""Fill a database with a national-scale dataset for load tests: copies of the real plan with
invented figures and users (demo.national_dataset).

    generate_national_dataset [--plans 100] [--password ...]

Plan N is `plan-NNN`, with the users sekretariat-NNN, bestyrelse-NNN and koordinator-NNN-1 to
-4 (one per housing area), who all share the password given with --password or in
DATASET_PASSWORD. Each plan is written in a transaction of its own, and a plan that is already
there is left as it is, so running the command again, or after it was interrupted, only adds
the plans that are missing.

It refuses a database with plans of its own besides the real plan it copies: the users share
a password known to everyone who runs the load test, so they belong in a database made for
it, never in one that people use.
"""

import os
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

# The real plan the national dataset copies (demo sits above the apps whose rows it writes).
from agreements.models import Plan
from demo.data import DemoSummary
from demo.national_dataset import (
    GENERATED_SLUG_PATTERN,
    MOST_PLANS,
    TEMPLATE_FIXTURE,
    TEMPLATE_SLUG,
    DatasetConflict,
    PlanShape,
    dataset_totals,
    generate_plan,
    plan_slug,
    refresh_statistics,
)
from lib.commands import PlainCommand, whole_number
from lib.numbers import format_number

PASSWORD_VARIABLE = "DATASET_PASSWORD"


def describe(summary: DemoSummary) -> str:
    return _("%(counts)s quarterly counts, %(reports)s reports, %(measurements)s measurements") % {
        "counts": format_number(summary.counts),
        "reports": format_number(summary.reports),
        "measurements": format_number(summary.measurements),
    }


class Command(PlainCommand):
    help = (
        "Generate a national-scale dataset for load tests: copies of the real plan with "
        "invented figures and users who share one password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plans", default=100, help="How many plans (default 100, at most 999)."
        )
        parser.add_argument(
            "--password",
            help=f"The password of every generated user (default: ${PASSWORD_VARIABLE}).",
        )

    def handle(self, *args, plans: str | int, password: str | None, **options):
        plans = whole_number(plans, "--plans")
        if not 1 <= plans <= MOST_PLANS:
            raise CommandError(_("--plans must be between 1 and %(most)s.") % {"most": MOST_PLANS})
        password = password or os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            raise CommandError(
                _("Give the generated users' password with --password or in %(variable)s.")
                % {"variable": PASSWORD_VARIABLE}
            )
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        call_command("load_plan", TEMPLATE_FIXTURE, verbosity=0, stdout=self.stdout)
        others = list(
            Plan.objects.exclude(slug=TEMPLATE_SLUG)
            .exclude(slug__regex=GENERATED_SLUG_PATTERN)
            .values_list("slug", flat=True)
        )
        if others:
            raise CommandError(
                _(
                    "Refusing to generate: the database holds other plans (%(slugs)s). The "
                    "generated users share one password, so the dataset belongs in a database "
                    "of its own."
                )
                % {"slugs": ", ".join(others)}
            )

        shape = PlanShape.of(Plan.objects.get(slug=TEMPLATE_SLUG))
        password_hash = make_password(password)
        present = set(
            Plan.objects.filter(slug__regex=GENERATED_SLUG_PATTERN).values_list("slug", flat=True)
        )
        started = time.perf_counter()
        written = DemoSummary()
        for number in range(1, plans + 1):
            slug = plan_slug(number)
            progress = {"number": number, "total": plans, "slug": slug}
            if slug in present:
                self.stdout.write(
                    _("Plan %(number)s/%(total)s: %(slug)s is already there; left as it is.")
                    % progress
                )
                continue
            begun = time.perf_counter()
            try:
                summary = generate_plan(shape, number=number, password_hash=password_hash)
            except DatasetConflict as conflict:
                raise CommandError(
                    _(
                        "Plan %(number)s/%(total)s: the users %(users)s already exist without "
                        "the plan %(slug)s. Remove them, or generate into an empty database."
                    )
                    % {**progress, "users": conflict}
                ) from None
            written += summary
            self.stdout.write(
                _("Plan %(number)s/%(total)s: %(slug)s, %(summary)s, %(seconds)s s")
                % {
                    **progress,
                    "summary": describe(summary),
                    "seconds": format_number(time.perf_counter() - begun, decimals=1),
                }
            )

        refresh_statistics()
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated in %(seconds)s s: %(summary)s.")
                % {
                    "seconds": format_number(time.perf_counter() - started, decimals=1),
                    "summary": describe(written),
                }
            )
        )
        self.stdout.write(_("Rows in the database:"))
        for table, rows in dataset_totals():
            self.stdout.write(f"  {table:<28} {format_number(rows):>10}")
