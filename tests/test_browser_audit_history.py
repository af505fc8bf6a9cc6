"""In a real browser, the secretariat follows the links to the history of a delaftale, an
activity and a success criterion: Danish, accessible, and readable on a tablet."""

import pytest

from activities.models import Activity
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


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{format_violations(violations)}"


def test_the_secretariat_follows_the_links_to_the_history(page, live_server, secretariat):
    walks = Activity.objects.get(subagreement__plan__slug=PLAN_SLUG, name="Tryghedsvandringer")
    for number in range(60):
        walks.content = f"Tryghedsvandringer i {number + 1} gader"
        walks._history_user = secretariat
        walks._change_reason = "Ruten er udvidet"
        walks.save()
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sekretariat", PASSWORD)

    page.goto(live_server.url + f"/planer/{PLAN_SLUG}/delaftaler/kriminalitet/")
    page.get_by_role("link", name="Ændringer i delaftalen: hvem har ændret hvad og hvornår").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Ændringer i delaftalen for Kriminalpræventiv indsats"
    table = page.get_by_role("table", name="Ændringer i delaftalen for Kriminalpræventiv indsats")
    assert table.get_by_role("row").nth(1).get_by_role("cell").nth(4).inner_text() == (
        "Tryghedsvandringer i 60 gader"
    )
    assert not has_horizontal_scrollbar(page)
    assert_accessible(page)
    page.get_by_role("link", name="Ældre ændringer").click()
    assert "side=2" in page.url
    assert_accessible(page)

    page.goto(live_server.url + f"/planer/{PLAN_SLUG}/delaftaler/kriminalitet/maalinger/")
    page.get_by_role("link", name="Ændringer i Tryghedsvandringer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ændringer i Tryghedsvandringer"
    assert_accessible(page)

    page.goto(live_server.url + f"/planer/{PLAN_SLUG}/delaftaler/kriminalitet/maalinger/")
    page.get_by_role("link", name="Ændringer i succeskriteriet og dets tal").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ændringer i et succeskriterium"
    assert page.get_by_text("Der er endnu ikke registreret ændringer.").is_visible()
    assert_accessible(page)
