"""Reading and writing the spreadsheets people keep: the generic parts of the xlsx resources.

Every sheet imported, through the admin or a page, is read within bounds (SheetFormat): no
more rows and columns than such a sheet holds. Each cell is read by a widget that refuses what
it cannot read in the user's words, never with an exception's text. The all-or-nothing import
of a plan's rows is agreements.sheets.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field
from import_export.formats.base_formats import XLSX

from lib.numbers import danish_number_text
from lib.uploads import read_sheets

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
