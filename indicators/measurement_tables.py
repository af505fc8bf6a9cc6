"""Figures laid out for the measurement pages: tables by year and area, and their history.

Everything here works on rows already fetched (see
`SuccessCriterion.objects.for_measurements_page`), so laying out a page never queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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
    change is the object's previous row. `show` writes a row's value for people.
    """
    previous: dict = {}
    found = []
    for record in records:
        before = previous.get(record.id)
        removed = record.history_type == "-"
        found.append(
            Change(
                when=record.history_date,
                who=record.history_user,
                area=getattr(record, "area", None),
                before=show(before) if before is not None else "",
                after="" if removed else show(record),
                reason=record.history_change_reason or "",
            )
        )
        previous[record.id] = None if removed else record
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


@dataclass(frozen=True)
class PreviewRow:
    """A row of an uploaded sheet, numbered as in the sheet (the headings are row 1)."""

    number: int
    import_type: str
    cells: list[str]
    errors: list[str]

    @property
    def status(self) -> str:
        return {
            "new": _("new"),
            "update": _("changed"),
            "skip": _("unchanged"),
            "delete": _("removed"),
        }.get(self.import_type, _("error"))


def show_cell(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime | datetime.date):
        return cell.strftime("%d.%m.%Y")
    if isinstance(cell, float | Decimal):
        try:
            return format_figure(Decimal(str(cell)))
        except InvalidOperation:  # too large to round to the hundredth, or infinite: as written
            return str(cell)
    return str(cell)


def sheet_preview(dataset, result) -> list[PreviewRow]:
    """Each row of the sheet with what the import would do to it, or what is wrong with it."""
    invalid = {row.number: row for row in result.invalid_rows}
    failed = dict(result.row_errors())
    rows = []
    for number, (cells, row_result) in enumerate(zip(dataset, result.rows, strict=False), 1):
        errors: list[str] = []
        if number in invalid:
            for column, messages in invalid[number].field_specific_errors.items():
                errors += [f"{column}: {message}" for message in messages]
            errors += [str(message) for message in invalid[number].non_field_specific_errors]
        errors += [str(error.error) for error in failed.get(number, [])]
        rows.append(
            PreviewRow(number + 1, row_result.import_type, [show_cell(c) for c in cells], errors)
        )
    return rows
