"""What has changed in a half-year's figures since its status report was sent to the board.

A report once sent stays as it was sent (reports.models.SentReport). When the same half-year
is looked at again, the figures it rested on may have been corrected since: a count of one of
its quarters, a yearly measurement of a year it read. The history of those rows says who
changed what, when, from what to what, and why (the reason the forms ask for); this module
reads it back, and compares the verdicts as sent with those of now.

Read in a fixed number of queries, however many changes there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from activities.models import QuarterlyCount
from indicators.evaluation import Evaluation
from indicators.models import Measurement
from indicators.rules import Verdict
from lib.numbers import format_figure
from lib.periods import Horizon, Quarter

from .models import SentReport


@dataclass(frozen=True)
class Correction:
    """One change of a figure the report rested on, after the report was sent."""

    what: str
    old: str
    new: str
    who: str
    when: datetime.datetime
    reason: str
    # Entered for the first time after the report was sent: the report had no figure, so
    # nothing was corrected.
    is_new: bool = False


@dataclass(frozen=True)
class VerdictChange:
    """A criterion's row whose verdict differs now from the one the report was sent with."""

    text: str
    where: str
    sent: str
    now: str


def person(record) -> str:
    user = record.history_user
    if user is None:
        return _("unknown")
    return user.get_full_name() or user.get_username()


def shown(value) -> str:
    return "–" if value is None else format_figure(Decimal(value))


def corrections(records_by_object: dict[int, list], sent_at, describe) -> list[Correction]:
    """The records after `sent_at` whose value differs from the record before them."""
    found = []
    for records in records_by_object.values():
        previous = None
        for record in records:
            # A row's first record that is no creation is the start of its history
            # (lib.history.record_history_start): how it stood before it was first changed,
            # written at that change, so after the report, though nothing changed with it.
            start = previous is None and record.history_type == "~"
            if record.history_date > sent_at and not start:
                old: Decimal | int | None = (
                    None if previous is None or previous.history_type == "-" else previous.value
                )
                new: Decimal | int | None = None if record.history_type == "-" else record.value
                if old != new:
                    found.append(
                        Correction(
                            what=describe(record),
                            old=shown(old),
                            new=shown(new),
                            who=person(record),
                            when=record.history_date,
                            reason=record.history_change_reason or "",
                            is_new=old is None,
                        )
                    )
            previous = record
    return found


def by_object(records) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for record in records:
        grouped[record.id].append(record)
    return grouped


def corrections_since(sent: SentReport, horizon: Horizon) -> list[Correction]:
    """Every change, after the report was sent, of a quarterly count of a quarter it read or
    of a measurement of a year it read, oldest first. Four queries."""
    plan_id, sent_at = sent.plan_id, sent.sent_at
    last = horizon.last
    counts = QuarterlyCount.history.filter(
        Q(year__lt=last.year) | Q(year=last.year, quarter__lte=last.number),
        metric__activity__subagreement__plan_id=plan_id,
    )
    changed_counts = counts.filter(history_date__gt=sent_at).values("id")
    count_records = (
        counts.filter(id__in=changed_counts)
        .select_related("history_user", "metric", "area")
        .order_by("id", "history_date", "history_id")
    )
    measurements = Measurement.history.filter(
        indicator__plan_id=plan_id, year__lte=horizon.last_full_year
    )
    changed_measurements = measurements.filter(history_date__gt=sent_at).values("id")
    measurement_records = (
        measurements.filter(id__in=changed_measurements)
        .select_related("history_user", "indicator", "area")
        .order_by("id", "history_date", "history_id")
    )

    def count_label(record) -> str:
        return f"{record.metric.name}, {record.area.label}, {Quarter(record.year, record.quarter)}"

    def measurement_label(record) -> str:
        where = record.area.label if record.area else _("whole plan")
        return f"{record.indicator.name}, {where}, {record.year}"

    found = corrections(by_object(count_records), sent_at, count_label) + corrections(
        by_object(measurement_records), sent_at, measurement_label
    )
    return sorted(found, key=lambda correction: correction.when)


def verdict_rows(evaluations: list[Evaluation]) -> list[dict]:
    """The verdicts as a report stores them: plain JSON values only, readable in ten years."""
    return [
        {
            "criterion": evaluation.criterion.pk,
            "text": evaluation.criterion.text,
            "area": evaluation.area.code if evaluation.area else None,
            "where": evaluation.where,
            "year": evaluation.year,
            "verdict": str(evaluation.verdict.value),
            "sentence": evaluation.sentence,
            "value": None if evaluation.value is None else str(evaluation.value),
        }
        for evaluation in evaluations
    ]


def verdict_changes(sent: SentReport, evaluations: list[Evaluation]) -> list[VerdictChange]:
    """The rows whose verdict now differs from the one the report was sent with."""
    then = {(row["criterion"], row["area"]): row for row in sent.verdicts}
    changes = []
    for evaluation in evaluations:
        key = (evaluation.criterion.pk, evaluation.area.code if evaluation.area else None)
        row = then.get(key)
        if row is not None and row["verdict"] != evaluation.verdict.value:
            changes.append(
                VerdictChange(
                    text=evaluation.criterion.text,
                    where=evaluation.where,
                    sent=label(row["verdict"]),
                    now=str(evaluation.verdict.label),
                )
            )
    return changes


def label(value: str) -> str:
    try:
        return str(Verdict(value).label)
    except ValueError:
        return value


@dataclass
class SinceSent:
    """What the board should know about a half-year it was sent a report on: the report as
    sent, and what has changed since."""

    sent: SentReport
    corrections: list[Correction]
    verdicts: list[VerdictChange]

    @classmethod
    def load(cls, sent: SentReport, horizon: Horizon, evaluations: list[Evaluation]) -> SinceSent:
        return cls(sent, corrections_since(sent, horizon), verdict_changes(sent, evaluations))

    @property
    def unchanged(self) -> bool:
        return not (self.corrections or self.verdicts)

    @property
    def new_figures(self) -> list[Correction]:
        return [correction for correction in self.corrections if correction.is_new]

    @property
    def corrected(self) -> list[Correction]:
        return [correction for correction in self.corrections if not correction.is_new]
