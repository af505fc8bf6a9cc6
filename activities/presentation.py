"""Turning the entry form and its grid into what the template draws: per activity and area
the fields with their context, errors and warnings, and the error summary that links to them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lib.numbers import format_figure

from .forms import QuarterEntryForm
from .grid import EntryGrid, Pair
from .models import QuarterReport


def entry_sections(form: QuarterEntryForm, grid: EntryGrid, extra_errors: dict[str, list[str]]):
    """The grid's sections with bound fields, and the error summary as (field id, message)."""
    summary = []
    for error in form.non_field_errors():
        summary.append(("entry-form", error))
    sections = grid.sections
    for section in sections:
        for activity in section["activities"]:
            activity["blocks"] = [
                pair_block(form, pair, extra_errors, summary) for pair in activity["pairs"]
            ]
    if "reason" in form.errors:
        summary.extend((form["reason"].auto_id, error) for error in form.errors["reason"])
    return sections, summary


def pair_block(form: QuarterEntryForm, pair: Pair, extra_errors, summary) -> dict:
    activity_id, area_id = pair.key
    cells = []
    for cell in pair.cells:
        name = form.count_name(cell)
        field = form[name]
        errors = list(field.errors) + extra_errors.get(name, [])
        for error in errors:
            summary.append(
                (
                    field.auto_id,
                    f"{pair.activity.name}, {pair.area.label}, {cell.metric.name}: {error}",
                )
            )
        cells.append(
            {
                "cell": cell,
                "field": field,
                "errors": errors,
                "warning": form.warnings.get(name) if form.is_bound else None,
                # The area's own year so far beside the area's number, and the whole plan's
                # below it when the target is the plan's: each says whose it is.
                "year_to_date": format_figure(cell.year_to_date.area_value),
                "plan_to_date": format_figure(cell.year_to_date.value)
                if cell.year_to_date.whole_plan
                else "",
            }
        )
    revision = form[f"rev_{activity_id}_{area_id}"]
    # A damaged revision is hidden in the page, so its error is shown with the pair's.
    pair_errors = extra_errors.get(f"pair_{activity_id}_{area_id}", []) + list(revision.errors)
    for error in pair_errors:
        target = cells[0]["field"].auto_id if cells else "entry-form"
        summary.append((target, f"{pair.activity.name}, {pair.area.label}: {error}"))
    note = form[f"note_{activity_id}_{area_id}"]
    progress = form[f"progress_{activity_id}_{area_id}"]
    for field in (note, progress):
        for error in field.errors:
            summary.append(
                (
                    progress_target(field),
                    f"{pair.activity.name}, {pair.area.label}, {field.label}: {error}",
                )
            )
    return {
        "pair": pair,
        "cells": cells,
        "note": note,
        "progress": progress,
        "revision": revision,
        "errors": pair_errors,
    }


def progress_target(field) -> str:
    """A radio group is linked to by its first option's id."""
    return f"{field.auto_id}_0" if field.name.startswith("progress_") else field.auto_id


def stale_errors(grid: EntryGrid, pairs: list[Pair], posted, *, locked: bool) -> dict:
    """Messages at each number of the pairs someone else saved or approved meanwhile, with
    what this user had entered."""
    keys = {pair.key for pair in pairs}
    errors: dict[str, list[str]] = {}
    for pair in grid.pairs:
        if pair.key not in keys:
            continue
        message = (
            _("Approved and locked by the secretariat while you were editing; nothing was saved.")
            if locked
            else _("Someone else saved this activity while you were editing; nothing was saved.")
        )
        errors[f"pair_{pair.activity.pk}_{pair.area.pk}"] = [message]
        for cell in pair.cells:
            name = f"c_{cell.metric.pk}_{cell.area.pk}"
            entered = posted.get(name, "").strip()
            stored = "" if cell.stored is None else str(cell.stored)
            if entered != stored:
                errors[name] = [
                    _("Now stored: %(stored)s. You entered: %(entered)s.")
                    % {
                        "stored": format_figure(cell.stored) if stored else _("nothing"),
                        "entered": entered or _("nothing"),
                    }
                ]
    return errors


def sheet_errors(
    form: QuarterEntryForm, grid: EntryGrid, rows: dict[str, int], *, skip_reason: bool
) -> list[str]:
    """The form's errors as lines that point into the sheet ("Row 12, Motalavej, ...")."""
    labels = {}
    for pair in grid.pairs:
        activity_id, area_id = pair.key
        for cell in pair.cells:
            labels[form.count_name(cell)] = (pair, cell.metric.name)
        labels[f"progress_{activity_id}_{area_id}"] = (pair, _("Status"))
        labels[f"note_{activity_id}_{area_id}"] = (pair, _("Note"))
        labels[f"rev_{activity_id}_{area_id}"] = (pair, _("Revision"))
    lines = [str(error) for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name not in labels:
            continue
        pair, what = labels[name]
        for error in errors:
            where = f"{pair.activity.name}, {pair.area.label}, {what}"
            if name in rows:
                where = _("Row %(row)s") % {"row": rows[name]} + f" ({where})"
            lines.append(f"{where}: {error}")
    for error in [] if skip_reason else form.errors.get("reason", []):
        lines.append(f"{form['reason'].label}: {error}")
    return lines


def sheet_changes(form: QuarterEntryForm) -> list[dict]:
    """What saving the sheet would change: each number's stored and new value."""
    changes = []
    for entry in form.entries:
        stored = {cell.metric.pk: cell for cell in entry.pair.cells}
        for metric_id, value in entry.changed_counts().items():
            changes.append(
                {
                    "pair": entry.pair,
                    "metric": stored[metric_id].metric,
                    "old": stored[metric_id].stored,
                    "new": value,
                }
            )
    return changes


def sheet_report_changes(form: QuarterEntryForm) -> list[dict]:
    """What saving the sheet would change in the reports: each status and note, stored and
    new (the numbers are `sheet_changes`)."""
    labels = dict(QuarterReport.Progress.choices)
    changes = []
    for entry in form.entries:
        report = entry.pair.report
        stored_progress, stored_note = (report.progress, report.note) if report else ("", "")
        if entry.progress != stored_progress:
            changes.append(
                {
                    "pair": entry.pair,
                    "what": _("Status"),
                    "old": str(labels.get(stored_progress, "")),
                    "new": str(labels.get(entry.progress, "")),
                }
            )
        if entry.note != stored_note:
            changes.append(
                {"pair": entry.pair, "what": _("Note"), "old": stored_note, "new": entry.note}
            )
    return changes
