"""Numbers and money written the way Danish readers expect ("11.559", "30,65"), and read back
the way Danes type them.

Formatting follows the active language, which is Danish unless a user picked English. Years
are never passed through here: they must not get a thousands separator.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats


def format_number(value: Decimal | float | None, decimals: int | None = None) -> str:
    """Group thousands and use the language's decimal mark; round half up, as people do."""
    if value is None:
        return ""
    if decimals is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def format_thousand_dkk(kroner: int | None) -> str:
    """An amount in whole thousands of kroner, the unit of LBF's budget template."""
    if kroner is None:
        return ""
    return format_number(Decimal(kroner) / 1000, decimals=0)


def format_figure(value: Decimal | float | None) -> str:
    """A measured or computed figure: rounded half up to two decimals, without trailing zeros
    ("30,65", "72,4", "20", "11.559"). Empty for no figure."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # only NaN and infinity have a letter, and cannot be quantized
    return format_number(value, decimals=max(0, -exponent))


def small_number() -> str:
    """How a count too small to show outside the secretariat reads: "<5" (see
    `Metric.hides`)."""
    return f"<{settings.SMALL_NUMBER_THRESHOLD}"


# Digits grouped in threes by points or spaces: "11.559", "1.250.000", "1 200".
GROUPED_THOUSANDS = re.compile(r"\d{1,3}([. ]\d{3})+")


def danish_number_text(
    text: str, *, decimal_comma: bool = True, grouping_points: bool = True
) -> str:
    """A number as a Dane may type it, in the form Python reads: "30,65" is "30.65", "11.559"
    and "1 200" are "11559" and "1200". The one reading of typed numbers, for the forms and
    the sheets alike; what it cannot make a number of is returned for the caller to refuse.

    - With `decimal_comma` (figures), every space is dropped, and a comma is the decimal mark:
      the points beside it group thousands ("1.250,5"). Without it (counts, which are whole),
      text with a comma stays as it is.
    - Digits grouped exactly in threes by points or spaces are one whole number, unless
      `grouping_points` is off: then a point without a comma is a decimal point, "11.559" as
      much as "72.4" (a form in English, a cell written by a program).
    """
    text = text.strip()
    if decimal_comma:
        text = text.replace("\u00a0", "").replace(" ", "")
        if "," in text:
            return text.replace(".", "").replace(",", ".")
    if grouping_points and GROUPED_THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(" ", "")
    return text
