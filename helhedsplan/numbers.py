"""Numbers and money written the way Danish readers expect ("11.559", "30,65").

Formatting follows the active language, which is Danish unless a user picked English. Years
are never passed through here: they must not get a thousands separator.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import formats


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


def format_figure(value) -> str:
    """A measured or computed figure: rounded half up to two decimals, without trailing zeros
    ("30,65", "72,4", "20", "11.559"). Empty for no figure."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    exponent = value.normalize().as_tuple().exponent
    return format_number(value, decimals=max(0, -exponent))


def small_number() -> str:
    """How a count too small to show outside the secretariat reads: "<5" (see
    `Metric.hides`)."""
    return f"<{settings.SMALL_NUMBER_THRESHOLD}"
