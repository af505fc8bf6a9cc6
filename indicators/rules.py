"""The rules a success criterion's targets are judged by: one `judge_*` per kind of target,
and how the verdicts of a row's targets `combine`.

Each judge takes a target, the row it is judged in (indicators.evaluation.Row: the figures of
one area or the whole plan, as far as the row's horizon knows them) and a year, and answers
with a verdict and a Danish sentence that gives the numbers that decided it.

When a verdict is final: a target is *met* or *not met* only once it is due and the year it
is judged in is over. Before that it is *on track* or *not on track*, and the sentence says
what was expected by now: the straight line towards a later target, or, in a year that is not
over, the share of a yearly target that the quarters so far ask for.

Figures are rounded to the precision the board reads them at before they are compared
(`figure`), and the limits computed from targets to the same precision, never in the
figure's favour (`limit`), so that what the sentence shows is what was judged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lib.numbers import format_number
from lib.periods import Quarter
from lib.phrases import comparison_phrase, format_figure_with_unit

from .models import CriterionTarget, Unit

if TYPE_CHECKING:
    # Only for the signatures: evaluation builds the rows and calls the judges.
    from .evaluation import Row

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison
RISING = (Comparison.AT_LEAST, Comparison.ABOVE)

# The precision the board reads a figure at: shares to one decimal ("78,6 %"), counts as
# whole numbers (an average of people is rounded half up to whole people: 12,67 is 13), and
# everything else (per 1.000 residents, full-time persons) to two decimals, as the seed
# writes them ("30,65").
PRECISION = {Unit.PERCENT: Decimal("0.1"), Unit.COUNT: Decimal(1)}


class Verdict(models.TextChoices):
    MET = "met", gettext_lazy("met")
    ON_TRACK = "on_track", gettext_lazy("on track")
    NOT_ON_TRACK = "not_on_track", gettext_lazy("not on track")
    NOT_MET = "not_met", gettext_lazy("not met")
    NO_DATA = "no_data", gettext_lazy("no data yet")
    ASSESSED = "assessed", gettext_lazy("assessed qualitatively")
    # A year the criterion's rules do not cover: its baseline year, or before a rule starts.
    NOT_DUE = "not_due", gettext_lazy("not judged this year")

    @property
    def is_final(self) -> bool:
        """Met or not met: the target was due and the period is over."""
        return self in (Verdict.MET, Verdict.NOT_MET)


# The order in which verdicts of several targets give way: the worst one wins a row.
SEVERITY = [
    Verdict.NOT_MET,
    Verdict.NOT_ON_TRACK,
    Verdict.NO_DATA,
    Verdict.ON_TRACK,
    Verdict.MET,
]


@dataclass(frozen=True)
class TargetResult:
    verdict: Verdict
    sentence: str


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def precision(unit: str) -> Decimal:
    return PRECISION.get(unit, CENT)


def figure(value: Decimal | None, unit: str) -> Decimal | None:
    """A figure rounded half up to the precision the board reads it at."""
    if value is None:
        return None
    return Decimal(value).quantize(precision(unit), rounding=ROUND_HALF_UP)


def limit(value: Decimal, unit: str, comparison: str) -> Decimal:
    """A limit computed from a target (a share of it, a change from a figure, a point on a
    straight line), at the figures' precision and never in their favour: "at least 12,5"
    people is at least 13, "at most 54,4" reports at most 54."""
    rounding = ROUND_CEILING if comparison in RISING else ROUND_FLOOR
    return Decimal(value).quantize(precision(unit), rounding=rounding)


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
    if comparison in RISING:
        return value >= line
    return value <= line


def straight_line(start: Decimal, start_at: int, end: Decimal, end_at: int, at: int) -> Decimal:
    """The value the straight line from `start` to `end` passes at `at` (years, or quarters
    by their `Quarter.index`), rounded to two decimals."""
    return rounded(start + (end - start) * (at - start_at) / (end_at - start_at))


def settled(good: bool, due: bool) -> Verdict:
    """Met or not met once due; on track or not before."""
    if due:
        return Verdict.MET if good else Verdict.NOT_MET
    return Verdict.ON_TRACK if good else Verdict.NOT_ON_TRACK


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


def missing(row: Row, year: int) -> TargetResult:
    """No figure to judge: none entered yet, or figures that cannot be right (a share whose
    numerator exceeds its denominator), which the sentence says."""
    if year in row.errors:
        return TargetResult(Verdict.NO_DATA, row.errors[year])
    return TargetResult(Verdict.NO_DATA, _("There is no figure for %(year)s yet.") % {"year": year})


def judge_yearly(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    value = row.value(year)
    if value is None:
        return missing(row, year)
    described = target.describe(row.unit)
    quarters = row.quarters_in(year)
    if row.accumulates and quarters < 4:
        # A count that grows through the year (a sum, or people so far this year) is held
        # to the share of the yearly target its quarters ask for.
        goal = limit(target.value * quarters / 4, row.unit, target.comparison)
        share = comparison_phrase(target.comparison, row.show(goal))
        if row.running(year):
            sentence = _(
                "The target is %(target)s a year; after %(quarters)s of the year's 4 quarters "
                "that is %(share)s by now."
            ) % {"target": described, "quarters": quarters, "share": share}
        else:
            sentence = _(
                "The target is %(target)s a year; the plan covers %(quarters)s of the year's "
                "4 quarters in %(year)s, so the target for %(year)s is %(share)s."
            ) % {"target": described, "quarters": quarters, "year": year, "share": share}
    else:
        goal = target.value
        if target.from_year and target.from_year == target.to_year:
            sentence = _("The target is %(target)s in %(year)s.") % {
                "target": described,
                "year": target.to_year,
            }
        else:
            sentence = _("The target is %(target)s every year.") % {"target": described}
        if row.running(year):
            sentence += " " + _("The year is not over yet.")
    return TargetResult(
        settled(satisfies(value, target.comparison, goal), not row.running(year)), sentence
    )


def judge_average(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    end = target.to_year or row.plan_years[-1].year
    due = year >= end and not row.running(year)
    first = target.from_year or row.plan_years[0].year
    if row.parts:
        return pooled_share(target, row, year, first, due)
    # A year the plan only partly covers would pull the average down; it counts only when it
    # is the year being judged.
    years = [
        plan_year.year
        for plan_year in row.plan_years
        if first <= plan_year.year <= year
        and (not plan_year.is_partial or plan_year.year == year)
        and plan_year.year in row.series
    ]
    if year not in row.series:
        return missing(row, year)
    average = rounded(sum(row.value(y) for y in years) / len(years))
    values = "; ".join(f"{y}: {row.show(row.value(y))}" for y in years)
    sentence = _(
        "The average per year up to %(year)s is %(average)s (%(values)s); the target is "
        "an average of %(target)s per year."
    ) % {
        "year": year,
        "average": row.show(average),
        "values": values,
        "target": target.describe(row.unit),
    }
    if not due:
        sentence += " " + _("The average is settled at the end of %(year)s.") % {"year": end}
    return TargetResult(settled(satisfies(average, target.comparison, target.value), due), sentence)


def pooled_share(target: CriterionTarget, row: Row, year: int, first: int, due: bool):
    """An average share over the period: every year's numerators over every year's
    denominators, so that a year with few cases weighs as little as it should."""
    years = [y for y in sorted(row.parts) if first <= y <= year]
    wrong = [y for y in years if y in row.errors]
    if wrong:
        return missing(row, wrong[0])
    if not years:
        return missing(row, year)
    numerator = sum(row.parts[y][0] for y in years)
    denominator = sum(row.parts[y][1] for y in years)
    share = figure(numerator / denominator * HUNDRED, Unit.PERCENT)
    sentence = _(
        "All years from %(first)s to %(year)s together: %(numerator)s of %(denominator)s, "
        "that is %(share)s; the target is %(target)s on average over the period."
    ) % {
        "first": years[0],
        "year": year,
        "numerator": format_figure_with_unit(numerator),
        "denominator": format_figure_with_unit(denominator),
        "share": row.show(share),
        "target": target.describe(row.unit),
    }
    end = target.to_year or row.plan_years[-1].year
    if not due:
        sentence += " " + _("The average is settled at the end of %(year)s.") % {"year": end}
    return TargetResult(settled(satisfies(share, target.comparison, target.value), due), sentence)


def judge_cumulative(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    if row.quarterly is None:
        return cumulative_of_years(target, row, year)
    start_year = target.from_year or row.plan_years[0].year
    inside = [quarter for quarter in row.horizon.plan_quarters if quarter.year >= start_year]
    start = inside[0] if inside else Quarter(start_year, 1)
    deadline = row.deadline(target)
    now = row.position(year)
    counted_to = min(now, deadline)
    total = sum(
        (value for quarter, value in row.quarterly.items() if start <= quarter <= counted_to),
        Decimal(0),
    )
    later = sum(
        (value for quarter, value in row.quarterly.items() if deadline < quarter <= now),
        Decimal(0),
    )
    reached = satisfies(total, target.comparison, target.value)
    counted_this_year = any(q.year == year and q <= now for q in row.quarterly)
    if not counted_this_year and not reached:
        return missing(row, year)
    text = _(
        "The total from %(start)s up to and including %(end)s is %(total)s; the target is "
        "%(target)s by the end of %(deadline)s."
    ) % {
        "start": start,
        "end": counted_to,
        "total": row.show(total),
        "target": target.describe(row.unit),
        "deadline": deadline,
    }
    if now >= deadline:
        if later and not reached:
            text += " " + _("%(later)s more were counted after the deadline.") % {
                "later": row.show(later)
            }
        return TargetResult(Verdict.MET if reached else Verdict.NOT_MET, text)
    if reached and target.comparison in RISING:
        # A total only grows: once reached, it stays reached.
        return TargetResult(Verdict.MET, text)
    span = deadline.index - start.index + 1
    elapsed = counted_to.index - start.index + 1
    line = limit(target.value * elapsed / span, row.unit, target.comparison)
    return TargetResult(
        Verdict.ON_TRACK if at_or_better(total, target.comparison, line) else Verdict.NOT_ON_TRACK,
        text
        + " "
        + _(
            "On the straight line towards the target the total should be %(line)s by the end "
            "of %(quarter)s."
        )
        % {"line": row.show(line), "quarter": counted_to},
    )


def cumulative_of_years(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    """A total by a deadline of yearly figures: the years from the start to the deadline."""
    start = target.from_year or row.plan_years[0].year
    deadline = target.to_year or row.plan_years[-1].year
    total = sum((row.value(y) for y in row.series if start <= y <= min(year, deadline)), Decimal(0))
    reached = satisfies(total, target.comparison, target.value)
    if year not in row.series and not reached:
        return missing(row, year)
    text = _(
        "The total for %(start)s–%(year)s is %(total)s; the target is %(target)s by the end "
        "of %(deadline)s."
    ) % {
        "start": start,
        "year": min(year, deadline),
        "total": row.show(total),
        "target": target.describe(row.unit),
        "deadline": deadline,
    }
    if year >= deadline or (reached and target.comparison in RISING):
        return TargetResult(Verdict.MET if reached else Verdict.NOT_MET, text)
    line = limit(
        target.value * (year - start + 1) / (deadline - start + 1), row.unit, target.comparison
    )
    return TargetResult(
        Verdict.ON_TRACK if at_or_better(total, target.comparison, line) else Verdict.NOT_ON_TRACK,
        text
        + " "
        + _("On the straight line towards the target the total should be %(line)s by %(year)s.")
        % {"line": row.show(line), "year": year},
    )


@dataclass(frozen=True)
class Towards:
    """A figure judged against a goal due later, on the straight line from the baseline."""

    value: Decimal | None
    result: TargetResult
    line: Decimal | None = None


def towards(
    target: CriterionTarget,
    row: Row,
    year: int,
    goal: Decimal,
    deadline: Quarter,
    baseline: Decimal | None,
    baseline_year: int | None,
) -> Towards:
    """Judge a value against a goal due at the end of `deadline`, on the straight line from
    the baseline before then and held after it."""
    value = row.value(year)
    if value is None:
        return Towards(None, missing(row, year))
    reached = satisfies(value, target.comparison, goal)
    now = row.position(year)
    if now >= deadline:
        return Towards(value, TargetResult(Verdict.MET if reached else Verdict.NOT_MET, ""))
    if reached:
        # Already at the goal: on track, and settled only when it is due.
        return Towards(value, TargetResult(Verdict.ON_TRACK, ""))
    assert baseline is not None and baseline_year is not None
    start = row.position(baseline_year)
    line = limit(
        straight_line(baseline, start.index, goal, deadline.index, now.index),
        row.unit,
        target.comparison,
    )
    on_line = at_or_better(value, target.comparison, line)
    return Towards(
        value, TargetResult(Verdict.ON_TRACK if on_line else Verdict.NOT_ON_TRACK, ""), line
    )


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


def due_clause(row: Row, year: int, deadline: Quarter) -> str:
    """ "The target is settled at the end of 2021." for a target not yet due."""
    if row.position(year) >= deadline:
        return ""
    return _("The target is settled at the end of %(deadline)s.") % {
        "deadline": row.describe_deadline(deadline)
    }


def judge_by_year(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    deadline = row.deadline(target)
    before = row.position(year) < deadline
    # From the target year on the figure alone decides, even when it is the first one there is.
    if (
        baseline_year is not None
        and before
        and (early := baseline_year_result(year, baseline_year))
    ):
        return early
    if before and baseline is None and row.value(year) is not None:
        return baseline_missing(baseline_year)
    judged = towards(target, row, year, target.value, deadline, baseline, baseline_year)
    if judged.value is None:
        return judged.result
    sentence = _("The target is %(target)s in %(goal_year)s.") % {
        "target": target.describe(row.unit),
        "goal_year": row.describe_deadline(deadline),
    }
    if baseline is not None and baseline_year is not None and baseline_year < year:
        sentence += " " + _("The baseline is %(baseline)s in %(baseline_year)s%(change)s.") % {
            "baseline": row.show(baseline),
            "baseline_year": baseline_year,
            "change": change_clause(judged.value, baseline),
        }
    if judged.line is not None:
        sentence += " " + line_clause(row, year, target, judged.line)
    elif before:
        sentence += " " + due_clause(row, year, deadline)
    return TargetResult(judged.result.verdict, sentence)


def change_clause(value: Decimal, old: Decimal) -> str:
    if old == 0:
        return ""
    return _(", a change of %(change)s") % {"change": percent_change(value, old)}


def judge_change_previous(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    if target.baseline_year is not None and (
        early := baseline_year_result(year, target.baseline_year)
    ):
        return early
    value = row.value(year)
    if value is None:
        return missing(row, year)
    previous_year = year - 1
    if target.baseline_value is not None and previous_year == target.baseline_year:
        previous = figure(target.baseline_value, row.unit)
    else:
        previous = row.value(previous_year)
    if previous is None:
        return TargetResult(
            Verdict.NO_DATA,
            _("There is no figure for %(previous_year)s to compare with.")
            % {"previous_year": previous_year},
        )
    scale = Decimal(1)
    if row.accumulates and row.quarters_in(year) != row.quarters_in(previous_year):
        # Counts that add up over the year compare the same number of quarters: the year
        # before is taken at the pace of its own quarters.
        scale = Decimal(row.quarters_in(year)) / max(row.quarters_in(previous_year), 1)
    changed = previous * scale * (HUNDRED + target.change_percent) / HUNDRED
    bound = limit(changed, row.unit, target.comparison)
    sentence = _(
        "Against %(previous)s in %(previous_year)s%(change)s; the target is a change of "
        "%(percent)s from the year before, that is %(limit)s."
    ) % {
        "previous": row.show(previous),
        "previous_year": previous_year,
        "change": change_clause(value, previous) if scale == 1 else "",
        "percent": signed_percent(target.change_percent),
        "limit": comparison_phrase(target.comparison, row.show(bound)),
    }
    if scale != 1:
        sentence += " " + _(
            "%(previous_year)s is counted over %(before)s quarters and %(year)s over "
            "%(now)s, so the figure of %(previous_year)s is scaled to %(now)s quarters."
        ) % {
            "previous_year": previous_year,
            "before": row.quarters_in(previous_year),
            "year": year,
            "now": row.quarters_in(year),
        }
    return TargetResult(
        settled(satisfies(value, target.comparison, bound), not row.running(year)), sentence
    )


def judge_yearly_change(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    """The same change every year from a named starting point: "falling by at least 10 %
    a year ... (udgangspunkt i 2015: 15 episoder)" asks at most 15 × 0,9² in 2017."""
    baseline, baseline_year = row.baseline(target)
    if baseline is None or baseline_year is None:
        return baseline_missing(baseline_year)
    if early := baseline_year_result(year, baseline_year):
        return early
    value = row.value(year)
    if value is None:
        return missing(row, year)
    factor = ((HUNDRED + target.change_percent) / HUNDRED) ** (year - baseline_year)
    bound = limit(baseline * factor, row.unit, target.comparison)
    sentence = _(
        "The starting point is %(baseline)s in %(baseline_year)s; the target is a change of "
        "%(percent)s a year from it, that is %(limit)s in %(year)s."
    ) % {
        "baseline": row.show(baseline),
        "baseline_year": baseline_year,
        "percent": signed_percent(target.change_percent),
        "limit": comparison_phrase(target.comparison, row.show(bound)),
        "year": year,
    }
    return TargetResult(
        settled(satisfies(value, target.comparison, bound), not row.running(year)), sentence
    )


def signed_percent(percent: Decimal) -> str:
    sign = "+" if percent > 0 else ""
    return f"{sign}{format_figure_with_unit(percent, empty='–')} %"


def judge_change_baseline(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    if baseline is None or baseline_year is None:
        return baseline_missing(baseline_year)
    if early := baseline_year_result(year, baseline_year):
        return early
    goal = limit(
        baseline * (HUNDRED + target.change_percent) / HUNDRED, row.unit, target.comparison
    )
    if target.to_year:
        deadline = row.deadline(target)
    else:
        deadline = row.position(baseline_year + target.horizon_years, horizon=False)
    judged = towards(target, row, year, goal, deadline, baseline, baseline_year)
    if judged.value is None:
        return judged.result
    sentence = _(
        "Against the baseline %(baseline)s in %(baseline_year)s%(change)s; the target is a "
        "change of %(percent)s by %(goal_year)s, "
        "that is %(goal)s, held after that."
    ) % {
        "baseline": row.show(baseline),
        "baseline_year": baseline_year,
        "change": change_clause(judged.value, baseline),
        "percent": signed_percent(target.change_percent),
        "goal_year": row.describe_deadline(deadline),
        "goal": comparison_phrase(target.comparison, row.show(goal)),
    }
    if judged.line is not None:
        sentence += " " + line_clause(row, year, target, judged.line)
    return TargetResult(judged.result.verdict, sentence)


def line_clause(row: Row, year: int, target: CriterionTarget, line: Decimal) -> str:
    comparison = Comparison.AT_LEAST if target.comparison in RISING else Comparison.AT_MOST
    shown = comparison_phrase(comparison, row.show(line))
    if row.running(year):
        return _(
            "On the straight line towards the target, the figure should be %(line)s by the "
            "end of %(quarter)s."
        ) % {"quarter": row.position(year), "line": shown}
    return _("On the straight line towards the target, %(year)s should be %(line)s.") % {
        "year": year,
        "line": shown,
    }


def judge_reference(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    value = row.value(year)
    if value is None:
        return missing(row, year)
    reference = row.figures.measurements.get((target.reference_id, None), {})
    known = [y for y in reference if y <= year]
    if not known:
        return TargetResult(
            Verdict.NO_DATA,
            _("%(reference)s has no figure for %(year)s or before.")
            % {"reference": target.reference, "year": year},
        )
    reference_year = max(known)
    reference_value = figure(reference[reference_year], row.unit)
    deadline = row.deadline(target)
    sentence = _(
        "The target is %(target)s, the figure for %(reference)s in %(reference_year)s."
    ) % {
        "target": comparison_phrase(target.comparison, row.show(reference_value)),
        "reference": target.reference,
        "reference_year": reference_year,
    }
    if clause := due_clause(row, year, deadline):
        sentence += " " + clause
    return TargetResult(
        settled(
            satisfies(value, target.comparison, reference_value), row.position(year) >= deadline
        ),
        sentence,
    )


def judge_direction(target: CriterionTarget, row: Row, year: int) -> TargetResult:
    baseline, baseline_year = row.baseline(target)
    if baseline is None or baseline_year is None:
        return baseline_missing(baseline_year)
    if early := baseline_year_result(year, baseline_year):
        return early
    value = row.value(year)
    if value is None:
        return missing(row, year)
    baseline = figure(baseline, row.unit)
    deadline = row.deadline(target)
    rise = target.comparison in RISING
    wanted = (
        _("a rise from the baseline by %(year)s")
        if rise
        else _("a fall from the baseline by %(year)s")
    ) % {"year": row.describe_deadline(deadline)}
    sentence = _(
        "Against the baseline %(baseline)s in %(baseline_year)s%(change)s; the target is "
        "%(wanted)s."
    ) % {
        "baseline": row.show(baseline),
        "baseline_year": baseline_year,
        "change": change_clause(value, baseline),
        "wanted": wanted,
    }
    return TargetResult(
        settled(satisfies(value, target.comparison, baseline), row.position(year) >= deadline),
        sentence,
    )


Judge = Callable[[CriterionTarget, "Row", int], TargetResult]

JUDGES: dict[str, Judge] = {
    Kind.YEARLY: judge_yearly,
    Kind.AVERAGE: judge_average,
    Kind.CUMULATIVE: judge_cumulative,
    Kind.BY_YEAR: judge_by_year,
    Kind.CHANGE_PREVIOUS: judge_change_previous,
    Kind.YEARLY_CHANGE: judge_yearly_change,
    Kind.CHANGE_BASELINE: judge_change_baseline,
    Kind.REFERENCE: judge_reference,
    Kind.DIRECTION: judge_direction,
}


def worst(verdicts: list[Verdict]) -> Verdict:
    """The verdict that gives way to none of the others (see SEVERITY)."""
    return min(verdicts, key=SEVERITY.index)


def combine(results: list[TargetResult]) -> TargetResult:
    """A row's verdict: the worst of the targets that apply that year."""
    due = [result for result in results if result.verdict != Verdict.NOT_DUE]
    if not due:
        return TargetResult(Verdict.NOT_DUE, " ".join(r.sentence for r in results))
    verdict = worst([result.verdict for result in due])
    # Several targets missing the same figure say so once.
    sentences = dict.fromkeys(result.sentence for result in due)
    return TargetResult(verdict, " ".join(sentences))
