"""The board's dashboard: where the plan stands in a year or half-year, in one screen.

Per delaftale, each success criterion with its verdict and the sentence that explains it, and
a chart of its figures over the years; the activities' delivery so far against their yearly
targets; how complete the quarterly reports are; and the budget. Everything rests on what
reporters have submitted (drafts are left out), and on what the period's horizon knows: the
counts of its quarters and those before, and the yearly figures of the years ended by then
(lib.periods.Horizon), so a half-year reads tomorrow as it reads today. A half-year whose
status report was sent to the board says what has changed since. Everything is read in a
fixed number of queries, however many plans, years, criteria or counts the database holds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from activities.completeness import Completeness
from activities.delivery import YearToDate, counts_by_metric, year_to_date, yearly_targets
from activities.models import Activity, Metric, PairStatus, QuarterlyCount
from agreements import data_version
from agreements.models import HousingArea, Plan, Subagreement
from economy.budget import BudgetUse
from indicators.evaluation import Evaluation, Figures, evaluate_at
from indicators.models import SuccessCriterion, Unit
from indicators.rules import Verdict, figure, worst
from lib.numbers import format_figure, small_number
from lib.params import parse_int
from lib.periods import HalfYear, Horizon, Quarter

from .changes import SinceSent
from .chart_data import ChartData, chart_data
from .charts import TargetLine, YearValue, criterion_figure, delivery_bar
from .models import SentReport


@dataclass(frozen=True)
class Period:
    """A calendar year ("2019") or a half-year ("2019H1") of a plan: what the dashboard shows.

    A period knows what its horizon knows (`horizon`): the quarterly counts up to its last
    quarter, and the yearly figures of the years ended by then. A half-year's criteria read
    from counts are judged on its year so far; those read from yearly figures on the latest
    year that has them. Delivery and completeness are the period's own quarters.
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

    def horizon(self, plan: Plan, today: datetime.date) -> Horizon:
        """What the period knows on `today`: up to its last quarter once that has ended, up
        to the quarter just ended while the period runs."""
        quarters = self.quarters(plan)
        last = min(quarters[-1], max(Quarter.containing(today).previous(), quarters[0]))
        return Horizon(last, tuple(plan.quarters()))

    def is_over(self, plan: Plan, horizon: Horizon) -> bool:
        return horizon.last == self.quarters(plan)[-1]

    def describe(self, plan: Plan, horizon: Horizon) -> str:
        """What the period rests on, in one plain sentence for the board."""
        values = {
            "period": self,
            "quarter": horizon.last,
            "year": horizon.last_full_year,
        }
        if self.is_over(plan, horizon):
            return (
                _(
                    "%(period)s rests on the quarterly counts up to and including %(quarter)s "
                    "and on the yearly figures and assessments up to and including %(year)s; "
                    "figures entered later for later quarters and years do not change it."
                )
                % values
            )
        return (
            _(
                "%(period)s is not over: the verdicts rest on the quarterly counts up to and "
                "including %(quarter)s and on the yearly figures and assessments up to and "
                "including %(year)s, and say whether the targets are on track."
            )
            % values
        )

    def __str__(self) -> str:
        return str(self.half) if self.half else str(self.year)


@dataclass
class CriterionPanel:
    """One criterion on the dashboard. `evaluation` is the row shown first: the chosen area's,
    else the whole plan's (or, for a criterion with area rows only, the first area's). In the
    whole plan's view `areas` holds the criterion's area rows besides it: a condition the
    agreement sets for each area is shown, and counts, for each area."""

    criterion: SuccessCriterion
    evaluation: Evaluation
    chart: ChartData | None
    mask: bool = False  # hide small counts of a sensitive metric (see Metric.hides)
    areas: list[Evaluation] = field(default_factory=list)

    @cached_property
    def figure(self) -> dict | None:
        """The chart's SVG and its table, drawn once for the page or the PDF."""
        return chart_figure(self)

    @property
    def rows(self) -> list[Evaluation]:
        return [self.evaluation, *self.areas]

    @property
    def verdict(self) -> Verdict:
        """The criterion's verdict: the worst of its rows, as it is met only when each is."""
        judged = [
            row.verdict
            for row in self.rows
            if row.verdict not in (Verdict.NOT_DUE, Verdict.ASSESSED)
        ]
        return worst(judged) if judged else self.evaluation.verdict

    @property
    def per_area_only(self) -> bool:
        """A criterion with targets for its areas only, shown in the whole plan's view."""
        return bool(self.areas) and self.evaluation.area is not None

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

    def sentence_of(self, evaluation: Evaluation, baseline=None) -> str:
        """The engine's sentence, unless it names a hidden count: the year's figure or a
        baseline measured as one."""
        if self.hides(evaluation.value) or self.hides(baseline):
            return _(
                "A figure behind this verdict is below %(threshold)s and is not shown in "
                "reports to the board and Landsbyggefonden."
            ) % {"threshold": settings.SMALL_NUMBER_THRESHOLD}
        return evaluation.sentence

    @property
    def sentence(self) -> str:
        return self.sentence_of(self.evaluation, self.baseline.value if self.baseline else None)

    @property
    def area_lines(self) -> list[tuple[Evaluation, str]]:
        """Each area row besides the first, with its sentence."""
        return [(row, self.sentence_of(row)) for row in self.areas]


@dataclass
class SubagreementPanel:
    subagreement: Subagreement
    criteria: list[CriterionPanel] = field(default_factory=list)

    @cached_property
    def verdict_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.criteria:
            totals[row.verdict] += 1
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


# The verdicts the summary's list of what is off track holds.
OFF_TRACK = (Verdict.NOT_ON_TRACK, Verdict.NOT_MET)


@dataclass(frozen=True)
class OffTrack:
    """A criterion off track, for the summary: where its rows are off track."""

    subagreement: Subagreement
    criterion: CriterionPanel
    where: list[str]
    # Only the whole plan is off track, which the summary then need not say on every line.
    whole_plan_only: bool = False

    @property
    def areas(self) -> list[str]:
        return [] if self.whole_plan_only else self.where


@dataclass
class Dashboard:
    plan: Plan
    period: Period
    area: HousingArea | None
    horizon: Horizon
    subagreements: list[SubagreementPanel]
    delivery: list[Delivery]
    completeness: list[Completeness]
    budget: dict
    spending: BudgetUse
    mask: bool
    since_sent: SinceSent | None = None

    @classmethod
    def load(
        cls,
        plan: Plan,
        period: Period,
        area: HousingArea | None = None,
        *,
        mask: bool = True,
        today: datetime.date | None = None,
    ) -> Dashboard:
        """`mask`: show small counts of sensitive metrics as "<5", as in every report to the
        board and Landsbyggefonden; only the secretariat sees them (False). `today` decides
        whether the period is over (the date of the request by default)."""
        horizon = period.horizon(plan, today or timezone.localdate())
        quarters = period.quarters(plan)
        panels, evaluations = criteria_panels(plan, horizon, area, mask)
        since_sent = None
        if period.half is not None:
            sent = SentReport.objects.latest_for(plan, period.half)
            if sent is not None:
                since_sent = SinceSent.load(sent, horizon, evaluations)
        budget = plan.budget_overview()
        return cls(
            plan=plan,
            period=period,
            area=area,
            horizon=horizon,
            subagreements=panels,
            delivery=delivery(plan, horizon.last, area, mask),
            completeness=[Completeness.load(plan, quarter) for quarter in quarters],
            budget=budget,
            spending=BudgetUse.load(plan, horizon.last_full_year, budget["subagreements"]),
            mask=mask,
            since_sent=since_sent,
        )

    @property
    def threshold(self) -> int:
        return settings.SMALL_NUMBER_THRESHOLD

    @property
    def rests_on(self) -> str:
        """What the period's figures are, in one sentence."""
        return self.period.describe(self.plan, self.horizon)

    @property
    def verdict_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for panel in self.subagreements:
            for verdict, total in panel.verdict_totals.items():
                totals[verdict] += total
        return dict(totals)

    @property
    def off_track(self) -> list[OffTrack]:
        """The criteria whose verdict is not on track or not met, in the agreement's order,
        each with the rows (the whole plan, or the areas) that make it so: what the board
        reads first, on the dashboard and on the status report's first page."""
        found = []
        for panel in self.subagreements:
            for row in panel.criteria:
                if row.verdict in OFF_TRACK:
                    # Areas by their short names: the summary is one screen, and the criterion's
                    # own rows below name them in full.
                    off = [e for e in row.rows if e.verdict in OFF_TRACK]
                    where = [e.area.label if e.area else e.where for e in off]
                    whole_plan_only = all(e.area is None for e in off)
                    found.append(OffTrack(panel.subagreement, row, where, whole_plan_only))
        return found

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


def criteria_panels(
    plan: Plan, horizon: Horizon, area: HousingArea | None, mask: bool
) -> tuple[list[SubagreementPanel], list[Evaluation]]:
    """Each criterion's verdict at the horizon, in the chosen area where the criterion has a
    row for it and for the whole plan otherwise, with its chart data; and every row's
    evaluation (what a sent report stores)."""
    figures = Figures.load(plan, reported_only=True)
    criteria = list(SuccessCriterion.objects.for_evaluation(plan))
    evaluations = evaluate_at(criteria, figures, horizon)
    rows: dict[int, dict] = defaultdict(dict)
    for evaluation in evaluations:
        rows[evaluation.criterion.pk][evaluation.area.pk if evaluation.area else None] = evaluation
    panels: dict[int, SubagreementPanel] = {}
    for criterion in criteria:
        by_area = rows[criterion.pk]
        others: list[Evaluation] = []
        if area is not None:
            evaluation = by_area.get(area.pk) or by_area.get(None) or next(iter(by_area.values()))
        else:
            ordered = list(by_area.values())
            evaluation, others = ordered[0], ordered[1:]
        chart = None
        if criterion.kind == SuccessCriterion.Kind.QUANTITATIVE:
            area_id = evaluation.area.pk if evaluation.area else None
            chart = chart_data(criterion, figures, area_id, horizon)
        panel = panels.setdefault(
            criterion.subagreement_id, SubagreementPanel(criterion.subagreement)
        )
        panel.criteria.append(CriterionPanel(criterion, evaluation, chart, mask, others))
    return list(panels.values()), evaluations


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
        so_far_years=frozenset() if data.so_far is None else frozenset({data.so_far}),
    )


def delivery_figure(line: Delivery) -> dict:
    """The year so far as text and as a bar against the target. People are counted in whole
    numbers on the board's pages: an average of the quarters is rounded half up."""
    target = line.so_far.target.value if line.so_far.target else None
    area = line.area.pk if line.area else "plan"
    value = figure(line.so_far.value, Unit.COUNT)
    if line.hidden:
        shown = small_number()
    else:
        shown = format_figure(value) if value is not None else ""
    return {
        "shown": shown,
        "note": line.so_far.kind_note,
        "bar": delivery_bar(
            label=line.metric.name,
            value=value,
            target=target,
            chart_id=f"delivery-{line.metric.pk}-{area}",
            hidden=line.hidden,
            # The row's "Counted" cell names the metric whole.
            show_label=False,
        ),
    }


def rendered(
    plan: Plan,
    period: Period,
    area: HousingArea | None,
    *,
    mask: bool,
    today: datetime.date | None = None,
) -> tuple[str, str]:
    """The dashboard's summary and details as HTML: rendered once for everyone who sees the
    same counts, and served from the cache while the data version stands.

    The key names all the page depends on: the data (its version: every write to the plans'
    data changes it, see agreements.data_version), the plan, the period and what its horizon
    knows today, the area, whether small counts are masked, and the language. One query
    (the version) when cached."""
    today = today or timezone.localdate()
    key = ":".join(
        [
            "dashboard",
            str(plan.pk),
            period.code,
            area.code if area else "",
            "masked" if mask else "every-count",
            period.horizon(plan, today).last.code,
            get_language() or "",
        ]
    )

    def render() -> tuple[str, str]:
        board = Dashboard.load(plan, period, area, mask=mask, today=today)
        verdicts, overview, verdict_totals = board.overview()
        context = {
            "plan": plan,
            "dashboard": board,
            "verdicts": verdicts,
            "overview": overview,
            "verdict_totals": verdict_totals,
            "statuses": list(PairStatus),
            "last_quarter": board.horizon.last,
        }
        return (
            render_to_string("reports/_dashboard_summary.html", context),
            render_to_string("reports/_dashboard_details.html", context),
        )

    return data_version.kept(key, render)
