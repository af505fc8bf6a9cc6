"""The rules a success criterion's targets are judged by: one `judge_*` per kind of target,
and how the verdicts of a row's targets `combine`.

Each judge takes a target, the row it is judged in (indicators.evaluation.Row: the figures of
one area or the whole plan) and a year, and answers with a verdict and a Danish sentence that
gives the numbers that decided it. Values are rounded half up to two decimals before they are
compared, so that what the sentence shows is what was judged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib.numbers import format_number
from lib.phrases import comparison_phrase, format_figure_with_unit

from .models import CriterionTarget

if TYPE_CHECKING:
    # Only for the signatures: evaluation builds the rows and calls the judges.
    from .evaluation import Row

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison


class Verdict(models.TextChoices):
    MET = "met", gettext_lazy("met")
    ON_TRACK = "on_track", gettext_lazy("on track")
    NOT_MET = "not_met", gettext_lazy("not met")
    NO_DATA = "no_data", gettext_lazy("no data yet")
    ASSESSED = "assessed", gettext_lazy("assessed by people")
    # A year the criterion's rules do not cover: its baseline year, or before a rule starts.
    NOT_DUE = "not_due", gettext_lazy("not judged this year")


# The order in which verdicts of several targets give way: the worst one wins a row.
SEVERITY = [Verdict.NOT_MET, Verdict.NO_DATA, Verdict.ON_TRACK, Verdict.MET]


@dataclass(frozen=True)
class TargetResult:
    verdict: Verdict
    sentence: str


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_change(new: Decimal, old: Decimal) -> str:
    """ "+8,0 %" or "-20,0 %"; a change from zero has no percentage."""
    change = (new - old) / old * HUNDRED
    change = change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    sign = "+" if change > 0 else ""
    return f"{sign}{format_number(change, decimals=1)} %"


def satisfies(value: Decimal, comparison: str, target: Decimal) -> bool:
    return {
        Comparison.AT_LEAST: value >= target,
        Comparison.ABOVE: value > target,
        Comparison.AT_MOST: value <= target,
        Comparison.BELOW: value < target,
    }[comparison]


def at_or_better(value: Decimal, comparison: str, line: Decimal) -> bool:
    """On or on the good side of a straight line towards the target (on the line counts)."""
    if comparison in (Comparison.AT_LEAST, Comparison.ABOVE):
        return value >= line
    return value <= line


def straight_line(
    start: Decimal, start_year: int, end: Decimal, end_year: int, year: int
) -> Decimal | None:
    """The value the straight line from `start` to `end` passes in `year`, rounded."""
    return rounded(start + (end - start) * (year - start_year) / (end_year - start_year))


def judge(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    """The verdict of one target in one year, with its sentence."""
    if target.from_year and year < target.from_year:
        return TargetResult(
            Verdict.NOT_DUE, _("The rule applies from %(year)s.") % {"year": target.from_year}
        )
    if target.to_year and year > target.to_year and target.kind in (Kind.YEARLY, Kind.AVERAGE):
        return TargetResult(
            Verdict.NOT_DUE, _("The rule applied until %(year)s.") % {"year": target.to_year}
        )
    return JUDGES[target.kind](target, row, year)


def missing(year: int) -> TargetResult:
    return TargetResult(Verdict.NO_DATA, _("There is no figure for %(year)s yet.") % {"year": year})


def judge_yearly(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    value = rounded(row.series.get(year))
    if value is None:
        return missing(year)
    verdict = Verdict.MET if satisfies(value, target.comparison, target.value) else Verdict.NOT_MET
    return TargetResult(
        verdict,
        _("The target is %(target)s every year.") % {"target": target.describe(row.unit)},
    )


def judge_average(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    # A year the plan only partly covers would pull the average down; it counts only when it
    # is the year being judged.
    years = [
        plan_year.year
        for plan_year in row.plan_years
        if plan_year.year <= year
        and (target.from_year is None or plan_year.year >= target.from_year)
        and (not plan_year.is_partial or plan_year.year == year)
        and plan_year.year in row.series
    ]
    if year not in row.series:
        return missing(year)
    average = rounded(sum(row.series[y] for y in years) / len(years))
    verdict = (
        Verdict.MET if satisfies(average, target.comparison, target.value) else Verdict.NOT_MET
    )
    values = "; ".join(f"{y}: {row.show(row.series[y])}" for y in years)
    return TargetResult(
        verdict,
        _(
            "The average per year up to %(year)s is %(average)s (%(values)s); the target is "
            "an average of %(target)s per year."
        )
        % {
            "year": year,
            "average": row.show(average),
            "values": values,
            "target": target.describe(row.unit),
        },
    )


def judge_cumulative(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    start = target.from_year or row.plan_years[0].year
    deadline = target.to_year or row.plan_years[-1].year
    total = rounded(sum(value for y, value in row.series.items() if start <= y <= year))
    # A total once reached stays reached, even in a year with nothing new counted.
    if year not in row.series and not satisfies(total, target.comparison, target.value):
        return missing(year)
    text = _(
        "The total for %(start)s–%(year)s is %(total)s; the target is %(target)s by the end "
        "of %(deadline)s."
    ) % {
        "start": start,
        "year": year,
        "total": row.show(total),
        "target": target.describe(row.unit),
        "deadline": deadline,
    }
    if satisfies(total, target.comparison, target.value):
        return TargetResult(Verdict.MET, text)
    if year >= deadline:
        return TargetResult(Verdict.NOT_MET, text)
    line = straight_line(Decimal(0), start - 1, target.value, deadline, year)
    verdict = Verdict.ON_TRACK if at_or_better(total, target.comparison, line) else Verdict.NOT_MET
    return TargetResult(
        verdict,
        text
        + " "
        + _("On the straight line towards the target the total should be %(line)s by %(year)s.")
        % {"line": row.show(line), "year": year},
    )


def towards(
    target: CriterionTarget,
    row: Row,
    year: int,
    goal: Decimal,
    goal_year: int,
    baseline: Decimal | None,
    baseline_year: int | None,
) -> tuple[Decimal | None, TargetResult]:
    """Judge a value against a goal due in `goal_year`, on the straight line from the
    baseline before then and held after it."""
    value = rounded(row.series.get(year))
    if value is None:
        return None, missing(year)
    reached = satisfies(value, target.comparison, goal)
    if year >= goal_year or reached:
        return value, TargetResult(Verdict.MET if reached else Verdict.NOT_MET, "")
    line = straight_line(baseline, baseline_year, goal, goal_year, year)
    on_line = at_or_better(value, target.comparison, line)
    return value, TargetResult(Verdict.ON_TRACK if on_line else Verdict.NOT_MET, row.show(line))


def baseline_missing(baseline_year: int | None) -> TargetResult:
    if baseline_year is None:
        return TargetResult(Verdict.NO_DATA, _("There is no baseline figure yet."))
    return TargetResult(
        Verdict.NO_DATA,
        _("The baseline figure for %(year)s is missing.") % {"year": baseline_year},
    )


def baseline_year_result(year: int, baseline_year: int) -> TargetResult | None:
    if year <= baseline_year:
        return TargetResult(
            Verdict.NOT_DUE,
            _("%(year)s is the baseline year; the rule is judged from %(next)s.")
            % {"year": baseline_year, "next": baseline_year + 1},
        )
    return None


def judge_by_year(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    # From the target year on the figure alone decides, even when it is the first one there is.
    if (
        baseline_year is not None
        and year < target.to_year
        and (early := baseline_year_result(year, baseline_year))
    ):
        return early
    if year < target.to_year and baseline is None:
        return baseline_missing(baseline_year)
    value, result = towards(
        target, row, year, target.value, target.to_year, baseline, baseline_year
    )
    if value is None:
        return result
    sentence = _("The target is %(target)s in %(goal_year)s.") % {
        "target": target.describe(row.unit),
        "goal_year": target.to_year,
    }
    if baseline is not None and baseline_year is not None and baseline_year < year:
        sentence += " " + _("The baseline is %(baseline)s in %(baseline_year)s%(change)s.") % {
            "baseline": row.show(baseline),
            "baseline_year": baseline_year,
            "change": change_clause(value, baseline),
        }
    if result.sentence:
        sentence += " " + line_clause(year, target, result.sentence)
    return TargetResult(result.verdict, sentence)


def change_clause(value: Decimal, old: Decimal) -> str:
    if old == 0:
        return ""
    return _(", a change of %(change)s") % {"change": percent_change(value, old)}


def judge_change_previous(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    if target.baseline_year is not None and (
        early := baseline_year_result(year, target.baseline_year)
    ):
        return early
    value = rounded(row.series.get(year))
    if value is None:
        return missing(year)
    previous_year = year - 1
    if target.baseline_value is not None and previous_year == target.baseline_year:
        previous = target.baseline_value
    else:
        previous = row.series.get(previous_year)
    if previous is None:
        return TargetResult(
            Verdict.NO_DATA,
            _("There is no figure for %(previous_year)s to compare with.")
            % {"previous_year": previous_year},
        )
    limit = rounded(previous * (HUNDRED + target.change_percent) / HUNDRED)
    verdict = Verdict.MET if satisfies(value, target.comparison, limit) else Verdict.NOT_MET
    return TargetResult(
        verdict,
        _(
            "Against %(previous)s in %(previous_year)s%(change)s; the target is a change of "
            "%(percent)s from the year before, that is %(limit)s."
        )
        % {
            "year": year,
            "value": row.show(value),
            "previous": row.show(previous),
            "previous_year": previous_year,
            "change": change_clause(value, previous),
            "percent": signed_percent(target.change_percent),
            "limit": comparison_phrase(target.comparison, row.show(limit)),
        },
    )


def signed_percent(percent: Decimal) -> str:
    sign = "+" if percent > 0 else ""
    return f"{sign}{format_figure_with_unit(percent, empty='–')} %"


def judge_change_baseline(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    if baseline is None:
        return baseline_missing(baseline_year)
    if early := baseline_year_result(year, baseline_year):
        return early
    goal = rounded(baseline * (HUNDRED + target.change_percent) / HUNDRED)
    goal_year = baseline_year + target.horizon_years
    value, result = towards(target, row, year, goal, goal_year, baseline, baseline_year)
    if value is None:
        return result
    sentence = _(
        "Against the baseline %(baseline)s in %(baseline_year)s%(change)s; the target is a "
        "change of %(percent)s by %(goal_year)s, "
        "that is %(goal)s, held after that."
    ) % {
        "year": year,
        "value": row.show(value),
        "baseline": row.show(baseline),
        "baseline_year": baseline_year,
        "change": change_clause(value, baseline),
        "percent": signed_percent(target.change_percent),
        "goal_year": goal_year,
        "goal": comparison_phrase(target.comparison, row.show(goal)),
    }
    if result.sentence:
        sentence += " " + line_clause(year, target, result.sentence)
    return TargetResult(result.verdict, sentence)


def line_clause(year: int, target: CriterionTarget, line: str) -> str:
    return _("On the straight line towards the target, %(year)s should be %(line)s.") % {
        "year": year,
        "line": comparison_phrase(
            Comparison.AT_LEAST
            if target.comparison in (Comparison.AT_LEAST, Comparison.ABOVE)
            else Comparison.AT_MOST,
            line,
        ),
    }


def judge_reference(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    value = rounded(row.series.get(year))
    if value is None:
        return missing(year)
    reference = row.figures.measurements.get((target.reference_id, None), {})
    known = [y for y in reference if y <= year]
    if not known:
        return TargetResult(
            Verdict.NO_DATA,
            _("%(reference)s has no figure for %(year)s or before.")
            % {"reference": target.reference, "year": year},
        )
    reference_year = max(known)
    reference_value = rounded(reference[reference_year])
    verdict = (
        Verdict.MET if satisfies(value, target.comparison, reference_value) else Verdict.NOT_MET
    )
    return TargetResult(
        verdict,
        _("The target is %(target)s, the figure for %(reference)s in %(reference_year)s.")
        % {
            "year": year,
            "value": row.show(value),
            "target": comparison_phrase(target.comparison, row.show(reference_value)),
            "reference": target.reference,
            "reference_year": reference_year,
        },
    )


def judge_direction(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    if baseline is None:
        return baseline_missing(baseline_year)
    if early := baseline_year_result(year, baseline_year):
        return early
    value = rounded(row.series.get(year))
    if value is None:
        return missing(year)
    better = satisfies(value, target.comparison, rounded(baseline))
    if better:
        # Before the end of the period a move the right way is progress, not yet the result.
        verdict = Verdict.ON_TRACK if target.to_year and year < target.to_year else Verdict.MET
    else:
        verdict = Verdict.NOT_MET
    rise = target.comparison in (Comparison.AT_LEAST, Comparison.ABOVE)
    if target.to_year:
        wanted = (
            _("a rise from the baseline by %(year)s")
            if rise
            else _("a fall from the baseline by %(year)s")
        ) % {"year": target.to_year}
    else:
        wanted = _("a rise from the baseline") if rise else _("a fall from the baseline")
    sentence = _(
        "Against the baseline %(baseline)s in %(baseline_year)s%(change)s; the target is "
        "%(wanted)s."
    ) % {
        "year": year,
        "value": row.show(value),
        "baseline": row.show(baseline),
        "baseline_year": baseline_year,
        "change": change_clause(value, baseline),
        "wanted": wanted,
    }
    return TargetResult(verdict, sentence)


Judge = Callable[[CriterionTarget, "Row", int], TargetResult]

JUDGES: dict[str, Judge] = {
    Kind.YEARLY: judge_yearly,
    Kind.AVERAGE: judge_average,
    Kind.CUMULATIVE: judge_cumulative,
    Kind.BY_YEAR: judge_by_year,
    Kind.CHANGE_PREVIOUS: judge_change_previous,
    Kind.CHANGE_BASELINE: judge_change_baseline,
    Kind.REFERENCE: judge_reference,
    Kind.DIRECTION: judge_direction,
}


def combine(results: list[TargetResult]) -> TargetResult:
    """A row's verdict: the worst of the targets that apply that year."""
    due = [result for result in results if result.verdict != Verdict.NOT_DUE]
    if not due:
        return TargetResult(Verdict.NOT_DUE, " ".join(r.sentence for r in results))
    worst = min(due, key=lambda result: SEVERITY.index(result.verdict))
    # Several targets missing the same figure say so once.
    sentences = dict.fromkeys(result.sentence for result in due)
    return TargetResult(worst.verdict, " ".join(sentences))
