"""Saving what the secretariat enters on the measurement pages.

Both workflows guard against two people editing the same figure: the form carries what it was
loaded with, and the save locks the stored rows and refuses when they changed meanwhile, so
nobody silently overwrites another's work. Every change is recorded by django-simple-history
with its reason; the user comes from HistoryRequestMiddleware.

The assessment save would be a model method if it were one object's state change only; it
lives here beside the figures because it shares their locking and conflict rule.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from agreements.models import HousingArea, Plan
from lib.concurrency import Stale
from lib.history import record_history_start
from lib.sheets import SheetFormat

from .models import (
    CriterionTarget,
    Indicator,
    Measurement,
    QualitativeAssessment,
    SuccessCriterion,
)
from .resources import MeasurementResource

# Reads a sheet of measurements within bounds: no wider than its columns, plus slack.
MeasurementSheet = SheetFormat.for_resources(MeasurementResource)


@dataclass(frozen=True)
class Figure:
    """A figure as the form shows it; two figures are equal when they read the same."""

    value: Decimal
    source_note: str = ""
    measured_on: datetime.date | None = None

    @classmethod
    def of(cls, measurement: Measurement | None) -> Figure | None:
        if measurement is None:
            return None
        return cls(measurement.value, measurement.source_note, measurement.measured_on)


@dataclass(frozen=True)
class FigureEntry:
    """One row of the form: what it was loaded with and what was entered (None: no figure)."""

    area: HousingArea | None
    loaded: Figure | None
    entered: Figure | None

    @property
    def area_id(self) -> int | None:
        return self.area.pk if self.area else None

    @property
    def changes_something(self) -> bool:
        return self.entered != self.loaded


@transaction.atomic
def save_year_figures(
    *, indicator: Indicator, year: int, entries: list[FigureEntry], reason: str
) -> int:
    """Save an indicator's figures for one year, all or none; return how many changed.

    An entry whose stored figure no longer matches what the form was loaded with raises
    Stale, naming its area. The entries must have passed `Measurement.full_clean` (the
    form does that); the database constraints back it up.
    """
    entries = [entry for entry in entries if entry.changes_something]
    stored = {
        measurement.area_id: measurement
        # Ordered by key only: the default ordering joins the nullable area, which
        # PostgreSQL cannot lock.
        for measurement in Measurement.objects.select_for_update()
        .filter(indicator=indicator, year=year)
        .order_by("pk")
    }
    stale = [
        entry.area for entry in entries if Figure.of(stored.get(entry.area_id)) != entry.loaded
    ]
    if stale:
        raise Stale(stale)
    record_history_start(
        Measurement,
        [stored[entry.area_id] for entry in entries if entry.area_id in stored],
    )
    for entry in entries:
        measurement = stored.get(entry.area_id)
        if entry.entered is None:
            measurement._change_reason = reason
            measurement.delete()
            continue
        if measurement is None:
            measurement = Measurement(indicator=indicator, year=year, area=entry.area)
        measurement.value = entry.entered.value
        measurement.is_demo = False  # typed by a person: real, whatever it replaced
        measurement.source_note = entry.entered.source_note
        measurement.measured_on = entry.entered.measured_on
        measurement._change_reason = reason or None
        try:
            with transaction.atomic():
                measurement.save()
        except IntegrityError:
            # Someone added the same figure since the lock was taken: locks cover stored rows
            # only, and the unique constraint catches the new one.
            raise Stale([entry.area]) from None
    return len(entries)


@dataclass(frozen=True)
class AssessmentText:
    """An assessment as the form shows it."""

    status: str
    justification: str

    @classmethod
    def of(cls, assessment: QualitativeAssessment | None) -> AssessmentText | None:
        if assessment is None:
            return None
        return cls(assessment.status, assessment.justification)


@transaction.atomic
def save_assessment(
    *,
    criterion: SuccessCriterion,
    year: int,
    loaded: AssessmentText | None,
    entered: AssessmentText,
    reason: str,
    by,
) -> QualitativeAssessment:
    """Record the secretariat's assessment of a qualitative criterion for a year.

    Raises Stale when the stored assessment is no longer the one the form was loaded
    with. The assessor and the time are set here, never taken from the form.
    """
    assessment = (
        QualitativeAssessment.objects.select_for_update()
        .filter(criterion=criterion, year=year)
        .order_by("pk")
    ).first()
    if AssessmentText.of(assessment) != loaded:
        raise Stale()
    if assessment is None:
        assessment = QualitativeAssessment(criterion=criterion, year=year)
    else:
        record_history_start(QualitativeAssessment, [assessment])
    assessment.status = entered.status
    assessment.justification = entered.justification
    assessment.assessed_by = by
    assessment.assessed_at = timezone.now()
    assessment._change_reason = reason or None
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise Stale() from None
    return assessment


@transaction.atomic
def import_measurements(*, plan: Plan, user, content: bytes, dry_run: bool, reason: str = ""):
    """Read an xlsx sheet of measurements into the plan, all rows or none.

    Returns the sheet's rows and import-export's result; with `dry_run` nothing is kept, and
    the result's `preview` says what the import would do. Rows naming another plan are
    refused, even one the user also keeps. A row that changes an entered figure needs the
    `reason`, which the history keeps with every figure the import writes.
    """
    dataset = MeasurementSheet().create_dataset(content)
    result = MeasurementResource().import_data(
        dataset, dry_run=dry_run, user=user, plan=plan, change_reason=reason
    )
    return dataset, result


# A target's fields people enter, besides where it applies and its name.
TARGET_FIELDS = (
    "value",
    "value_max",
    "change_percent",
    "horizon_years",
    "baseline_value",
    "baseline_year",
    "from_year",
    "to_year",
    "to_quarter",
    "reference",
)


def target_fingerprint(criterion: SuccessCriterion, target: CriterionTarget | None) -> str:
    """What a target's form was loaded with, short: the criterion's kind and the target's
    fields, so that a save can tell whether someone else changed either meanwhile."""
    values: list = [criterion.kind]
    if target is not None:
        names = ("area", "kind", "comparison", "label", *TARGET_FIELDS)
        for name in names:
            value = getattr(target, f"{name}_id" if name in ("area", "reference") else name)
            # 75 and 75.00 are one figure: as typed, and as stored.
            values.append(format(value.normalize(), "f") if isinstance(value, Decimal) else value)
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:20]


def _lock(
    criterion: SuccessCriterion, target: CriterionTarget | None, loaded: str
) -> tuple[SuccessCriterion, CriterionTarget | None]:
    """The criterion and the target as stored now, locked; Stale when either is not as the
    form was loaded (`loaded`, a `target_fingerprint`)."""
    stored_criterion = SuccessCriterion.objects.select_for_update().get(pk=criterion.pk)
    stored = None
    if target is not None:
        stored = CriterionTarget.objects.select_for_update().filter(pk=target.pk).first()
        if stored is None:
            raise Stale()
    if target_fingerprint(stored_criterion, stored) != loaded:
        raise Stale()
    return stored_criterion, stored


@transaction.atomic
def save_target(
    *,
    criterion: SuccessCriterion,
    target: CriterionTarget | None,
    loaded: str,
    draft: CriterionTarget | None,
    reason: str,
) -> CriterionTarget | None:
    """Save a target of a criterion as entered (`draft`, checked by the form), or, with no
    draft, make the criterion one assessed by people and remove the target edited.

    The criterion's kind follows: a target with figures makes it measured. Raises Stale when
    the criterion's kind or the target changed since the form was loaded. Each change keeps
    the reason in its history.
    """
    stored_criterion, stored = _lock(criterion, target, loaded)
    kind = SuccessCriterion.Kind.QUANTITATIVE if draft else SuccessCriterion.Kind.QUALITATIVE
    if stored_criterion.kind != kind:
        stored_criterion.kind = kind
        stored_criterion._change_reason = reason or None
        stored_criterion.save()
    if draft is None:
        if stored is not None:
            stored._change_reason = reason or None
            stored.delete()
        return None
    if stored is None:
        last = criterion.targets.aggregate(last=Max("position"))["last"]
        stored = CriterionTarget(criterion=stored_criterion, position=(last or 0) + 1)
    for name in ("area", "kind", "comparison", "label", *TARGET_FIELDS):
        setattr(stored, name, getattr(draft, name))
    stored._change_reason = reason or None
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # Someone added a target at the same position since the criterion was locked.
        raise Stale() from None
    return stored


@transaction.atomic
def remove_target(
    *, criterion: SuccessCriterion, target: CriterionTarget, loaded: str, reason: str
) -> None:
    """Remove a target, with the reason; Stale when it changed since the form was loaded."""
    _criterion, stored = _lock(criterion, target, loaded)
    stored._change_reason = reason
    stored.delete()
