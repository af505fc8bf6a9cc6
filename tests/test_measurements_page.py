"""Each delaftale's page shows its success criteria with the yearly figures by area, in
Danish number form, and in a fixed number of queries however much data there is."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import HousingArea, Subagreement
from indicators.models import (
    CriterionTarget,
    Indicator,
    Measurement,
    QualitativeAssessment,
    SuccessCriterion,
)

pytestmark = pytest.mark.django_db


def page_of(client, plan, code: str) -> str:
    response = client.get(reverse("indicators:subagreement", args=[plan.slug, code]))
    assert response.status_code == 200
    return response.content.decode()


def table_for(page: str, indicator_name: str) -> str:
    """The first table whose caption names the indicator."""
    start = page.index(f"<caption>{indicator_name}")
    return page[start : page.index("</table>", start)]


def test_the_safety_figures_are_shown_by_area_and_year(client, board_member, plan):
    client.force_login(board_member)
    table = table_for(page_of(client, plan, "tryghed"), "Generel tryghed (politiets")
    headings = re.findall(r'<th scope="col" class="num">(\d{4})', table)
    assert headings == ["2016", "2017", "2018", "2019", "2020", "2021"]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">([^<]*)<', table)
    assert ("Motalavej", "58,3") in rows
    assert ("Ringparken", "72") in rows
    # The whole plan first, then the areas with figures or targets of their own.
    assert [label for label, _ in rows][1:] == ["Motalavej", "Ringparken", "Sydbyen", "Skælskør"]


def test_the_partial_plan_years_are_marked(client, board_member, plan):
    client.force_login(board_member)
    table = table_for(page_of(client, plan, "tryghed"), "Generel tryghed (politiets")
    assert re.search(r">2017 <span class=\"note\">", table)
    assert re.search(r">2021 <span class=\"note\">", table)
    assert re.search(r">2018</th>", table)


def test_the_whole_plan_figures_of_arson_are_shown(client, board_member, plan):
    client.force_login(board_member)
    table = table_for(page_of(client, plan, "kriminalitet"), "Påsatte brande")
    headings = re.findall(r'<th scope="col" class="num">(\d{4})', table)
    assert headings[:2] == ["2015", "2016"]
    row = re.search(r'<th scope="row">[^<]+</th>(.*?)</tr>', table, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["15", "28"]


def test_large_figures_get_a_thousands_point(client, board_member, plan):
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    Measurement.objects.create(indicator=indicator, year=2018, value=11559)
    Measurement.objects.create(
        indicator=indicator, year=2019, area=HousingArea.objects.get(code="sydbyen"), value=30.65
    )
    client.force_login(board_member)
    table = table_for(page_of(client, plan, "kriminalitet"), "Påsatte brande")
    assert "11.559" in table
    assert "30,65" in table


def test_quarterly_and_qualitative_criteria_show_no_yearly_table(client, secretariat, plan):
    criterion = SuccessCriterion.objects.get(subagreement__plan=plan, text__startswith="Trygheden")
    QualitativeAssessment.objects.create(
        criterion=criterion,
        year=2018,
        status=QualitativeAssessment.Status.PARTLY_MET,
        justification="Tryghedsvandringerne er godt i gang.",
        assessed_by=secretariat,
        assessed_at=timezone.now(),
    )
    client.force_login(secretariat)
    page = page_of(client, plan, "kriminalitet")
    article = page[page.index(f'id="criterion-{criterion.pk}"') :]
    article = article[: article.index("</article>")]
    assert "Tryghedsvandringerne er godt i gang." in article
    assert reverse("indicators:assessment", args=[plan.slug, criterion.pk, 2019]) in article
    walks = SuccessCriterion.objects.get(subagreement__plan=plan, metric__name="Tryghedsvandringer")
    article = page[page.index(f'id="criterion-{walks.pk}"') :]
    article = article[: article.index("</article>")]
    assert '<table class="table table--compact figures">' not in article
    # Its verdicts are shown all the same, from the quarterly counts.
    assert '<table class="table table--compact verdicts">' in article


def test_criteria_are_grouped_under_the_delaftale_and_its_activities(client, board_member, plan):
    client.force_login(board_member)
    page = page_of(client, plan, "kriminalitet")
    groups = re.findall(r'<h2 id="group-\d+">', page)
    activities = plan.subagreements.get(focus_area__code="kriminalitet").activities.count()
    assert len(groups) == activities + 1


def test_only_the_secretariat_is_offered_links_to_change(client, board_member, secretariat, plan):
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    edit = reverse("indicators:year_figures", args=[plan.slug, indicator.pk, 2018])
    client.force_login(board_member)
    assert edit not in page_of(client, plan, "kriminalitet")
    client.force_login(secretariat)
    assert edit in page_of(client, plan, "kriminalitet")


def test_the_plans_index_lists_its_delaftaler(client, lbf_user, plan):
    client.force_login(lbf_user)
    page = client.get(reverse("indicators:plan", args=[plan.slug])).content.decode()
    for code in ("tryghed", "kriminalitet", "uddannelse", "forebyggelse"):
        assert reverse("indicators:subagreement", args=[plan.slug, code]) in page
    assert reverse("indicators:import", args=[plan.slug]) not in page


def test_the_front_page_links_to_the_measurements(client, coordinator_motalavej, plan):
    client.force_login(coordinator_motalavej)
    page = client.get(reverse("home")).content.decode()
    assert reverse("indicators:plan", args=[plan.slug]) in page


def test_an_unknown_focus_area_does_not_exist(client, secretariat, plan):
    client.force_login(secretariat)
    response = client.get(reverse("indicators:subagreement", args=[plan.slug, "beskaeftigelse"]))
    assert response.status_code == 404


def queries_for(client, plan, code: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        page_of(client, plan, code)
    return len(queries)


def grow(plan, subagreement: Subagreement, user) -> None:
    """Ten more criteria of each kind, with figures in every year and area, and assessments."""
    areas = list(plan.areas.all())
    activity = subagreement.activities.order_by("position").last()
    for number in range(10):
        indicator = Indicator.objects.create(plan=plan, name=f"Ny indikator {number}", unit="count")
        for year in range(2012, 2022):
            Measurement.objects.create(indicator=indicator, year=year, value=number + year)
            for area in areas:
                Measurement.objects.create(indicator=indicator, year=year, area=area, value=1)
        measured = SuccessCriterion.objects.create(
            subagreement=subagreement,
            activity=activity if number % 2 else None,
            position=100 + number,
            text=f"Nyt kriterium {number}",
            data_source="Test",
            indicator=indicator,
        )
        CriterionTarget.objects.create(
            criterion=measured, area=areas[0], kind="yearly", comparison="gte", value=1
        )
        judged = SuccessCriterion.objects.create(
            subagreement=subagreement,
            position=200 + number,
            text=f"Nyt kvalitativt kriterium {number}",
            data_source="Test",
            kind=SuccessCriterion.Kind.QUALITATIVE,
        )
        for year in (2018, 2019, 2020):
            QualitativeAssessment.objects.create(
                criterion=judged,
                year=year,
                status="met",
                justification="Ja.",
                assessed_by=user,
                assessed_at=datetime.datetime(year, 12, 1, tzinfo=datetime.UTC),
            )


def test_the_query_count_does_not_grow_with_criteria_figures_and_assessments(
    client, secretariat, plan
):
    client.force_login(secretariat)
    subagreement = plan.subagreements.get(focus_area__code="kriminalitet")
    before = queries_for(client, plan, "kriminalitet")
    criteria = subagreement.criteria.count()
    grow(plan, subagreement, secretariat)
    assert subagreement.criteria.count() == criteria + 20
    # Session, user, plan with the role, delaftale, plan areas, criteria, their targets,
    # figures and assessments, inside the request's savepoint; then the verdicts: criteria,
    # targets, measurements, quarterly counts and assessments.
    assert queries_for(client, plan, "kriminalitet") == before == 16


def test_each_criterion_shows_its_verdict_and_the_reason(client, board_member, plan):
    crime = Indicator.objects.get(plan=plan, name="Kriminalretlige afgørelser pr. 1.000 beboere")
    Measurement.objects.create(indicator=crime, year=2018, value=Decimal("27.5"))
    client.force_login(board_member)
    page = page_of(client, plan, "kriminalitet")
    assert "Tallet for 2018 er 27,5. Målet er højst 20 i 2021." in page
    # 2018 is three years before the target is due: judged against the straight line to it.
    assert '<span class="verdict verdict-not_on_track">ikke på rette spor</span>' in page
    assert "På den lige linje mod målet skal 2018 være højst 26,39." in page
