"""Figures laid out for the measurement pages: tables by year and area, and their history.

Everything here works on rows already fetched (see
`SuccessCriterion.objects.for_measurements_page`), so laying out a page never queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from agreements.models import HousingArea, Plan, PlanArea
from lib.numbers import format_figure

from .models import SuccessCriterion


@dataclass(frozen=True)
class YearColumn:
    year: int
    is_baseline: bool = False
    coverage: str = ""  # the part of a partial plan year the plan covers, else empty

    @property
    def is_partial(self) -> bool:
        return bool(self.coverage)


@dataclass(frozen=True)
class AreaRow:
    area: HousingArea | None
    cells: list[str]

    @property
    def label(self) -> str:
        return self.area.label if self.area else _("Whole plan")


@dataclass(frozen=True)
class FigureTable:
    columns: list[YearColumn]
    rows: list[AreaRow]


def year_columns(plan: Plan, years_with_figures: Iterable[int]) -> list[YearColumn]:
    """The baseline years that have figures, then every year of the plan."""
    plan_years = plan.years()
    first = plan_years[0].year
    baseline = sorted({year for year in years_with_figures if year < first})
    return [YearColumn(year, is_baseline=True) for year in baseline] + [
        YearColumn(year.year, coverage=year.describe_coverage() if year.is_partial else "")
        for year in plan_years
    ]


def figure_table(
    criterion: SuccessCriterion, plan: Plan, plan_areas: list[PlanArea]
) -> FigureTable:
    """The yearly figures of the criterion's indicator: the whole plan, then each of the
    plan's areas that has figures or a target of its own (a reference has no areas)."""
    indicator = criterion.indicator
    measurements = list(indicator.measurements.all())
    by_cell = {(m.area_id, m.year): m.value for m in measurements}
    columns = year_columns(plan, (m.year for m in measurements))
    areas: list[HousingArea | None] = [None]
    if not indicator.is_reference:
        shown = {m.area_id for m in measurements} | {t.area_id for t in criterion.targets.all()}
        areas += [plan_area.area for plan_area in plan_areas if plan_area.area_id in shown]
    rows = [
        AreaRow(
            area,
            [format_figure(by_cell.get((area.pk if area else None, c.year))) for c in columns],
        )
        for area in areas
    ]
    return FigureTable(columns, rows)


@dataclass(frozen=True)
class Change:
    """One recorded change: who, when, from what to what, and why."""

    when: datetime.datetime
    who: object
    area: HousingArea | None
    before: str
    after: str
    reason: str


def changes(records: Iterable, show: Callable[[object], str]) -> list[Change]:
    """The changes recorded by django-simple-history, newest first.

    `records` are historical rows of one or more objects, oldest first; the value before a
    change is the object's previous row. `show` writes a row's value for people. A row's first
    record that is not its creation is where its history starts (a figure loaded with the
    plan), not a change anyone made; and a record that shows what the one before it showed
    changed nothing anyone can see. Neither is listed.
    """
    previous: dict = {}
    found = []
    for record in records:
        started = record.id in previous
        before = previous.get(record.id)
        removed = record.history_type == "-"
        previous[record.id] = None if removed else record
        if record.history_type == "~" and not started:
            continue
        shown_before = show(before) if before is not None else ""
        shown_after = "" if removed else show(record)
        if shown_before == shown_after:
            continue
        found.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                area=getattr(record, "area", None),
                before=shown_before,
                after=shown_after,
                reason=record.history_change_reason or "",
            )
        )
    return found[::-1]


def show_measurement(record) -> str:
    parts = [format_figure(record.value)]
    if record.source_note:
        parts.append(record.source_note)
    if record.measured_on:
        parts.append(record.measured_on.strftime("%d.%m.%Y"))
    return " · ".join(parts)


def show_assessment(record) -> str:
    return f"{record.get_status_display()}: {record.justification}"
