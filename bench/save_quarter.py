"""Benchmark: saving the secretariat's whole quarter on the entry form (*Indberetning*).

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/save_quarter.py

`--quarters N` changes how many quarters of the plan are saved (default 8). Like
bench/evaluate_criteria.py it works in a database of its own, in memory or, with
BENCH_DATABASE_URL, a PostgreSQL database test_NAME that it creates and drops: DATABASE_URL is
replaced before Django starts, so neither db.sqlite3 nor a database in .env is touched.

It migrates the empty database, loads the real Slagelse plan and gives a secretariat user a
role in it, so the grid holds every activity in every housing area it runs in. For each of the
plan's first N quarters it builds the EntryGrid and a valid QuarterEntryForm with every count
filled in and every status chosen, and times `save_quarter` three times: the first draft (every
count and report created), a second save that changes every number with a reason, and the
submission. Between the saves the grid is loaded again, as the page does after its redirect.
Finally it renders the entry page (GET) for the secretariat with the test client. It prints the
medians over the quarters and the queries of each step.

With `--national` the plan is the first of the national dataset (`manage.py
generate_national_dataset --plans N`, default 100) and the user its secretariat; the plan's
own demo figures are removed first, so that its first save creates every count as with the
real plan, while the other plans' counts and reports stay in the tables.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django.utils import translation

from activities.forms import QuarterEntryForm
from activities.grid import EntryGrid
from activities.models import QuarterlyCount, QuarterReport
from activities.services import save_quarter
from agreements.models import Membership, Plan, Role
from bench.dataset import (
    FIXTURE,
    PLAN_SLUG,
    add_dataset_options,
    national_dataset,
    throwaway_database,
)
from demo.data import remove_demo_data
from demo.national_dataset import secretariat_username
from lib.periods import Quarter


def form_data(grid: EntryGrid, *, start: int, action: str, reason: str = "") -> dict[str, str]:
    """What the browser posts with every count of the grid filled in and every status chosen.

    The numbers differ from field to field and from `start` to `start`; a share's numerator is
    kept at or below its denominator, and no number jumps far above the earlier quarters, so
    the form is valid without confirming warnings.
    """
    data = {"action": action, "reason": reason}
    for number, pair in enumerate(grid.pairs):
        activity_id, area_id = pair.key
        for position, cell in enumerate(pair.cells):
            data[QuarterEntryForm.count_name(cell)] = str(20 + 10 * start + (number + position) % 7)
        data[f"progress_{activity_id}_{area_id}"] = QuarterReport.Progress.ON_TRACK
        data[f"note_{activity_id}_{area_id}"] = f"Kører som planlagt ({start})"
        data[f"rev_{activity_id}_{area_id}"] = str(pair.revision)
    for numerator, denominator in grid.shares:
        for pair in grid.pairs:
            top = f"c_{numerator.pk}_{pair.area.pk}"
            bottom = f"c_{denominator.pk}_{pair.area.pk}"
            if top in data and bottom in data:
                data[top] = str(min(int(data[top]), int(data[bottom])))
    return data


def valid_form(plan: Plan, quarter: Quarter, user, **data_options) -> QuarterEntryForm:
    grid = EntryGrid.load(plan, quarter, user=user, may_report_all=True)
    form = QuarterEntryForm(form_data(grid, **data_options), grid=grid)
    if not form.is_valid() or form.needs_confirmation:
        sys.exit(f"The benchmark's form is not valid: {form.errors.as_text()}")
    return form


def timed(step: Callable[[], object]) -> tuple[float, int, object]:
    """Seconds and queries of one call, and what it returned."""
    # The query log keeps only the last 9000; the set-up filled it.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        begun = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - begun
    return seconds, len(captured), result


def save(form: QuarterEntryForm, user) -> Callable[[], list]:
    return lambda: save_quarter(
        grid=form.grid,
        entries=form.entries,
        submit=form.submitting,
        reason=form.cleaned_data["reason"],
        by=user,
    )


def report(label: str, timings: list[float], queries: list[int]) -> None:
    spread = str(min(queries)) + ("" if min(queries) == max(queries) else f"-{max(queries)}")
    print(
        f"{label:<42} median {1000 * statistics.median(timings):7.1f} ms, "
        f"slowest {1000 * max(timings):7.1f} ms, queries {spread}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quarters", type=int, default=8, help="How many quarters of the plan (default 8)."
    )
    add_dataset_options(
        parser, national="Save the first plan of the national dataset (generate_national_dataset)."
    )
    options = parser.parse_args()
    started = time.perf_counter()
    with throwaway_database() as database:
        run(options, started=started, database=database)


def run(options: argparse.Namespace, *, started: float, database: str) -> None:
    setup_test_environment()  # the test client's host, as in the test suite
    if options.national:
        plan = national_dataset(options.plans)[0]
        remove_demo_data(plan=plan)
        user = get_user_model().objects.get(username=secretariat_username(1))
    else:
        call_command("loaddata", FIXTURE, verbosity=0)
        plan = Plan.objects.get(slug=PLAN_SLUG)
        user = get_user_model().objects.create_user(username="sekretariat-benchmark")
        Membership.objects.create(user=user, plan=plan, role=Role.SECRETARIAT)
    quarters = plan.quarters()[: options.quarters]
    set_up = time.perf_counter() - started

    steps: dict[str, tuple[list[float], list[int]]] = {
        name: ([], [])
        for name in (
            "Load grid and validate form",
            "Save draft (every count new)",
            "Save again (every number changed, reason)",
            "Save and submit",
            "GET entry page (secretariat)",
        )
    }

    def record(name: str, seconds: float, queries: int) -> None:
        steps[name][0].append(seconds)
        steps[name][1].append(queries)

    client = Client()
    client.force_login(user)
    fields = pairs = counts = 0
    with translation.override(settings.LANGUAGE_CODE):
        for quarter in quarters:
            seconds, queries, form = timed(
                lambda quarter=quarter: valid_form(plan, quarter, user, start=0, action="save")
            )
            record("Load grid and validate form", seconds, queries)
            fields = len(form.fields)
            pairs = len(form.grid.pairs)
            counts = sum(len(pair.cells) for pair in form.grid.pairs)
            seconds, queries, saved = timed(save(form, user))
            assert len(saved) == pairs
            record("Save draft (every count new)", seconds, queries)

            form = valid_form(plan, quarter, user, start=1, action="save", reason="Recounted")
            assert all(
                len(entry.changed_counts()) == len(entry.pair.cells) for entry in form.entries
            )
            seconds, queries, saved = timed(save(form, user))
            assert len(saved) == pairs
            record("Save again (every number changed, reason)", seconds, queries)

            form = valid_form(plan, quarter, user, start=1, action="submit")
            seconds, queries, saved = timed(save(form, user))
            assert len(saved) == pairs
            record("Save and submit", seconds, queries)

            address = reverse(
                "activities:entry", kwargs={"plan": plan.slug, "quarter": quarter.code}
            )
            seconds, queries, response = timed(lambda address=address: client.get(address))
            assert response.status_code == 200, response.status_code
            record("GET entry page (secretariat)", seconds, queries)

    submitted = (
        QuarterReport.objects.filter(activity__subagreement__plan=plan)
        .filter(status=QuarterReport.Status.SUBMITTED)
        .count()
    )
    print(f"Database: {database}")
    plans = Plan.objects.count()
    print(
        f"Data: {plans} plan{'' if plans == 1 else 's'}, "
        f"{QuarterlyCount.objects.count()} quarterly counts, "
        f"{QuarterReport.objects.count()} quarterly reports"
    )
    print(f"Plan: {plan.name}")
    print(
        f"Quarters: {len(quarters)} ({quarters[0].code} to {quarters[-1].code}), "
        f"reports submitted: {submitted}"
    )
    print(
        f"Fields on the form: {fields} ({counts} counts; a note, a status and a revision for "
        f"each of {pairs} activity-area pairs; action, reason and confirmation)"
    )
    what = "generate the national dataset" if options.national else "load the plan"
    print(f"Set-up (migrate, {what}): {set_up:.1f} s")
    for name, (timings, queries) in steps.items():
        report(name, timings, queries)


if __name__ == "__main__":
    main()
