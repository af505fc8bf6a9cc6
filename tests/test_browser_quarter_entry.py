"""In a real browser, a coordinator reports a quarter start to finish, a bad value is caught
at the field with nothing saved, and the entry and completeness pages pass axe-core."""

import pytest

from activities.models import Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea
from tests.browser import TABLET, axe_violations, format_violations, log_in
from tests.conftest import PASSWORD, PLAN_SLUG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ENTRY = f"/planer/{PLAN_SLUG}/indberetning/2018K1/"
OVERVIEW = f"/planer/{PLAN_SLUG}/indberetning/2018K1/overblik/"


def count_input(page, metric_name: str):
    metric = Metric.objects.get(name=metric_name)
    area = HousingArea.objects.get(code="motalavej")
    return page.locator(f"#id_c_{metric.pk}_{area.pk}")


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{format_violations(violations)}"


def test_a_coordinator_reports_and_submits_a_quarter(page, live_server, coordinator_motalavej):
    log_in(page, live_server, "koordinator-motalavej", PASSWORD)
    page.get_by_role("link", name="Indberet kvartalets leverancer").click()
    # The picker names where the coordinator's reports of each quarter stand
    # (tests/test_todo.py), so the quarter is chosen by its value.
    page.get_by_label("Kvartal").select_option(value="2018K1")
    page.get_by_role("button", name="Vis").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Indberetning: 1. kvartal 2018"

    inputs = page.locator("input[name^='c_']")
    total = inputs.count()
    assert total > 10
    for index in range(total):
        inputs.nth(index).fill("3")
    count_input(page, "Tryghedsvandringer").fill("2")
    for group in page.get_by_role("radio", name="på rette spor").all():
        group.check()
    page.locator("textarea[name^='note_']").first.fill(
        "Godt fremmøde, flere frivillige end ventet."
    )
    page.get_by_role("button", name="Gem og indsend").click()

    assert page.get_by_text("1. kvartal 2018 er sendt til sekretariatet. Tak.").is_visible()
    assert count_input(page, "Tryghedsvandringer").input_value() == "2"
    assert (
        page.locator(".badge", has_text="Indsendt").count() == page.locator(".entry-block").count()
    )
    walks = QuarterlyCount.objects.get(metric__name="Tryghedsvandringer", area__code="motalavej")
    assert (walks.year, walks.quarter, walks.value) == (2018, 1, 2)
    assert QuarterlyCount.objects.count() == total
    reports = QuarterReport.objects.filter(area__code="motalavej", year=2018, quarter=1)
    assert {report.status for report in reports} == {"submitted"}
    assert reports.filter(note="Godt fremmøde, flere frivillige end ventet.").count() == 1


def test_a_bad_value_is_shown_at_the_field_and_nothing_is_saved(
    page, live_server, coordinator_motalavej
):
    log_in(page, live_server, "koordinator-motalavej", PASSWORD)
    page.goto(live_server.url + ENTRY)
    count_input(page, "Tryghedsvandringer").fill("2")
    count_input(page, "Aktive frivillige").fill("-3")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's first button: save as draft

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Kvartalet kunne ikke gemmes" in summary.inner_text()
    field = count_input(page, "Aktive frivillige")
    assert field.get_attribute("aria-invalid") == "true"
    message = page.locator(f"#{field.get_attribute('id')}-error")
    assert "Et antal kan ikke være negativt." in message.inner_text()
    # The summary links to the field, and the typed values are kept for correction.
    summary.get_by_role("link").first.click()
    assert field.evaluate("element => element === document.activeElement")
    assert count_input(page, "Tryghedsvandringer").input_value() == "2"
    assert QuarterlyCount.objects.count() == 0
    assert QuarterReport.objects.count() == 0
    assert_accessible(page)


def test_the_entry_page_is_accessible_and_fits_a_tablet(page, live_server, coordinator_motalavej):
    log_in(page, live_server, "koordinator-motalavej", PASSWORD)
    page.goto(live_server.url + ENTRY)
    assert_accessible(page)
    page.set_viewport_size(TABLET)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page is {width} px wide on a tablet"


def test_the_secretariat_sees_who_is_missing_and_approves(page, live_server, secretariat):
    motalavej = HousingArea.objects.get(code="motalavej")
    walk = Metric.objects.get(name="Tryghedsvandringer")
    QuarterlyCount.objects.create(metric=walk, area=motalavej, year=2018, quarter=1, value=1)
    report = QuarterReport(activity=walk.activity, area=motalavej, year=2018, quarter=1)
    report.submit(by=secretariat)
    report.save()

    log_in(page, live_server, "sekretariat", PASSWORD)
    page.goto(live_server.url + OVERVIEW)
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Hvem har indberettet 1. kvartal 2018"
    )
    assert page.locator(".badge", has_text="Mangler").count() > 10
    assert_accessible(page)
    page.get_by_role("button", name="Godkend den indsendte indberetning").click()
    assert page.get_by_text("1 indberetninger er godkendt og låst.").is_visible()
    report.refresh_from_db()
    assert report.status == "approved"
    assert_accessible(page)
