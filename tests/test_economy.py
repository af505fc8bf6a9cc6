"""The money: each delaftale's yearly spending by source of financing, entered on a page or
imported from a sheet, and shown against its budget."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from agreements.models import Subagreement
from economy.budget import BudgetUse
from economy.models import Financing, Spending, closed_years
from lib.periods import HalfYear
from reports.status_report import StatusReport, status_report_pdf
from tests.page_forms import form_fields
from tests.test_sheet_imports import SLUG, xlsx

pytestmark = pytest.mark.django_db

HEADINGS = ["plan", "indsatsområde", "år", "finansiering", "forbrugt beløb (kr.)", "bemærkning"]


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat)
    return client


def subagreement(plan, code: str) -> Subagreement:
    return Subagreement.objects.get(plan=plan, focus_area__code=code)


def spend(plan, code: str, year: int, financing: str, amount: int) -> Spending:
    return Spending.objects.create(
        subagreement=subagreement(plan, code), year=year, financing=financing, amount=amount
    )


def entry_url(plan, code: str) -> str:
    return reverse("economy:subagreement", args=[plan.slug, code])


def row_prefix(fields: dict, year: int, financing: str) -> str:
    """The form prefix of the row for a year and financing: rows go year by year, LBF first."""
    years = closed_years_of(fields)
    index = years.index(year) * 2 + (0 if financing == Financing.LBF else 1)
    return f"amounts-{index}"


def closed_years_of(fields: dict) -> list[int]:
    return list(range(2017, 2017 + int(fields["amounts-TOTAL_FORMS"]) // 2))


def test_every_year_of_the_plan_that_has_ended_has_a_row_per_source(editor, plan):
    response = editor.get(entry_url(plan, "tryghed"))
    assert response.status_code == 200
    fields = form_fields(response)
    # The Slagelse plan ran from 1 October 2017 to 30 September 2021: five years, two sources.
    assert fields["amounts-TOTAL_FORMS"] == "10"
    assert "2017, Landsbyggefonden" in response.content.decode()
    assert "2021, Lokal medfinansiering" in response.content.decode()


def test_entered_amounts_are_saved_and_a_change_needs_a_reason(editor, plan):
    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    fields[f"{row_prefix(fields, 2018, Financing.LBF)}-amount"] = "1.234.567"
    fields[f"{row_prefix(fields, 2018, Financing.LOCAL)}-amount"] = "800000"
    fields[f"{row_prefix(fields, 2018, Financing.LOCAL)}-note"] = "Revideret regnskab 2018"
    response = editor.post(entry_url(plan, "tryghed"), fields)
    assert response.status_code == 302
    stored = {
        (s.year, s.financing): (s.amount, s.note)
        for s in Spending.objects.filter(subagreement__plan=plan)
    }
    assert stored == {
        (2018, "lbf"): (1234567, ""),
        (2018, "local"): (800000, "Revideret regnskab 2018"),
    }

    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    assert fields[f"{row_prefix(fields, 2018, Financing.LBF)}-amount"] == "1234567"
    fields[f"{row_prefix(fields, 2018, Financing.LBF)}-amount"] = "1.300.000"
    response = editor.post(entry_url(plan, "tryghed"), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Angiv en begrundelse, når du ændrer eller fjerner et beløb" in page
    assert Spending.objects.get(year=2018, financing="lbf").amount == 1234567

    fields["reason"] = "Efterregulering"
    assert editor.post(entry_url(plan, "tryghed"), fields).status_code == 302
    assert Spending.objects.get(year=2018, financing="lbf").amount == 1300000
    history = editor.get(entry_url(plan, "tryghed")).content.decode()
    assert "1.234.567 kr." in history
    assert "1.300.000 kr." in history
    assert "Efterregulering" in history


def test_saving_the_form_unchanged_records_nothing(editor, plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1000)
    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    before = Spending.history.count()
    response = editor.post(entry_url(plan, "tryghed"), fields, follow=True)
    assert "Intet blev ændret" in response.content.decode()
    assert Spending.history.count() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Et forbrugt beløb kan ikke være negativt."),
        ("12,5", "Indtast et heltal."),
        ("mange", "Indtast et heltal."),
    ],
)
def test_bad_amounts_are_refused_at_the_field_and_nothing_is_saved(editor, plan, typed, message):
    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    fields[f"{row_prefix(fields, 2017, Financing.LBF)}-amount"] = "1000"
    fields[f"{row_prefix(fields, 2019, Financing.LOCAL)}-amount"] = typed
    response = editor.post(entry_url(plan, "tryghed"), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="alert alert-error"' in page  # the summary at the top
    assert f'id="id_{row_prefix(fields, 2019, Financing.LOCAL)}-amount-error"' in page
    assert not Spending.objects.exists()


def test_a_note_without_an_amount_is_refused(editor, plan):
    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    fields[f"{row_prefix(fields, 2019, Financing.LBF)}-note"] = "Regnskab"
    response = editor.post(entry_url(plan, "tryghed"), fields)
    assert "Indtast beløbet, eller lad noten være tom." in response.content.decode()
    assert not Spending.objects.exists()


def test_two_editors_never_overwrite_each_other(editor, plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1000)
    fields = form_fields(editor.get(entry_url(plan, "tryghed")))
    Spending.objects.filter(year=2018).update(amount=2000)  # saved by someone else meanwhile
    fields[f"{row_prefix(fields, 2018, Financing.LBF)}-amount"] = "3000"
    fields["reason"] = "Rettelse"
    response = editor.post(entry_url(plan, "tryghed"), fields)
    assert response.status_code == 409
    assert "Nogen anden har ændret beløbene" in response.content.decode()
    assert Spending.objects.get(year=2018).amount == 2000


def test_the_database_refuses_what_the_forms_refuse(plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1000)
    for values in (
        {"year": 2018, "financing": "lbf", "amount": 5},  # a second figure for the same
        {"year": 2019, "financing": "lbf", "amount": -1},
        {"year": 2019, "financing": "andet", "amount": 1},
        {"year": 1900, "financing": "lbf", "amount": 1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Spending.objects.create(subagreement=subagreement(plan, "tryghed"), **values)


def test_only_the_plans_ended_years_take_spending(plan):
    assert closed_years(plan, datetime.date(2019, 6, 1)) == [2017, 2018]
    assert closed_years(plan, datetime.date(2017, 12, 31)) == []
    outside = Spending(
        subagreement=subagreement(plan, "tryghed"), year=2016, financing="lbf", amount=1
    )
    with pytest.raises(ValidationError) as error:
        outside.full_clean()
    assert error.value.message_dict["year"] == ["Planen løber fra 2017 til 2021."]


def test_a_report_counts_only_the_years_it_knows(plan):
    spend(plan, "tryghed", 2017, Financing.LBF, 500_000)
    spend(plan, "tryghed", 2018, Financing.LBF, 1_500_000)
    spend(plan, "tryghed", 2018, Financing.LOCAL, 1_000_000)
    spend(plan, "tryghed", 2019, Financing.LBF, 9_000_000)  # entered later: not known in 2018
    use = BudgetUse.load(plan, 2018)
    tryghed = use.subagreements[0]
    assert tryghed.subagreement.focus_area.code == "tryghed"
    lbf = tryghed.by_financing[Financing.LBF]
    assert (lbf.budget, lbf.spent, lbf.remaining, lbf.missing) == (
        6_497_000,
        2_000_000,
        4_497_000,
        [],
    )
    assert lbf.share_spent_text == "30,8 %"
    local = tryghed.by_financing[Financing.LOCAL]
    assert (local.spent, local.missing) == (1_000_000, [2017])
    # 1 October 2017 to 31 December 2018 is 457 of the plan's 1,461 days.
    assert use.share_passed_text == "31,3 %"
    assert use.total.budget == 41_283_000  # the four delaftaler, not the plan's 44.450
    assert BudgetUse.load(plan, None).total.spent == 0


def test_the_page_shows_spending_against_the_budget(client, board_member, plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1_500_000)
    client.force_login(board_member)
    response = client.get(reverse("economy:plan", args=[plan.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ved udgangen af 2021 var 100,0 % af planens periode gået." in page
    assert "6.497" in page and "1.500" in page and "4.997" in page
    assert "mangler 2017, 2019, 2020, 2021" in page  # years without a figure are not 0
    assert "ingen tal" in page  # nor is a delaftale with no figure at all
    assert reverse("economy:import", args=[plan.slug]) not in page  # the board only reads


def test_the_page_costs_the_same_queries_however_much_is_entered(editor, plan):
    url = reverse("economy:plan", args=[plan.slug])
    editor.get(url)
    with CaptureQueriesContext(connection) as few:
        editor.get(url)
    for year in (2017, 2018, 2019, 2020, 2021):
        for code in ("tryghed", "kriminalitet", "uddannelse", "forebyggelse"):
            spend(plan, code, year, Financing.LBF, 1000 * year)
            spend(plan, code, year, Financing.LOCAL, 10 * year)
    with CaptureQueriesContext(connection) as many:
        editor.get(url)
    assert len(many) == len(few) == 7


def upload(client, plan, sheet):
    return client.post(reverse("economy:import", args=[plan.slug]), {"sheet": sheet})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_a_sheet_is_previewed_then_imported_with_its_reason(editor, plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1000)
    rows = [
        [SLUG, "tryghed", 2018, "Landsbyggefonden", "1.500", "Regnskab"],
        [SLUG, "Uddannelse og beskæftigelse", 2019, "Lokal medfinansiering", 250000, ""],
    ]
    preview = upload(editor, plan, xlsx(HEADINGS, rows))
    assert preview.status_code == 200, preview.content.decode()
    page = preview.content.decode()
    assert 'class="import-new"' in page and 'class="import-update"' in page
    assert Spending.objects.count() == 1  # a preview saves nothing

    confirm = reverse("economy:import_confirm", args=[plan.slug])
    refused = editor.post(confirm, {"token": token_of(preview), "changes_figures": "on"})
    assert "Skriv en begrundelse, når regnearket ændrer tal" in refused.content.decode()
    assert Spending.objects.get().amount == 1000

    response = editor.post(
        confirm, {"token": token_of(preview), "changes_figures": "on", "reason": "Årsregnskab"}
    )
    assert response.status_code == 302
    assert Spending.objects.get(year=2018).amount == 1500
    assert Spending.objects.get(year=2019).amount == 250000
    assert Spending.history.filter(history_change_reason="Årsregnskab").count() == 2


def test_a_bad_row_imports_nothing_and_is_named(editor, plan):
    rows = [
        [SLUG, "tryghed", 2018, "Landsbyggefonden", 1000, ""],
        [SLUG, "tryghed", 2019, "Kommunen", 1000, ""],
        [SLUG, "tryghed", 2020, "Landsbyggefonden", "-7", ""],
    ]
    page = upload(editor, plan, xlsx(HEADINGS, rows)).content.decode()
    assert "Arket har fejl. Intet er importeret." in page
    assert "Række 3 i arket" in page and "Række 4 i arket" in page
    assert 'name="token"' not in page
    assert not Spending.objects.exists()


def test_the_sheet_downloads_and_imports_back_unchanged(editor, plan):
    spend(plan, "tryghed", 2018, Financing.LBF, 1_234_567)
    response = editor.get(reverse("economy:sheet", args=[plan.slug]))
    assert response["Content-Disposition"].startswith('attachment; filename="forbrug-')
    book = openpyxl.load_workbook(__import__("io").BytesIO(response.content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0] == HEADINGS
    assert rows[1][:5] == [SLUG, "tryghed", 2018, "Landsbyggefonden", 1234567]
    sheet = __import__("io").BytesIO(response.content)
    sheet.name = "forbrug.xlsx"
    page = upload(editor, plan, sheet).content.decode()
    assert "0 nye, 0 ændrede og 1 uændrede" in page


def test_who_may_read_and_who_may_change(
    client, plan, board_member, coordinator_motalavej, outsider
):
    page = reverse("economy:plan", args=[plan.slug])
    entry = entry_url(plan, "tryghed")
    for user in (board_member, coordinator_motalavej):
        client.force_login(user)
        assert client.get(page).status_code == 200
        assert client.get(entry).status_code == 403
        assert client.get(reverse("economy:import", args=[plan.slug])).status_code == 403
    client.force_login(outsider)
    assert client.get(page).status_code == 404


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_status_report_shows_only_the_years_its_half_year_knows(plan):
    spend(plan, "tryghed", 2017, Financing.LBF, 400_000)
    spend(plan, "tryghed", 2018, Financing.LBF, 1_600_000)
    spend(plan, "tryghed", 2019, Financing.LBF, 3_000_000)  # not known in the first half of 2019
    text = pdf_text(status_report_pdf(StatusReport.load(plan, HalfYear(2019, 1))))
    assert "Del 3: Økonomien" in text
    assert "Forbrug til og med 2018 mod budgettet, i tusinde kroner" in text
    assert "Ved udgangen af 2018 var 31,3 % af planens periode gået." in text
    # The delaftale's LBF row: budget, spent, remaining, share spent.
    assert "Landsbyggefonden 6.497 2.000 4.497 30,8 %" in text
    assert "5.000" not in text
    # The one sentence on the first page, with the years still missing named.
    assert "Til og med 2018 er 4,8 % af delaftalernes budget brugt" in text
    assert "Der mangler tal for 2017, 2018." in text


def test_the_dashboard_opens_with_the_spending_and_shows_it_against_the_budget(
    client, board_member, plan
):
    spend(plan, "tryghed", 2018, Financing.LBF, 1_600_000)
    spend(plan, "tryghed", 2019, Financing.LBF, 3_000_000)
    client.force_login(board_member)
    page = client.get(
        reverse("reports:dashboard", args=[plan.slug]) + "?periode=2019H1"
    ).content.decode()
    summary = page[page.index('id="summary"') : page.index('id="budget"')]
    assert "Til og med 2018 er 3,9 % af delaftalernes budget brugt" in summary
    budget = page[page.index('id="budget"') :]
    assert "Forbrug til og med 2018 mod budgettet" in budget
    assert "1.600" in budget and "3.000" not in budget
    assert reverse("economy:plan", args=[plan.slug]) in budget


def test_the_entry_page_costs_the_same_queries_however_much_is_entered(editor, plan):
    url = entry_url(plan, "tryghed")
    editor.get(url)
    with CaptureQueriesContext(connection) as few:
        editor.get(url)
    for year in (2017, 2018, 2019, 2020, 2021):
        spend(plan, "tryghed", year, Financing.LBF, year)
        spend(plan, "tryghed", year, Financing.LOCAL, year)
    fields = form_fields(editor.get(url))
    for index in range(10):
        fields[f"amounts-{index}-amount"] = str(int(fields[f"amounts-{index}-amount"]) + 1)
    fields["reason"] = "Efterregulering"
    assert editor.post(url, fields).status_code == 302
    with CaptureQueriesContext(connection) as many:
        editor.get(url)
    assert len(many) == len(few) == 8


def test_the_import_page_and_the_sheet_cost_the_same_queries_however_much_is_entered(editor, plan):
    pages = [
        reverse("economy:import", args=[plan.slug]),
        reverse("economy:sheet", args=[plan.slug]),
    ]
    few = []
    for url in pages:
        editor.get(url)
        with CaptureQueriesContext(connection) as captured:
            editor.get(url)
        few.append(len(captured))
    for year in (2017, 2018, 2019, 2020, 2021):
        for code in ("tryghed", "kriminalitet", "uddannelse", "forebyggelse"):
            spend(plan, code, year, Financing.LBF, year)
    many = []
    for url in pages:
        with CaptureQueriesContext(connection) as captured:
            editor.get(url)
        many.append(len(captured))
    assert many == few == [5, 6]
