"""In a real browser, the secretariat enters a year's spending and imports a sheet of it, and
the board reads it against the budget: accessible, and usable on a phone."""

import pytest
from playwright.sync_api import expect

from economy.models import Spending
from tests.browser import DESKTOP, axe_violations, format_violations, log_in
from tests.conftest import PASSWORD, PLAN_SLUG
from tests.test_economy import HEADINGS
from tests.test_sheet_imports import SLUG, xlsx

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
ECONOMY = f"/planer/{PLAN_SLUG}/oekonomi/"


def check(page, problems: list, size: dict) -> None:
    """Note the page's serious axe violations, and whether the page scrolls sideways."""
    found = axe_violations(page)
    if found:
        problems.append(f"{page.url} at {size['width']} px:\n{format_violations(found)}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > size["width"]:
        problems.append(f"{page.url} is {width} px wide at {size['width']} px")


def test_the_secretariat_enters_and_imports_spending_and_the_board_reads_it(
    page, live_server, secretariat, board_member, tmp_path
):
    problems: list[str] = []
    log_in(page, live_server, "sekretariat", PASSWORD)
    page.goto(live_server.url + ECONOMY)
    assert page.get_by_role("heading", level=1).inner_text() == "Økonomi"
    check(page, problems, DESKTOP)
    page.get_by_role("link", name="Indtast eller ret forbruget for Tryghed og trivsel").click()
    page.get_by_label("Forbrugt beløb (kr.), 2018, Landsbyggefonden").fill("1.500.000")
    page.get_by_label("Forbrugt beløb (kr.), 2019, Lokal medfinansiering").fill("-3")
    page.get_by_role("button", name="Gem beløbene").click()
    # Refused at the field and in the summary at the top; nothing saved.
    summary = page.get_by_role("alert")
    assert "Et forbrugt beløb kan ikke være negativt." in summary.inner_text()
    assert not Spending.objects.exists()
    check(page, problems, DESKTOP)
    page.get_by_label("Forbrugt beløb (kr.), 2019, Lokal medfinansiering").fill("")
    page.get_by_role("button", name="Gem beløbene").click()
    # The answer's page, waited for: the click only starts its loading.
    expect(page.get_by_text("Forbruget er gemt.")).to_be_visible()
    assert Spending.objects.get().amount == 1_500_000

    page.goto(live_server.url + ECONOMY + "import/")
    sheet = tmp_path / "forbrug.xlsx"
    sheet.write_bytes(
        xlsx(HEADINGS, [[SLUG, "kriminalitet", 2019, "Landsbyggefonden", 900000, ""]]).read()
    )
    page.get_by_label("Regneark (xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Vis, hvad importen vil gøre").click()
    expect(page.get_by_role("heading", name="Forhåndsvisning")).to_be_visible()
    check(page, problems, DESKTOP)
    page.get_by_role("button", name="Bekræft importen").click()
    expect(page.get_by_text("Arket er importeret: 1 nye og 0 ændrede beløb.")).to_be_visible()

    page.get_by_role("button", name="Log ud").click()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "bestyrelse", PASSWORD)
    page.goto(live_server.url + ECONOMY)
    table = page.locator("table.budget-use")
    assert "1.500" in table.inner_text() and "900" in table.inner_text()
    check(page, problems, PHONE)
    assert not problems, "\n".join(problems)
