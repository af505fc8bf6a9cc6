"""Benchmark: judging every success criterion of 100 plans, year by year.

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/evaluate_criteria.py

`--plans N` changes the number of plans (default 100). The script builds everything in an
in-memory SQLite database of its own: DATABASE_URL is replaced before Django starts, so neither
db.sqlite3 nor a PostgreSQL database named in the environment or in .env is touched.

It migrates the empty database, loads the real Slagelse plan, copies the plan's delaftaler,
activities, metrics, indicators, criteria and targets into N - 1 more plans, and gives every
plan four years of measurements (2017-2020, every indicator and area) and quarterly counts
(every quarter of the plan, every metric and area), all with bulk_create. Then it judges each
plan with `evaluate_plan` for all its years and prints the time, the evaluations and the
queries per plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
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
from django.db.models import Model  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from activities.models import Activity, Metric, QuarterlyCount  # noqa: E402
from agreements.models import Plan, PlanArea, Subagreement  # noqa: E402
from indicators.evaluation import evaluate_plan  # noqa: E402
from indicators.models import (  # noqa: E402
    CriterionTarget,
    Indicator,
    Measurement,
    SuccessCriterion,
)

TEMPLATE_SLUG = "slagelse-2017-2021"
FIXTURE = "slagelse_2017_2021"
MEASURED_YEARS = range(2017, 2021)
BATCH = 2000


def clone(model: type[Model], original: Model, **changes) -> Model:
    """An unsaved copy of a row, with some of its fields changed."""
    values = {
        field.attname: getattr(original, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)


def copy_plan_structure(template: Plan, count: int) -> list[Plan]:
    """`count` new plans with the template's areas, delaftaler, activities, metrics,
    indicators, criteria and targets."""
    plans = Plan.objects.bulk_create(
        clone(Plan, template, name=f"Benchmark-plan {number}", slug=f"benchmark-{number}")
        for number in range(2, count + 2)
    )
    plan_areas = list(template.plan_areas.all())
    PlanArea.objects.bulk_create(
        clone(PlanArea, plan_area, plan_id=plan.pk) for plan in plans for plan_area in plan_areas
    )
    subagreements = list(template.subagreements.all())
    activities = list(Activity.objects.filter(subagreement__plan=template))
    activity_areas = list(
        Activity.areas.through.objects.filter(activity__subagreement__plan=template)
    )
    metrics = list(Metric.objects.filter(activity__subagreement__plan=template))
    indicators = list(Indicator.objects.filter(plan=template))
    criteria = list(SuccessCriterion.objects.filter(subagreement__plan=template))
    targets = list(CriterionTarget.objects.filter(criterion__subagreement__plan=template))
    for plan in plans:
        new_subagreements = dict(
            zip(
                [s.pk for s in subagreements],
                Subagreement.objects.bulk_create(
                    clone(Subagreement, s, plan_id=plan.pk) for s in subagreements
                ),
                strict=True,
            )
        )
        new_activities = dict(
            zip(
                [a.pk for a in activities],
                Activity.objects.bulk_create(
                    clone(Activity, a, subagreement_id=new_subagreements[a.subagreement_id].pk)
                    for a in activities
                ),
                strict=True,
            )
        )
        Activity.areas.through.objects.bulk_create(
            Activity.areas.through(
                activity_id=new_activities[link.activity_id].pk, housingarea_id=link.housingarea_id
            )
            for link in activity_areas
        )
        new_metrics = dict(
            zip(
                [m.pk for m in metrics],
                Metric.objects.bulk_create(
                    clone(Metric, m, activity_id=new_activities[m.activity_id].pk) for m in metrics
                ),
                strict=True,
            )
        )
        new_indicators = dict(
            zip(
                [i.pk for i in indicators],
                Indicator.objects.bulk_create(
                    clone(Indicator, i, plan_id=plan.pk) for i in indicators
                ),
                strict=True,
            )
        )

        def new_id(mapping, old_id):
            return mapping[old_id].pk if old_id else None

        new_criteria = dict(
            zip(
                [c.pk for c in criteria],
                SuccessCriterion.objects.bulk_create(
                    clone(
                        SuccessCriterion,
                        c,
                        subagreement_id=new_subagreements[c.subagreement_id].pk,
                        activity_id=new_id(new_activities, c.activity_id),
                        indicator_id=new_id(new_indicators, c.indicator_id),
                        metric_id=new_id(new_metrics, c.metric_id),
                        denominator_metric_id=new_id(new_metrics, c.denominator_metric_id),
                    )
                    for c in criteria
                ),
                strict=True,
            )
        )
        CriterionTarget.objects.bulk_create(
            clone(
                CriterionTarget,
                t,
                criterion_id=new_criteria[t.criterion_id].pk,
                reference_id=new_id(new_indicators, t.reference_id),
            )
            for t in targets
        )
    return plans


def enter_figures(plans: list[Plan]) -> tuple[int, int]:
    """Four years of measurements and of quarterly counts for every plan."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100, help="How many plans (default 100).")
    number_of_plans = parser.parse_args().plans

    if connection.settings_dict["NAME"] != ":memory:":
        sys.exit("Refusing to run: the benchmark only ever uses an in-memory SQLite database.")

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddata", FIXTURE, verbosity=0)
    template = Plan.objects.get(slug=TEMPLATE_SLUG)
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
