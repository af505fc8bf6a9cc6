"""Invented figures for a plan, so that a fresh installation shows a plan at work rather than
empty grids: quarterly counts with their reports, and yearly measurements
(`manage.py load_demo_data`).

Every row written here carries `is_demo`, and the plan carries `has_demo_data` so that its
pages say the figures are invented; `remove_demo_data` takes out exactly those rows. Real
data is never touched: an activity's quarter in an area that has a real count or report is
left to its reporter, and a year with a real figure keeps it.

The numbers are plausible rather than random noise. Counts sit around the level the targets of
the criteria that read them ask for (CriterionTarget), with most activities on track, some
behind and a few quarters not reported; a share's numerator never exceeds its denominator.
Measurements continue each indicator's latest real figure with a mild trend, better for some
areas and not for others.

Every number comes from a `random.Random` seeded with SEED and the names of what it is for
(the activity and area, the indicator and area), so each run writes the same data, and one
row's numbers stay the same when another row is skipped because it holds real data.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import router, transaction
from django.utils import timezone

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Plan
from indicators.models import (
    CriterionTarget,
    Indicator,
    Measurement,
    SuccessCriterion,
    Unit,
)
from lib.periods import Quarter

SEED = 2017

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison
FALLING = {Comparison.AT_MOST, Comparison.BELOW}

# How an activity in an area delivers: most on track, about one in four behind.
BEHIND_CHANCE = 0.25
# Now and then a quarter is not reported at all, at most twice for an activity in an area.
MISSING_CHANCE = 0.06
MOST_MISSING = 2
# Quarters in which the covid-19 restrictions held most activities back, and how far.
RESTRICTED_QUARTERS = {Quarter(2020, 2): 0.5, Quarter(2020, 4): 0.8, Quarter(2021, 1): 0.7}

# What reporters write about whether their activity works. No names: the notes are shown to
# the board, and a real note must not name residents either.
NOTES = {
    QuarterReport.Progress.ON_TRACK: [
        "Aktiviteten kører som planlagt, og deltagelsen er stabil.",
        "God opbakning fra beboerne og flere nye deltagere i kvartalet.",
        "Samarbejdet med de lokale foreninger fungerer godt.",
        "Forløbet er gennemført som planlagt, og deltagerne har givet positive tilbagemeldinger.",
        "Stabilt fremmøde; de frivillige har taget mere ansvar for planlægningen.",
        "Vi har nået flere i målgruppen gennem opsøgende arbejde i området.",
    ],
    QuarterReport.Progress.ATTENTION: [
        "Færre deltagere end ventet; vi øger den opsøgende indsats.",
        "Udskiftning blandt de frivillige har betydet færre aktiviteter i kvartalet.",
        "Rekrutteringen går langsommere end planlagt.",
        "Lokalet har været lukket i en periode, så nogle aktiviteter er udskudt.",
    ],
    QuarterReport.Progress.OFF_TRACK: [
        "Aktiviteten er sat på pause, mens samarbejdet med partneren afklares.",
        "Målgruppen er svær at nå, og indsatsen skal tilpasses.",
        "Manglende personaleressourcer har betydet aflyste aktiviteter.",
    ],
}
RESTRICTED_NOTES = [
    "Corona-restriktionerne har begrænset aktiviteten; en del er holdt udendørs eller online.",
    "Flere arrangementer er aflyst på grund af forsamlingsforbuddet.",
]
PROGRESS_WEIGHTS = {
    False: [85, 13, 2],  # on track
    True: [30, 45, 25],  # behind
}


def stream(*names: object) -> random.Random:
    """A random stream of its own for what `names` describe, the same in every run (a string
    seed is hashed with SHA-512, not with Python's per-process hash)."""
    return random.Random("|".join(str(name) for name in (SEED, *names)))


def round_randomly(value: float, rng: random.Random) -> int:
    """A whole number whose average is `value`: 0,25 a quarter is one walk a year, not none."""
    whole = int(value)
    return whole + (rng.random() < value - whole)


@dataclass(frozen=True)
class DemoSummary:
    """How many demo rows were written (or removed)."""

    counts: int = 0
    reports: int = 0
    measurements: int = 0

    def __add__(self, other: DemoSummary) -> DemoSummary:
        return DemoSummary(
            self.counts + other.counts,
            self.reports + other.reports,
            self.measurements + other.measurements,
        )


@dataclass
class Level:
    """How much one metric counts in a quarter when its activity delivers as planned."""

    per_quarter: dict[int, float] = field(default_factory=dict)  # by housing area id
    # The criteria want fewer (negative press, young people on the dropout lists).
    falling: bool = False
    # A total due by a deadline: nothing new is counted after that year.
    last_year: int | None = None
    # The numerator of a share: a part of the denominator metric's count.
    share_of: int | None = None
    share: float = 0.0


def target_value(target: CriterionTarget) -> float:
    """The middle of a range ("10-12"), else the value."""
    if target.value_max is not None:
        return float(target.value + target.value_max) / 2
    return float(target.value)


def level_of(
    metric: Metric, area_ids: list[int], criteria: list[SuccessCriterion], quarters: list[Quarter]
) -> Level:
    """The level the targets of the criteria that read `metric` ask for, per area."""
    level = Level()
    # A year's figure is the sum of four quarters, or (highest, last, average) one quarter's.
    quarters_a_year = 4 if metric.aggregation == Metric.Aggregation.SUM else 1
    wanted: dict[int, float] = {}
    for criterion in criteria:
        for target in criterion.targets.all():
            if criterion.denominator_metric_id:
                if target.value is not None:
                    level.share_of = criterion.denominator_metric_id
                    level.share = max(level.share, target_value(target) / 100)
                continue
            if target.comparison in FALLING:
                level.falling = True
            if target.value is None:
                continue
            if target.kind == Kind.CUMULATIVE:
                first = target.from_year or quarters[0].year
                level.last_year = target.to_year or quarters[-1].year
                span = [q for q in quarters if first <= q.year <= level.last_year]
                periods = len(span) if quarters_a_year == 4 else len({q.year for q in span})
                per_quarter = target_value(target) / max(periods, 1)
            else:
                per_quarter = target_value(target) / quarters_a_year
            targeted = [target.area_id] if target.area_id else area_ids
            for area_id in targeted:
                in_area = per_quarter if target.area_id else per_quarter / len(area_ids)
                wanted[area_id] = max(wanted.get(area_id, 0.0), in_area)
    if wanted:
        average = sum(wanted.values()) / len(wanted)
        level.per_quarter = {area_id: wanted.get(area_id, average) for area_id in area_ids}
    else:
        rng = stream("level", *metric_names(metric))
        base = rng.uniform(2, 10) if quarters_a_year == 4 else rng.uniform(5, 15)
        level.per_quarter = dict.fromkeys(area_ids, base)
    return level


def metric_names(metric: Metric) -> tuple:
    activity = metric.activity
    return (activity.subagreement.focus_area.code, activity.position, metric.name)


def denominators_first(metrics: list[tuple[Metric, Level]]) -> list[tuple[Metric, Level]]:
    """The metrics in an order that counts each denominator before the shares of it, even
    when a denominator is itself a share of another metric."""
    ordered: list[tuple[Metric, Level]] = []
    placed: set[int | None] = {None}
    pending = list(metrics)
    while pending:
        ready = [item for item in pending if item[1].share_of in placed] or pending[:1]
        for item in ready:
            ordered.append(item)
            placed.add(item[0].pk)
            pending.remove(item)
    return ordered


@dataclass(frozen=True)
class Delivery:
    """What an activity reported in an area for one quarter."""

    counts: dict[int, int]  # by metric id
    progress: str
    note: str
    submitted_at: datetime.datetime
    approved_at: datetime.datetime


class PairDemo:
    """One activity in one housing area, delivering quarter by quarter.

    Whether it is behind, its trend and everything else is drawn from the pair's own stream;
    `deliver` must be called for each quarter in order.
    """

    def __init__(self, plan: Plan, activity: Activity, area: HousingArea, levels: dict):
        self.activity = activity
        self.area = area
        self.start = plan.quarters()[0]
        self.rng = rng = stream(
            plan.slug, activity.subagreement.focus_area.code, activity.position, area.code
        )
        self.behind = rng.random() < BEHIND_CHANCE
        self.factor = rng.uniform(0.55, 0.85) if self.behind else rng.uniform(1.0, 1.3)
        self.rise = rng.uniform(-0.06, 0.02) if self.behind else rng.uniform(0.0, 0.06)
        self.fall = rng.uniform(-0.03, 0.05) if self.behind else rng.uniform(-0.18, -0.10)
        self.share_factor = rng.uniform(0.7, 0.95) if self.behind else rng.uniform(1.0, 1.2)
        self.missing = 0
        self.metrics = denominators_first(
            [(metric, levels[metric.pk]) for metric in activity.metrics.all()]
        )

    def deliver(self, quarter: Quarter) -> Delivery | None:
        """The quarter's counts and report, or None when the quarter was not reported."""
        rng = self.rng
        if rng.random() < MISSING_CHANCE and self.missing < MOST_MISSING:
            self.missing += 1
            return None
        years = ((quarter.year - self.start.year) * 4 + quarter.number - self.start.number) / 4
        restricted = RESTRICTED_QUARTERS.get(quarter, 1.0)
        counts: dict[int, int] = {}
        for metric, level in self.metrics:
            summed = metric.aggregation == Metric.Aggregation.SUM
            noise = rng.uniform(0.7, 1.3) if summed else rng.uniform(0.9, 1.1)
            denominator = counts.get(level.share_of)
            if denominator is not None:
                share = min(1.0, level.share * self.share_factor * rng.uniform(0.9, 1.1))
                counts[metric.pk] = min(denominator, round(denominator * share))
                continue
            if level.last_year is not None and quarter.year > level.last_year:
                counts[metric.pk] = 0
                continue
            factor = 1 / self.factor if level.falling else self.factor
            trend = (1 + (self.fall if level.falling else self.rise)) ** years
            expected = level.per_quarter[self.area.pk] * factor * trend * restricted * noise
            counts[metric.pk] = round_randomly(expected, rng)
        weights = PROGRESS_WEIGHTS[self.behind]
        progress = rng.choices(list(QuarterReport.Progress), weights=weights)[0]
        note = rng.choice(NOTES[progress])
        if quarter in RESTRICTED_QUARTERS and rng.random() < 0.6:
            progress = QuarterReport.Progress.ATTENTION
            note = rng.choice(RESTRICTED_NOTES)
        submitted = datetime.datetime.combine(
            quarter.last_day + datetime.timedelta(days=rng.randint(3, 25)),
            datetime.time(rng.randint(8, 15), rng.randint(0, 59)),
        )
        submitted_at = timezone.make_aware(submitted)
        approved_at = submitted_at + datetime.timedelta(
            days=rng.randint(2, 20), hours=rng.randint(0, 5)
        )
        return Delivery(counts, progress, note, submitted_at, approved_at)


def better_direction(criteria: list[SuccessCriterion]) -> int | None:
    """+1 when the criteria want the figure to rise, -1 to fall, None when none says."""
    for criterion in criteria:
        for target in criterion.targets.all():
            if target.kind == Kind.REFERENCE:
                continue
            return -1 if target.comparison in FALLING else 1
    return None


def yearly_change_asked(criteria: list[SuccessCriterion]) -> float:
    """The largest change a year the targets ask for ("falde med 10 % pr. år": 0,10)."""
    asked = 0.0
    for criterion in criteria:
        for target in criterion.targets.all():
            if target.kind == Kind.CHANGE_PREVIOUS and target.change_percent is not None:
                asked = max(asked, abs(float(target.change_percent)) / 100)
            elif target.kind == Kind.CHANGE_BASELINE and target.change_percent is not None:
                horizon = target.horizon_years or 1
                asked = max(asked, abs(float(target.change_percent)) / 100 / horizon)
    return asked


UNIT_LEVELS = {
    Unit.PERCENT: (10, 40),
    Unit.PER_THOUSAND: (15, 35),
    Unit.FULL_TIME_PERSONS: (30, 200),
    Unit.COUNT: (10, 60),
}


def start_level(
    indicator: Indicator,
    criteria: list[SuccessCriterion],
    others: list[float],
    direction: int | None,
    rng: random.Random,
) -> float:
    """Where an indicator's line starts in an area without a real figure: near the other
    areas' latest figures, else short of the criteria's target, else a size that fits the
    unit."""
    if others:
        return sum(others) / len(others) * rng.uniform(0.9, 1.1)
    for criterion in criteria:
        for target in criterion.targets.all():
            if target.value is not None:
                short = rng.uniform(0.75, 0.95) if direction != -1 else rng.uniform(1.05, 1.3)
                return target_value(target) * short
            if target.baseline_value:
                return float(target.baseline_value)
    low, high = UNIT_LEVELS.get(indicator.unit, (5, 30))
    return rng.uniform(low, high)


def as_figure(value: float, unit: str) -> Decimal:
    if unit == Unit.PERCENT:
        value = min(value, 100.0)
    value = max(value, 0.0)
    places = Decimal(1) if unit == Unit.COUNT else Decimal("0.1")
    return Decimal(str(value)).quantize(places)


def measurement_series(
    plan: Plan, criteria: list[SuccessCriterion], years: list[int]
) -> dict[tuple[int, int | None], dict[int, Decimal]]:
    """Invented yearly figures by (indicator id, area id) and year, for `years`.

    Each indicator gets figures in every area that has real ones and every area its criteria
    are judged in (the whole plan only, for an external reference). A line continues from the
    latest real figure before the plan; a real figure in one of `years` is kept, not invented,
    and the line goes on from it.
    """
    real: dict[tuple[int, int | None], dict[int, float]] = defaultdict(dict)
    for indicator_id, area_id, year, value in Measurement.objects.filter(
        indicator__plan=plan, is_demo=False
    ).values_list("indicator_id", "area_id", "year", "value"):
        real[(indicator_id, area_id)][year] = float(value)
    reading: dict[int, list[SuccessCriterion]] = defaultdict(list)
    for criterion in criteria:
        if criterion.indicator_id and criterion.kind == SuccessCriterion.Kind.QUANTITATIVE:
            reading[criterion.indicator_id].append(criterion)
    area_codes = dict(plan.areas.values_list("pk", "code"))
    first_year = years[0]
    series = {}
    for indicator in Indicator.objects.filter(plan=plan).order_by("name"):
        criteria_of = reading[indicator.pk]
        rows = {area_id for (indicator_id, area_id) in real if indicator_id == indicator.pk}
        for criterion in criteria_of:
            rows.update(target.area_id for target in criterion.targets.all())
            if not criterion.targets.all():
                rows.add(None)
        if indicator.is_reference or not rows:
            rows = {None}
        latest = [
            figures[max(figures)]
            for (indicator_id, _area), figures in real.items()
            if indicator_id == indicator.pk and figures
        ]
        direction = better_direction(criteria_of)
        asked = yearly_change_asked(criteria_of)
        for area_id in sorted(rows, key=lambda pk: (pk is not None, pk or 0)):
            rng = stream(plan.slug, indicator.name, area_codes.get(area_id, ""))
            known = real.get((indicator.pk, area_id), {})
            before = [year for year in known if year < first_year]
            if before:
                since = max(before)
                value = known[since]
            else:
                since = first_year - 1
                value = start_level(indicator, criteria_of, latest, direction, rng)
            improving = direction is not None and rng.random() < 0.65
            if improving:
                step = direction * max(rng.uniform(0.02, 0.08), asked + rng.uniform(0.0, 0.04))
            elif direction is not None:
                step = -direction * rng.uniform(-0.01, 0.04)
            else:
                step = rng.uniform(-0.02, 0.02)
            invented = {}
            for year in range(since + 1, years[-1] + 1):
                value = max(value, 1.0) * (1 + step + rng.uniform(-0.03, 0.03))
                if year in known:
                    value = known[year]
                elif year in years:
                    invented[year] = as_figure(value, indicator.unit)
            series[(indicator.pk, area_id)] = invented
    return series


def real_quarters(plan: Plan) -> set[tuple[int, int, int, int]]:
    """(activity id, area id, year, quarter) of every quarter with a real count or report."""
    counts = (
        QuarterlyCount.objects.for_plans([plan.pk])
        .filter(is_demo=False)
        .values_list("metric__activity_id", "area_id", "year", "quarter")
    )
    reports = QuarterReport.objects.filter(
        activity__subagreement__plan=plan, is_demo=False
    ).values_list("activity_id", "area_id", "year", "quarter")
    return set(counts) | set(reports)


@transaction.atomic
def load_demo_data(
    *, plan: Plan, on_year: Callable[[int, DemoSummary], None] | None = None
) -> DemoSummary:
    """Fill the plan with invented counts, reports and measurements, flagged as demo data, for
    the quarters and years of the plan that have ended; `on_year` hears of each year written.

    Demo data loaded before is removed first, so loading again gives the same rows, not twice
    as many. Writes a few bulk inserts a year, whatever the size of the plan.
    """
    remove_demo_data(plan=plan)
    today = timezone.localdate()
    quarters = [quarter for quarter in plan.quarters() if quarter.last_day < today]
    years = [year.year for year in plan.years() if year.year < today.year]
    criteria = list(SuccessCriterion.objects.for_evaluation(plan))
    pairs = Activity.objects.in_plan(plan).pairs()
    areas_of: dict[int, list[int]] = defaultdict(list)
    for activity, area in pairs:
        areas_of[activity.pk].append(area.pk)
    reading: dict[int, list[SuccessCriterion]] = defaultdict(list)
    for criterion in criteria:
        if criterion.metric_id and criterion.kind == SuccessCriterion.Kind.QUANTITATIVE:
            reading[criterion.metric_id].append(criterion)
    levels = {
        metric.pk: level_of(metric, areas_of[activity.pk], reading[metric.pk], plan.quarters())
        for activity in dict.fromkeys(activity for activity, _area in pairs)
        for metric in activity.metrics.all()
    }
    demos = [PairDemo(plan, activity, area, levels) for activity, area in pairs]
    taken = real_quarters(plan)
    measurements = measurement_series(plan, criteria, years) if years else {}
    last = quarters[-1] if quarters else None

    total = DemoSummary()
    for year in sorted({quarter.year for quarter in quarters} | set(years)):
        counts, reports = [], []
        for demo in demos:
            for quarter in (quarter for quarter in quarters if quarter.year == year):
                delivery = demo.deliver(quarter)
                key = (demo.activity.pk, demo.area.pk, quarter.year, quarter.number)
                if delivery is None or key in taken:
                    continue
                counts.extend(
                    QuarterlyCount(
                        metric_id=metric_id,
                        area=demo.area,
                        year=quarter.year,
                        quarter=quarter.number,
                        value=value,
                        is_demo=True,
                    )
                    for metric_id, value in delivery.counts.items()
                )
                approved = quarter != last
                reports.append(
                    QuarterReport(
                        activity=demo.activity,
                        area=demo.area,
                        year=quarter.year,
                        quarter=quarter.number,
                        status=(
                            QuarterReport.Status.APPROVED
                            if approved
                            else QuarterReport.Status.SUBMITTED
                        ),
                        progress=delivery.progress,
                        note=delivery.note,
                        # One save with submit, and the approval: as the entry form counts.
                        revision=2 if approved else 1,
                        submitted_at=delivery.submitted_at,
                        approved_at=delivery.approved_at if approved else None,
                        is_demo=True,
                    )
                )
        figures = [
            Measurement(
                indicator_id=indicator_id, area_id=area_id, year=year, value=value, is_demo=True
            )
            for (indicator_id, area_id), by_year in measurements.items()
            if (value := by_year.get(year)) is not None
        ]
        QuarterlyCount.objects.bulk_create(counts)
        QuarterReport.objects.bulk_create(reports)
        Measurement.objects.bulk_create(figures)
        written = DemoSummary(len(counts), len(reports), len(figures))
        total += written
        if on_year:
            on_year(year, written)
    Plan.objects.filter(pk=plan.pk).update(has_demo_data=True)
    plan.has_demo_data = True
    return total


def delete_quietly(queryset) -> int:
    """Delete the rows in one plain DELETE and say how many there were.

    QuerySet.delete() would have django-simple-history write a deletion record for each row,
    one query apiece, only for the demo rows' history to be deleted right after. Nothing
    refers to counts, reports or measurements, so no cascade is skipped.
    """
    return queryset._raw_delete(router.db_for_write(queryset.model))


@transaction.atomic
def remove_demo_data(*, plan: Plan) -> DemoSummary:
    """Delete the plan's demo counts, reports and measurements with their history, and take
    the demo flag off the plan. Real rows stay as they are."""
    counts = QuarterlyCount.objects.for_plans([plan.pk]).filter(is_demo=True)
    reports = QuarterReport.objects.filter(activity__subagreement__plan=plan, is_demo=True)
    measurements = Measurement.objects.filter(indicator__plan=plan, is_demo=True)
    removed = DemoSummary(
        delete_quietly(counts), delete_quietly(reports), delete_quietly(measurements)
    )
    # History exists when someone changed a demo row on the entry or measurements page.
    QuarterlyCount.history.filter(metric__activity__subagreement__plan=plan, is_demo=True).delete()
    QuarterReport.history.filter(activity__subagreement__plan=plan, is_demo=True).delete()
    Measurement.history.filter(indicator__plan=plan, is_demo=True).delete()
    Plan.objects.filter(pk=plan.pk).update(has_demo_data=False)
    plan.has_demo_data = False
    return removed
