"""Benchmark: the board's dashboard with 100 plans in the database against one.

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/dashboard.py

`--plans N` changes the number of plans in the second round (default 100), `--repeat N` the
number of timed page loads in each round (default 7). Like the other benchmarks it works in a
database of its own, in memory or, with BENCH_DATABASE_URL, a PostgreSQL database test_NAME
that it creates and drops: DATABASE_URL is replaced before Django starts, so neither
db.sqlite3 nor a database in .env is touched.

It migrates the empty database, loads the real Slagelse plan with the demo figures (quarterly
counts and reports, yearly measurements, as `manage.py load_demo_data` enters them) and gives a
user the board's role in it. It loads the dashboard for the first half of 2019 with the test
client (five untimed GETs to warm up, then N timed ones) and counts the queries. Then it copies
the plan into N - 1 more plans, each with four years of measurements and every quarter's counts
(bench/dataset.py), loads the same dashboard of the same plan again, and prints the median and
slowest time and the queries of both rounds, and whether the aim is met: with 100 plans the
median is at most 1.2 times the median with one.

With `--national` both rounds use the national dataset (`manage.py generate_national_dataset`):
the first has only its first plan, the second N of them, each with housing areas of its own
and the demo figures, quarterly reports included; the page is the first plan's dashboard, as
its board member (bestyrelse-001).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.contrib.auth import get_user_model
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from activities.models import QuarterlyCount, QuarterReport
from agreements.models import Membership, Plan, Role
from bench.dataset import (
    add_dataset_options,
    copy_plan_structure,
    enter_figures,
    load_demo_plan,
    national_dataset,
    throwaway_database,
)
from demo.national_dataset import board_username
from indicators.models import Measurement

PERIOD = "2019H1"
# The first page loads of a process are slower than the rest; each round starts with these untimed.
WARM_UP = 5
AIM_RATIO = 1.2


def data_size() -> str:
    plans = Plan.objects.count()
    return (
        f"{plans} plan{'' if plans == 1 else 's'}, "
        f"{QuarterlyCount.objects.count()} quarterly counts, "
        f"{QuarterReport.objects.count()} quarterly reports, "
        f"{Measurement.objects.count()} measurements"
    )


def measure(client: Client, address: str, repeat: int) -> tuple[list[float], list[int]]:
    """Seconds and queries of `repeat` GETs of the page, after a warm-up."""
    # Start both rounds with no garbage left over from the set-up for the collector to find.
    gc.collect()
    for _ in range(WARM_UP):
        response = client.get(address)
        if response.status_code != 200:
            sys.exit(f"The dashboard answered {response.status_code}.")
    timings, queries = [], []
    for _ in range(repeat):
        # The query log keeps only the last 9000; the set-up filled it.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            response = client.get(address)
            timings.append(time.perf_counter() - begun)
        assert response.status_code == 200, response.status_code
        queries.append(len(captured))
    return timings, queries


def report(label: str, timings: list[float], queries: list[int]) -> None:
    spread = str(min(queries)) + ("" if min(queries) == max(queries) else f"-{max(queries)}")
    print(
        f"{label:<24} median {1000 * statistics.median(timings):6.1f} ms, "
        f"slowest {1000 * max(timings):6.1f} ms, queries {spread}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="How many timed page loads per round (default 7)."
    )
    add_dataset_options(
        parser,
        national="Use the national dataset (generate_national_dataset) in both rounds.",
        plans="How many plans in the second round (default 100).",
    )
    options = parser.parse_args()
    started = time.perf_counter()
    with throwaway_database() as database:
        run(options, started=started, database=database)


def run(options: argparse.Namespace, *, started: float, database: str) -> None:
    setup_test_environment()  # the test client's host, as in the test suite
    if options.national:
        (plan,) = national_dataset(1)
        user = get_user_model().objects.get(username=board_username(1))
        figures = (
            f"Demo figures: {QuarterlyCount.objects.count()} quarterly counts, "
            f"{QuarterReport.objects.count()} quarterly reports, "
            f"{Measurement.objects.filter(is_demo=True).count()} measurements"
        )
    else:
        plan, demo = load_demo_plan()
        user = get_user_model().objects.create_user(username="bestyrelse-benchmark")
        Membership.objects.create(user=user, plan=plan, role=Role.BOARD)
        figures = (
            f"Demo figures: {demo.counts} quarterly counts, {demo.reports} quarterly reports, "
            f"{demo.measurements} measurements"
        )
    set_up = time.perf_counter() - started

    print(f"Database: {database}")
    print(f"Plan: {plan.name}, dashboard for {PERIOD}, as a board member")
    print(figures)
    if options.national:
        print("The real plan, which the national dataset copies, is there too, without figures.")
    what = (
        "generate the first plan of the national dataset"
        if options.national
        else ("load the plan and its demo figures")
    )
    print(f"Set-up (migrate, {what}): {set_up:.1f} s")

    client = Client()
    client.force_login(user)
    address = reverse("reports:dashboard", args=[plan.slug]) + f"?periode={PERIOD}"

    print(f"Data, 1 plan: {data_size()}")
    one = measure(client, address, options.repeat)

    started = time.perf_counter()
    if options.national:
        national_dataset(options.plans)
        copied = time.perf_counter() - started
        print(f"Generating {options.plans - 1} more plans of the national dataset: {copied:.1f} s")
    else:
        copies = copy_plan_structure(plan, options.plans - 1)
        enter_figures(copies)
        copied = time.perf_counter() - started
        print(f"Copying the plan into {len(copies)} more, with their figures: {copied:.1f} s")
    print(f"Data, {options.plans} plans: {data_size()}")
    many = measure(client, address, options.repeat)

    report("Dashboard, 1 plan", *one)
    report(f"Dashboard, {options.plans} plans", *many)
    if set(one[1]) == set(many[1]) and len(set(one[1])) == 1:
        print(f"Queries: equal ({one[1][0]} with 1 plan and with {options.plans})")
    else:
        print("Queries: NOT EQUAL")
    ratio = statistics.median(many[0]) / statistics.median(one[0])
    print(f"Ratio ({options.plans} plans median / 1 plan median): {ratio:.2f}")
    print(
        f"Aim: ratio at most {AIM_RATIO}: {ratio:.2f}, {'met' if ratio <= AIM_RATIO else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
