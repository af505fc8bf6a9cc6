"""In a real browser, the secretariat logs in and reads its pages: Danish, accessible, and
without sideways scrolling on a tablet."""

import pytest

from tests.browser import (
    TABLET,
    axe_violations,
    format_violations,
    has_horizontal_scrollbar,
    log_in,
)
from tests.conftest import PASSWORD, PLAN_SLUG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEASUREMENTS = f"/planer/{PLAN_SLUG}/delaftaler/kriminalitet/maalinger/"


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{format_violations(violations)}"


def test_the_login_page_is_danish_and_accessible(page, live_server):
    page.goto(live_server.url + "/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Log ind"
    assert_accessible(page)


def test_the_secretariat_logs_in_and_reads_its_plan_and_measurements(
    page, live_server, secretariat
):
    log_in(page, live_server, "sekretariat", PASSWORD)

    # The secretariat starts on its plan's dashboard; the list of plans is one click away.
    assert page.url == live_server.url + f"/planer/{PLAN_SLUG}/status/"
    page.get_by_role("navigation", name="Du er her").get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dine planer"
    assert page.get_by_role("heading", name="Skælskør, Korsør og Slagelse").is_visible()
    assert page.get_by_role("button", name="Log ud").is_visible()
    assert_accessible(page)

    page.goto(live_server.url + MEASUREMENTS)
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Målinger: Kriminalpræventiv indsats"
    )
    assert page.get_by_role("navigation", name="Du er her").is_visible()
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)


def test_the_front_page_fits_a_tablet(page, live_server, secretariat):
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sekretariat", PASSWORD)

    assert page.get_by_role("button", name="Log ud").is_visible()
    assert not has_horizontal_scrollbar(page)
