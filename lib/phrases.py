"""Figures and targets in words, the same on the pages, in the sentences of the verdicts, in the
charts and in the PDFs: "72,4 %", "at least 50", "3–4".

The comparisons are those a success criterion's target makes (CriterionTarget.Comparison),
named here by the values it stores; the units those of an indicator (indicators.models.Unit).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from lib.numbers import format_figure, format_number

# The units whose figures are shown with a per cent sign: an indicator's Unit.PERCENT, and the
# sign itself, which charts may be given directly.
PERCENT_UNITS = frozenset({"percent", "%"})


def format_figure_with_unit(value: Decimal | int | None, unit: str = "", *, empty: str = "") -> str:
    """A figure as people read it, with its unit: "30,65", "20", "72,4 %", "11.559"; `empty`
    for no figure (the sentences of the verdicts write "–", a chart writes nothing)."""
    if value is None:
        return empty
    text = format_figure(value)
    return f"{text} %" if unit in PERCENT_UNITS else text


def comparison_phrase(comparison: str, value: str) -> str:
    """ "at least 50": a value, already written, as a target's comparison says it."""
    phrases = {
        "gte": _("at least %(value)s"),
        "gt": _("above %(value)s"),
        "lte": _("at most %(value)s"),
        "lt": _("below %(value)s"),
    }
    return phrases[comparison] % {"value": value}


def describe_target(
    comparison: str,
    low: Decimal | None,
    high: Decimal | None = None,
    unit: str = "",
    *,
    dash: str = "–",
    empty: str = "–",
) -> str:
    """A target in words: "at least 50", "below 20 %", or, when it has a `high` end, the range
    as the agreement writes it ("3–4"; its lower end is what is judged, more is never worse).

    `dash` joins a range's ends and `empty` stands for a missing figure: the sentences of the
    verdicts write "3–4", the entry page and the dashboard "60-80".
    """
    shown = format_figure_with_unit(low, unit, empty=empty)
    if high is not None:
        return f"{shown}{dash}{format_figure_with_unit(high, unit, empty=empty)}"
    return comparison_phrase(comparison, shown)


def format_value(value: Decimal | int | None, unit: str = "", *, empty: str = "") -> str:
    """A figure as the board reads it: a share always with one decimal ("78,6 %", "80,0 %"),
    anything else as `format_figure_with_unit` writes it. Round it first to the precision it is
    shown at (indicators.rules.figure): this only writes it."""
    if value is None:
        return empty
    if unit in PERCENT_UNITS:
        return f"{format_number(value, decimals=1)} %"
    return format_figure_with_unit(value, unit)
