"""Data for the benchmarks: the real Slagelse plan, with demo figures, and copies of it.

Not a benchmark itself. It imports the models, so a benchmark imports it only after
`django.setup()` (and after pointing DATABASE_URL at an in-memory SQLite database):

    from bench.dataset import copy_plan_structure, enter_figures

`copy_plan_structure` copies a plan's areas, delaftaler, activities, metrics, indicators,
criteria and targets into new plans; `enter_figures` gives plans four years of measurements and
every quarter's counts, all with bulk_create. `load_demo_plan` loads the real plan and fills it
with the invented counts, reports and measurements of `manage.py load_demo_data`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command
from django.db.models import Model

from activities.demo import DemoSummary, load_demo_data
from activities.models import Activity, Metric, QuarterlyCount
from agreements.models import Plan, PlanArea, Subagreement
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion

PLAN_SLUG = "slagelse-2017-2021"
FIXTURE = "slagelse_2017_2021"
MEASURED_YEARS = range(2017, 2021)
BATCH = 2000


def load_demo_plan() -> tuple[Plan, DemoSummary]:
    """The real Slagelse plan (`manage.py load_plan`) with the demo figures
    (`manage.py load_demo_data`): counts and reports for every quarter, measurements for every
    year. The database must be migrated."""
    call_command("load_plan", FIXTURE, verbosity=0)
    plan = Plan.objects.get(slug=PLAN_SLUG)
    summary = load_demo_data(plan=plan)
    return plan, summary


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
    """Four years of measurements and of quarterly counts for every plan; the numbers of
    measurements and counts written. The plans must have none yet."""
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
