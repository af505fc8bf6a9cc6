"""Random payloads against the quarter's entry form and the two sheet imports: whatever is
sent, the answer is never a server error, and a payload that is refused saves nothing.

Hypothesis draws the payloads. Each example runs in a savepoint that is rolled back, so every
example starts from the same database: the real plan, with the coordinator's quarter submitted
and one of its reports approved (locked), so the rules for changing submitted numbers and for
locked reports are reached too. A payload that once caused a server error is kept as an
@example, so it is tried on every run.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from activities.models import QuarterlyCount, QuarterReport
from activities.services import approve_reports
from activities.sheets import FIRST_ROW, KEY_COLUMN, META, SHEET, VALUE_COLUMN
from indicators.models import Measurement
from indicators.services import import_measurements
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db

QUARTER = "2018K1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# What people (and robots) type into a number field.
typed_numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.integers(min_value=4200, max_value=4400).map(lambda digits: "9" * digits),
    st.decimals(allow_nan=True, allow_infinity=True).map(lambda d: str(d).replace(".", ",")),
    st.floats().map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "+5",
            " 7 ",
            "1.200",
            "1 200",
            "1.2.3",
            "12,5",
            "1e10",
            "1_000",
            "0x10",
            "١٢",
            "１２",
            "²",
            "NaN",
            "∞",
            "-",
            ",",
            ".",
        ]
    ),
)
texts = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=90, max_value=2100).map(lambda n: "æ" * n),
)
values = st.one_of(typed_numbers, texts)


def stored() -> tuple:
    """Every count and report of the plan, and the size of their history."""
    return (
        list(QuarterlyCount.objects.order_by("pk").values_list("pk", "value")),
        list(
            QuarterReport.objects.order_by("pk").values_list(
                "pk", "revision", "status", "progress", "note"
            )
        ),
        QuarterlyCount.history.count(),
        QuarterReport.history.count(),
    )


def stored_measurements() -> tuple:
    return (
        list(Measurement.objects.order_by("pk").values_list("pk", "value", "measured_on")),
        Measurement.history.count(),
    )


def assert_no_server_error(response) -> None:
    assert response.status_code < 500
    if response.get("Content-Type", "").startswith("text/html"):
        assert "Traceback" not in response.content.decode()


@pytest.fixture
def reporter(client, coordinator_motalavej, secretariat, plan) -> Client:
    """The coordinator of Motalavej, with the quarter submitted and one report approved."""
    client.force_login(coordinator_motalavej)
    url = entry_url(plan)
    fields = form_fields(client.get(url))
    data = {name: "3" if name.startswith("c_") else value for name, value in fields.items()}
    for name in [name for name in fields if name.startswith("rev_")]:
        data["progress_" + name.removeprefix("rev_")] = "on_track"
    assert client.post(url, data | {"action": "submit"}).status_code == 302
    report = QuarterReport.objects.filter(year=2018, quarter=1).order_by("pk").first()
    approve_reports(
        plan=plan, quarter=report.period, chosen={report.pk: report.revision}, by=secretariat
    )
    return client


def entry_url(plan) -> str:
    return reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": QUARTER})


def upload_url(plan) -> str:
    return reverse("activities:entry_upload", kwargs={"plan": plan.slug, "quarter": QUARTER})


def rolled_back(check):
    """Run `check` in a savepoint that is rolled back: every example starts from the same
    database."""

    def run(*args, **kwargs):
        with transaction.atomic():
            check(*args, **kwargs)
            transaction.set_rollback(True)

    return run


# The quarter's entry form


def test_the_entry_form_never_fails_and_saves_nothing_it_refuses(reporter, plan):
    url = entry_url(plan)
    loaded = form_fields(reporter.get(url))
    names = st.one_of(
        st.sampled_from([*loaded, "action", "reason", "confirm"]),
        st.builds(
            "{}_{}_{}".format,
            st.sampled_from(["c", "note", "progress", "rev"]),
            st.integers(min_value=0, max_value=10**6),
            st.integers(min_value=0, max_value=10**6),
        ),
        st.text(max_size=20),
    )
    submitted_count = next(name for name in loaded if name.startswith("c_"))
    progress = next(name for name in loaded if name.startswith("progress_"))

    @FUZZ
    @given(
        start_from_the_form=st.booleans(),
        changes=st.dictionaries(names, values, max_size=8),
        action=st.sampled_from(["save", "submit", "", "slet alt"]),
    )
    # A changed submitted number needs a reason, which is kept in the history (100 characters).
    @example(
        start_from_the_form=True,
        changes={submitted_count: "4", "reason": "æ" * 101},
        action="save",
    )
    # Always tried too: a status that is not one, and a revision too long for int().
    @example(start_from_the_form=True, changes={progress: "færdig"}, action="submit")
    @example(start_from_the_form=False, changes={"rev_1_1": "9" * 5000}, action="save")
    @rolled_back
    def post(start_from_the_form, changes, action):
        data = (loaded if start_from_the_form else {}) | changes | {"action": action}
        before = stored()
        response = reporter.post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
        assert_no_server_error(response)
        if response.status_code != 302:
            assert stored() == before

    post()


# The quarter's entry sheet


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1)),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
        max_size=40,
    ),
    st.integers(min_value=90, max_value=2100).map(lambda n: "ø" * n),
    st.sampled_from(["=1/0", "=A1", "1.200", "12,5", "Lever op til forventningerne", " "]),
)


def workbook_bytes(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def with_cells(content: bytes, changes: list, sheet_name: str, first_row: int) -> bytes:
    """The workbook with the chosen cells of one sheet overwritten."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[sheet_name]
    rows = sheet.max_row - first_row + 2  # and one row below the last
    for row, column, value in changes:
        cell = sheet.cell(row=first_row + row % rows, column=column)
        cell.value = float(value) if isinstance(value, Decimal) else value
    return workbook_bytes(workbook)


def spliced(content: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    """The bytes with some stretches overwritten: a damaged file."""
    damaged = bytearray(content)
    for position, replacement in cuts:
        at = position % max(len(damaged), 1)
        damaged[at : at + len(replacement)] = replacement
    return bytes(damaged)


def with_member(content: bytes, name: str, replace) -> bytes:
    """The xlsx (a zip archive) with one member's stored bytes changed by `replace`."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(name)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data = bytearray(content)
    data[start : start + info.compress_size] = replace(
        bytes(data[start : start + info.compress_size])
    )
    return bytes(data)


def broken_xml(content: bytes) -> bytes:
    """The sheet's rows cut off in the middle of their XML, the archive otherwise intact."""
    source = io.BytesIO(content)
    output = io.BytesIO()
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(output, "w") as rebuilt:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            rebuilt.writestr(info, data)
    return output.getvalue()


def garbled(stored: bytes) -> bytes:
    """Compressed bytes overwritten in the middle, as a bad disk or transfer leaves them."""
    middle = len(stored) // 2
    return (
        stored[:middle]
        + bytes(b ^ 0x5A for b in stored[middle : middle + 64])
        + stored[middle + 64 :]
    )


def from_a_later_zip_version(content: bytes) -> bytes:
    """The archive's directory claiming a zip version newer than Python reads (6.4)."""
    entry = content.rindex(b"PK\x01\x02")
    return content[: entry + 6] + b"\x40\x00" + content[entry + 8 :]


def upload_sheet(client, plan, content: bytes):
    sheet = SimpleUploadedFile("indberetning.xlsx", content, content_type=XLSX)
    return client.post(upload_url(plan), {"sheet": sheet})


def test_the_entry_sheet_never_fails_and_saves_nothing_it_refuses(reporter, plan):
    response = reporter.get(
        reverse("activities:entry_sheet", kwargs={"plan": plan.slug, "quarter": QUARTER})
    )
    sheet = response.content

    @FUZZ
    @given(
        cells=st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=500),
                st.sampled_from([VALUE_COLUMN] * 4 + [KEY_COLUMN, 1]),
                cell_values,
            ),
            max_size=6,
        ),
        meta=st.lists(
            st.tuples(st.integers(min_value=0, max_value=40), st.sampled_from([1, 2]), cell_values),
            max_size=2,
        ),
        action=st.sampled_from(["save", "submit"]),
    )
    @rolled_back
    def upload(cells, meta, action):
        content = with_cells(sheet, cells, SHEET, FIRST_ROW)
        if meta:
            content = with_cells(content, meta, META, 1)
        before = stored()
        preview = upload_sheet(reporter, plan, content)
        assert_no_server_error(preview)
        assert stored() == before  # a preview saves nothing
        page = preview.content.decode()
        if 'name="sheet_data"' not in page:
            return
        fields = form_fields(preview)
        response = reporter.post(upload_url(plan), fields | {"action": action})
        assert_no_server_error(response)
        if response.status_code != 302:
            assert stored() == before

    upload()


def test_damaged_entry_sheets_never_fail_and_save_nothing(reporter, plan):
    response = reporter.get(
        reverse("activities:entry_sheet", kwargs={"plan": plan.slug, "quarter": QUARTER})
    )
    sheet = response.content

    @FUZZ
    @given(
        content=st.one_of(
            st.binary(max_size=2000),
            st.lists(
                st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)),
                min_size=1,
                max_size=4,
            ).map(lambda cuts: spliced(sheet, cuts)),
            st.integers(min_value=0, max_value=len(sheet)).map(lambda end: sheet[:end]),
        )
    )
    # Damage the zip archive holds together but the reader meets only when it reads the rows.
    @example(content=broken_xml(sheet))
    @example(content=with_member(sheet, "xl/worksheets/sheet1.xml", garbled))
    @example(content=from_a_later_zip_version(sheet))
    @rolled_back
    def upload(content):
        before = stored()
        assert_no_server_error(upload_sheet(reporter, plan, content))
        assert stored() == before

    upload()


# Measurements


@pytest.fixture
def importer(client, secretariat) -> Client:
    client.force_login(secretariat)
    return client


def test_measurement_sheets_never_fail_and_import_nothing_they_refuse(importer, plan, secretariat):
    exported = importer.get(reverse("indicators:sheet", args=[plan.slug]))
    assert exported.status_code == 200
    # The export holds every figure of the plan; its first rows are enough, and quick to read.
    workbook = openpyxl.load_workbook(io.BytesIO(exported.content))
    workbook.active.delete_rows(22, workbook.active.max_row)
    sheet = workbook_bytes(workbook)
    import_url = reverse("indicators:import", args=[plan.slug])
    sheet_name = openpyxl.load_workbook(io.BytesIO(sheet)).sheetnames[0]

    @FUZZ
    @given(
        cells=st.lists(
            st.tuples(st.integers(min_value=0, max_value=400), st.integers(1, 8), cell_values),
            max_size=6,
        ),
        damage=st.lists(
            st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)), max_size=1
        ),
    )
    # A TRUE/FALSE cell as a figure; a figure too large to show to the hundredth; the heading
    # of a column that names the row emptied.
    @example(cells=[(1, 5, False)], damage=[])
    @example(cells=[(1, 5, 1e26)], damage=[])
    @example(cells=[(0, 2, None)], damage=[])
    @rolled_back
    def upload(cells, damage):
        content = spliced(with_cells(sheet, cells, sheet_name, 1), damage)
        before = stored_measurements()
        upload = SimpleUploadedFile("maalinger.xlsx", content, content_type=XLSX)
        preview = importer.post(import_url, {"sheet": upload})
        assert_no_server_error(preview)
        assert stored_measurements() == before
        if not preview.context.get("previewed"):
            return
        # Whatever a row holds, it is refused with a message of its own, never with an
        # exception the library caught and shows as it is.
        _dataset, result = import_measurements(
            plan=plan, user=secretariat, content=content, dry_run=True
        )
        crashes = [str(error.error) for _row, errors in result.row_errors() for error in errors]
        assert not crashes
        token = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
        if token is None:
            return
        response = importer.post(
            reverse("indicators:import_confirm", args=[plan.slug]), {"token": token.group(1)}
        )
        assert_no_server_error(response)
        if response.status_code != 302:
            assert stored_measurements() == before

    upload()
