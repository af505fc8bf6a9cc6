"""The database itself refuses rows that break the plan's invariants, whatever path they take."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from activities.models import Activity, Metric, ReportingAssignment
from agreements.models import (
    Body,
    FocusArea,
    HousingArea,
    Membership,
    Plan,
    Role,
    StaffResource,
    Subagreement,
)
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def tryghed(plan):
    return plan.subagreements.get(focus_area__code="tryghed")


@pytest.fixture
def indicator(plan):
    return Indicator.objects.create(plan=plan, name="Testindikator", unit="count")


def test_it_allows_one_subagreement_per_focus_area_and_plan(plan, tryghed):
    assert refused(
        lambda: Subagreement.objects.create(
            plan=plan, focus_area=tryghed.focus_area, valid_from=datetime.date(2017, 10, 1)
        )
    )


def test_it_refuses_a_subagreement_valid_to_before_valid_from(plan):
    other_focus = FocusArea.objects.get(code="beskaeftigelse")
    assert refused(
        lambda: Subagreement.objects.create(
            plan=plan,
            focus_area=other_focus,
            valid_from=datetime.date(2021, 10, 1),
            valid_to=datetime.date(2017, 10, 1),
        )
    )


@pytest.mark.parametrize("field", ["budget_lbf", "budget_local"])
def test_it_refuses_negative_budgets_on_a_subagreement(tryghed, field):
    setattr(tryghed, field, -1)
    assert refused(tryghed.save)


@pytest.mark.parametrize("field", ["budget_lbf", "budget_local"])
def test_it_refuses_negative_budgets_on_a_plan(plan, field):
    setattr(plan, field, -1)
    assert refused(plan.save)


def test_it_refuses_a_plan_that_ends_before_it_starts(plan):
    plan.end_date = plan.start_date - datetime.timedelta(days=1)
    assert refused(plan.save)


def test_it_keeps_one_measurement_per_indicator_year_and_area(indicator):
    area = HousingArea.objects.get(code="motalavej")
    Measurement.objects.create(indicator=indicator, year=2018, area=area, value=1)
    assert refused(
        lambda: Measurement.objects.create(indicator=indicator, year=2018, area=area, value=2)
    )


def test_it_keeps_one_whole_plan_measurement_per_indicator_and_year(indicator):
    Measurement.objects.create(indicator=indicator, year=2018, area=None, value=1)
    assert refused(
        lambda: Measurement.objects.create(indicator=indicator, year=2018, area=None, value=2)
    )


def test_it_refuses_a_negative_measurement(indicator):
    assert refused(lambda: Measurement.objects.create(indicator=indicator, year=2018, value=-1))


def test_it_refuses_a_criterion_without_a_data_source(tryghed):
    assert refused(
        lambda: SuccessCriterion.objects.create(
            subagreement=tryghed, position=999, text="Uden datakilde", data_source=""
        )
    )


def test_it_refuses_a_criterion_reading_both_an_indicator_and_a_metric(tryghed, indicator):
    metric = Metric.objects.filter(activity__subagreement=tryghed).first()
    assert refused(
        lambda: SuccessCriterion.objects.create(
            subagreement=tryghed,
            activity=metric.activity,
            position=999,
            text="Begge dele",
            data_source="Egen registrering",
            indicator=indicator,
            metric=metric,
        )
    )


def test_it_refuses_a_share_without_a_numerator(tryghed):
    metric = Metric.objects.filter(activity__subagreement=tryghed).first()
    assert refused(
        lambda: SuccessCriterion.objects.create(
            subagreement=tryghed,
            position=999,
            text="Kun nævner",
            data_source="Egen registrering",
            denominator_metric=metric,
        )
    )


@pytest.fixture
def criterion(tryghed):
    return SuccessCriterion.objects.create(
        subagreement=tryghed, position=999, text="Test", data_source="Test"
    )


@pytest.mark.parametrize(
    "target",
    [
        {"kind": "yearly", "comparison": "gte"},
        {"kind": "by_year", "comparison": "lte", "value": 20},
        {"kind": "change_previous", "comparison": "lte"},
        {"kind": "change_baseline", "comparison": "lte", "change_percent": -30},
        {"kind": "reference", "comparison": "gt"},
        {"kind": "yearly", "comparison": "gte", "value": 12, "value_max": 10},
        {"kind": "direction", "comparison": "lt", "from_year": 2021, "to_year": 2017},
        {"kind": "change_previous", "comparison": "lte", "change_percent": -100},
    ],
    ids=[
        "yearly-without-value",
        "by-year-without-target-year",
        "change-without-percent",
        "change-from-baseline-without-horizon",
        "reference-without-reference",
        "range-upside-down",
        "years-upside-down",
        "fall-of-100-percent",
    ],
)
def test_it_refuses_a_target_missing_what_its_kind_needs(criterion, target):
    assert refused(lambda: CriterionTarget.objects.create(criterion=criterion, **target))


def test_it_accepts_a_complete_target(criterion):
    CriterionTarget.objects.create(
        criterion=criterion,
        kind="by_year",
        comparison="lte",
        value=Decimal("20"),
        baseline_value=Decimal("30.65"),
        baseline_year=2016,
        to_year=2021,
    )


def test_it_refuses_a_negative_staff_share(tryghed):
    assert refused(
        lambda: StaffResource.objects.create(
            subagreement=tryghed, position=999, role="Koordinator", fte=Decimal("-0.5")
        )
    )


def test_it_refuses_a_local_group_without_an_area(plan):
    assert refused(
        lambda: Body.objects.create(plan=plan, kind="local_group", name="Følgegruppe uden område")
    )


def test_it_refuses_a_second_board(plan):
    assert refused(lambda: Body.objects.create(plan=plan, kind="board", name="Endnu en bestyrelse"))


def test_it_refuses_an_assignment_naming_neither_area_nor_activity(make_user, plan):
    user = make_user("koordinator", Role.COORDINATOR, plan)
    membership = Membership.objects.get(user=user)
    assert refused(lambda: ReportingAssignment.objects.create(membership=membership))


def test_it_refuses_the_same_area_assignment_twice(make_user, plan):
    area = HousingArea.objects.get(code="sydbyen")
    user = make_user("koordinator", Role.COORDINATOR, plan, areas=[area])
    membership = Membership.objects.get(user=user)
    assert refused(lambda: ReportingAssignment.objects.create(membership=membership, area=area))


def test_it_gives_a_user_one_role_per_plan(make_user, plan):
    user = make_user("sekretariat", Role.SECRETARIAT, plan)
    assert refused(lambda: Membership.objects.create(user=user, plan=plan, role=Role.BOARD))


def test_an_activity_criterion_always_belongs_to_the_activitys_subagreement(plan):
    activity = Activity.objects.filter(subagreement__plan=plan).last()
    other = plan.subagreements.exclude(pk=activity.subagreement_id).first()
    criterion = SuccessCriterion.objects.create(
        subagreement=other, activity=activity, position=999, text="Test", data_source="Test"
    )
    assert criterion.subagreement_id == activity.subagreement_id


def test_plans_do_not_share_delaftaler(make_plan):
    first = make_plan("foerste")
    second = make_plan("anden", area_code="andet")
    assert first.subagreements.get().pk != second.subagreements.get().pk
    assert Plan.objects.count() >= 3
