"""The board's dashboard: where the plan stands in a year or half-year, in one screen.

Per delaftale, each success criterion with its verdict and the sentence that explains it, and
a chart of its figures over the years; the activities' delivery so far against their yearly
targets; how complete the quarterly reports are; and the budget. Everything rests on what
reporters have submitted (drafts are left out) and is read in a fixed number of queries,
however many plans, years, criteria or counts the database holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.utils.translation import gettext as _

from activities.completeness import Completeness
from activities.delivery import YearToDate, counts_by_metric, year_to_date, yearly_targets
from activities.models import Activity, Metric, QuarterlyCount
from agreements.models import HousingArea, Plan, Subagreement
from indicators.evaluation import Evaluation, Figures, evaluate_criteria
from indicators.models import SuccessCriterion
from indicators.rules import Verdict
from lib.numbers import format_figure, small_number
from lib.params import parse_int
from lib.periods import HalfYear, Quarter

from .chart_data import ChartData, chart_data
from .charts import TargetLine, YearValue, criterion_figure, delivery_bar


@dataclass(frozen=True)
class Period:
    """A calendar year ("2019") or a half-year ("2019H1") of a plan: what the dashboard shows.

    Criteria are judged per year, so a half-year shows its year's verdicts so far; delivery
    and completeness are the half-year's own quarters.
    """

    year: int
    half: HalfYear | None = None

    @classmethod
    def parse(cls, code: str) -> Period:
        """ "2019" or "2019H1"; ValueError for anything else."""
        if len(code) == 4 and (year := parse_int(code)) is not None:
            return cls(year)
        half = HalfYear.parse(code)
        return cls(half.year, half)

    @classmethod
    def choices(cls, plan: Plan) -> list[Period]:
        periods = []
        for plan_year in plan.years():
            periods.append(cls(plan_year.year))
            periods += [cls(h.year, h) for h in plan.half_years() if h.year == plan_year.year]
        return periods

    @classmethod
    def latest(cls, plan: Plan, today) -> Period:
        """The year of the quarter just ended, within the plan."""
        return cls(plan.reporting_quarter(today).year)

    @property
    def code(self) -> str:
        return self.half.code if self.half else str(self.year)

    def quarters(self, plan: Plan) -> list[Quarter]:
        """The period's quarters that fall inside the plan."""
        wanted = self.half.quarters if self.half else [Quarter(self.year, n) for n in range(1, 5)]
        inside = set(plan.quarters())
        return [quarter for quarter in wanted if quarter in inside]

    def __str__(self) -> str:
        return str(self.half) if self.half else str(self.year)


@dataclass
class CriterionPanel:
    criterion: SuccessCriterion
    evaluation: Evaluation
    chart: ChartData | None
    mask: bool = False  # hide small counts of a sensitive metric (see Metric.hides)

    @cached_property
    def figure(self) -> dict | None:
        """The chart's SVG and its table, drawn once for the page or the PDF."""
        return chart_figure(self)

    def hides(self, value) -> bool:
        """Whether a yearly figure of this criterion is a small count not to be shown: only
        a plain count of a sensitive metric can be; a share reveals no count."""
        metric = self.criterion.metric if self.criterion.metric_id else None
        return (
            self.mask
            and metric is not None
            and not self.criterion.denominator_metric_id
            and metric.hides(value)
        )

    @property
    def baseline(self) -> YearValue | None:
        """The chart's baseline, which may itself be a measured count."""
        return YearValue(*self.chart.baseline) if self.chart and self.chart.baseline else None

    @property
    def sentence(self) -> str:
        """The engine's sentence, unless it names a hidden count: the year's figure or a
        baseline measured as one."""
        baseline = self.baseline.value if self.baseline else None
        if self.hides(self.evaluation.value) or self.hides(baseline):
            return _(
                "A figure behind this verdict is below %(threshold)s and is not shown in "
                "reports to the board and Landsbyggefonden."
            ) % {"threshold": settings.SMALL_NUMBER_THRESHOLD}
        return self.evaluation.sentence


@dataclass
class SubagreementPanel:
    subagreement: Subagreement
    criteria: list[CriterionPanel] = field(default_factory=list)

    @cached_property
    def verdict_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.criteria:
            totals[row.evaluation.verdict] += 1
        return dict(totals)


@dataclass
class Delivery:
    """One metric of one activity in one area (or the whole plan): the year so far up to the
    period's last quarter, against its yearly target."""

    activity: Activity
    metric: Metric
    area: HousingArea | None  # None: the target is the whole plan's
    so_far: YearToDate
    mask: bool = False

    @property
    def hidden(self) -> bool:
        """The figure so far is a small count of a sensitive metric, shown as "<5"."""
        return self.mask and self.metric.hides(self.so_far.value)

    @cached_property
    def figure(self) -> dict:
        return delivery_figure(self)


@dataclass
class Dashboard:
    plan: Plan
    period: Period
    area: HousingArea | None
    areas: list[HousingArea]
    subagreements: list[SubagreementPanel]
    delivery: list[Delivery]
    completeness: list[Completeness]
    budget: dict
    mask: bool

    @classmethod
    def load(
        cls, plan: Plan, period: Period, area: HousingArea | None = None, *, mask: bool = True
    ) -> Dashboard:
        """`mask`: show small counts of sensitive metrics as "<5", as in every report to the
        board and Landsbyggefonden; only the secretariat sees them (False)."""
        areas = list(
            HousingArea.objects.filter(plan_areas__plan=plan).order_by("plan_areas__position")
        )
        quarters = period.quarters(plan)
        return cls(
            plan=plan,
            period=period,
            area=area,
            areas=areas,
            subagreements=criteria_panels(plan, period, area, mask),
            delivery=delivery(plan, quarters[-1], area, mask) if quarters else [],
            completeness=[Completeness.load(plan, quarter) for quarter in quarters],
            budget=plan.budget_overview(),
            mask=mask,
        )

    @property
    def threshold(self) -> int:
        return settings.SMALL_NUMBER_THRESHOLD

    @property
    def verdict_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for panel in self.subagreements:
            for verdict, total in panel.verdict_totals.items():
                totals[verdict] += total
        return dict(totals)

    def overview(self) -> tuple[list[Verdict], list[tuple[SubagreementPanel, list[int]]], list]:
        """The table the board reads first: the verdicts that occur, in a fixed order; per
        delaftale how many criteria have each; and the whole plan's totals."""
        totals = self.verdict_totals
        verdicts = [verdict for verdict in Verdict if verdict in totals]
        rows = [
            (panel, [panel.verdict_totals.get(verdict, 0) for verdict in verdicts])
            for panel in self.subagreements
        ]
        return verdicts, rows, [totals[verdict] for verdict in verdicts]


def criteria_panels(plan: Plan, period: Period, area: HousingArea | None, mask: bool) -> list:
    """Each criterion's verdict for the period's year, in the chosen area where the criterion
    has a row for it and for the whole plan otherwise, with its chart data."""
    figures = Figures.load(plan, reported_only=True)
    criteria = list(SuccessCriterion.objects.for_evaluation(plan))
    evaluations = evaluate_criteria(criteria, figures, years=[period.year])
    rows: dict[int, dict] = defaultdict(dict)
    for evaluation in evaluations:
        rows[evaluation.criterion.pk][evaluation.area.pk if evaluation.area else None] = evaluation
    panels: dict[int, SubagreementPanel] = {}
    for criterion in criteria:
        by_area = rows[criterion.pk]
        area_id = area.pk if area and area.pk in by_area else None
        evaluation = by_area.get(area_id) or next(iter(by_area.values()))
        chart = None
        if criterion.kind == SuccessCriterion.Kind.QUANTITATIVE:
            area_id = evaluation.area.pk if evaluation.area else None
            chart = chart_data(criterion, figures, area_id, up_to=period.year)
        panel = panels.setdefault(
            criterion.subagreement_id, SubagreementPanel(criterion.subagreement)
        )
        panel.criteria.append(CriterionPanel(criterion, evaluation, chart, mask))
    return list(panels.values())


def delivery(plan: Plan, quarter: Quarter, area: HousingArea | None, mask: bool) -> list[Delivery]:
    """Every counted metric with a yearly target, per activity and area, up to `quarter`."""
    pairs = Activity.objects.in_plan(plan).pairs()
    if area is not None:
        pairs = [(activity, pair_area) for activity, pair_area in pairs if pair_area == area]
    metrics = {metric.pk: metric for activity, _area in pairs for metric in activity.metrics.all()}
    targets = yearly_targets(metrics, quarter.year)
    counts = counts_by_metric(metrics, QuarterlyCount.objects.reported().filter(year=quarter.year))
    found, whole_plan = [], set()
    for activity, pair_area in pairs:
        for metric in activity.metrics.all():
            if metric.pk not in targets or metric.pk in whole_plan:
                continue
            so_far = year_to_date(metric, pair_area, quarter, counts[metric.pk], targets[metric.pk])
            if so_far.whole_plan:
                # The target is the whole plan's: one line, not one per area.
                whole_plan.add(metric.pk)
            found.append(
                Delivery(activity, metric, None if so_far.whole_plan else pair_area, so_far, mask)
            )
    return found


def chart_figure(panel: CriterionPanel) -> dict | None:
    """The chart and its table for a criterion (reports/_chart_figure.html), or None when
    there is nothing to draw: no figure, no baseline and no target line."""
    data = panel.chart
    if data is None or not (data.measured or data.baseline or data.targets):
        return None
    hidden = {year for year in data.years if panel.hides(data.measured.get(year))}
    baseline = panel.baseline
    if baseline and panel.hides(baseline.value):
        hidden.add(baseline.year)
        baseline = None
    targets = [
        TargetLine(label, tuple(YearValue(year, value) for year, value in sorted(points.items())))
        for label, points in data.targets
        # A target line computed from a hidden figure (a change from it) would give it away;
        # only a fixed level is kept.
        if not hidden or len(set(points.values())) == 1
    ]
    return criterion_figure(
        title=panel.criterion.text,
        years=data.years,
        # A hidden count is a gap in the line, and "<5" in the table and the description.
        measured=[
            YearValue(year, None if year in hidden else data.measured.get(year))
            for year in data.years
        ],
        baseline=baseline,
        targets=targets,
        unit=data.unit,
        chart_id=f"criterion-{panel.criterion.pk}-chart",
        hidden_years=frozenset(hidden),
    )


def delivery_figure(line: Delivery) -> dict:
    """The year so far as text and as a bar against the target."""
    target = line.so_far.target.value if line.so_far.target else None
    area = line.area.pk if line.area else "plan"
    if line.hidden:
        shown = small_number()
    else:
        shown = format_figure(line.so_far.value) if line.so_far.value is not None else ""
    return {
        "shown": shown,
        "bar": delivery_bar(
            label=line.metric.name,
            value=line.so_far.value,
            target=target,
            chart_id=f"delivery-{line.metric.pk}-{area}",
            hidden=line.hidden,
        ),
    }
