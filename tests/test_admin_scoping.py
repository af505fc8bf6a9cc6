"""Each plan alone in the administration: a secretariat is offered only its own plans' rows and
users, in lists, list filters, choice lists, inlines and autocompletes; a superuser, all.

The pages walked are those of every model registered in the admin, read from the registry,
so a model registered later is walked too. The other plan's every name holds "Kvistgaard",
so one look for that word finds any of them on a page.
"""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Metric, QuarterlyCount, ReportingAssignment
from agreements.models import (
    Body,
    FocusArea,
    FundingPeriod,
    HousingArea,
    Membership,
    Organisation,
    Plan,
    PlanArea,
    PlanParty,
    PlanSection,
    Role,
    Signatory,
    Subagreement,
)
from indicators.models import (
    CriterionTarget,
    Indicator,
    Measurement,
    QualitativeAssessment,
    SuccessCriterion,
)

pytestmark = pytest.mark.django_db

OTHER = "kvistgaard"
# Names of the Slagelse plan that are its own: an area, a user made below, the plan's name.
SLAGELSE_NAMES = ["Motalavej", "Sydbyen", "slagelse-koordinator", "Slagelse"]


@pytest.fixture
def other_plan(make_user) -> Plan:
    """A small 2019-26 plan of two of the period's four focus areas, with a row of every kind
    the administration shows, each named for the plan."""
    plan = Plan.objects.create(
        name="Helhedsplan Kvistgaard",
        slug="kvistgaard-2022",
        funding_period=FundingPeriod.objects.get(code="2019-26"),
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        budget_lbf=4_000_000,
    )
    area = HousingArea.objects.create(code="kvistgaardparken", name="Kvistgaardparken")
    PlanArea.objects.create(plan=plan, area=area, position=1)
    organisation = Organisation.objects.create(
        name="Boligselskabet Kvistgaard", kind=Organisation.Kind.HOUSING
    )
    PlanParty.objects.create(plan=plan, organisation=organisation, position=1)
    Signatory.objects.create(plan=plan, name="Kvistgaard-formanden", organisation=organisation)
    Body.objects.create(plan=plan, kind="local_group", name="Kvistgaard-følgegruppen", area=area)
    beskaeftigelse, sammenhaengskraft = (
        Subagreement.objects.create(
            plan=plan,
            focus_area=FocusArea.objects.get(funding_period__code="2019-26", code=code),
            initiative_name=f"Kvistgaard-{code}",
            valid_from=datetime.date(2022, 1, 1),
        )
        for code in ("beskaeftigelse", "sammenhaengskraft")
    )
    PlanSection.objects.create(
        plan=plan, position=1, title="Kvistgaard-afsnittet", focus_area=beskaeftigelse.focus_area
    )
    activity = Activity.objects.create(
        subagreement=beskaeftigelse, position=1, name="Kvistgaard-lektiecaféen"
    )
    activity.areas.add(area)
    metric = Metric.objects.create(activity=activity, name="Kvistgaard-deltagere")
    QuarterlyCount.objects.create(metric=metric, area=area, year=2022, quarter=1, value=7)
    indicator = Indicator.objects.create(plan=plan, name="Kvistgaard-tryghedsmålingen")
    Measurement.objects.create(indicator=indicator, year=2022, area=area, value=Decimal(61))
    criterion = SuccessCriterion.objects.create(
        subagreement=sammenhaengskraft,
        position=1,
        text="Kvistgaard-kriteriet",
        data_source="Kvistgaard-kilden",
        indicator=indicator,
    )
    CriterionTarget.objects.create(
        criterion=criterion, kind="yearly", comparison="gte", value=Decimal(60), area=area
    )
    QualitativeAssessment.objects.create(
        criterion=criterion,
        year=2022,
        status="met",
        justification="Kvistgaard-vurderingen",
        assessed_at=timezone.now(),
    )
    coordinator = make_user("kvistgaard-koordinator", Role.COORDINATOR, plan)
    ReportingAssignment.objects.create(
        membership=Membership.objects.get(user=coordinator), area=area
    )
    return plan


@pytest.fixture
def other_secretariat(make_user, other_plan):
    return make_user("kvistgaard-sekretariat", Role.SECRETARIAT, other_plan)


@pytest.fixture
def slagelse_coordinator(make_user, plan):
    return make_user("slagelse-koordinator", Role.COORDINATOR, plan)


def filter_links(page: str) -> list[str]:
    """The addresses of the list filters' choices on a list page."""
    sidebar = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S)
    if not sidebar:
        return []
    return sorted({unescape(href) for href in re.findall(r'href="(\?[^"]*)"', sidebar[0])})


def admin_pages(client, user) -> dict[str, str]:
    """Every page of the administration the user may open, by address: the index; each
    registered model's list, with each of its list filters' choices; its add page; the
    change page of the user's first row."""
    request = RequestFactory().get("/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{base}_changelist")
        urls += [changelist, reverse(f"{base}_add")]
        own = model_admin.get_queryset(request).order_by("pk").first()
        if own is not None:
            urls.append(reverse(f"{base}_change", args=[own.pk]))
        response = client.get(changelist)
        if response.status_code == 200:
            urls += [changelist + query for query in filter_links(response.content.decode())]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 200:
            pages[url] = response.content.decode()
    return pages


def autocompletes(client, term: str) -> dict[str, str]:
    """The admin's autocomplete answer for `term` for every relation of every model to a
    registered model, by address, where the user may use it."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.concrete and field.is_relation and field.related_model):
                continue
            if field.related_model not in admin.site._registry:
                continue
            url = reverse("admin:autocomplete") + (
                f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}"
                f"&field_name={field.name}&term={term}"
            )
            response = client.get(url)
            if response.status_code == 200:
                found[url] = response.content.decode()
    return found


def test_a_secretariat_sees_none_of_another_plans_names(
    client, secretariat, other_plan, slagelse_coordinator
):
    client.force_login(secretariat)
    pages = admin_pages(client, secretariat)
    # The walk reached the pages that hold choice lists of every kind.
    assert len(pages) > 40
    showing = [url for url, page in pages.items() if OTHER in page.lower()]
    assert showing == []
    answers = autocompletes(client, "Kvistgaard")
    assert answers
    assert [url for url, answer in answers.items() if OTHER in answer.lower()] == []


def test_the_other_plans_secretariat_sees_none_of_slagelse(
    client, other_secretariat, slagelse_coordinator
):
    client.force_login(other_secretariat)
    pages = admin_pages(client, other_secretariat)
    assert len(pages) > 40
    showing = [
        (url, name) for url, page in pages.items() for name in SLAGELSE_NAMES if name in page
    ]
    assert showing == []
    # Its own plan's names are there, so the walk did look at them.
    assert any("Kvistgaardparken" in page for page in pages.values())
    for term in ("Motalavej", "Slagelse"):
        answers = autocompletes(client, term)
        assert [url for url, answer in answers.items() if term in answer] == []


def test_a_superuser_sees_both_plans(client, superuser, other_plan, slagelse_coordinator):
    client.force_login(superuser)
    activities = client.get(reverse("admin:activities_activity_changelist")).content.decode()
    filters = re.search(r'<nav id="changelist-filter".*?</nav>', activities, re.S)[0]
    assert "Kvistgaardparken" in filters and "Motalavej" in filters
    add = client.get(reverse("admin:agreements_membership_add")).content.decode()
    assert "kvistgaard-koordinator" in add and "slagelse-koordinator" in add
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "agreements", "model_name": "planarea", "field_name": "area", "term": "k"},
    ).json()
    names = {result["text"] for result in answer["results"]}
    assert "Kvistgaardparken" in names


def user_choices(page: str) -> str:
    return re.search(r'<select name="user".*?</select>', page, re.S)[0]


def test_the_role_form_offers_only_the_users_of_the_secretariats_plans(
    client, secretariat, other_plan, slagelse_coordinator, make_user
):
    make_user("uden-rolle")
    client.force_login(secretariat)
    choices = user_choices(client.get(reverse("admin:agreements_membership_add")).content.decode())
    assert "slagelse-koordinator" in choices
    assert "kvistgaard-koordinator" not in choices
    # A user with no role in any plan is invited on the members' page, not picked from all.
    assert "uden-rolle" not in choices


def test_a_secretariat_cannot_choose_another_plans_area_by_its_number(
    client, secretariat, plan, other_plan
):
    """A choice list that leaves a row out also refuses it when it is sent anyway."""
    client.force_login(secretariat)
    membership = Membership.objects.get(user=secretariat)
    other_area = HousingArea.objects.get(code="kvistgaardparken")
    url = reverse("admin:agreements_membership_change", args=[membership.pk])
    response = client.post(
        url,
        {
            "user": secretariat.pk,
            "plan": plan.pk,
            "role": Role.SECRETARIAT,
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-0-area": other_area.pk,
        },
    )
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.content.decode()
    assert not ReportingAssignment.objects.filter(area=other_area, membership=membership).exists()


def test_a_new_housing_area_can_be_chosen_before_any_plan_has_it(client, secretariat, plan):
    """Shared data of no plan yet is offered, so that a secretariat can add what it needs."""
    HousingArea.objects.create(code="nyt-omraade", name="Nyt Område")
    client.force_login(secretariat)
    page = client.get(reverse("admin:agreements_plan_change", args=[plan.pk])).content.decode()
    assert "Nyt Område" in page
    listing = client.get(reverse("admin:agreements_housingarea_changelist")).content.decode()
    assert "Nyt Område" in listing and "Motalavej" in listing


def test_another_plans_housing_area_is_not_found(client, secretariat, other_plan):
    client.force_login(secretariat)
    area = HousingArea.objects.get(code="kvistgaardparken")
    url = reverse("admin:agreements_housingarea_change", args=[area.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("page", "field"), [("agreements_plan_add", "slug"), ("agreements_housingarea_add", "code")]
)
@pytest.mark.parametrize("typed", ["Skælskør 2019", "skaelskoer_2019", "Skaelskoer-2019"])
def test_a_short_name_refused_says_what_is_allowed(client, superuser, page, field, typed):
    client.force_login(superuser)
    response = client.post(reverse(f"admin:{page}"), {field: typed, "name": "Skælskør"})
    errors = re.search(rf'id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    assert errors, typed
    assert (
        errors[1] == "<li>Brug kun små bogstaver a-z, tal og bindestreg, fx skaelskoer-2019.</li>"
    )
    assert not HousingArea.objects.filter(name="Skælskør").exists()


def test_a_short_name_as_the_message_says_is_taken(client, superuser):
    client.force_login(superuser)
    client.post(
        reverse("admin:agreements_housingarea_add"),
        {"code": "skaelskoer-2019", "name": "Skælskør"},
    )
    assert HousingArea.objects.filter(code="skaelskoer-2019").exists()


@pytest.mark.parametrize("typed", ["2019-13-01", "1/10/2019", "32.10.2019"])
def test_a_date_refused_names_its_format(client, secretariat, plan, typed):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:agreements_subagreement_add"),
        {"plan": plan.pk, "valid_from": typed},
    )
    page = response.content.decode()
    assert "Skriv datoen som dd.mm.åååå, fx 1.10.2019." in page
    assert "Indtast en gyldig dato." not in page


def test_a_date_written_the_danish_way_is_taken(client, secretariat, plan):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:agreements_subagreement_add"), {"plan": plan.pk, "valid_from": "1.10.2019"}
    )
    assert "valid_from" not in re.findall(r'id="id_(\w+)_error', response.content.decode())


def test_a_count_is_called_antal(client, secretariat, plan):
    client.force_login(secretariat)
    page = client.get(reverse("admin:indicators_indicator_add")).content.decode()
    unit = re.search(r'<select name="unit".*?</select>', page, re.S)[0]
    assert ">antal<" in unit
    assert "nummer" not in unit
    # A section's number is still a number.
    section_page = client.get(
        reverse("admin:agreements_plan_change", args=[plan.pk])
    ).content.decode()
    assert "Nummer" in section_page
