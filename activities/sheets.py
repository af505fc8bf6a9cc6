"""The entry form as an Excel sheet, for reporters who work offline.

The sheet lists the reporter's grid for one quarter, one row per number and two per activity
and area (status and note), with the stored values filled in and last quarter, the year so far
and the yearly target beside them. A hidden column names each row's form field and a hidden
sheet carries the plan, the quarter and the revisions the sheet was made from; reading the
sheet back gives the same data the browser would post, so the upload passes exactly the
entry form's validation and the same check that nobody saved in between.

openpyxl is used directly rather than django-import-export: this is a form laid out for
people, not a table of model rows. Like every sheet exported (lib.sheets), it is written for
Danish Excel and LibreOffice: numbers are number cells with number formats the program shows
with the reader's separators, and text from people (names, notes) is text, never a formula.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from lib.sheets import NUMBER_FORMATS, write_text, write_value
from lib.uploads import UploadTooLarge, read_sheets

from .grid import EntryGrid
from .models import QuarterReport

SHEET = "Indberetning"
META = "helhedsplan"
KEY_COLUMN = 9
VALUE_COLUMN = 5
YEAR_TO_DATE_COLUMN = 7
FIRST_ROW = 5
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Rows an uploaded sheet may have beyond those written for the grid as it is now: a number
# the plan no longer counts still has its row in a sheet downloaded before.
ROW_SLACK = 50
INPUT_FILL = PatternFill("solid", fgColor="FFF2B3")


class SheetError(Exception):
    """The file is not a sheet this page can read; the message says why, in Danish."""


def build_workbook(grid: EntryGrid) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    write_text(sheet["A1"], _("Quarterly report: %(quarter)s") % {"quarter": grid.quarter})
    sheet["A1"].font = Font(bold=True, size=14)
    write_text(sheet["A2"], grid.plan.name)
    write_text(
        sheet["A3"],
        _(
            "Fill in the yellow cells: whole numbers, status from the list, and a short note. "
            "Leave a number empty if it is not known yet. Do not write names of residents."
        ),
    )
    headers = [
        _("Focus area"),
        _("Activity"),
        _("Housing area"),
        _("What is counted"),
        _("Number in the quarter"),
        _("Last quarter"),
        _("Year so far"),
        _("Yearly target"),
        _("Key (do not change)"),
    ]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=FIRST_ROW - 1, column=column)
        write_text(cell, header)
        cell.font = Font(bold=True)
    labels = [str(label) for _value, label in QuarterReport.Progress.choices]
    whole_numbers = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("Write a whole number, for example 12."),
        showErrorMessage=True,
    )
    statuses = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
    sheet.add_data_validation(whole_numbers)
    sheet.add_data_validation(statuses)
    row = FIRST_ROW
    for pair in grid.pairs:
        activity_id, area_id = pair.key
        place = [pair.activity.subagreement.focus_area.name, pair.activity.name, pair.area.name]
        report = pair.report
        for cell in pair.cells:
            values = [
                *place,
                cell.metric.name,
                cell.stored,
                cell.last_quarter,
                cell.year_to_date.value,
                cell.year_to_date.target_text,
                f"c_{cell.metric.pk}_{area_id}",
            ]
            write_row(sheet, row, values, editable=not pair.is_locked)
            year_so_far = sheet.cell(row=row, column=YEAR_TO_DATE_COLUMN)
            year_so_far.number_format = figure_format(
                cell.year_to_date.value, whole_plan=cell.year_to_date.whole_plan
            )
            whole_numbers.add(sheet.cell(row=row, column=VALUE_COLUMN))
            row += 1
        progress = (
            QuarterReport.Progress(report.progress).label if report and report.progress else ""
        )
        write_row(
            sheet,
            row,
            [
                *place,
                _("Status"),
                str(progress),
                None,
                None,
                None,
                f"progress_{activity_id}_{area_id}",
            ],
            editable=not pair.is_locked,
        )
        statuses.add(sheet.cell(row=row, column=VALUE_COLUMN))
        row += 1
        write_row(
            sheet,
            row,
            [
                *place,
                _("Note"),
                report.note if report else "",
                None,
                None,
                None,
                f"note_{activity_id}_{area_id}",
            ],
            editable=not pair.is_locked,
        )
        row += 1
    for column, width in zip("ABCDEFGHI", (22, 40, 28, 50, 14, 12, 14, 14, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["I"].hidden = True
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=VALUE_COLUMN)
    sheet.protection.sheet = True

    meta = workbook.create_sheet(META)
    lines = [("plan", grid.plan.slug), ("quarter", grid.quarter.code)] + [
        (f"rev_{pair.activity.pk}_{pair.area.pk}", pair.revision) for pair in grid.pairs
    ]
    for number, (key, value) in enumerate(lines, start=1):
        write_text(meta.cell(row=number, column=1), key)
        write_value(meta.cell(row=number, column=2), value, "plain")
    meta.sheet_state = "hidden"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def write_row(sheet, row: int, values: list, *, editable: bool) -> None:
    """A line of the form: whole numbers as numbers, everything else as text."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        write_value(cell, value, "count" if isinstance(value, int | Decimal) else "text")
        cell.alignment = Alignment(vertical="top", wrap_text=column in (2, 4))
        if column == VALUE_COLUMN and editable:
            cell.fill = INPUT_FILL
            cell.protection = Protection(locked=False)


def figure_format(value, *, whole_plan: bool) -> str:
    """The number format of a year so far: a count whole, an average with its decimals, and
    a whole plan's figure saying so after the number (it is still a number)."""
    if value is None or Decimal(value) == Decimal(value).to_integral_value():
        shown = NUMBER_FORMATS["count"]
    else:
        shown = "#,##0.0#"
    if whole_plan:
        note = _("(whole plan)").replace('"', "")
        shown += f' "{note}"'
    return shown


def last_row(grid: EntryGrid) -> int:
    """The last row build_workbook writes for the grid: one per number, two per pair."""
    return FIRST_ROW - 1 + sum(len(pair.cells) + 2 for pair in grid.pairs)


def read_workbook(content: bytes, grid: EntryGrid) -> tuple[dict[str, str], dict[str, int]]:
    """The form data a filled-in sheet stands for, and the sheet row of each field.

    Raises SheetError when the file is not an xlsx made by this page for this plan and
    quarter, is larger than the sheet this page writes for the grid, or names a field twice.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise SheetError(_("The file is larger than 5 MB; it is not a sheet from this page."))
    try:
        # Read whole here, not row by row later: a damaged file then fails in this one place,
        # whatever part of it is broken.
        sheets = read_sheets(
            content,
            max_rows=last_row(grid) + ROW_SLACK,
            max_columns=KEY_COLUMN,
            names=[SHEET, META],
        )
    except UploadTooLarge as error:
        raise SheetError(str(error)) from None
    except Exception:  # openpyxl, zipfile, zlib and the XML parser each fail in their own way
        raise SheetError(_("The file is not an Excel sheet (xlsx).")) from None
    if SHEET not in sheets or META not in sheets:
        raise SheetError(_("The sheet was not downloaded from this page; download it again."))
    meta = {str(key): value for key, value, *_rest in sheets[META] if key}
    if meta.get("plan") != grid.plan.slug:
        raise SheetError(_("The sheet belongs to another plan."))
    if meta.get("quarter") != grid.quarter.code:
        raise SheetError(
            _("The sheet is for another quarter (%(sheet)s), not %(quarter)s.")
            % {"sheet": meta.get("quarter"), "quarter": grid.quarter}
        )
    progress_codes = {
        str(label).casefold(): value for value, label in QuarterReport.Progress.choices
    }
    data: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, values in enumerate(sheets[SHEET][FIRST_ROW - 1 :], start=FIRST_ROW):
        key = values[KEY_COLUMN - 1]
        if not key:
            continue
        key = str(key)
        if key in rows:
            # Otherwise the last of the two rows would win, unseen.
            raise SheetError(
                _(
                    "Rows %(first)s and %(row)s of the sheet are the same line of the form. "
                    "Delete one of them, or download the sheet again."
                )
                % {"first": rows[key], "row": number}
            )
        value = values[VALUE_COLUMN - 1]
        text = "" if value is None else cell_text(value)
        if key.startswith("progress_"):
            text = progress_codes.get(text.casefold(), text)
        data[key] = text
        rows[key] = number
    for key, value in meta.items():
        if key.startswith("rev_"):
            data[key] = str(value)
    return data, rows


def cell_text(value) -> str:
    """A cell as the browser would post it: 12.0 from Excel is 12."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
