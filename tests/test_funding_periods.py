"""Funding periods: a focus area is chosen from its plan's funding period, named with its
period where the plan is not known yet; a plan may take a subset of its period's areas; the
README documents every area's code."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import Activity
from agreements.models import FocusArea, FundingPeriod, Plan, PlanSection, Role, Subagreement

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent / "README.md"
WRONG_PERIOD = "Indsatsområdet skal høre til planens bevillingsperiode (2015-18-midlerne)."


def focus_area_choices(page: str, name: str = "focus_area") -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)[0]
    return [label for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', select)]


@pytest.fixture
def small_plan(make_user) -> Plan:
    """A 2019-26 plan that takes two of the period's four focus areas."""
    plan = Plan.objects.create(
        name="Helhedsplan Nørrebakken",
        slug="noerrebakken-2023",
        funding_period=FundingPeriod.objects.get(code="2019-26"),
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        budget_lbf=3_000_000,
    )
    for code in ("beskaeftigelse", "kriminalitetsforebyggelse"):
        subagreement = Subagreement(
            plan=plan,
            focus_area=FocusArea.objects.get(funding_period__code="2019-26", code=code),
            valid_from=datetime.date(2023, 1, 1),
            budget_lbf=1_000_000,
        )
        subagreement.full_clean()
        subagreement.save()
    return plan


def test_a_plan_may_take_two_of_its_periods_four_focus_areas(client, make_user, small_plan):
    small_plan.full_clean()
    assert {area.code for area in small_plan.missing_focus_areas()} == {
        "uddannelse-og-livschancer",
        "sammenhaengskraft",
    }
    assert small_plan.budget_overview()["unallocated"]["lbf"] == 1_000_000
    secretariat = make_user("noerrebakken-sekretariat", Role.SECRETARIAT, small_plan)
    client.force_login(secretariat)
    for url in (
        reverse("admin:agreements_plan_change", args=[small_plan.pk]),
        reverse("admin:agreements_subagreement_changelist"),
        reverse("agreements:subagreements", args=[small_plan.slug]),
        reverse("reports:dashboard", args=[small_plan.slug]),
    ):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("agreements:subagreements", args=[small_plan.slug]))
    assert "Beskæftigelse" in listing.content.decode()


def test_a_delaftale_of_another_period_is_refused_at_its_focus_area(plan):
    subagreement = Subagreement(
        plan=plan,
        focus_area=FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse"),
        valid_from=datetime.date(2017, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        subagreement.full_clean()
    assert refused.value.message_dict["focus_area"] == [WRONG_PERIOD]


def test_a_section_of_another_period_is_refused_at_its_focus_area(plan):
    section = PlanSection(
        plan=plan,
        position=99,
        title="Et afsnit",
        focus_area=FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse"),
    )
    with pytest.raises(ValidationError) as refused:
        section.full_clean()
    assert refused.value.message_dict["focus_area"] == [WRONG_PERIOD]


def test_a_plan_cannot_leave_the_period_of_its_delaftaler(plan):
    plan.funding_period = FundingPeriod.objects.get(code="2019-26")
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert "funding_period" in refused.value.message_dict


def test_the_admin_refuses_a_focus_area_of_another_period(client, superuser, plan):
    client.force_login(superuser)
    add = reverse("admin:agreements_subagreement_add")
    # The page's inlines, each empty.
    management = {
        name: "0"
        for name in re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL)_FORMS)"', get(client, add))
    }
    other_period_area = FocusArea.objects.get(funding_period__code="2019-26", code="beskaeftigelse")
    response = client.post(
        add,
        {
            "plan": plan.pk,
            "focus_area": other_period_area.pk,
            "valid_from": "1.1.2017",
            "budget_lbf": "0",
            "budget_local": "0",
            **management,
        },
    )
    assert response.status_code == 200
    errors = re.search(r'id="id_focus_area_error".*?</ul>', response.content.decode(), re.S)
    assert errors and WRONG_PERIOD in errors[0]
    assert not Subagreement.objects.filter(plan=plan, focus_area=other_period_area).exists()


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_without_a_plan_the_focus_areas_are_named_with_their_period(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:agreements_subagreement_add")).content.decode()
    choices = focus_area_choices(page)
    assert "2019-26-midlerne: Beskæftigelse" in choices
    assert "2015-18-midlerne: Tryghed og trivsel" in choices
    assert len(choices) == FocusArea.objects.count()


def test_a_secretariat_is_offered_only_its_plans_period(client, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("admin:agreements_subagreement_add")).content.decode()
    assert focus_area_choices(page) == [
        f"2015-18-midlerne: {area.name}"
        for area in FocusArea.objects.filter(funding_period__code="2015-18")
    ]


def test_on_a_delaftales_page_only_its_plans_period_is_offered(client, superuser, small_plan, plan):
    client.force_login(superuser)
    subagreement = small_plan.subagreements.first()
    page = client.get(
        reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    ).content.decode()
    assert focus_area_choices(page) == [
        area.name for area in FocusArea.objects.filter(funding_period__code="2019-26")
    ]
    page = client.get(reverse("admin:agreements_plan_change", args=[plan.pk])).content.decode()
    assert focus_area_choices(page, "sections-0-focus_area") == [
        area.name for area in FocusArea.objects.filter(funding_period__code="2015-18")
    ]


def test_a_filter_of_both_periods_names_each_area_with_its_period(client, superuser, small_plan):
    Activity.objects.create(
        subagreement=small_plan.subagreements.get(focus_area__code="beskaeftigelse"),
        position=1,
        name="Jobcafé",
    )
    client.force_login(superuser)
    page = get(client, reverse("admin:activities_activity_changelist"))
    sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S)[0]
    assert "2019-26-midlerne: Beskæftigelse" in sidebar
    assert "2015-18-midlerne: Tryghed og trivsel" in sidebar


def test_the_readme_documents_every_focus_areas_code():
    readme = README.read_text()
    for area in FocusArea.objects.select_related("funding_period"):
        row = re.search(rf"^\|[^\n]*`{re.escape(area.code)}`[^\n]*$", readme, re.M)
        assert row, area.code
        assert area.name in row[0] and area.funding_period.code in row[0]
