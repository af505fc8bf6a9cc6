"""Benchmark: importing the real plan from its plan workbook (*projektmappe*).

Run it from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/import_workbook.py

`--runs N` changes how many times each step is timed (default 3). Like the other benchmarks it
works in a database of its own (bench/README.md), so neither db.sqlite3 nor a database in .env
is touched.

It migrates the empty database, loads the real Slagelse plan and writes its workbook. It then
times, N times each: writing the workbook; the preview of uploading it into the plan itself
(every row found and compared, nothing changed, rolled back); and the import into a database
without the plan (the plan deleted first, every row created, committed). It prints the median
seconds and the queries of each step, and the rows the import created.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.core.management import call_command
from django.db import connection

from agreements.backup import delete_plan
from agreements.models import Plan
from bench.dataset import FIXTURE, PLAN_SLUG, throwaway_database
from onboarding.workbook import export_workbook
from onboarding.workbook_import import import_workbook


def timed(step: Callable) -> tuple[float, int, object]:
    """The seconds and the queries a step takes (counted, not logged: an import makes more
    queries than Django's log of them keeps), and what it returns."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    return seconds, queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Runs of each step (default 3).")
    options = parser.parse_args()
    started = time.perf_counter()
    with throwaway_database() as database:
        run(options.runs, started=started, database=database)


def run(runs: int, *, started: float, database: str) -> None:
    call_command("loaddata", FIXTURE, verbosity=0)
    set_up = time.perf_counter() - started
    steps: dict[str, tuple[list[float], list[int]]] = {
        "Write the workbook": ([], []),
        "Preview into the plan itself (nothing changes)": ([], []),
        "Import into a database without the plan": ([], []),
    }
    created = 0
    size = 0
    for _run in range(runs):
        plan = Plan.objects.get(slug=PLAN_SLUG)
        seconds, queries, content = timed(lambda plan=plan: export_workbook(plan))
        steps["Write the workbook"][0].append(seconds)
        steps["Write the workbook"][1].append(queries)
        size = len(content)
        seconds, queries, outcome = timed(
            lambda plan=plan, content=content: import_workbook(content, plan=plan, dry_run=True)
        )
        assert outcome.ok, outcome.errors
        steps["Preview into the plan itself (nothing changes)"][0].append(seconds)
        steps["Preview into the plan itself (nothing changes)"][1].append(queries)
        delete_plan(plan)
        seconds, queries, outcome = timed(
            lambda content=content: import_workbook(content, dry_run=False)
        )
        assert outcome.ok, outcome.errors
        created = outcome.total("new")
        steps["Import into a database without the plan"][0].append(seconds)
        steps["Import into a database without the plan"][1].append(queries)

    print(f"Database: {database}; set-up (migrate, load the plan) {set_up:.1f} s")
    print(f"The real plan's workbook: {size / 1024:.0f} kB, {created} rows created on import")
    print(f"Median of {runs} runs:")
    for name, (seconds, queries) in steps.items():
        print(
            f"  {name}: {statistics.median(seconds):.2f} s, "
            f"{int(statistics.median(queries))} queries"
        )


if __name__ == "__main__":
    main()
