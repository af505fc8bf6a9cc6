"""Judging the success criteria of a plan, year by year, with the reasons in words.

The board asks each year whether the activities support the success criteria (seed section 6).
`evaluate_plan` answers for every criterion, every calendar year of the plan and every housing
area the criterion names: a verdict and a Danish sentence with the numbers that decided it, so
that a reader can check the arithmetic.

A criterion is a list of targets (`CriterionTarget`), one per rule and area. A row of the
answer is the whole plan or one area; its verdict is the worst of the verdicts of its targets
that apply that year, because the criterion is only met when every rule is. The rule of each
kind of target is in indicators.rules.

Values are rounded half up to two decimals before they are compared, so that what the
sentence shows is what was judged: a share of 74,996 % is shown and judged as 75 %.

All figures of a plan are read in a fixed number of queries and judged in memory, so the cost
in queries does not grow with the number of criteria, areas or years.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Metric, QuarterlyCount
from agreements.models import HousingArea, Plan
from lib.periods import PlanYear
from lib.phrases import format_figure_with_unit

from .models import CriterionTarget, Measurement, QualitativeAssessment, SuccessCriterion
from .rules import HUNDRED, TargetResult, Verdict, combine, judge, rounded


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


def evaluate_plan(plan: Plan, years: Iterable[int] | None = None) -> list[Evaluation]:
    """Every criterion of the plan judged in every year (or the given years), per row."""
    criteria = SuccessCriterion.objects.for_evaluation(plan)
    return evaluate_criteria(criteria, Figures.load(plan), years)
