"""Judging the success criteria of a plan, with the reasons in words.

The board asks twice a year whether the activities support the success criteria (seed
section 6). `evaluate_at` answers as a report at a given point reads it (a `Horizon`: the end
of a year or a half-year, or the quarter just ended in a year that is still running), and
`evaluate_criteria` answers for whole years, each judged as it stood when it was over. Each
answer is per criterion and row (the whole plan, or one area the criterion has targets for):
a verdict and a Danish sentence with the numbers that decided it, so that a reader can check
the arithmetic.

What a horizon knows (lib.periods.Horizon): the quarterly counts of the quarters up to its
last, and the yearly figures (measurements, qualitative assessments) of the years that have
ended by then. A criterion read from quarterly counts is judged in the horizon's year, as far
as it has come; one read from yearly figures in the latest year that has them. A report for
the first half of 2021 thus judges the counts of the first two quarters of 2021 and the
measurements of 2020, and says so; counts and measurements entered later for later quarters
and years do not change it.

A criterion is a list of targets (`CriterionTarget`), one per rule and area. A row's verdict
is the worst of the verdicts of its targets that apply that year, because the criterion is
only met when every rule is. The rule of each kind of target is in indicators.rules.

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
from lib.numbers import format_number
from lib.periods import Horizon, PlanYear, Quarter
from lib.phrases import format_figure_with_unit

from .models import CriterionTarget, Measurement, QualitativeAssessment, SuccessCriterion, Unit
from .rules import HUNDRED, TargetResult, Verdict, combine, figure, judge

Series = dict[int, Decimal]


@dataclass(frozen=True)
class Evaluation:
    """The verdict on one criterion in one year, for one area or (area None) the whole plan.

    `as_of` is the last quarter the verdict knows; `running` says that the year was not over
    then, so the figure is the year so far and the verdict says whether it is on track."""

    criterion: SuccessCriterion
    year: int
    area: HousingArea | None
    verdict: Verdict
    sentence: str
    partial_year: bool
    value: Decimal | None = None
    assessment: QualitativeAssessment | None = None
    running: bool = False
    as_of: Quarter | None = None

    @property
    def where(self) -> str:
        return str(self.area) if self.area else _("whole plan")


@dataclass
class Readings:
    """What a criterion reads in one row, as far as a horizon knows it: its yearly values and
    a note per year on what they rest on; for a share each year's numerator and denominator,
    and the years whose figures cannot make a share; for quarterly counts the counts by
    quarter, which totals by a deadline are added up from."""

    values: Series = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    parts: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    quarterly: dict[Quarter, Decimal] | None = None


@dataclass
class Figures:
    """Every figure one plan's criteria are judged on, read once."""

    plan: Plan
    measurements: dict[tuple[int, int | None], Series] = field(default_factory=dict)
    # {metric id: {area id: {Quarter: count}}}
    counts: dict[int, dict[int, dict[Quarter, int]]] = field(default_factory=dict)
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
            areas = figures.counts.setdefault(metric_id, {})
            areas.setdefault(area_id, {})[Quarter(year, quarter)] = value
        assessments = QualitativeAssessment.objects.filter(
            criterion__subagreement__plan=plan
        ).select_related("assessed_by")
        for assessment in assessments:
            figures.assessments[(assessment.criterion_id, assessment.year)] = assessment
        return figures

    @cached_property
    def plan_quarters(self) -> tuple[Quarter, ...]:
        return tuple(self.plan.quarters())

    @cached_property
    def plan_years(self) -> list[PlanYear]:
        return self.plan.years()

    def end_of(self, year: int) -> Horizon:
        """The horizon once the plan's part of `year` is over."""
        return Horizon.end_of_year(year, self.plan_quarters)

    def area_quarters(self, metric_id: int, horizon: Horizon) -> dict[int, dict[Quarter, int]]:
        """The metric's counts up to the horizon: {area id: {Quarter: count}}."""
        return {
            area_id: {
                quarter: value for quarter, value in quarters.items() if horizon.knows(quarter)
            }
            for area_id, quarters in self.counts.get(metric_id, {}).items()
        }

    def metric_series(
        self, metric: Metric, area_id: int | None, horizon: Horizon
    ) -> tuple[Series, dict[int, int], dict[Quarter, Decimal]]:
        """A metric's yearly values up to the horizon in one area, or for the whole plan (None),
        how many quarters each year's value rests on, and its counts by quarter.

        The whole plan's year is `Metric.plan_year_value` of its areas."""
        by_area = self.area_quarters(metric.pk, horizon)
        if area_id is not None:
            by_area = {area_id: by_area.get(area_id, {})}
        quarterly: dict[Quarter, Decimal] = defaultdict(Decimal)
        for quarters in by_area.values():
            for quarter, value in quarters.items():
                quarterly[quarter] += value
        reported = Counter(quarter.year for quarter in quarterly)
        values: Series = {}
        for year in reported:
            value = metric.plan_year_value(
                {q.number: v for q, v in quarters.items() if q.year == year}
                for quarters in by_area.values()
            )
            if value is not None:
                values[year] = value
        return values, dict(reported), dict(quarterly)

    def series(
        self, criterion: SuccessCriterion, area_id: int | None, horizon: Horizon
    ) -> Readings:
        """What the criterion reads in one area (None: the whole plan) up to the horizon."""
        if criterion.indicator_id:
            values = self.measurements.get((criterion.indicator_id, area_id), {})
            known = horizon.last_full_year
            return Readings(values={year: v for year, v in values.items() if year <= known})
        if not criterion.metric_id:
            return Readings()
        numerators, reported, quarterly = self.metric_series(criterion.metric, area_id, horizon)
        notes = {year: self.quarters_note(year, count, horizon) for year, count in reported.items()}
        if not criterion.denominator_metric_id:
            return Readings(values=numerators, notes=notes, quarterly=quarterly)
        denominators, _reported, _quarterly = self.metric_series(
            criterion.denominator_metric, area_id, horizon
        )
        readings = Readings(notes=notes)
        for year, numerator in numerators.items():
            denominator = denominators.get(year)
            if not denominator:
                continue
            counted = {
                "numerator": format_figure_with_unit(numerator, empty="–"),
                "denominator": format_figure_with_unit(denominator, empty="–"),
            }
            if numerator > denominator:
                # The entry form refuses this quarter by quarter; added up it can still happen
                # (a count corrected in one quarter only). It is an error in the figures, not
                # a share above 100 %.
                readings.errors[year] = _(
                    "%(numerator)s of %(denominator)s is not a share: the numerator is "
                    "larger than the denominator, so the figures for %(year)s must be "
                    "corrected."
                ) % {**counted, "year": year}
                continue
            readings.values[year] = numerator / denominator * HUNDRED
            readings.parts[year] = (numerator, denominator)
            notes[year] = (
                _("The share is %(numerator)s of %(denominator)s, each added up over the year.")
                % counted
                + " "
                + notes[year]
            ).strip()
        return readings

    def quarters_note(self, year: int, reported: int, horizon: Horizon) -> str:
        expected = horizon.quarters_in(year)
        if reported >= expected:
            return ""
        return _("Only %(reported)s of the year's %(expected)s quarters are reported.") % {
            "reported": reported,
            "expected": expected,
        }


@dataclass
class Row:
    """What one target needs to be judged in one year of one row, as far as the horizon
    knows it."""

    criterion: SuccessCriterion
    readings: Readings
    plan_years: list[PlanYear]
    figures: Figures
    horizon: Horizon

    @property
    def series(self) -> Series:
        return self.readings.values

    @property
    def parts(self) -> dict[int, tuple[Decimal, Decimal]]:
        return self.readings.parts

    @property
    def errors(self) -> dict[int, str]:
        return self.readings.errors

    @property
    def quarterly(self) -> dict[Quarter, Decimal] | None:
        return self.readings.quarterly

    @property
    def unit(self) -> str:
        return self.criterion.unit

    @property
    def counts(self) -> bool:
        """Whether the criterion reads quarterly counts rather than yearly figures."""
        return bool(self.criterion.metric_id)

    @property
    def accumulates(self) -> bool:
        """A plain count that grows through the year (a sum of the quarters, or people so far
        this year): in part of a year it is held to part of a yearly target. A level (the
        highest or the average quarter) and a share are not."""
        return (
            self.counts
            and not self.criterion.denominator_metric_id
            and self.criterion.metric.aggregation
            in (Metric.Aggregation.SUM, Metric.Aggregation.LAST)
        )

    def value(self, year: int) -> Decimal | None:
        """The year's figure at the precision the board reads it (rules.figure)."""
        return figure(self.series.get(year), self.unit)

    def show(self, value: Decimal | None) -> str:
        """A figure as the sentences show it: "72,4 %" (shares always with one decimal), and
        "–" for none."""
        if value is not None and self.unit == Unit.PERCENT:
            return f"{format_number(value, decimals=1)} %"
        return format_figure_with_unit(value, self.unit, empty="–")

    def running(self, year: int) -> bool:
        """Whether the year's figure is the year so far: counts in a year not yet over."""
        return self.counts and not self.horizon.year_is_over(year)

    def quarters_in(self, year: int) -> int:
        """How many of the year's quarters the figure rests on (quarterly counts), or 4."""
        return self.horizon.quarters_in(year) if self.counts else 4

    def position(self, year: int, *, horizon: bool = True) -> Quarter:
        """Where the year's figure stands in time: the end of the year for a yearly figure,
        the plan's last quarter in the year (the horizon's, while the year runs) for counts."""
        if not self.counts:
            return Quarter(year, 4)
        end = Horizon.last_of_year(year, self.horizon.plan_quarters)
        return min(end, self.horizon.last) if horizon else end

    def deadline(self, target: CriterionTarget) -> Quarter:
        """The quarter by whose end the target is due: `to_quarter` of `to_year`, the end of
        `to_year`, or the end of the plan."""
        if target.to_year and target.to_quarter:
            return Quarter(target.to_year, target.to_quarter)
        year = target.to_year or self.plan_years[-1].year
        return self.position(year, horizon=False)

    def describe_deadline(self, deadline: Quarter) -> str:
        """ "2021" for the end of a year, "3. kvartal 2018" for a quarter inside one."""
        if deadline == self.position(deadline.year, horizon=False):
            return str(deadline.year)
        return str(deadline)

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
            return self.value(target.baseline_year), target.baseline_year
        before = [year for year in self.series if year < first_year]
        if before:
            year = max(before)
        elif self.series:
            year = min(self.series)
        else:
            return None, None
        return self.value(year), year


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
                _("Assessed qualitatively; no assessment is recorded for %(year)s yet.")
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


def judged_year(criterion: SuccessCriterion, figures: Figures, horizon: Horizon) -> int:
    """The year a criterion is judged in at the horizon: the horizon's own year for
    quarterly counts, the latest year with yearly figures otherwise (never before the plan)."""
    if criterion.metric_id:
        return horizon.last.year
    return max(horizon.last_full_year, figures.plan_years[0].year)


def evaluate_at(
    criteria: Iterable[SuccessCriterion], figures: Figures, horizon: Horizon
) -> list[Evaluation]:
    """Every criterion and row as a report at the horizon reads it."""
    plan_years = {plan_year.year: plan_year for plan_year in figures.plan_years}
    areas: dict[int, HousingArea] = {}
    evaluations = []
    for criterion in criteria:
        for target in criterion.targets.all():
            if target.area_id:
                areas[target.area_id] = target.area
        year = judged_year(criterion, figures, horizon)
        for area_id, targets in rows_of(criterion).items():
            row = Row(
                criterion,
                figures.series(criterion, area_id, horizon),
                figures.plan_years,
                figures,
                horizon,
            )
            evaluations.append(
                evaluate_row(criterion, row, targets, year, plan_years, areas.get(area_id))
            )
    return evaluations


def evaluate_row(
    criterion: SuccessCriterion,
    row: Row,
    targets: list[CriterionTarget],
    year: int,
    plan_years: dict[int, PlanYear],
    area: HousingArea | None,
) -> Evaluation:
    assessment = None
    if criterion.kind == SuccessCriterion.Kind.QUALITATIVE:
        result, assessment = assessment_result(criterion, year, row.figures)
    else:
        result = combine([judge(target, row, year) for target in targets])
    running = row.running(year)
    value = row.value(year)
    sentence = result.sentence
    judged = result.verdict not in (Verdict.NOT_DUE, Verdict.ASSESSED)
    # A total by a deadline says its own figure (the total); the year's alone would mislead.
    totals_only = bool(targets) and all(t.kind == CriterionTarget.Kind.CUMULATIVE for t in targets)
    if value is not None and judged and not totals_only:
        if running:
            opening = _(
                "The figure for %(year)s so far, up to and including %(quarter)s, is %(value)s."
            ) % {"year": year, "quarter": row.horizon.last, "value": row.show(value)}
        else:
            opening = _("The figure for %(year)s is %(value)s.") % {
                "year": year,
                "value": row.show(value),
            }
        sentence = f"{opening} {sentence}"
    if judged:
        sentence = f"{sentence} {row.readings.notes.get(year, '')}".strip()
    plan_year = plan_years.get(year)
    partial = plan_year is not None and plan_year.is_partial
    if partial and not running:
        sentence = f"{sentence} {partial_note(plan_year)}"
    return Evaluation(
        criterion=criterion,
        year=year,
        area=area,
        verdict=result.verdict,
        sentence=sentence,
        partial_year=partial,
        value=value,
        assessment=assessment,
        running=running,
        as_of=row.horizon.last,
    )


def evaluate_criteria(
    criteria: Iterable[SuccessCriterion], figures: Figures, years: Iterable[int] | None = None
) -> list[Evaluation]:
    """Every criterion judged in each of `years` (every year of the plan by default) as it
    stood once that year was over, per row, in the order of the criteria and their rows."""
    criteria = list(criteria)
    wanted = set(years) if years is not None else {y.year for y in figures.plan_years}
    by_row: dict[tuple[int, int | None], list[Evaluation]] = defaultdict(list)
    for plan_year in figures.plan_years:
        if plan_year.year in wanted:
            for evaluation in evaluate_at(criteria, figures, figures.end_of(plan_year.year)):
                key = (evaluation.criterion.pk, evaluation.area.pk if evaluation.area else None)
                by_row[key].append(evaluation)
    return [evaluation for evaluations in by_row.values() for evaluation in evaluations]


def evaluate_plan(plan: Plan, years: Iterable[int] | None = None) -> list[Evaluation]:
    """Every criterion of the plan judged in every year (or the given years), per row."""
    criteria = SuccessCriterion.objects.for_evaluation(plan)
    return evaluate_criteria(criteria, Figures.load(plan), years)
