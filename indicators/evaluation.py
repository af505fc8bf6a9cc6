"""Judging the success criteria of a plan, year by year, with the reasons in words.

The board asks each year whether the activities support the success criteria (seed section 6).
`evaluate_plan` answers for every criterion, every calendar year of the plan and every housing
area the criterion names: a verdict and a Danish sentence with the numbers that decided it, so
that a reader can check the arithmetic.

A criterion is a list of targets (`CriterionTarget`), one per rule and area. A row of the
answer is the whole plan or one area; its verdict is the worst of the verdicts of its targets
that apply that year, because the criterion is only met when every rule is.

Values are rounded half up to two decimals before they are compared, so that what the
sentence shows is what was judged: a share of 74,996 % is shown and judged as 75 %.

All figures of a plan are read in a fixed number of queries and judged in memory, so the cost
in queries does not grow with the number of criteria, areas or years.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Metric, QuarterlyCount
from agreements.models import HousingArea, Plan
from lib.numbers import format_number
from lib.periods import PlanYear
from lib.phrases import comparison_phrase, format_figure_with_unit

from .models import CriterionTarget, Measurement, QualitativeAssessment, SuccessCriterion

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


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one criterion in one year, for one area or (area None) the whole plan."""

    criterion: SuccessCriterion
    year: int
    area: HousingArea | None
    verdict: Verdict
    sentence: str
    partial_year: bool
    value: Decimal | None = None
    assessment: QualitativeAssessment | None = None

    @property
    def where(self) -> str:
        return str(self.area) if self.area else _("whole plan")


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


def straight_line(start: Decimal, start_year: int, end: Decimal, end_year: int, year: int):
    """The value the straight line from `start` to `end` passes in `year`, rounded."""
    return rounded(start + (end - start) * (year - start_year) / (end_year - start_year))


Series = dict[int, Decimal]


@dataclass
class Figures:
    """Every figure one plan's criteria are judged on, read once."""

    plan: Plan
    measurements: dict[tuple[int, int | None], Series] = field(default_factory=dict)
    counts: dict[tuple[int, int], dict[int, dict[int, int]]] = field(default_factory=dict)
    assessments: dict[tuple[int, int], QualitativeAssessment] = field(default_factory=dict)

    @classmethod
    def load(cls, plan: Plan, *, reported_only: bool = False) -> Figures:
        """`reported_only` leaves out counts of quarters still in draft, for what the board
        reads (QuarterlyCount.objects.reported); the secretariat's own pages count them."""
        figures = cls(plan)
        rows = Measurement.objects.filter(indicator__plan=plan).values_list(
            "indicator_id", "area_id", "year", "value"
        )
        for indicator_id, area_id, year, value in rows:
            figures.measurements.setdefault((indicator_id, area_id), {})[year] = value
        counts = QuarterlyCount.objects.for_plans([plan.pk])
        if reported_only:
            counts = counts.reported()
        counts = counts.values_list("metric_id", "area_id", "year", "quarter", "value")
        for metric_id, area_id, year, quarter, value in counts:
            years = figures.counts.setdefault((metric_id, area_id), {})
            years.setdefault(year, {})[quarter] = value
        assessments = QualitativeAssessment.objects.filter(
            criterion__subagreement__plan=plan
        ).select_related("assessed_by")
        for assessment in assessments:
            figures.assessments[(assessment.criterion_id, assessment.year)] = assessment
        return figures

    def metric_series(self, metric: Metric, area_id: int | None) -> tuple[Series, dict]:
        """A metric's yearly values in one area, or summed over its areas quarter by quarter
        for the whole plan, and how many quarters each year's value rests on."""
        if area_id is not None:
            by_year = self.counts.get((metric.pk, area_id), {})
        else:
            by_year = defaultdict(lambda: defaultdict(int))
            for (metric_id, _area), years in self.counts.items():
                if metric_id == metric.pk:
                    for year, quarters in years.items():
                        for quarter, value in quarters.items():
                            by_year[year][quarter] += value
        values = {year: metric.year_value(quarters) for year, quarters in by_year.items()}
        return values, {year: len(quarters) for year, quarters in by_year.items()}

    def series(self, criterion: SuccessCriterion, area_id: int | None) -> tuple[Series, dict]:
        """The criterion's yearly values in one area (None: the whole plan), and for values
        from quarterly counts a note per year on what they rest on."""
        if criterion.indicator_id:
            return self.measurements.get((criterion.indicator_id, area_id), {}), {}
        if not criterion.metric_id:
            return {}, {}
        numerators, quarters = self.metric_series(criterion.metric, area_id)
        notes = {year: self.quarters_note(year, count) for year, count in quarters.items()}
        if not criterion.denominator_metric_id:
            return numerators, notes
        denominators, _quarters = self.metric_series(criterion.denominator_metric, area_id)
        shares = {}
        for year, numerator in numerators.items():
            denominator = denominators.get(year)
            if denominator:
                shares[year] = numerator / denominator * HUNDRED
                notes[year] = (
                    _("The share is %(numerator)s of %(denominator)s, each added up over the year.")
                    % {
                        "numerator": format_figure_with_unit(numerator, empty="–"),
                        "denominator": format_figure_with_unit(denominator, empty="–"),
                    }
                    + " "
                    + notes[year]
                ).strip()
        return shares, notes

    @cached_property
    def quarters_per_year(self) -> Counter:
        """How many of each year's quarters fall inside the plan (one in 2017, for example)."""
        return Counter(quarter.year for quarter in self.plan.quarters())

    def quarters_note(self, year: int, reported: int) -> str:
        expected = self.quarters_per_year[year]
        if reported >= expected:
            return ""
        return _("Only %(reported)s of the year's %(expected)s quarters are reported.") % {
            "reported": reported,
            "expected": expected,
        }


@dataclass
class Row:
    """What one target needs to be judged in one year of one row."""

    criterion: SuccessCriterion
    series: Series
    plan_years: list[PlanYear]
    figures: Figures

    @property
    def unit(self) -> str:
        return self.criterion.unit

    def show(self, value: Decimal | None) -> str:
        """A figure as the sentences show it: "72,4 %", and "–" for none."""
        return format_figure_with_unit(value, self.unit, empty="–")

    def baseline(self, target: CriterionTarget) -> tuple[Decimal | None, int | None]:
        """The baseline a target is measured from: its own value, the figure of its baseline
        year, or else the last figure before the plan began (the first in the plan if none).
        A baseline value entered without a year is taken to be from the year before the plan."""
        first_year = self.plan_years[0].year
        if target.baseline_value is not None:
            if target.baseline_year is None:
                return target.baseline_value, first_year - 1
            return target.baseline_value, target.baseline_year
        if target.baseline_year is not None:
            return self.series.get(target.baseline_year), target.baseline_year
        before = [year for year in self.series if year < first_year]
        if before:
            year = max(before)
        elif self.series:
            year = min(self.series)
        else:
            return None, None
        return self.series[year], year


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


def judge_yearly(target, row, year):
    value = rounded(row.series.get(year))
    if value is None:
        return missing(year)
    verdict = Verdict.MET if satisfies(value, target.comparison, target.value) else Verdict.NOT_MET
    return TargetResult(
        verdict,
        _("The target is %(target)s every year.") % {"target": target.describe(row.unit)},
    )


def judge_average(target, row, year):
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


def judge_cumulative(target, row, year):
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


def towards(target, row, year, goal: Decimal, goal_year: int, baseline, baseline_year):
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


def judge_by_year(target, row, year):
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


def judge_change_previous(target, row, year):
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


def judge_change_baseline(target, row, year):
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


def line_clause(year: int, target, line: str) -> str:
    return _("On the straight line towards the target, %(year)s should be %(line)s.") % {
        "year": year,
        "line": comparison_phrase(
            Comparison.AT_LEAST
            if target.comparison in (Comparison.AT_LEAST, Comparison.ABOVE)
            else Comparison.AT_MOST,
            line,
        ),
    }


def judge_reference(target, row, year):
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


def judge_direction(target, row, year):
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


JUDGES = {
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


def partial_note(plan_year: PlanYear) -> str:
    return _("%(year)s is only partly inside the plan period (%(coverage)s).") % {
        "year": plan_year.year,
        "coverage": plan_year.describe_coverage(),
    }


def assessment_result(criterion, year: int, figures: Figures) -> tuple[TargetResult, object]:
    assessment = figures.assessments.get((criterion.pk, year))
    if assessment is None:
        return (
            TargetResult(
                Verdict.ASSESSED,
                _("Assessed by people; no assessment is recorded for %(year)s yet.")
                % {"year": year},
            ),
            None,
        )
    person = assessment.assessed_by
    who = (person.get_full_name() or person.get_username()) if person else _("unknown")
    return (
        TargetResult(
            Verdict.ASSESSED,
            _("Assessed as %(status)s by %(who)s on %(date)s: %(justification)s")
            % {
                "status": assessment.get_status_display(),
                "who": who,
                "date": date_format(assessment.assessed_at, "j. F Y"),
                "justification": assessment.justification,
            },
        ),
        assessment,
    )


def rows_of(criterion: SuccessCriterion) -> dict[int | None, list[CriterionTarget]]:
    """The whole plan and each area the criterion has targets for, with their targets."""
    rows: dict[int | None, list[CriterionTarget]] = {}
    for target in criterion.targets.all():
        rows.setdefault(target.area_id, []).append(target)
    if not rows:
        rows[None] = []
    return dict(sorted(rows.items(), key=lambda item: (item[0] is not None, item[0] or 0)))


def evaluate_criteria(
    criteria: Iterable[SuccessCriterion], figures: Figures, years: Iterable[int] | None = None
) -> list[Evaluation]:
    plan_years = figures.plan.years()
    wanted = set(years) if years is not None else {plan_year.year for plan_year in plan_years}
    areas = {}
    evaluations = []
    for criterion in criteria:
        for target in criterion.targets.all():
            if target.area_id:
                areas[target.area_id] = target.area
        for area_id, targets in rows_of(criterion).items():
            series, notes = figures.series(criterion, area_id)
            row = Row(criterion, series, plan_years, figures)
            for plan_year in plan_years:
                if plan_year.year not in wanted:
                    continue
                assessment = None
                if criterion.kind == SuccessCriterion.Kind.QUALITATIVE:
                    result, assessment = assessment_result(criterion, plan_year.year, figures)
                else:
                    result = combine([judge(target, row, plan_year.year) for target in targets])
                sentence = result.sentence
                value = rounded(series.get(plan_year.year))
                if value is not None and result.verdict not in (Verdict.NOT_DUE, Verdict.ASSESSED):
                    sentence = (
                        _("The figure for %(year)s is %(value)s.")
                        % {"year": plan_year.year, "value": row.show(value)}
                        + " "
                        + sentence
                    )
                if result.verdict not in (Verdict.NOT_DUE, Verdict.ASSESSED):
                    sentence = f"{sentence} {notes.get(plan_year.year, '')}".strip()
                if plan_year.is_partial:
                    sentence = f"{sentence} {partial_note(plan_year)}"
                evaluations.append(
                    Evaluation(
                        criterion=criterion,
                        year=plan_year.year,
                        area=areas.get(area_id),
                        verdict=result.verdict,
                        sentence=sentence,
                        partial_year=plan_year.is_partial,
                        value=value,
                        assessment=assessment,
                    )
                )
    return evaluations


def target_points(target: CriterionTarget, row: Row) -> Series:
    """The value a target asks for in each year, to draw beside the measured values: the
    same arithmetic the verdicts use. Empty for a cumulative total or a direction, which are
    no line over the years."""
    years = [plan_year.year for plan_year in row.plan_years]
    first = target.from_year or years[0]
    last = target.to_year or years[-1]
    Kind = CriterionTarget.Kind
    if target.kind in (Kind.YEARLY, Kind.AVERAGE):
        return {year: target.value for year in years if first <= year <= last}
    if target.kind == Kind.CHANGE_PREVIOUS:
        factor = (HUNDRED + target.change_percent) / HUNDRED
        return {
            year: rounded(row.series[year - 1] * factor)
            for year in years
            if row.series.get(year - 1) is not None
        }
    if target.kind == Kind.REFERENCE:
        reference = row.figures.measurements.get((target.reference_id, None), {})
        return {year: value for year, value in reference.items() if year in years}
    if target.kind not in (Kind.BY_YEAR, Kind.CHANGE_BASELINE):
        return {}
    baseline, baseline_year = row.baseline(target)
    if target.kind == Kind.BY_YEAR:
        goal, goal_year = target.value, target.to_year
    elif baseline is None:
        return {}
    else:
        goal = rounded(baseline * (HUNDRED + target.change_percent) / HUNDRED)
        goal_year = baseline_year + target.horizon_years
    if baseline is None or baseline_year is None or baseline_year >= goal_year:
        return {year: goal for year in years if year >= goal_year}
    return {
        year: straight_line(baseline, baseline_year, goal, goal_year, year)
        if year < goal_year
        else goal
        for year in range(baseline_year, years[-1] + 1)
    }


@dataclass(frozen=True)
class ChartData:
    """What a chart of one criterion in one row (an area or the whole plan) shows: the
    measured values from the baseline year to the plan's end, the baseline, and a line per
    target."""

    years: list[int]
    measured: Series
    baseline: tuple[int, Decimal] | None
    targets: list[tuple[str, Series]]
    unit: str


def chart_data(
    criterion: SuccessCriterion, figures: Figures, area_id: int | None, up_to: int | None = None
) -> ChartData:
    """A criterion's figures and targets for a chart (criterion prefetched as for
    `SuccessCriterion.objects.for_evaluation`).

    `up_to`: the chart as it stood in that year; later figures are left out, and so is every
    target point computed from them (a change from the year before), while fixed targets run
    on to the plan's end."""
    series, _notes = figures.series(criterion, area_id)
    if up_to is not None:
        series = {year: value for year, value in series.items() if year <= up_to}
    row = Row(criterion, series, figures.plan.years(), figures)
    targets = [t for t in criterion.targets.all() if t.area_id == area_id]
    baseline = None
    for target in targets:
        value, year = row.baseline(target)
        if value is not None and year is not None:
            baseline = (year, rounded(value))
            break
    lines = [(target.describe(row.unit), target_points(target, row)) for target in targets]
    first = min([row.plan_years[0].year] + ([baseline[0]] if baseline else []))
    years = list(range(first, row.plan_years[-1].year + 1))
    return ChartData(
        years=years,
        measured={year: rounded(value) for year, value in series.items() if year in years},
        baseline=baseline,
        targets=[(label, points) for label, points in lines if points],
        unit=criterion.unit,
    )


def evaluate_plan(plan: Plan, years: Iterable[int] | None = None) -> list[Evaluation]:
    """Every criterion of the plan judged in every year (or the given years), per row."""
    criteria = SuccessCriterion.objects.for_evaluation(plan)
    return evaluate_criteria(criteria, Figures.load(plan), years)
