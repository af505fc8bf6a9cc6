"""Judging a plan takes the same few queries however many criteria, figures and years it has."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import Metric, QuarterlyCount
from indicators.evaluation import evaluate_plan
from indicators.models import (
    CriterionTarget,
    Indicator,
    Measurement,
    QualitativeAssessment,
    SuccessCriterion,
)

pytestmark = pytest.mark.django_db

# Measurements, quarterly counts, assessments, criteria, and the criteria's targets.
QUERIES = 5
# 79 rows (criteria, and areas where a criterion has targets per area) in 5 years.
SEED_EVALUATIONS = 395


def copy_criteria(plan, times: int) -> None:
    """Every criterion of the plan again, `times` over, with its targets."""
    originals = list(SuccessCriterion.objects.filter(subagreement__plan=plan))
    targets = list(CriterionTarget.objects.filter(criterion__in=originals))
    for copy in range(1, times + 1):
        copies = {}
        for original in originals:
            copies[original.pk] = SuccessCriterion(
                subagreement_id=original.subagreement_id,
                activity_id=original.activity_id,
                position=original.position + 100 * copy,
                text=original.text,
                data_source=original.data_source,
                kind=original.kind,
                indicator_id=original.indicator_id,
                metric_id=original.metric_id,
                denominator_metric_id=original.denominator_metric_id,
            )
        SuccessCriterion.objects.bulk_create(copies.values())
        CriterionTarget.objects.bulk_create(
            CriterionTarget(
                **{
                    field.attname: getattr(target, field.attname)
                    for field in CriterionTarget._meta.concrete_fields
                    if field.attname not in ("id", "criterion_id")
                },
                criterion=copies[target.criterion_id],
            )
            for target in targets
        )


def enter_figures(plan, years: range) -> None:
    """A figure for every indicator, area and year, and a count for every metric, area and
    quarter of the plan, where there is none yet."""
    entered = set(
        Measurement.objects.filter(indicator__plan=plan).values_list("indicator", "area", "year")
    )
    area_ids = [None, *plan.plan_areas.values_list("area_id", flat=True)]
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, area_id=area_id, year=year, value=10 + year % 7)
        for indicator in Indicator.objects.filter(plan=plan)
        for area_id in ([None] if indicator.is_reference else area_ids)
        for year in years
        if (indicator.pk, area_id, year) not in entered
    )
    QuarterlyCount.objects.bulk_create(
        QuarterlyCount(
            metric=metric,
            area=area,
            year=quarter.year,
            quarter=quarter.number,
            value=quarter.number,
        )
        for metric in Metric.objects.filter(activity__subagreement__plan=plan).prefetch_related(
            "activity__areas"
        )
        for area in metric.activity.areas.all()
        for quarter in plan.quarters()
    )


def assess_everything(plan, person) -> None:
    QualitativeAssessment.objects.bulk_create(
        QualitativeAssessment(
            criterion=criterion,
            year=plan_year.year,
            status=QualitativeAssessment.Status.MET,
            justification="Vurderet på beboermødet.",
            assessed_by=person,
            assessed_at=timezone.make_aware(datetime.datetime(plan_year.year, 12, 1, 12)),
        )
        for criterion in SuccessCriterion.objects.filter(
            subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
        )
        for plan_year in plan.years()
    )


@pytest.fixture
def grown(plan, secretariat):
    """The plan with ten times the criteria, every figure since 2011 and every count."""
    measurements = Measurement.objects.filter(indicator__plan=plan).count()
    criteria = SuccessCriterion.objects.filter(subagreement__plan=plan).count()
    copy_criteria(plan, times=9)
    enter_figures(plan, range(2011, 2022))
    assess_everything(plan, secretariat)
    assert SuccessCriterion.objects.filter(subagreement__plan=plan).count() == 10 * criteria
    assert Measurement.objects.filter(indicator__plan=plan).count() >= 10 * measurements
    assert QuarterlyCount.objects.for_plans([plan.pk]).count() > 1000
    return plan


def test_judging_the_real_plan_takes_a_fixed_number_of_queries(plan, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        evaluations = evaluate_plan(plan)

    assert len(evaluations) == SEED_EVALUATIONS


def test_ten_times_the_criteria_and_figures_take_the_same_queries(grown, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        evaluations = evaluate_plan(grown)

    assert len(evaluations) == 10 * SEED_EVALUATIONS
    # The figures are there: the sentences read them, yet cost no query of their own.
    assert sum(evaluation.value is not None for evaluation in evaluations) > 1000
    assert sum(evaluation.assessment is not None for evaluation in evaluations) > 100


def test_one_year_takes_the_same_queries_as_all(grown, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        evaluate_plan(grown, years=[2019])


def test_the_command_adds_one_query_to_find_the_plan(grown, django_assert_num_queries):
    with django_assert_num_queries(QUERIES + 1):
        call_command("evaluate_criteria", year=2019, plan=grown.slug, stdout=StringIO())
