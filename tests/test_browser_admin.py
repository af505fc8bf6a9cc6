"""In a real browser, the secretariat opens every administration page it may open: Danish,
accessible, no wider than a 1,280 px window, and every script of it allowed by the Content
Security Policy (the `page` fixture fails the test on any refusal)."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from tests.browser import axe_violations, format_violations, is_csp_violation, log_in
from tests.conftest import PASSWORD
from tests.test_admin_pages import admin_urls, expected_for_secretariat

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WINDOW = {"width": 1280, "height": 800}

# Words and phrases of Django's admin, django-import-export and django-simple-history that
# give an untranslated string away, matched as whole words and as written. Only words that
# are not also Danish: "Format", "Filter" and "Import" are good Danish, as are "to" and "is".
ENGLISH = [
    "Add",
    "Change",
    "Changed",
    "Delete",
    "Deleted",
    "History",
    "Save",
    "Search",
    "Export",
    "Select all",
    "Action",
    "Actions",
    "Go",
    "Home",
    "View site",
    "Log out",
    "Resource",
    "Submit",
    "Show",
    "Hide",
    "Remove",
    "Clear",
    "Today",
    "Now",
    "Choose",
    "Yes",
    "No",
    "Unknown",
    "None",
    "All",
    "Object",
    "Date",
    "User",
    "Comment",
    "Reason",
    "Revert",
    "Close",
    "Cancel",
    "Another",
    "selected",
    "the",
    "this",
    "your",
    "with",
    "field",
    "fields",
    "following",
    "file",
    "Please",
    "Password",
    "Django",
    "Welcome",
    "Confirm",
    "Preview",
    "Errors",
    "Row",
    "New",
    "Skip",
    "Update",
    "Apply",
    "Run",
    "Toggle",
    "Ascending",
    "Descending",
    "result",
    "results",
]
ENGLISH_PATTERN = re.compile(r"\b(?:" + "|".join(map(re.escape, ENGLISH)) + r")\b")

# What a person sees or hears of the page: the visible text, the window's title, the text
# of buttons and the names given to controls and links.
SHOWN_TEXT = """() => {
    const parts = [document.title, document.body.innerText];
    for (const element of document.querySelectorAll(
        "input[type=submit], input[type=button], input[type=reset]"
    )) {
        if (element.offsetParent !== null) parts.push(element.value);
    }
    const names = ["title", "aria-label", "placeholder", "alt"];
    for (const element of document.querySelectorAll(names.map((name) => `[${name}]`).join())) {
        for (const name of names) {
            const value = element.getAttribute(name);
            if (value) parts.push(value);
        }
    }
    return parts.join("\\n");
}"""


def english_on(page) -> list[str]:
    """The lines of the page holding a telltale English word, each with the word marked."""
    found = []
    for line in page.evaluate(SHOWN_TEXT).splitlines():
        words = sorted(set(ENGLISH_PATTERN.findall(line)))
        if words:
            found.append(f"{', '.join(words)}: {line.strip()[:120]}")
    return sorted(set(found))


def version_urls(user) -> list[tuple[str, str]]:
    """(label, url) of the page of one recorded version of a row, for every model whose
    admin shows its history (django-simple-history's page, reached from the history list).

    The plan as loaded has no history yet: the row the history pages show is saved once by
    `user`, so that its history list has a line and the version a page.
    """
    urls = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, SimpleHistoryAdmin):
            continue
        opts = model._meta
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        obj._history_user = user
        obj._change_reason = "Gennemgang af planen"
        obj.save()
        record = obj.history.order_by("history_id").first()
        if record is not None:
            name = f"admin:{opts.app_label}_{opts.model_name}_simple_history"
            urls.append((f"{opts.label_lower} version", reverse(name, args=[obj.pk, record.pk])))
    return urls


def open_every_fold(page) -> None:
    """Unfold the folded fieldsets and inline tables: what they hold must be Danish, named and
    fit the window too."""
    page.evaluate("document.querySelectorAll('details').forEach((fold) => { fold.open = true; })")


class PageChecks:
    """The checks every administration page must pass, each problem noted with its page, so
    that one run of the browser reports them all."""

    def __init__(self, page):
        self.page = page
        self.failures: list[str] = []
        self.pages = 0
        # The page fixture fails the test on any refusal of the Content Security Policy;
        # noted here too, to say on which page.
        self.refused: list[str] = []
        page.on(
            "console",
            lambda message: is_csp_violation(message) and self.refused.append(message.text),
        )

    def visit(self, label: str, url: str) -> None:
        self.refused.clear()
        response = self.page.goto(url)
        if response.status != 200:
            self.failures.append(f"{label} ({url}): HTTP {response.status}")
            return
        self.check(label)

    def check(self, label: str) -> None:
        """Check the page as it is now; `label` says which page it is."""
        page = self.page
        page.wait_for_load_state("load")
        self.pages += 1
        where = f"{label} ({page.url})"
        open_every_fold(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WINDOW["width"]:
            self.failures.append(f"{where}: {width} px wide in a {WINDOW['width']} px window")
        if english := english_on(page):
            self.failures.append(f"{where}: English text:\n    " + "\n    ".join(english))
        if violations := axe_violations(page):
            self.failures.append(f"{where}: axe:\n" + format_violations(violations))
        if self.refused:
            self.failures.append(
                f"{where}: refused by the CSP:\n    " + "\n    ".join(self.refused)
            )
        self.refused.clear()

    def assert_none(self) -> None:
        assert not self.failures, (
            f"{len(self.failures)} problems on {self.pages} pages:\n" + "\n".join(self.failures)
        )


def test_every_admin_page_of_the_secretariat_is_danish_accessible_and_fits(
    page, live_server, secretariat
):
    pages = [
        (label, url) for label, url in admin_urls() if expected_for_secretariat(label) == 200
    ] + version_urls(secretariat)
    page.set_viewport_size(WINDOW)
    log_in(page, live_server, "sekretariat", PASSWORD)

    checks = PageChecks(page)
    refused_forms = 0
    for label, url in pages:
        checks.visit(label, live_server.url + url)
        if label.endswith(" add"):
            # Saved empty, the form says what is missing, in Danish too.
            page.locator("input[name=_save]").click()
            checks.check(f"{label}, saved empty")
            refused_forms += page.locator(".errornote").count()
    checks.assert_none()
    assert refused_forms, "No form saved empty showed its errors."


def test_a_sheet_exported_and_imported_again_is_danish_accessible_and_fits(
    page, live_server, secretariat, tmp_path
):
    """The pages of an import: the sheet chosen, its preview, and the list the confirmed
    import returns to, with its message."""
    page.set_viewport_size(WINDOW)
    log_in(page, live_server, "sekretariat", PASSWORD)

    checks = PageChecks(page)
    for label, url in admin_urls():
        if not label.endswith(" export"):
            continue
        model = label.removesuffix(" export")
        page.goto(live_server.url + url)
        with page.expect_download() as download:
            page.get_by_role("button", name="Fortsæt").click()
        sheet = tmp_path / download.value.suggested_filename
        download.value.save_as(sheet)

        page.goto(live_server.url + url.removesuffix("export/") + "import/")
        page.locator("#id_import_file").set_input_files(sheet)
        page.get_by_role("button", name="Fortsæt").click()
        checks.check(f"{model} import preview")
        page.get_by_role("button", name="Bekræft import").click()
        assert "Importen er gennemført" in page.locator(".messagelist").inner_text(), model
        checks.check(f"{model} import done")
    checks.assert_none()


def test_select_all_on_the_export_page_selects_every_column(page, live_server, secretariat):
    exports = [url for label, url in admin_urls() if label.endswith(" export")]
    assert exports
    page.set_viewport_size(WINDOW)
    log_in(page, live_server, "sekretariat", PASSWORD)

    for url in exports:
        page.goto(live_server.url + url)
        toggle = page.get_by_role("checkbox", name="Vælg alle")
        columns = page.locator(
            ".selectable-field-export-row input[type=checkbox]:not(.select-toggle):visible"
        )
        assert columns.count() > 1, url
        assert toggle.is_checked(), url
        toggle.uncheck()
        assert not any(box.is_checked() for box in columns.all()), url
        toggle.check()
        assert all(box.is_checked() for box in columns.all()), url


def test_select_all_on_a_list_selects_every_row_for_an_action(page, live_server, secretariat):
    lists = [
        url
        for label, url in admin_urls()
        if label.endswith(" list") and expected_for_secretariat(label) == 200
    ]
    page.set_viewport_size(WINDOW)
    log_in(page, live_server, "sekretariat", PASSWORD)

    checked_lists = 0
    for url in lists:
        page.goto(live_server.url + url)
        toggle = page.locator("#action-toggle")
        if not toggle.count():
            continue  # a list without actions: the secretariat may not delete its rows
        rows = page.locator("input.action-select")
        toggle.check()
        assert all(box.is_checked() for box in rows.all()), url
        # The admin's script counts the chosen rows, as "5 af 5 valgt".
        assert page.locator(".action-counter").inner_text().startswith(f"{rows.count()} af "), url
        toggle.uncheck()
        assert not any(box.is_checked() for box in rows.all()), url
        checked_lists += 1
    assert checked_lists


def test_the_admins_scripts_add_rows_and_show_the_calendar(page, live_server, secretariat, plan):
    """The admin's own scripts, under the policy: a new row of a table of inline rows, and
    the calendar and the day's shortcuts beside a date; all named, and in Danish."""
    page.set_viewport_size(WINDOW)
    log_in(page, live_server, "sekretariat", PASSWORD)
    page.goto(live_server.url + reverse("admin:agreements_plan_change", args=[plan.pk]))
    checks = PageChecks(page)

    signatories = page.locator("#signatories-group tr.dynamic-signatories")
    before = signatories.count()
    page.locator("#signatories-group .add-row a").click()
    assert signatories.count() == before + 1
    new_row = signatories.last
    assert new_row.get_by_role("textbox", name="Navn").is_visible()

    shortcuts = page.locator(".fieldBox.field-start_date .datetimeshortcuts")
    link = shortcuts.locator("a[id^=calendarlink]")
    link.click()
    calendar = page.locator("#" + link.get_attribute("id").replace("link", "box"))
    assert calendar.is_visible()
    checks.check("plan change, a signatory added and the calendar open")
    page.keyboard.press("Escape")
    shortcuts.get_by_role("link", name="I dag").click()
    assert page.locator("#id_start_date").input_value() == date.today().strftime("%d.%m.%Y")
    checks.assert_none()
