"""Reading and writing the spreadsheets people keep: the generic parts of the xlsx resources.

Every sheet imported, through the admin or a page, is read within bounds (SheetFormat): no
more rows and columns than such a sheet holds. Each cell is read by a widget that refuses what
it cannot read in the user's words, never with an exception's text. The all-or-nothing import
of a plan's rows is agreements.sheets.

Every sheet exported is written for Danish Excel and LibreOffice (`write_table`,
`write_text`, `write_value`): numbers are numbers and dates are dates, with number formats
that each program shows with the reader's own separators (a decimal comma in Danish); the
headings are bold, frozen and filtered; the columns are as wide as what they hold; and text
from people is always text, never a formula, whatever it starts with (CSV/formula injection).
Exported again and imported unchanged, a sheet changes nothing.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field
from import_export.formats.base_formats import XLSX
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from lib.numbers import danish_number_text, format_figure
from lib.uploads import read_sheets

# How each kind of column's numbers look. Excel and LibreOffice put the reader's own
# separators in for "," and ".", so a Danish reader sees "1.234,50" and "15.01.2018".
NUMBER_FORMATS = {
    "number": "#,##0.00",  # a figure: two decimals, thousands grouped
    "count": "#,##0",  # a count: whole, thousands grouped
    "plain": "0",  # a year, a position: no grouping
    "date": "dd.mm.yyyy",
}
# Text starting with one of these is a formula to a spreadsheet (or becomes one when a cell
# is edited, or the sheet is saved as CSV); written as text and marked as such.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A column of an exported sheet: its heading and the kind of its values ("text", or
    one of NUMBER_FORMATS)."""

    heading: str
    kind: str = "text"


def write_text(cell, text: str) -> None:
    """Put text from people in a cell as text: never a formula, whatever it starts with."""
    text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", text)
    cell.value = text
    # openpyxl makes a formula of any text that starts with "="; a text cell is never run.
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        # What Excel sets when one types an apostrophe first: editing the cell keeps it text.
        cell.quotePrefix = True


def write_value(cell, value, kind: str = "text", number_format: str | None = None) -> None:
    """Put a value in a cell as what it is: a number or a date with its number format, text
    as text (`write_text`), nothing as an empty cell."""
    if value is None or value == "":
        cell.value = None
    elif isinstance(value, bool):
        write_text(cell, _("yes") if value else _("no"))
    elif isinstance(value, int | float | Decimal) and kind != "text":
        cell.value = value
        cell.number_format = number_format or NUMBER_FORMATS.get(kind, "General")
    elif isinstance(value, datetime.date) and kind != "text":
        if isinstance(value, datetime.datetime):
            value = (
                timezone.localtime(value).replace(tzinfo=None)
                if timezone.is_aware(value)
                else value
            )
        cell.value = value
        cell.number_format = number_format or NUMBER_FORMATS["date"]
    else:
        write_text(cell, str(value))


def shown_width(value) -> int:
    """About how many characters a value takes in its cell."""
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, int | float | Decimal):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def fit_columns(sheet, widths: Sequence[int], first_column: int = 1) -> None:
    """Make each column as wide as its widest value, within bounds; a column whose values
    are wider than that wraps them."""
    for offset, width in enumerate(widths):
        letter = get_column_letter(first_column + offset)
        sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(width + 2, MAX_WIDTH))


def write_table(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet named `title`: the headings in bold in a frozen first row with a filter,
    then a row for each of `rows`, each value written as its column's kind."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    bold = Font(bold=True)
    widths = [len(column.heading) for column in columns]
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=number)
        write_text(cell, column.heading)
        cell.font = bold
    row_number = 1
    for row_number, row in enumerate(rows, start=2):
        for number, (column, value) in enumerate(zip(columns, row, strict=False), start=1):
            cell = sheet.cell(row=row_number, column=number)
            write_value(cell, value, column.kind)
            width = shown_width(value)
            widths[number - 1] = max(widths[number - 1], width)
            if isinstance(value, str) and (width > MAX_WIDTH or "\n" in value):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    fit_columns(sheet, widths)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row_number, 1)}"
    return workbook_bytes(workbook)


def sheet_title(title: str) -> str:
    """A sheet's name as Excel allows it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31]


def workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def sheet_filename(stem: str, *parts: str, today: datetime.date | None = None) -> str:
    """A sheet's file name in Danish, with what it holds and the day it was made:
    "maalinger-slagelse-2017-2021-2026-12-07.xlsx"."""
    day = (today or timezone.localdate()).isoformat()
    return "-".join([stem, *[part for part in parts if part], day]) + ".xlsx"


def resource_workbook(resource, dataset: tablib.Dataset, *, title: str) -> bytes:
    """The rows an import-export resource exported (with native values: `force_native_type`)
    as a sheet, each column written as its widget's `sheet_kind` says."""
    by_heading = {str(field.column_name): field for field in resource.fields.values()}
    columns = [
        Column(
            str(heading),
            getattr(getattr(by_heading.get(str(heading)), "widget", None), "sheet_kind", "text"),
        )
        for heading in dataset.headers or []
    ]
    return write_table(title=title, columns=columns, rows=dataset)


# Columns a sheet may have beyond its resource's: a note beside the figures, say.
COLUMN_SLACK = 5


class SheetFormat(XLSX):
    """xlsx read through the bounded reader (lib.uploads.read_sheets), for the admin's
    imports and the measurement import page alike.

    import-export's own XLSX pads every row to the width the sheet claims, which may be 16,384
    columns in a file of a few kilobytes. Use `for_resources` to get the format for a kind of
    sheet: its width is the resource's columns plus a little slack.
    """

    max_columns: int  # set by for_resources

    @classmethod
    def for_resources(cls, *resource_classes) -> type[SheetFormat]:
        # A subclass, not an instance: the admin instantiates its formats itself.
        columns = max(len(resource.fields) for resource in resource_classes)
        return type(cls.__name__, (cls,), {"max_columns": columns + COLUMN_SLACK})

    def create_dataset(self, in_stream):
        """The active sheet: its first row the headings, each row cut to their width."""
        (rows,) = read_sheets(
            in_stream,
            # The headings' row and MAX_IMPORT_ROWS rows of data.
            max_rows=settings.MAX_IMPORT_ROWS + 1,
            max_columns=self.max_columns,
        ).values()
        dataset = tablib.Dataset()
        if rows:
            headers = rows[0]
            width = max((i + 1 for i, value in enumerate(headers) if value is not None), default=0)
            dataset.headers = list(headers[:width])
            for row in rows[1:]:
                dataset.append(row[:width])
        return dataset


class YesNoWidget(widgets.BooleanWidget):
    """Ja/nej in Danish sheets; also accepts yes/no, true/false and 1/0."""

    TRUE = {"ja", "yes", "true", "1", "x"}
    FALSE = {"nej", "no", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write 'ja' or 'nej', not '%(value)s'.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class ChoiceWidget(widgets.Widget):
    """A choice field read and written by its label (or its stored value)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        for stored, label in self.choices:
            if text in (str(stored).lower(), str(label).lower()):
                return stored
        labels = ", ".join(str(label) for _stored, label in self.choices)
        raise ValueError(
            _("'%(value)s' is not one of: %(labels)s.") % {"value": value, "labels": labels}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class DanishDecimalWidget(widgets.Widget):
    """A number from a cell: a real number, or text with a decimal comma ("30,65", "11.559")."""

    sheet_kind = "number"

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, bool):  # a TRUE/FALSE cell: an int to Python, no figure to anyone
            raise ValueError(_("'%(value)s' is not a number.") % {"value": value})
        if isinstance(value, int | float | Decimal):
            number = Decimal(str(value))
        else:
            # A point without a comma is a decimal point: a number a program wrote as text.
            text = danish_number_text(str(value), grouping_points=False)
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = Decimal("NaN")
        # NaN and infinity are Decimals too, but no figure, and comparing NaN raises.
        if not number.is_finite():
            raise ValueError(_("'%(value)s' is not a number.") % {"value": value})
        return number

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


class YearWidget(widgets.Widget):
    sheet_kind = "plain"

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        # ASCII digits only: int() takes "²" and "١٢" too, and fails on them with its own words.
        if not re.fullmatch(r"[0-9]{1,4}", text):
            raise ValueError(_("'%(value)s' is not a year.") % {"value": value})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class DanishDateWidget(widgets.Widget):
    """A date cell, or text written 01.10.2017 or 2017-10-01."""

    sheet_kind = "date"

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("'%(value)s' is not a date (write 01.10.2017).") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        # An empty cell, never the text "None" (escaping formulae turns every cell into text).
        return value if value is not None else ""


def text_column(attribute: str, heading) -> Field:
    """A text column: an empty cell is empty text, never NULL."""
    return Field(
        attribute=attribute, column_name=heading, widget=widgets.CharWidget(allow_blank=True)
    )


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number: 12, "12" or 12.0 from Excel; anything else is refused in plain words
    (import-export's own says "cannot convert NaN to integer" or "[<class ...>]")."""

    sheet_kind = "plain"

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        # Nine digits at most: far more than any count, and no number a database refuses.
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
            raise ValueError(_("'%(value)s' is not a whole number.") % {"value": value})
        return int(text)


def number_column(attribute: str, heading) -> Field:
    return Field(attribute=attribute, column_name=heading, widget=WholeNumberWidget())


# --- The preview of an import ------------------------------------------------------------


def show_cell(value) -> str:
    """A cell's value as the preview shows it: figures and dates the Danish way."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float | Decimal):  # a whole number (a year, a position) as it is
        try:
            return format_figure(Decimal(str(value)))
        except InvalidOperation:  # too large to round to the hundredth, or infinite: as written
            return str(value)
    return str(value)


@dataclass(frozen=True)
class PreviewCell:
    """A cell of the preview: what the sheet says, and what is stored where the row changes
    it (None where it does not)."""

    new: str
    old: str | None = None

    @property
    def changed(self) -> bool:
        return self.old is not None


@dataclass(frozen=True)
class PreviewRow:
    """A row of an uploaded sheet, numbered as in the sheet (the headings are row 1), with
    what the import does with it."""

    number: int
    import_type: str
    cells: list[PreviewCell]
    errors: list[str]

    @property
    def status(self) -> str:
        return {
            "new": _("new"),
            "update": _("changed"),
            "skip": _("unchanged"),
            "delete": _("removed"),
        }.get(self.import_type, _("error"))

    @property
    def changes_something(self) -> bool:
        """New, changed, removed or wrong: what the preview lists first."""
        return self.import_type != "skip"


def import_preview(resource, dataset: tablib.Dataset, result) -> list[PreviewRow]:
    """Each row of the sheet with what the import would do to it, or what is wrong with it;
    in a row that changes a stored row, each cell it changes with the value it replaces.

    The import must have kept its instances (`retain_instance_in_row_result`, as
    AllOrNothingResource does)."""
    invalid = {row.number: row for row in result.invalid_rows}
    failed = dict(result.row_errors())
    headers = [str(header) for header in dataset.headers or []]
    by_heading = {str(field.column_name): field for field in resource.get_import_fields()}
    rows = []
    for number, (cells, row_result) in enumerate(zip(dataset, result.rows, strict=False), 1):
        errors: list[str] = []
        if number in invalid:
            for column, messages in invalid[number].field_specific_errors.items():
                errors += [f"{column}: {message}" for message in messages]
            errors += [str(message) for message in invalid[number].non_field_specific_errors]
        errors += [str(error.error) for error in failed.get(number, [])]
        shown = [PreviewCell(show_cell(cell)) for cell in cells]
        if row_result.import_type == "update" and row_result.original is not None:
            row = dict(zip(headers, cells, strict=False))
            for index, heading in enumerate(headers):
                field = by_heading.get(heading)
                if field is None or index >= len(shown):
                    continue
                old = _exported(field, row_result.original)
                new = (
                    _names(field.clean(row))
                    if isinstance(field.widget, widgets.ManyToManyWidget)
                    else _exported(field, row_result.instance)
                )
                if old != new:
                    shown[index] = PreviewCell(new, old)
        rows.append(PreviewRow(number + 1, row_result.import_type, shown, errors))
    return rows


def _exported(field: Field, instance) -> str:
    if instance is None:
        return ""
    if isinstance(field.widget, widgets.ManyToManyWidget):
        return _names(field.get_value(instance).all() if instance.pk else [])
    return normalised_cell(show_cell(field.export(instance, force_native_type=True)))


def _names(rows) -> str:
    return "; ".join(sorted(str(row) for row in rows))


def normalised_cell(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
