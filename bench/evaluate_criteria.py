"""Benchmark: judging every success criterion of 100 plans, year by year.

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/evaluate_criteria.py

`--plans N` changes the number of plans (default 100). The script builds everything in an
in-memory SQLite database of its own: DATABASE_URL is replaced before Django starts, so neither
db.sqlite3 nor a PostgreSQL database named in the environment or in .env is touched.

It migrates the empty database, loads the real Slagelse plan, copies the plan's delaftaler,
activities, metrics, indicators, criteria and targets into N - 1 more plans, and gives every
plan four years of measurements (2017-2020, every indicator and area) and quarterly counts
(every quarter of the plan, every metric and area), all with bulk_create (bench/dataset.py).
Then it judges each plan with `evaluate_plan` for all its years and prints the time, the
evaluations and the queries per plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helhedsplan.test_settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from agreements.models import Plan  # noqa: E402
from bench.dataset import FIXTURE, PLAN_SLUG, copy_plan_structure, enter_figures  # noqa: E402
from indicators.evaluation import evaluate_plan  # noqa: E402
from indicators.models import CriterionTarget, SuccessCriterion  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100, help="How many plans (default 100).")
    number_of_plans = parser.parse_args().plans

    if connection.settings_dict["NAME"] != ":memory:":
        sys.exit("Refusing to run: the benchmark only ever uses an in-memory SQLite database.")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddata", FIXTURE, verbosity=0)
    template = Plan.objects.get(slug=PLAN_SLUG)
    plans = [template, *copy_plan_structure(template, number_of_plans - 1)]
    measurements, counts = enter_figures(plans)
    set_up = time.perf_counter() - started

    criteria = SuccessCriterion.objects.count()
    targets = CriterionTarget.objects.count()
    print(f"Plans: {len(plans)}")
    print(f"Criteria: {criteria} ({criteria // len(plans)} per plan), targets: {targets}")
    print(f"Measurements: {measurements}, quarterly counts: {counts} (entered by the benchmark)")
    print(f"Set-up (migrate, load the plan, copy it, enter figures): {set_up:.1f} s")

    timings, queries, evaluations = [], [], 0
    with translation.override(settings.LANGUAGE_CODE):
        for plan in Plan.objects.order_by("pk"):
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
