"""Saving a reporter's quarter: counts and reports together, all or nothing.

Two people may have the same activity and area open (a coordinator and the secretariat, say).
Each report carries a revision that grows with every save; the save locks the stored reports
and refuses when one changed after the form was loaded, so nobody silently overwrites
another's numbers. Every change of a count is recorded by django-simple-history with who,
when and, once the numbers were submitted, why.

The save runs in a fixed number of queries whatever the size of the grid (bulk writes with
their history), so saving the secretariat's whole plan costs what saving one activity costs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lib.concurrency import Stale
from lib.history import bulk_delete_with_history, record_history_start

from .grid import EntryGrid, Pair
from .models import QuarterlyCount, QuarterReport


@dataclass(frozen=True)
class PairEntry:
    """What the entry form says about one activity in one area. `loaded_revision` is None
    when the form does not say which revision it was loaded with; the save refuses it as out
    of date."""

    pair: Pair
    loaded_revision: int | None
    counts: dict[int, int | None]
    note: str
    progress: str

    def changed_counts(self) -> dict[int, int | None]:
        stored = {cell.metric.pk: cell.stored for cell in self.pair.cells}
        return {pk: value for pk, value in self.counts.items() if value != stored[pk]}

    @property
    def changes_report(self) -> bool:
        report = self.pair.report
        return (self.note, self.progress) != (
            (report.note, report.progress) if report else ("", "")
        )

    @property
    def changes_something(self) -> bool:
        return bool(self.changed_counts()) or self.changes_report


def pairs_filter(pairs: list[Pair]) -> Q:
    activities = {pair.activity.pk for pair in pairs}
    areas = {pair.area.pk for pair in pairs}
    return Q(activity_id__in=activities, area_id__in=areas)


@transaction.atomic
def save_quarter(
    *, grid: EntryGrid, entries: list[PairEntry], submit: bool, reason: str, by
) -> list[Pair]:
    """Save the entries' counts, notes and statuses for the grid's quarter; with `submit`,
    hand every open report of the entries to the secretariat. Returns the pairs saved.

    Raises Stale, naming the pairs, when a report was saved by someone else after the form
    was loaded, or approved (`locked`). Entries must come from a valid
    QuarterEntryForm; the database constraints back that up.
    """
    quarter = grid.quarter
    open_entries = [entry for entry in entries if not entry.pair.is_locked]
    reports = {
        (report.activity_id, report.area_id): report
        # Ordered by key, so concurrent saves take their locks in the same order.
        for report in QuarterReport.objects.select_for_update()
        .filter(pairs_filter([e.pair for e in open_entries]), year=quarter.year)
        .filter(quarter=quarter.number)
        .order_by("pk")
    }
    locked, stale = [], []
    for entry in open_entries:
        report = reports.get(entry.pair.key)
        if report and report.is_locked:
            locked.append(entry.pair)
        elif (report.revision if report else 0) != entry.loaded_revision:
            stale.append(entry.pair)
    if locked:
        raise Stale(locked, locked=True)
    if stale:
        raise Stale(stale)

    saving = [entry for entry in open_entries if submit or entry.changes_something]
    if not saving:
        return []
    stored_counts = {
        (count.metric_id, count.area_id): count
        for count in QuarterlyCount.objects.filter(
            metric__activity_id__in={entry.pair.activity.pk for entry in saving},
            area_id__in={entry.pair.area.pk for entry in saving},
            year=quarter.year,
            quarter=quarter.number,
        ).order_by("pk")
    }
    new_counts, changed_counts, deleted_counts, stored_before = [], [], [], []
    for entry in saving:
        area = entry.pair.area
        for metric_id, value in entry.changed_counts().items():
            count = stored_counts.get((metric_id, area.pk))
            if count is None:
                new_counts.append(
                    QuarterlyCount(
                        metric_id=metric_id,
                        area=area,
                        year=quarter.year,
                        quarter=quarter.number,
                        value=value,
                    )
                )
            elif value is None:
                deleted_counts.append(count)
            else:
                # As stored, for the history's first record of a count that has none yet.
                stored_before.append(copy.copy(count))
                count.value = value
                # A number a person typed over an invented one is real from now on, and must
                # survive `load_demo_data --remove`.
                count.is_demo = False
                changed_counts.append(count)

    reason = reason.strip() or None
    record_history_start(QuarterlyCount, stored_before + deleted_counts)
    # The reports as stored, before this save changes them: where their history starts.
    record_history_start(
        QuarterReport, [reports[entry.pair.key] for entry in saving if entry.pair.key in reports]
    )
    new_reports, changed_reports = [], []
    for entry in saving:
        report = reports.get(entry.pair.key)
        if report is None:
            report = QuarterReport(
                activity=entry.pair.activity,
                area=entry.pair.area,
                year=quarter.year,
                quarter=quarter.number,
            )
            new_reports.append(report)
        else:
            changed_reports.append(report)
        report.note = entry.note
        report.progress = entry.progress
        report.is_demo = False
        report.revision += 1
        if submit:
            report.submit(by=by)
    try:
        with transaction.atomic():
            # A report created meanwhile by someone else breaks the unique constraint.
            bulk_create_with_history(new_reports, QuarterReport, default_user=by)
            bulk_create_with_history(
                new_counts, QuarterlyCount, default_user=by, default_change_reason=reason
            )
    except IntegrityError:
        raise Stale([entry.pair for entry in saving]) from None
    bulk_update_with_history(
        changed_reports,
        QuarterReport,
        ["note", "progress", "revision", "status", "submitted_at", "submitted_by", "is_demo"],
        default_user=by,
    )
    bulk_update_with_history(
        changed_counts,
        QuarterlyCount,
        ["value", "is_demo"],
        default_user=by,
        default_change_reason=reason,
    )
    bulk_delete_with_history(QuarterlyCount, deleted_counts, user=by, reason=reason)
    return [entry.pair for entry in saving]


@transaction.atomic
def approve_reports(*, plan, quarter, chosen: dict[int, int], by) -> tuple[int, int]:
    """Approve the `chosen` submitted reports of the quarter ({pk: revision seen on the page};
    "approve all" sends every report the page showed). A chosen report that changed since the
    page showed it is left alone and counted as a conflict, and one the page did not show is
    never approved unseen. Returns (approved, conflicts).
    """
    reports = (
        QuarterReport.objects.for_quarter(plan, quarter)
        .select_for_update(of=("self",))
        .filter(status=QuarterReport.Status.SUBMITTED, pk__in=chosen)
        .order_by("pk")
    )
    reports = list(reports)
    record_history_start(QuarterReport, reports)
    approved = []
    for report in reports:
        if chosen[report.pk] == report.revision:
            report.approve(by=by)
            approved.append(report)
    # A chosen report not approved changed, was reopened or was approved since the page
    # showed it.
    conflicts = len(chosen) - len(approved)
    bulk_update_with_history(
        approved,
        QuarterReport,
        ["status", "approved_at", "approved_by", "revision"],
        default_user=by,
    )
    return len(approved), conflicts


@transaction.atomic
def reopen_report(
    *, report: QuarterReport, seen_revision: int | None, reason: str, by
) -> QuarterReport:
    """Reopen a submitted or approved report of which the page showed revision
    `seen_revision`; returns it as saved.

    Raises Stale, naming the report as now stored, when it changed after the page showed it
    (a page that does not say which revision it showed, None, is out of date too), and
    ValidationError when it is already open.
    """
    stored = QuarterReport.objects.select_for_update().get(pk=report.pk)
    if stored.revision != seen_revision:
        raise Stale([stored])
    stored.reopen(by=by, reason=reason)
    stored.save()
    return stored
