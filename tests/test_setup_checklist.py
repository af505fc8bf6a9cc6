"""The set-up checklist: each step turns done when what it asks for is put in, in the order it
must be done, each line a link to where it is done, in a number of queries that does not grow
with the plan."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, Metric, ReportingAssignment
from agreements.models import (
    FocusArea,
    FundingPeriod,
    HousingArea,
    Membership,
    Plan,
    PlanArea,
    Role,
    Subagreement,
)
from indicators.models import CriterionTarget, SuccessCriterion
from onboarding.checklist import checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_plan() -> Plan:
    return Plan.objects.create(
        name="Helhedsplan for Nyby 2022-2025",
        slug="nyby-2022",
        funding_period=FundingPeriod.objects.get(code="2019-26"),
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )


def missing(plan: Plan) -> dict[str, list[str]]:
    return {step.title: step.missing for step in checklist(plan)}


def test_an_empty_plan_lacks_everything_in_the_order_it_is_done(new_plan):
    steps = checklist(new_plan)
    assert [step.title for step in steps] == [
        "Boligområder",
        "Delaftaler",
        "Aktiviteter og hvad de tæller",
        "Succeskriterier med mål",
        "Indberettere for hver aktivitet og hvert område",
        "Bestyrelse og Landsbyggefonden",
    ]
    assert not any(step.done for step in steps)
    assert steps[0].missing == ["Planen har endnu ingen boligområder."]
    assert steps[2].missing == ["Lav først delaftalerne."]


def test_each_step_turns_done_when_its_part_is_put_in(new_plan, make_user):
    area = HousingArea.objects.create(code="nyby-nord", name="Nyby Nord")
    PlanArea.objects.create(plan=new_plan, area=area, position=1)
    assert checklist(new_plan)[0].done

    subagreement = Subagreement.objects.create(
        plan=new_plan,
        focus_area=FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse"),
        valid_from=datetime.date(2022, 1, 1),
    )
    steps = checklist(new_plan)
    assert steps[1].done
    # Only one of the four focus areas is taken, which a plan may do: said, not missing.
    assert "ingen delaftale for Uddannelse og livschancer" in steps[1].have
    assert steps[2].missing == ["Delaftalen for Beskæftigelse har ingen aktiviteter."]

    activity = Activity.objects.create(subagreement=subagreement, position=1, name="Jobcafé")
    assert missing(new_plan)["Aktiviteter og hvad de tæller"] == [
        "Jobcafé tæller ikke noget hvert kvartal.",
        "Jobcafé kører ikke i noget boligområde.",
    ]
    activity.areas.add(area)
    metric = Metric.objects.create(activity=activity, name="Deltagere", position=1)
    assert checklist(new_plan)[2].done

    criterion = SuccessCriterion.objects.create(
        subagreement=subagreement, position=1, text="Mindst 20 deltagere om året", data_source="X"
    )
    assert missing(new_plan)["Succeskriterier med mål"] == [
        "Beskæftigelse, kriterium 1 læser ikke noget tal: vælg en indikator eller en optælling.",
        "Beskæftigelse, kriterium 1 har intet mål.",
    ]
    criterion.metric = metric
    criterion.save()
    CriterionTarget.objects.create(
        criterion=criterion,
        kind=CriterionTarget.Kind.YEARLY,
        comparison=CriterionTarget.Comparison.AT_LEAST,
        value=20,
    )
    assert checklist(new_plan)[3].done

    assert missing(new_plan)["Indberettere for hver aktivitet og hvert område"] == [
        "Planen har endnu ingen koordinatorer.",
        "Ingen indberetter Jobcafé i Nyby Nord.",
    ]
    make_user("koordinator-nyby", Role.COORDINATOR, new_plan, areas=[area])
    assert checklist(new_plan)[4].done

    assert missing(new_plan)["Bestyrelse og Landsbyggefonden"] == [
        "Planen har endnu ingen bestyrelsesmedlemmer.",
        "Ingen fra Landsbyggefonden er medlem endnu.",
    ]
    make_user("bestyrelse-nyby", Role.BOARD, new_plan)
    make_user("lbf-nyby", Role.LBF, new_plan)
    assert all(step.done for step in checklist(new_plan))


def test_a_qualitative_criterion_needs_no_target(new_plan):
    subagreement = Subagreement.objects.create(
        plan=new_plan,
        focus_area=FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse"),
        valid_from=datetime.date(2022, 1, 1),
    )
    SuccessCriterion.objects.create(
        subagreement=subagreement,
        position=1,
        text="Beboerne oplever mere tryghed",
        data_source="Interview",
        kind=SuccessCriterion.Kind.QUALITATIVE,
    )
    assert missing(new_plan)["Succeskriterier med mål"] == []


def test_an_assignment_of_an_activity_covers_it_in_every_area(plan, make_user):
    """The real plan: with one municipal reporter per activity, every pair is covered."""
    activities = list(Activity.objects.filter(subagreement__plan=plan))
    membership = Membership.objects.create(
        user=make_user("kommunen"), plan=plan, role=Role.COORDINATOR
    )
    before = len(missing(plan)["Indberettere for hver aktivitet og hvert område"])
    assert before > 0
    ReportingAssignment.objects.bulk_create(
        ReportingAssignment(membership=membership, activity=activity) for activity in activities
    )
    assert missing(plan)["Indberettere for hver aktivitet og hvert område"] == []


def test_the_checklist_takes_the_same_queries_for_a_small_plan_and_the_real_one(plan, new_plan):
    area = HousingArea.objects.create(code="nyby-nord", name="Nyby Nord")
    PlanArea.objects.create(plan=new_plan, area=area, position=1)
    subagreement = Subagreement.objects.create(
        plan=new_plan,
        focus_area=FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse"),
        valid_from=datetime.date(2022, 1, 1),
    )
    activity = Activity.objects.create(subagreement=subagreement, position=1, name="Jobcafé")
    activity.areas.add(area)
    Metric.objects.create(activity=activity, name="Deltagere", position=1)
    fresh = Plan.objects.get(pk=new_plan.pk)
    with CaptureQueriesContext(connection) as small:
        checklist(fresh)
    with CaptureQueriesContext(connection) as real:
        checklist(plan)
    assert len(real) == len(small) == 10


def test_the_page_shows_each_step_with_its_links(client, plan, secretariat):
    client.force_login(secretariat)
    response = client.get(reverse("onboarding:checklist", args=[plan.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Opsætning af planen" in page
    assert reverse("members:members", args=[plan.slug]) in page
    assert reverse("onboarding:workbook", args=[plan.slug]) in page
    assert page.count('class="setup-step"') == 6
