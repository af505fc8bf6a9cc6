"""What each history page lists: the recorded rows that belong to a delaftale, an activity or a
success criterion, as a `ChangeLog`.

Rows deleted since are included where they belonged: a deleted activity's metrics and counts
are still part of its delaftale's history (`ids_ever`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements.models import (
    ShareLink,
    ShareLinkDownload,
    StaffResource,
    Subagreement,
    SubagreementParty,
    SubagreementVersion,
)
from economy.models import Spending
from indicators.models import CriterionTarget, Measurement, QualitativeAssessment, SuccessCriterion

from .history import ChangeLog, Events, FieldChange, LoggedChange, ids_ever, in_any


def in_areas(history: models.QuerySet, areas: list[int] | None) -> models.QuerySet:
    """The historical counts or reports of the given housing areas only, or all when `areas`
    is None."""
    return history if areas is None else history.filter(area_id__in=areas)


def _day(value) -> str:
    return date_format(timezone.localtime(value), "j. F Y")


def version_approved(version: SubagreementVersion) -> LoggedChange:
    return LoggedChange(
        when=version.recorded_at,
        who=version.recorded_by,
        kind=str(capfirst(version._meta.verbose_name)),
        subject=_("Version %(number)s") % {"number": version.number},
        action="version",
        changes=[
            FieldChange(
                pgettext("change log", "Approved by the board"),
                "",
                version.decided_on_text,
            )
        ],
        reason=version.note,
    )


def link_created(link: ShareLink) -> LoggedChange:
    return LoggedChange(
        when=link.created_at,
        who=link.created_by,
        kind=str(capfirst(link._meta.verbose_name)),
        subject=str(link),
        action="link",
        changes=[
            FieldChange(
                pgettext("change log", "Created"),
                "",
                _("works until %(date)s") % {"date": _day(link.expires_at)},
            )
        ],
        reason="",
    )


def link_revoked(link: ShareLink) -> LoggedChange:
    assert link.revoked_at is not None  # only revoked links are listed as revoked
    return LoggedChange(
        when=link.revoked_at,
        who=link.revoked_by,
        kind=str(capfirst(link._meta.verbose_name)),
        subject=str(link),
        action="link",
        changes=[FieldChange(pgettext("change log", "Revoked"), "", "")],
        reason="",
    )


def link_used(code: str):
    """A download through a share link, as the delaftale with the focus area `code` lists
    it: which of its versions was served."""

    def describe(download: ShareLinkDownload) -> LoggedChange:
        number = download.versions.get(code)
        return LoggedChange(
            when=download.downloaded_at,
            who=None,
            who_label=_("Landsbyggefonden, through the link"),
            kind=str(capfirst(download.link._meta.verbose_name)),
            subject=str(download.link),
            action="link",
            changes=[
                FieldChange(
                    pgettext("change log", "Downloaded"),
                    "",
                    _("Version %(number)s") % {"number": number} if number else "",
                )
            ],
            reason="",
        )

    return describe


def subagreement_change_log(subagreement: Subagreement) -> ChangeLog:
    """Every recorded change of the delaftale and what it holds: its parties and staff,
    its activities with their metrics, quarterly counts and reports, its criteria with their
    targets and assessments, the yearly figures of the indicators its criteria read, and its
    yearly spending; and the events of its workflow: reports submitted, approved and
    reopened, versions approved, and the plan's share links created, revoked and used to
    download it."""
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
            QuarterReport.history.filter(in_any("activity_id", activities)),
            Spending.history.filter(subagreement_id=subagreement.pk),
            Events(
                SubagreementVersion.objects.filter(subagreement=subagreement),
                when="recorded_at",
                describe=version_approved,
                related=["recorded_by"],
            ),
            Events(
                ShareLink.objects.filter(plan_id=subagreement.plan_id),
                when="created_at",
                describe=link_created,
                related=["created_by"],
            ),
            Events(
                ShareLink.objects.filter(plan_id=subagreement.plan_id, revoked_at__isnull=False),
                when="revoked_at",
                describe=link_revoked,
                related=["revoked_by"],
            ),
            Events(
                ShareLinkDownload.objects.filter(
                    link__plan_id=subagreement.plan_id, versions__has_key=subagreement.code
                ),
                when="downloaded_at",
                describe=link_used(subagreement.code),
                related=["link"],
            ),
        ]
    )


def activity_change_log(activity: Activity, areas: list[int] | None = None) -> ChangeLog:
    """Every recorded change of the activity, its metrics, their quarterly counts and its
    quarter reports (submitted, approved, reopened), its staff lines, and its own success
    criteria with their targets.

    With `areas`, only the counts and reports of those housing areas: a coordinator reads
    the history of their own areas, never another area's drafts."""
    metrics = ids_ever(Metric, activity_id=activity.pk)
    criteria = ids_ever(SuccessCriterion, activity_id=activity.pk)
    return ChangeLog(
        [
            Activity.history.filter(id=activity.pk),
            Metric.history.filter(activity_id=activity.pk),
            in_areas(QuarterlyCount.history.filter(in_any("metric_id", metrics)), areas),
            StaffResource.history.filter(activity_id=activity.pk),
            SuccessCriterion.history.filter(activity_id=activity.pk),
            CriterionTarget.history.filter(in_any("criterion_id", criteria)),
            in_areas(QuarterReport.history.filter(activity_id=activity.pk), areas),
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
            in_areas(QuarterlyCount.history.filter(in_any("metric_id", metrics)), areas),
        ]
    )
