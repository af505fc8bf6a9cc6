"""The secretariat imports a sheet of measurements on the plan's page: a dry-run preview
first, errors named by the sheet's row numbers, then all or nothing on confirmation."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Measurement
from tests.test_sheet_imports import GOOD_ROWS, MEASUREMENT_HEADINGS, SLUG, xlsx

pytestmark = pytest.mark.django_db

SAFETY = "Generel tryghed (politiets tryghedsmåling)"


@pytest.fixture
def importer(client, secretariat):
    client.force_login(secretariat)
    return client


def upload(client, plan, sheet):
    return client.post(reverse("indicators:import", args=[plan.slug]), {"sheet": sheet})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def snapshot():
    return list(Measurement.objects.order_by("pk").values_list("pk", "value", "source_note"))


def test_a_good_sheet_is_previewed_then_imported_on_confirmation(importer, plan):
    before = snapshot()
    stored = Measurement.objects.get(indicator__name="Påsatte brande", year=2016)
    rows = GOOD_ROWS + [[SLUG, "Påsatte brande", 2016, "", 28, stored.source_note, ""]]
    preview = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert snapshot() == before  # a preview saves nothing
    assert 'class="import-new"' in page
    assert 'class="import-skip"' in page
    assert "61,5" in page  # the sheet's number shown the Danish way

    response = importer.post(
        reverse("indicators:import_confirm", args=[plan.slug]), {"token": token_of(preview)}
    )
    assert response.status_code == 302
    assert response.url == reverse("indicators:plan", args=[plan.slug])
    saved = Measurement.objects.get(indicator__name=SAFETY, year=2017, area__code="motalavej")
    assert saved.value == Decimal("61.5")
    assert Measurement.objects.get(indicator__name="Påsatte brande", year=2017).value == 13


def test_errors_are_named_by_the_row_of_the_sheet_and_nothing_can_be_confirmed(importer, plan):
    rows = GOOD_ROWS + [
        [SLUG, SAFETY, 2018, "Nørrebro", "70", "", ""],
        [SLUG, SAFETY, 2018, "Sydbyen", "120", "", ""],
        [SLUG, "Påsatte brande", 2030, "", "3", "", ""],
        [SLUG, "Påsatte brande", 2018, "", "-3", "", ""],
    ]
    before = snapshot()
    page = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows)).content.decode()
    assert 'name="token"' not in page
    assert 'role="alert"' in page
    assert "Boligområdet &#x27;Nørrebro&#x27; er ikke en del af planen." in page
    assert "En procentsats kan ikke være over 100." in page
    assert "Et tal kan ikke være negativt." in page
    # The headings are row 1, so the bad rows are 4 to 7.
    for number in (4, 5, 6, 7):
        assert f'<th scope="row" id="row-{number}">{number}</th>' in page
        assert f'href="#row-{number}"' in page
    assert 'href="#row-2"' not in page
    assert snapshot() == before


def test_the_same_figure_twice_in_a_sheet_is_a_duplicate(importer, plan):
    rows = [
        [SLUG, SAFETY, 2018, "Motalavej", "60", "", ""],
        [SLUG, SAFETY, 2018, "motalavej", "61", "", ""],
        [SLUG, SAFETY, 2018, "", "62", "", ""],
        [SLUG, SAFETY, 2018, "", "62", "", ""],
    ]
    page = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows)).content.decode()
    assert 'name="token"' not in page
    assert 'href="#row-3"' in page and 'href="#row-5"' in page
    assert 'href="#row-2"' not in page and 'href="#row-4"' not in page
    assert not Measurement.objects.filter(indicator__name=SAFETY, year=2018).exists()


def test_rows_of_another_plan_are_refused_even_when_the_user_keeps_it(
    importer, plan, make_plan, secretariat
):
    from agreements.models import Membership, Role

    other = make_plan("en-anden-plan")
    Membership.objects.create(user=secretariat, plan=other, role=Role.SECRETARIAT)
    rows = [[other.slug, "Noget", 2023, "", 1, "", ""]]
    page = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows)).content.decode()
    assert "Ukendt plan &#x27;en-anden-plan&#x27;" in page
    assert 'name="token"' not in page


def test_a_sheet_without_the_needed_columns_is_refused(importer, plan):
    page = upload(importer, plan, xlsx(["plan", "noget"], [[SLUG, 1]])).content.decode()
    assert 'name="token"' not in page
    assert 'role="alert"' in page


def test_only_xlsx_files_are_read(importer, plan):
    not_xlsx = SimpleUploadedFile("maalinger.csv", b"plan;indikator\n", "text/csv")
    response = upload(importer, plan, not_xlsx)
    page = response.content.decode()
    assert 'href="#id_sheet"' in page and 'id="id_sheet-error"' in page
    assert 'name="token"' not in page

    damaged = SimpleUploadedFile("maalinger.xlsx", b"not a workbook", "application/octet-stream")
    page = upload(importer, plan, damaged).content.decode()
    assert 'id="id_sheet-error"' in page


def test_a_file_above_2_mb_is_refused(importer, plan):
    big = SimpleUploadedFile("maalinger.xlsx", b"0" * (2 * 1024 * 1024 + 1))
    page = upload(importer, plan, big).content.decode()
    assert 'id="id_sheet-error"' in page
    assert "2 MB" in page


def test_the_confirmation_reads_and_checks_the_sheet_again(importer, plan):
    rows = [[SLUG, "Påsatte brande", 2017, "", 13, "", ""]]
    preview = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows))
    # Meanwhile someone enters the same figure by hand: the import now changes an entered
    # figure, which needs a reason the preview did not ask for. Nothing is saved.
    Measurement.objects.create(
        indicator=plan.indicators.get(name="Påsatte brande"), year=2017, value=12
    )
    confirm_url = reverse("indicators:import_confirm", args=[plan.slug])
    refused = importer.post(confirm_url, {"token": token_of(preview)})
    assert "Skriv, hvorfor importen ændrer det, der er gemt." in refused.content.decode()
    assert Measurement.objects.get(indicator__name="Påsatte brande", year=2017).value == 12
    importer.post(confirm_url, {"token": token_of(preview), "reason": "Brandvæsenets tal"})
    assert Measurement.objects.get(indicator__name="Påsatte brande", year=2017).value == 13


def test_a_tampered_token_imports_nothing(importer, plan):
    preview = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS))
    before = snapshot()
    response = importer.post(
        reverse("indicators:import_confirm", args=[plan.slug]),
        {"token": token_of(preview)[:-2] + "xx"},
    )
    assert response.status_code == 302
    assert response.url == reverse("indicators:import", args=[plan.slug])
    assert snapshot() == before


def test_a_token_is_bound_to_the_user_who_previewed(importer, client, plan, make_user):
    from django.test import Client

    from agreements.models import Role

    preview = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS))
    colleague = Client()
    colleague.force_login(make_user("sekretariat-2", Role.SECRETARIAT, plan))
    before = snapshot()
    colleague.post(
        reverse("indicators:import_confirm", args=[plan.slug]), {"token": token_of(preview)}
    )
    assert snapshot() == before


def read_sheet(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_plans_figures_download_as_a_sheet_that_imports_back_unchanged(importer, plan):
    response = importer.get(reverse("indicators:sheet", args=[plan.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_sheet(response)
    assert rows[0] == MEASUREMENT_HEADINGS
    assert len(rows) == 1 + Measurement.objects.filter(indicator__plan=plan).count()

    before = snapshot()
    preview = upload(importer, plan, xlsx(rows[0], rows[1:]))
    page = preview.content.decode()
    assert 'name="token"' in page, page
    assert 'class="import-new"' not in page and 'class="import-update"' not in page
    importer.post(
        reverse("indicators:import_confirm", args=[plan.slug]), {"token": token_of(preview)}
    )
    assert snapshot() == before


def test_an_imported_figure_over_a_demo_figure_is_real_and_survives_removal(importer, plan):
    from demo.data import load_demo_data, remove_demo_data

    load_demo_data(plan=plan)
    demo = Measurement.objects.filter(is_demo=True, area__isnull=True).first()
    kept = Measurement.objects.filter(is_demo=True).exclude(pk=demo.pk).first()
    rows = [
        [SLUG, demo.indicator.name, demo.year, "", demo.value + 1, "Kommunens opgørelse", ""],
        # The same number as the demo figure with its source: confirmed by a person, so real
        # too (a row identical to a demo figure is unchanged, and stays demo data).
        [
            SLUG,
            kept.indicator.name,
            kept.year,
            kept.area.code if kept.area else "",
            kept.value,
            "Kommunens opgørelse",
            "",
        ],
    ]
    preview = upload(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows))
    assert preview.status_code == 200, preview.content.decode()
    importer.post(
        reverse("indicators:import_confirm", args=[plan.slug]),
        {"token": token_of(preview), "reason": "Kommunens opgørelse"},
    )
    demo.refresh_from_db()
    kept.refresh_from_db()
    assert (demo.is_demo, kept.is_demo) == (False, False)

    remove_demo_data(plan=plan)
    assert Measurement.objects.filter(pk__in=[demo.pk, kept.pk]).count() == 2
