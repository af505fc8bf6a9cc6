"""Numbers, money and quarters written the way Danish readers expect ("11.559", "72,4 %").

Formatting follows the active language, which is Danish unless a user picked English. Years
are never passed through here: they must not get a thousands separator.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _


def format_number(value, decimals: int | None = None) -> str:
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


def format_percent(value, decimals: int = 1) -> str:
    if value is None:
        return ""
    return f"{format_number(value, decimals)}\u00a0%"


def format_fte(fte) -> str:
    """A share of a full-time post as a percentage, the way the agreements write it."""
    if fte is None:
        return ""
    percent = Decimal(fte) * 100
    decimals = 0 if percent == percent.to_integral_value() else 1
    return format_percent(percent, decimals)


def format_quarter(year: int, quarter: int) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}
