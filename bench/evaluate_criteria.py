"""Benchmark: judging every success criterion of 100 plans, year by year.

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/evaluate_criteria.py

`--plans N` changes the number of plans (default 100). The script builds everything in a
database of its own, in memory, or with BENCH_DATABASE_URL=postgres://.../NAME in a database
test_NAME that it creates and drops (bench/dataset.py, throwaway_database): DATABASE_URL is
replaced before Django starts, so neither db.sqlite3 nor a database named in the environment
or in .env is touched.

It migrates the empty database, loads the real Slagelse plan, copies the plan's delaftaler,
activities, metrics, indicators, criteria and targets into N - 1 more plans, and gives every
plan four years of measurements (2017-2020, every indicator and area) and quarterly counts
(every quarter of the plan, every metric and area), all with bulk_create (bench/dataset.py).
With `--national` it instead generates the national dataset of `manage.py
generate_national_dataset --plans N` (copies of the plan with housing areas of their own and
the demo figures: counts, reports and measurements) and judges the N generated plans.
Then it judges each plan with `evaluate_plan` for all its years and prints the time, the
evaluations and the queries per plan.
"""

from __future__ import annotations

import argparse
import statistics
import time

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.conf import settings
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from activities.models import QuarterlyCount, QuarterReport
from agreements.models import Plan
from bench.dataset import (
    FIXTURE,
    PLAN_SLUG,
    add_dataset_options,
    copy_plan_structure,
    enter_figures,
    national_dataset,
    throwaway_database,
)
from indicators.evaluation import evaluate_plan
from indicators.models import CriterionTarget, Measurement, SuccessCriterion


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dataset_options(
        parser,
        national="Judge the plans of the national dataset (generate_national_dataset).",
        plans="How many plans (default 100).",
    )
    options = parser.parse_args()
    with throwaway_database() as database:
        run(options.plans, national=options.national, database=database)


def run(number_of_plans: int, *, national: bool, database: str) -> None:
    started = time.perf_counter()
    if national:
        plans = national_dataset(number_of_plans)
        figures = (
            f"Measurements: {Measurement.objects.count()}, quarterly counts: "
            f"{QuarterlyCount.objects.count()}, quarterly reports: "
            f"{QuarterReport.objects.count()} (the national dataset's demo figures)"
        )
    else:
        call_command("loaddata", FIXTURE, verbosity=0)
        template = Plan.objects.get(slug=PLAN_SLUG)
        plans = [template, *copy_plan_structure(template, number_of_plans - 1)]
        measurements, counts = enter_figures(plans)
        figures = (
            f"Measurements: {measurements}, quarterly counts: {counts} (entered by the benchmark)"
        )
    set_up = time.perf_counter() - started

    criteria = SuccessCriterion.objects.filter(subagreement__plan__in=plans).count()
    targets = CriterionTarget.objects.filter(criterion__subagreement__plan__in=plans).count()
    print(f"Database: {database}")
    print(f"Plans: {len(plans)}" + (" (the national dataset)" if national else ""))
    print(f"Criteria: {criteria} ({criteria // len(plans)} per plan), targets: {targets}")
    print(figures)
    what = "generate the national dataset" if national else "load the plan, copy it, enter figures"
    print(f"Set-up (migrate, {what}): {set_up:.1f} s")

    timings, queries, evaluations = [], [], 0
    with translation.override(settings.LANGUAGE_CODE):
        for plan in sorted(plans, key=lambda plan: plan.pk):
            # The query log keeps only the last 9000; the set-up filled it.
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                evaluations += len(evaluate_plan(plan))
                timings.append(time.perf_counter() - begun)
            queries.append(len(captured))

    total = sum(timings)
    print(f"Evaluated {len(timings)} plans for all their years in {total:.2f} s")
    print(
        f"Per plan: {1000 * total / len(timings):.1f} ms on average, "
        f"median {1000 * statistics.median(timings):.1f} ms, "
        f"slowest {1000 * max(timings):.1f} ms"
    )
    print(f"Evaluations: {evaluations} ({evaluations // len(timings)} per plan)")
    print(
        f"Queries per plan: {min(queries)}"
        + ("" if min(queries) == max(queries) else f"-{max(queries)}")
    )


if __name__ == "__main__":
    main()
