"""Data for the benchmarks: the real Slagelse plan, with demo figures, copies of it, and the
national dataset; and the throwaway database they are built in.

Not a benchmark itself. It imports the models, so a benchmark imports it only after
`_setup` (bench/_setup.py), which points DATABASE_URL at BENCH_DATABASE_URL or, without it, at
an in-memory SQLite database, and runs `django.setup()`:

    import _setup  # noqa: F401
    from bench.dataset import copy_plan_structure, enter_figures

`throwaway_database` creates and migrates the benchmark's own database and drops it at the end.
`copy_plan_structure` copies a plan's shape (demo.national_dataset.copy_plan: its areas,
delaftaler, activities, metrics, indicators, criteria and targets, and its real measurements)
into new plans that share its housing areas; `enter_figures` gives plans four years of
measurements and every quarter's counts, all with bulk_create. `load_demo_plan` loads the real
plan and fills it with the invented counts, reports and measurements of `manage.py
load_demo_data`. `national_dataset` makes what `manage.py generate_national_dataset` makes:
plans plan-001, plan-002, ... with housing areas of their own, the demo figures (counts,
reports and measurements) and users.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.core.management import call_command
from django.db import connection

from activities.models import Metric, QuarterlyCount
from agreements.models import Plan
from demo.data import DemoSummary, load_demo_data
from demo.national_dataset import (
    GENERATED_SLUG_PATTERN,
    TEMPLATE_FIXTURE,
    TEMPLATE_SLUG,
    PlanShape,
    copy_plan,
)
from indicators.models import Indicator, Measurement

# The real plan, which every benchmark loads.
FIXTURE = TEMPLATE_FIXTURE
PLAN_SLUG = TEMPLATE_SLUG

MEASURED_YEARS = range(2017, 2021)
BATCH = 2000
# The generated users' password in the benchmark's own database, which is dropped at the end.
PASSWORD = "benchmark-only-password"


def add_dataset_options(
    parser, *, national: str, plans: str = "How many plans in the national dataset (default 100)."
) -> None:
    """The options every benchmark shares: --national (what it then measures) and --plans."""
    parser.add_argument("--national", action="store_true", help=national)
    parser.add_argument("--plans", type=int, default=100, help=plans)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """An empty, migrated database of the benchmark's own, dropped at the end; yields what it is.

    It is made the way the test suite makes its database: in memory for SQLite, and for a
    PostgreSQL database named in BENCH_DATABASE_URL a new database test_<name> beside it (an
    old one of that name is dropped first). The named database itself is never touched.
    """
    named = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if connection.vendor == "sqlite":
            yield "SQLite, in memory"
        else:
            yield f"{connection.display_name} {connection.settings_dict['NAME']}"
    finally:
        connection.creation.destroy_test_db(named, verbosity=0)


def load_demo_plan() -> tuple[Plan, DemoSummary]:
    """The real Slagelse plan (`manage.py load_plan`) with the demo figures
    (`manage.py load_demo_data`): counts and reports for every quarter, measurements for every
    year. The database must be migrated."""
    call_command("load_plan", FIXTURE, verbosity=0)
    plan = Plan.objects.get(slug=PLAN_SLUG)
    summary = load_demo_data(plan=plan)
    return plan, summary


def copy_plan_structure(template: Plan, count: int) -> list[Plan]:
    """`count` new plans with the template's shape, sharing its housing areas, and without
    figures of their own beyond the template's real measurements."""
    shape = PlanShape.of(template)
    return [
        copy_plan(shape, name=f"Benchmark-plan {number}", slug=f"benchmark-{number}")
        for number in range(2, count + 2)
    ]


def national_dataset(plans: int) -> list[Plan]:
    """The generated plans of `manage.py generate_national_dataset --plans N`, plan-001 first.

    Plans generated before are kept, so a benchmark can grow the dataset in steps.
    """
    call_command("generate_national_dataset", plans=plans, password=PASSWORD, stdout=io.StringIO())
    return list(Plan.objects.filter(slug__regex=GENERATED_SLUG_PATTERN).order_by("slug"))


def enter_figures(plans: list[Plan]) -> tuple[int, int]:
    """Four years of measurements and of quarterly counts for every plan; the numbers of
    measurements and counts written. The plans must have none in those years yet."""
    measurements = counts = 0
    for number, plan in enumerate(plans):
        area_ids = list(plan.plan_areas.values_list("area_id", flat=True))
        rows = [
            Measurement(
                indicator=indicator,
                area_id=area_id,
                year=year,
                value=Decimal(20 + (number + indicator.pk + year + (area_id or 0)) % 60),
            )
            for indicator in Indicator.objects.filter(plan=plan)
            for area_id in ([None] if indicator.is_reference else [None, *area_ids])
            for year in MEASURED_YEARS
        ]
        Measurement.objects.bulk_create(rows, batch_size=BATCH)
        measurements += len(rows)
        rows = [
            QuarterlyCount(
                metric=metric,
                area=area,
                year=quarter.year,
                quarter=quarter.number,
                value=1 + (number + metric.pk + quarter.number + area.pk) % 12,
            )
            for metric in Metric.objects.filter(activity__subagreement__plan=plan).prefetch_related(
                "activity__areas"
            )
            for area in metric.activity.areas.all()
            for quarter in plan.quarters()
        ]
        QuarterlyCount.objects.bulk_create(rows, batch_size=BATCH)
        counts += len(rows)
    return measurements, counts
