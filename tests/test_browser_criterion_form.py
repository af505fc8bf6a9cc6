"""In a real browser, the secretariat states a criterion's target in plain words: the chosen
kind's fields appear at once, the sentence follows the typing without a page load, and the
target is saved; the page stays accessible under the strict Content Security Policy."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Measurement, SuccessCriterion
from tests.browser import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def share_criterion(plan) -> SuccessCriterion:
    """'Tilsvarende skal der hos minimum 75% af de opgjorte 0-årige …': a share, yearly."""
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code="forebyggelse", position=4
    )


def test_the_secretariat_types_a_share_and_sees_the_sentence_live(
    page, live_server, secretariat, plan, tmp_path
):
    criterion = share_criterion(plan)
    for year, value in {2018: "70", 2019: "72.4", 2020: "78"}.items():
        Measurement.objects.create(indicator=criterion.indicator, year=year, value=Decimal(value))
    log_in(page, live_server, "sekretariat", PASSWORD)
    page.goto(live_server.url + reverse("indicators:target_new", args=[plan.slug, criterion.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == "Nyt mål"
    # With the script, the fields follow the choice; the button for that is not needed.
    assert not page.get_by_role("button", name="Vis felterne").is_visible()
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Hvad siger succeskriteriet?").select_option(label="en andel på mindst P %")

    value = page.get_by_label("Målet (N)")
    assert value.is_visible()
    assert not page.get_by_label("Frist inde i året").is_visible()
    assert not page.get_by_label("Ændring i procent (P)").is_visible()
    value.click()
    page.keyboard.type("75 %")
    sentence = page.locator("#target-preview")
    sentence.get_by_text("Målet er mindst 75 % hvert år.").wait_for()
    assert "Med tallene i dag (hele planen, 2020):" in sentence.inner_text()
    assert sentence.locator(".verdict").inner_text() == "opfyldt"
    assert sentence.get_attribute("aria-live") == "polite"
    assert page.evaluate("window.stillTheSamePage") is True

    # Typing on changes the sentence and the verdict as the figure changes.
    page.keyboard.press("Control+A")
    page.keyboard.type("80 %")
    sentence.get_by_text("Målet er mindst 80 % hvert år.").wait_for()
    assert sentence.locator(".verdict").inner_text() == "ikke opfyldt"
    page.keyboard.press("Control+A")
    page.keyboard.type("75 %")
    sentence.get_by_text("Målet er mindst 75 % hvert år.").wait_for()
    assert page.evaluate("window.stillTheSamePage") is True

    page.locator("#target-form").screenshot(path=tmp_path / "criterion-form.png")
    assert (tmp_path / "criterion-form.png").stat().st_size > 0
    assert not (found := axe_violations(page)), format_violations(found)

    page.get_by_role("button", name="Gem målet").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Succeskriteriets mål"
    assert page.get_by_text("Målet er gemt.").is_visible()
    assert page.get_by_role("cell", name="en andel på mindst P %").count() == 2
    saved = criterion.targets.order_by("position").last()
    assert (saved.kind, saved.comparison, saved.value) == ("yearly", "gte", 75)
    assert not (found := axe_violations(page)), format_violations(found)


def test_a_refused_target_names_what_is_missing_in_the_browser(
    page, live_server, secretariat, plan
):
    criterion = share_criterion(plan)
    log_in(page, live_server, "sekretariat", PASSWORD)
    page.goto(live_server.url + reverse("indicators:target_new", args=[plan.slug, criterion.pk]))
    page.get_by_label("Hvad siger succeskriteriet?").select_option(
        label="i alt mindst N inden udgangen af år Å2"
    )
    page.get_by_label("Målet (N)").fill("40")
    page.locator("#target-preview").get_by_text(
        "Skriv året, hvor summen skal være nået inden udgangen af."
    ).wait_for()

    page.get_by_role("button", name="Gem målet").click()
    page.wait_for_load_state()

    summary = page.locator("[data-module=error-summary]")
    assert "Målår eller frist (Å2): Skriv året" in summary.inner_text()
    assert page.get_by_label("Målår eller frist (Å2)").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Målår eller frist (Å2)").is_visible()
    assert criterion.targets.count() == 1
    assert not (found := axe_violations(page)), format_violations(found)


def test_without_javascript_the_form_works_on_submit(browser, live_server, secretariat, plan):
    from tests.browser import DESKTOP

    criterion = share_criterion(plan)
    context = browser.new_context(viewport=DESKTOP, locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "sekretariat", PASSWORD)
        page.goto(
            live_server.url + reverse("indicators:target_new", args=[plan.slug, criterion.pk])
        )
        assert not page.get_by_label("Målet (N)").is_visible()
        page.get_by_label("Hvad siger succeskriteriet?").select_option(
            label="en andel på mindst P %"
        )
        page.get_by_role("button", name="Vis felterne").click()
        page.wait_for_load_state()
        page.get_by_label("Målet (N)").fill("75 %")
        page.get_by_role("button", name="Vis sætning").click()
        page.wait_for_load_state()
        assert "Målet: mindst 75 %" in page.locator("#target-preview").inner_text()
        assert criterion.targets.count() == 1

        page.get_by_role("button", name="Gem målet").click()
        page.wait_for_load_state()
        assert page.get_by_text("Målet er gemt.").is_visible()
        assert criterion.targets.count() == 2
    finally:
        context.close()
