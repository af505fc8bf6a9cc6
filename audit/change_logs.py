"""What each history page lists: the recorded rows that belong to a delaftale, an activity or a
success criterion, as a `ChangeLog`.

Rows deleted since are included where they belonged: a deleted activity's metrics and counts
are still part of its delaftale's history (`ids_ever`).
"""

from __future__ import annotations

from django.db import models

from activities.models import Activity, Metric, QuarterlyCount
from agreements.models import StaffResource, Subagreement, SubagreementParty
from indicators.models import CriterionTarget, Measurement, QualitativeAssessment, SuccessCriterion

from .history import ChangeLog, ids_ever, in_any


def counts_in(history: models.QuerySet, areas: list[int] | None) -> models.QuerySet:
    """The historical counts of the given housing areas only, or all when `areas` is None."""
    return history if areas is None else history.filter(area_id__in=areas)


def subagreement_change_log(subagreement: Subagreement) -> ChangeLog:
    """Every recorded change of the delaftale and what it holds: its parties and staff,
    its activities with their metrics and quarterly counts, its criteria with their
    targets and assessments, and the yearly figures of the indicators its criteria read."""
    activities = ids_ever(Activity, subagreement_id=subagreement.pk)
    metrics = [
        Metric._base_manager.filter(in_any("activity_id", activities)).values("pk"),
        Metric.history.filter(in_any("activity_id", activities)).values("id"),
    ]
    criteria = ids_ever(SuccessCriterion, subagreement_id=subagreement.pk)
    indicators = [
        SuccessCriterion._base_manager.filter(subagreement_id=subagreement.pk).values(
            "indicator_id"
        ),
        SuccessCriterion.history.filter(subagreement_id=subagreement.pk).values("indicator_id"),
    ]
    return ChangeLog(
        [
            Subagreement.history.filter(id=subagreement.pk),
            SubagreementParty.history.filter(subagreement_id=subagreement.pk),
            StaffResource.history.filter(subagreement_id=subagreement.pk),
            Activity.history.filter(subagreement_id=subagreement.pk),
            Metric.history.filter(in_any("activity_id", activities)),
            QuarterlyCount.history.filter(in_any("metric_id", metrics)),
            SuccessCriterion.history.filter(subagreement_id=subagreement.pk),
            CriterionTarget.history.filter(in_any("criterion_id", criteria)),
            QualitativeAssessment.history.filter(in_any("criterion_id", criteria)),
            Measurement.history.filter(in_any("indicator_id", indicators)),
        ]
    )


def activity_change_log(activity: Activity, areas: list[int] | None = None) -> ChangeLog:
    """Every recorded change of the activity, its metrics, their quarterly counts, its
    staff lines, and its own success criteria with their targets.

    With `areas`, only the counts of those housing areas: a coordinator reads the
    history of their own areas, never another area's drafts."""
    metrics = ids_ever(Metric, activity_id=activity.pk)
    criteria = ids_ever(SuccessCriterion, activity_id=activity.pk)
    return ChangeLog(
        [
            Activity.history.filter(id=activity.pk),
            Metric.history.filter(activity_id=activity.pk),
            counts_in(QuarterlyCount.history.filter(in_any("metric_id", metrics)), areas),
            StaffResource.history.filter(activity_id=activity.pk),
            SuccessCriterion.history.filter(activity_id=activity.pk),
            CriterionTarget.history.filter(in_any("criterion_id", criteria)),
        ]
    )


def criterion_change_log(criterion: SuccessCriterion, areas: list[int] | None = None) -> ChangeLog:
    """Every recorded change of the criterion, its targets and assessments, and of the
    figures it is judged on: its indicator's yearly figures, or its metrics' counts (with
    `areas`, only the counts of those housing areas, as for `activity_change_log`)."""
    # What the criterion reads now and what it read before.
    versions = [
        SuccessCriterion._base_manager.filter(pk=criterion.pk),
        SuccessCriterion.history.filter(id=criterion.pk),
    ]
    indicators = [version.values("indicator_id") for version in versions]
    metrics = [
        version.values(field)
        for version in versions
        for field in ("metric_id", "denominator_metric_id")
    ]
    return ChangeLog(
        [
            SuccessCriterion.history.filter(id=criterion.pk),
            CriterionTarget.history.filter(criterion_id=criterion.pk),
            QualitativeAssessment.history.filter(criterion_id=criterion.pk),
            Measurement.history.filter(in_any("indicator_id", indicators)),
            counts_in(QuarterlyCount.history.filter(in_any("metric_id", metrics)), areas),
        ]
    )
