"""On a phone (390 px wide), every page a coordinator uses, and the secretariat's reporting
overview and measurement pages, show all they need without the page scrolling sideways.

A table too wide for the screen may scroll within itself, in a scroll container that keeps its
first column in view, so that each row stays named while the figures move. The quarter's entry
form and the preview of an uploaded sheet are read and compared row by row: there the
comparison columns are stacked under each number and never leave the screen. Each page also
passes axe-core. Every problem of every page is collected and reported at once.
"""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from activities.models import Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea
from demo.data import load_demo_data
from indicators.models import Indicator, Measurement, SuccessCriterion
from tests.browser import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD, PLAN_SLUG
from tests.test_quarter_entry_sheet import XLSX, filled
from tests.test_sheet_imports import GOOD_ROWS, MEASUREMENT_HEADINGS, SLUG, xlsx

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
QUARTER = "2018K1"
ENTRY = f"/planer/{PLAN_SLUG}/indberetning/{QUARTER}/"

# Run in the page: the tables wider than the room they have, and whether each is in a scroll
# container of its own with a first column that stays put. Folded parts are opened first, so
# that what they hold is measured too; hidden tables have no width and are passed over.
WIDE_TABLES = """(mustFit) => {
    document.querySelectorAll("main details").forEach((details) => { details.open = true; });
    const problems = [];
    const viewport = document.documentElement.clientWidth;
    const scrollerOf = (element) => {
        for (let node = element.parentElement; node && node.tagName !== "MAIN";
             node = node.parentElement) {
            if (["auto", "scroll"].includes(getComputedStyle(node).overflowX)) return node;
        }
        return null;
    };
    document.querySelectorAll("main table").forEach((table, index) => {
        if (!table.offsetParent) return;
        const caption = table.caption ? table.caption.textContent.trim().replace(/\\s+/g, " ") : "";
        const name = `table ${index + 1}` + (caption ? ` "${caption.slice(0, 60)}"` : "");
        if (mustFit.some((selector) => table.matches(selector))) {
            // Compared row by row: every cell of every row is on the screen, none behind a
            // scroll. (The column headings may be kept for screen readers only.)
            const off = [...table.querySelectorAll("tbody th, tbody td")].filter((cell) => {
                const box = cell.getBoundingClientRect();
                return box.width > 0 && (box.left < -1 || box.right > viewport + 1);
            });
            if (off.length) {
                problems.push(`${name}: ${off.length} cells off the screen, e.g. ` +
                    `"${off[0].textContent.trim().slice(0, 40)}"`);
            }
            return;
        }
        const scroller = scrollerOf(table);
        const room = (scroller || table.parentElement).clientWidth;
        if (table.offsetWidth <= room + 1) return;
        if (!scroller) {
            problems.push(`${name} is ${table.offsetWidth} px wide in ${room} px, ` +
                "outside a scroll container");
            return;
        }
        const loose = [...table.rows].filter((row) => row.cells.length
            && row.cells[0].colSpan === 1
            && getComputedStyle(row.cells[0]).position !== "sticky");
        if (loose.length) {
            problems.push(`${name} scrolls, but the first column of ${loose.length} ` +
                `of its ${table.rows.length} rows is not sticky`);
        }
    });
    return problems;
}"""


# Run in the page: the elements that reach past the right edge of the screen and are not
# clipped by a scroll container, named by tag, class and a little of their text, so that a
# failure says what to fix. An absolutely positioned element (a text for screen readers in a
# table cell, say) escapes every scroll container between it and its containing block.
STICKING_OUT = """() => {
    const viewport = document.documentElement.clientWidth;
    const past = (element) => element.getBoundingClientRect().right > viewport + 1;
    const lifted = (element) => ["absolute", "fixed"].includes(getComputedStyle(element).position);
    const clipped = (element) => {
        let node = lifted(element) ? element.offsetParent : element.parentElement;
        for (; node && node !== document.body; node = node.parentElement) {
            if (getComputedStyle(node).overflowX !== "visible" && !past(node)) return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((element) => past(element) && !clipped(element)
            && (lifted(element) || !past(element.parentElement)))
        .slice(0, 5)
        .map((element) => {
            const classes = [...element.classList].map((name) => "." + name).join("");
            const text = element.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
            return `${element.tagName.toLowerCase()}${classes} "${text}"`;
        });
}"""


def problems_of(page, label: str, must_fit: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with the page as it is now at phone width, each line naming the page."""
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        found.append(
            f"the page is {width} px wide; sticking out: " + ", ".join(page.evaluate(STICKING_OUT))
        )
    found.extend(page.evaluate(WIDE_TABLES, list(must_fit)))
    violations = axe_violations(page)
    if violations:
        found.append("axe:\n" + format_violations(violations))
    return [f"{label} ({page.url}): {problem}" for problem in found]


def visit(page, live_server, path: str, label: str, **options) -> list[str]:
    response = page.goto(live_server.url + path)
    if response.status != 200:
        return [f"{label} ({path}): HTTP {response.status}"]
    return problems_of(page, label, **options)


def assert_no_problems(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problems at 390 px:\n" + "\n".join(problems)


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def test_a_coordinator_s_pages_fit_a_phone(phone, live_server, plan, coordinator_motalavej):
    """Front page with the to-do, the quarter's form, the sheet upload and its preview, the
    agreements and measurements a coordinator reads, the histories, and the public pages."""
    motalavej = HousingArea.objects.get(code="motalavej")
    walks = Metric.objects.get(activity__subagreement__plan=plan, name="Tryghedsvandringer")
    jobs = Metric.objects.get(activity__subagreement__plan=plan, name="Formidlede fritidsjob")
    # One activity already submitted, so that the form and the preview compare with something.
    QuarterlyCount.objects.create(metric=walks, area=motalavej, year=2018, quarter=1, value=1)
    report = QuarterReport(activity=walks.activity, area=motalavej, year=2018, quarter=1)
    report.submit(by=coordinator_motalavej)
    report.save()
    # A criterion assessed by people: a coordinator may read its history.
    criterion = (
        SuccessCriterion.objects.filter(
            subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
        )
        .order_by("pk")
        .first()
    )

    log_in(phone, live_server, "koordinator-motalavej", PASSWORD)
    problems = problems_of(phone, "the front page")
    for path, label, options in [
        (reverse("plans"), "the list of plans", {}),
        (ENTRY, "the quarter's entry form", {"must_fit": (".entry-table",)}),
        (reverse("agreements:subagreements", args=[PLAN_SLUG]), "the sub-agreements", {}),
        (reverse("agreements:history", args=[PLAN_SLUG, "tryghed"]), "a sub-agreement", {}),
        (reverse("indicators:plan", args=[PLAN_SLUG]), "the measurements", {}),
        (
            reverse("indicators:subagreement", args=[PLAN_SLUG, "tryghed"]),
            "a sub-agreement's measurements",
            {},
        ),
        (
            reverse("activities:changes", args=[PLAN_SLUG, walks.activity.pk]),
            "an activity's history",
            {},
        ),
        (
            reverse("indicators:changes", args=[PLAN_SLUG, criterion.pk]),
            "a criterion's history",
            {},
        ),
        (reverse("privacy"), "the privacy policy", {}),
        (reverse("accessibility"), "the accessibility statement", {}),
    ]:
        problems += visit(phone, live_server, path, label, **options)

    # The sheet as the entry page offers it, filled in and uploaded: its preview.
    upload = reverse("activities:entry_upload", args=[PLAN_SLUG, QUARTER])
    problems += visit(phone, live_server, upload, "the sheet upload")
    sheet = phone.request.get(
        live_server.url + reverse("activities:entry_sheet", args=[PLAN_SLUG, QUARTER])
    )
    assert sheet.ok, sheet.status
    values = {
        f"c_{walks.pk}_{motalavej.pk}": 4,
        f"c_{jobs.pk}_{motalavej.pk}": 12,
        f"note_{jobs.activity.pk}_{motalavej.pk}": "Flere unge end ventet fik job i ferien.",
    }
    content = filled(openpyxl.load_workbook(io.BytesIO(sheet.body())), values)
    phone.locator("input[type=file]").set_input_files(
        files=[{"name": "indberetning.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kontrollér regnearket").click()
    assert phone.get_by_role("button", name="Gem og indsend").is_visible()
    problems += problems_of(phone, "the sheet's preview", must_fit=(".sheet-changes",))

    assert_no_problems(problems)


def test_the_secretariat_s_overview_and_measurements_fit_a_phone(
    phone, live_server, plan, secretariat
):
    """Who has reported a quarter, the measurements of the plan and of a sub-agreement, a
    year's figures, and the import of a sheet of figures with its preview."""
    load_demo_data(plan=plan)
    safety = Indicator.objects.get(plan=plan, name="Generel tryghed (politiets tryghedsmåling)")
    fires = Measurement.objects.get(indicator__name="Påsatte brande", year=2016, area=None)
    other = (
        Measurement.objects.filter(indicator__plan=plan, is_demo=False, area__isnull=False)
        .exclude(indicator=fires.indicator)
        .order_by("pk")
        .first()
    )

    log_in(phone, live_server, "sekretariat", PASSWORD)
    problems = []
    for path, label in [
        (reverse("activities:completeness", args=[PLAN_SLUG, QUARTER]), "who has reported"),
        (reverse("indicators:plan", args=[PLAN_SLUG]), "the measurements"),
        (
            reverse("indicators:subagreement", args=[PLAN_SLUG, "tryghed"]),
            "a sub-agreement's measurements",
        ),
        (reverse("indicators:year_figures", args=[PLAN_SLUG, safety.pk, 2018]), "a year's figures"),
        (reverse("indicators:import", args=[PLAN_SLUG]), "the import of figures"),
    ]:
        problems += visit(phone, live_server, path, label)

    # A sheet with a new, a changed and an unchanged figure: every table of the preview.
    changed = str(other.value + 1).replace(".", ",")
    rows = GOOD_ROWS + [
        [SLUG, other.indicator.name, other.year, other.area.name, changed, "Ny kilde", ""],
        [SLUG, "Påsatte brande", 2016, "", int(fires.value), fires.source_note, ""],
    ]
    phone.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "maalinger.xlsx",
                "mimeType": XLSX,
                "buffer": xlsx(MEASUREMENT_HEADINGS, rows).getvalue(),
            }
        ]
    )
    with phone.expect_navigation():
        phone.get_by_role("button", name="Vis, hvad importen vil gøre").click()
    assert phone.get_by_role("heading", name=re.compile("^Forhåndsvisning")).is_visible()
    problems += problems_of(phone, "the import's preview")

    assert_no_problems(problems)
