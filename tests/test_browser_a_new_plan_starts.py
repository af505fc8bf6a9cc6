"""The whole start of a new plan, in a real browser, by the people who do it, with no
developer and no shell: the operator creates the plan and invites its secretariat; the
secretariat accepts, puts the plan in with the plan workbook, and invites a coordinator, who
reports a quarter; the dashboard judges the new plan; and the Slagelse plan in the same
installation stays invisible to them all.
"""

import io
import re

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import expect

from activities.models import QuarterlyCount
from agreements.models import FundingPeriod, Plan
from onboarding.workbook import export_workbook
from tests.browser import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD, PLAN_SLUG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SLUG = "nyby-2021"
NAME = "Boligsocial helhedsplan for Nyby 2021-2025"
NEW_PASSWORD = "kaffe-og-kringle-42"


def small_plan_workbook(path) -> None:
    """The blank workbook's examples, a small 2019-26 plan (an area, a delaftale, an activity
    counting participants, a criterion with its target), as the new plan's."""
    period = FundingPeriod.objects.get(code="2019-26")
    book = load_workbook(io.BytesIO(export_workbook(None, period=period)))
    plan = book["Plan"]
    assert plan["A1"].value == "Kort navn" and plan["B1"].value == "Navn"
    plan["A2"].value = SLUG
    plan["B2"].value = NAME
    book.save(path)


def invitation_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/\S+/)", message.body).group(1)


def accept(page, live_server, path: str, first_name: str) -> None:
    page.goto(live_server.url + path)
    assert_accessible(page)
    page.get_by_label("Fornavn").fill(first_name)
    page.get_by_label("Efternavn").fill("Nybo")
    page.get_by_label("Adgangskode", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Adgangskoden igen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Tag imod invitationen").click()
    page.wait_for_load_state()


def assert_accessible(page) -> None:
    assert not (found := axe_violations(page)), f"{page.url}\n{format_violations(found)}"


def test_a_new_plan_starts_without_a_developer(
    browser, page, live_server, superuser, plan, tmp_path
):
    # The operator creates the plan and invites its first secretariat member.
    log_in(page, live_server, "root", PASSWORD)
    page.get_by_role("link", name="Opret en ny plan").click()
    assert_accessible(page)
    page.get_by_label("Navn", exact=True).fill(NAME)
    page.get_by_label("Kort navn i adresser").fill(SLUG)
    page.get_by_label("Bevillingsperiode").select_option(label="2019-26-midlerne")
    page.get_by_label("Startdato").fill("1.1.2021")
    page.get_by_label("Slutdato").fill("31.12.2025")
    page.get_by_label("E-mail til sekretariatets første medlem").fill("sekretariat@nyby.dk")
    page.get_by_role("button", name="Opret planen og send invitationen").click()
    page.wait_for_load_state()
    [invitation] = mail.outbox
    assert invitation.to == ["sekretariat@nyby.dk"]

    # The secretariat accepts in a browser of its own and is logged in.
    secretariat = browser.new_context(locale="da-DK").new_page()
    accept(secretariat, live_server, invitation_path(invitation), "Sara")
    expect(secretariat.get_by_text("Logget ind som Sara")).to_be_visible()

    # It puts the plan in with the workbook: a preview first, then all of it at once.
    workbook = tmp_path / "nyby.xlsx"
    small_plan_workbook(workbook)
    secretariat.goto(live_server.url + f"/planer/{SLUG}/opstart/")
    assert secretariat.locator(".setup-step .badge-success").count() == 0
    secretariat.get_by_role("link", name="Læg det ind med planens projektmappe").first.click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Projektmappe (xlsx)").set_input_files(workbook)
    secretariat.get_by_role("button", name="Vis, hvad importen vil gøre").click()
    assert_accessible(secretariat)
    assert "6.000.000" in secretariat.locator("#main-content").inner_text()  # the LBF budget
    # Filling in the plan the operator created changes its row, so the change has its why.
    secretariat.get_by_label("Begrundelse for ændring").fill("Planen lægges ind fra aftalen")
    secretariat.get_by_role("button", name="Bekræft importen").click()
    secretariat.wait_for_load_state()
    new = Plan.objects.get(slug=SLUG)
    assert new.name == NAME
    assert new.subagreements.count() == 1

    # The checklist now has the plan's parts; what is left is its people.
    secretariat.goto(live_server.url + f"/planer/{SLUG}/opstart/")
    assert_accessible(secretariat)
    steps = secretariat.locator(".setup-step")
    assert [steps.nth(i).locator(".badge-success").count() for i in range(6)] == [1, 1, 1, 1, 0, 0]

    # It invites a coordinator for the plan's area.
    secretariat.get_by_role("link", name="Invitér og tildel personer").first.click()
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name="Invitér en person").click()
    assert_accessible(secretariat)
    secretariat.get_by_label("E-mailadresse").fill("koordinator@nyby.dk")
    secretariat.get_by_role("radio", name="Koordinator").check()
    secretariat.get_by_label("Eksempelparken").check()
    secretariat.get_by_role("button", name="Send invitationen").click()
    secretariat.wait_for_load_state()
    coordinator_mail = mail.outbox[-1]
    assert coordinator_mail.to == ["koordinator@nyby.dk"]

    # The coordinator accepts and reports the first quarter of 2021.
    coordinator = browser.new_context(locale="da-DK").new_page()
    accept(coordinator, live_server, invitation_path(coordinator_mail), "Kim")
    coordinator.goto(live_server.url + f"/planer/{SLUG}/indberetning/2021K1/")
    assert_accessible(coordinator)
    counts = coordinator.locator("input[name^='c_']")
    assert counts.count() == 1
    counts.first.fill("25")
    for group in coordinator.get_by_role("radio", name="på rette spor").all():
        group.check()
    coordinator.get_by_role("button", name="Gem og indsend").click()
    expect(
        coordinator.get_by_text("1. kvartal 2021 er sendt til sekretariatet. Tak.")
    ).to_be_visible()
    assert QuarterlyCount.objects.get(metric__activity__subagreement__plan=new).value == 25

    # The dashboard judges the new plan on what was reported.
    secretariat.goto(live_server.url + f"/planer/{SLUG}/status/?periode=2021")
    assert_accessible(secretariat)
    overview = secretariat.get_by_role(
        "table", name="Succeskriterier pr. delaftale efter vurdering"
    )
    assert "Uddannelse og livschancer" in overview.inner_text()
    criterion = secretariat.locator("article.dashboard-criterion").first
    verdict = criterion.locator(".verdict").first.get_attribute("class")
    assert "verdict-no_data" not in verdict and "verdict-not_due" not in verdict

    # The Slagelse plan in the same installation does not exist for any of them.
    for person in (secretariat, coordinator):
        person.goto(live_server.url + "/planer/")
        assert NAME in person.locator("#main-content").inner_text()
        assert plan.name not in person.locator("#main-content").inner_text()
        response = person.goto(live_server.url + f"/planer/{PLAN_SLUG}/status/")
        assert response.status == 404
    secretariat.context.close()
    coordinator.context.close()
