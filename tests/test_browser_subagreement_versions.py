"""In a real browser, the secretariat edits a delaftale, records the board's approval as
version 2, and Landsbyggefonden's link serves version 2 at once; the pages pass axe-core."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Subagreement
from tests.browser import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# The budget table of the differences: LBF's share, old, new and the difference in t.kr.
LBF_SHARE_RAISED = re.compile(r"\n(Landsbyggefonden|LBF)[^\n]*\t6\.497\t6\.797\t\+300\n")


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}\n{format_violations(violations)}"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_secretariat_approves_version_2_and_the_lbf_link_serves_it(
    page, browser, live_server, secretariat
):
    log_in(page, live_server, "sekretariat", PASSWORD)
    page.get_by_role("link", name="De gældende delaftaler som PDF").click()
    assert_accessible(page)

    # A link for LBF, made before the change: it must follow the current version.
    page.get_by_role("link", name="Links til Landsbyggefonden").click()
    page.get_by_label("Hvem linket er til").fill("LBF's sagsbehandler")
    page.get_by_role("button", name="Opret et link").click()
    assert page.get_by_text("Linket er oprettet.").is_visible()
    address = page.get_by_label("Linket", exact=True).input_value()
    assert_accessible(page)

    # The board decided to move 300.000 kr. to LBF's share; the secretariat edits the draft.
    tryghed = Subagreement.objects.get(focus_area__code="tryghed")
    page.goto(f"{live_server.url}/admin/agreements/subagreement/{tryghed.pk}/change/")
    page.locator("#id_budget_lbf").fill("6797000")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(f"{live_server.url}/planer/{tryghed.plan.slug}/delaftaler/")
    row = page.get_by_role("row", name=re.compile("Tryghed og trivsel"))
    assert "Ændret, ikke godkendt" in row.inner_text()
    page.get_by_role("link", name="Godkend kladden til Tryghed og trivsel som ny version").click()
    assert LBF_SHARE_RAISED.search(page.locator(".differences").inner_text())
    assert_accessible(page)

    page.get_by_label("Dato for bestyrelsens beslutning").fill("12.09.2018")
    page.get_by_label("Hvad blev ændret, og hvorfor").fill("LBF-andelen hævet med 300.000 kr.")
    page.get_by_role("button", name="Godkend som ny version").click()
    assert page.get_by_text("Version 2 er godkendt og er nu den gældende delaftale.").is_visible()
    assert "12. september 2018" in page.get_by_role("table").first.inner_text()

    page.get_by_label("Fra").select_option(label="Version 1")
    page.get_by_label("Til").select_option(label="Version 2")
    page.get_by_role("button", name="Vis forskellene").click()
    assert LBF_SHARE_RAISED.search(page.locator(".differences").inner_text())
    assert_accessible(page)

    # Landsbyggefonden, not logged in, opens the link it got before the approval.
    lbf = browser.new_context(locale="da-DK", accept_downloads=True)
    try:
        tab = lbf.new_page()
        tab.goto(address)
        assert_accessible(tab)
        with tab.expect_download() as download:
            tab.get_by_role("link", name="Hent Tryghed og trivsel, version 2 (PDF)").click()
        text = pdf_text(open(download.value.path(), "rb").read())
    finally:
        lbf.close()
    # Which version this is, and when the board approved it, stands in the running header.
    assert "Tryghed og trivsel · version 2 · godkendt af bestyrelsen 12. september 2018" in text
    assert "6.797" in text and "6.497" not in text
