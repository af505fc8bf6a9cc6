"""What the board reads twice a year besides the figures: the groups' evaluations.

Seed section 6: the board assesses the plan each half-year on a short status report and on
the evaluations of the coordination group (*koordinationsgruppen*) and of each local follow-up
group (*lokal følgegruppe*), each documented by the minutes (*referat*) of the group's
meeting. The secretariat records them here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Body, Plan
from lib.concurrency import Stale
from lib.periods import HalfYear

# The bodies whose evaluations the board reads.
EVALUATING_KINDS = (Body.Kind.COORDINATION_GROUP, Body.Kind.LOCAL_GROUP)


def evaluating_groups(plan: Plan) -> models.QuerySet[Body]:
    """The plan's coordination group and local follow-up groups, in the organisation's order."""
    return plan.bodies.filter(kind__in=EVALUATING_KINDS).order_by("position", "pk")


@dataclass(frozen=True)
class EvaluationEntry:
    """One group's part of the form: the revision it was loaded with (None when the form did
    not say, which no stored revision matches) and what was entered."""

    body: Body
    loaded_revision: int | None
    text: str = ""
    meeting_date: datetime.date | None = None
    minutes_reference: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.meeting_date or self.minutes_reference)

    def matches(self, evaluation: GroupEvaluation | None) -> bool:
        """Whether saving this entry would leave `evaluation` (None: nothing stored) as it is."""
        if evaluation is None:
            return self.is_empty
        return (self.text, self.meeting_date, self.minutes_reference) == (
            evaluation.text,
            evaluation.meeting_date,
            evaluation.minutes_reference,
        )


class GroupEvaluationQuerySet(models.QuerySet["GroupEvaluation"]):
    def for_half_year(self, plan: Plan, half_year: HalfYear) -> GroupEvaluationQuerySet:
        """The plan's group evaluations of one half-year, with their group and recorder."""
        return self.filter(
            body__plan=plan, year=half_year.year, half=half_year.number
        ).select_related("body", "recorded_by")


class GroupEvaluation(models.Model):
    """A group's evaluation of the activities for one half-year, as recorded from the minutes
    of its meeting. Only the coordination group and the local follow-up groups evaluate.

    `revision` grows with every save, so a form loaded before someone else's save is
    recognised as stale (see `record`).
    """

    body = models.ForeignKey(
        Body,
        # The record of a meeting outlives a careless deletion of its group.
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("group"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), help_text=_("1 or 2."))
    text = models.TextField(_("evaluation"))
    meeting_date = models.DateField(_("meeting date"))
    minutes_reference = models.CharField(
        _("minutes"),
        max_length=200,
        blank=True,
        help_text=_("Where the minutes are, e.g. 'Referat af møde 12.06.2019, punkt 4'."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    revision = models.PositiveIntegerField(_("revision"), default=0)

    history = HistoricalRecords()
    objects = GroupEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("group evaluation")
        verbose_name_plural = _("group evaluations")
        ordering = ["year", "half", "body__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "half"],
                name="groupevaluation_one_per_body_half_year",
                violation_error_message=_(
                    "The group already has an evaluation for this half-year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(half__in=(1, 2)),
                name="groupevaluation_half_1_or_2",
                violation_error_message=_("A half-year is numbered 1 or 2."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="groupevaluation_has_text",
                violation_error_message=_("Write the group's evaluation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} – {self.half_year}"

    @property
    def half_year(self) -> HalfYear:
        return HalfYear(self.year, self.half)

    def clean(self) -> None:
        # Which kind of body a row belongs to lies in another table; no CheckConstraint can
        # see it, so it is checked here, and the page only ever offers the right bodies.
        if self.body_id is not None and self.body.kind not in EVALUATING_KINDS:
            raise ValidationError(
                _("Only the coordination group and the local follow-up groups make evaluations.")
            )
        if self.meeting_date and self.meeting_date > timezone.localdate():
            raise ValidationError({"meeting_date": _("The meeting cannot be in the future.")})

    def revise(self, *, text: str, meeting_date: datetime.date, minutes_reference: str, by) -> None:
        """Record the evaluation as the secretariat now has it from the minutes. Who and when
        are set here, never taken from a form; the revision grows so that any form loaded
        before this save is known to be stale."""
        self.text = text
        self.meeting_date = meeting_date
        self.minutes_reference = minutes_reference
        self.recorded_by = by
        self.recorded_at = timezone.now()
        self.revision += 1
        self._history_user = by
        self.save()

    @classmethod
    @transaction.atomic
    def record(
        cls, *, half_year: HalfYear, entries: list[EvaluationEntry], by
    ) -> list[GroupEvaluation]:
        """Save the groups' evaluations of a half-year, all or nothing; return those saved.

        A group left empty on a form that showed nothing has nothing to record, and an entry
        that asks for exactly what is stored changes nothing. Any other entry whose group's
        stored revision is not the one the form was loaded with raises Stale,
        naming the groups, and nothing is saved. Entries must come from a valid form (which
        also runs `clean`); the database constraints back it up.
        """
        entries = [entry for entry in entries if not (entry.is_empty and not entry.loaded_revision)]
        stored = {
            evaluation.body_id: evaluation
            # Ordered by key, so that concurrent saves take their locks in the same order.
            for evaluation in cls.objects.select_for_update()
            .filter(
                body_id__in=[entry.body.pk for entry in entries],
                year=half_year.year,
                half=half_year.number,
            )
            .order_by("pk")
        }
        changing = [entry for entry in entries if not entry.matches(stored.get(entry.body.pk))]
        stale = [
            entry.body
            for entry in changing
            if revision_of(stored.get(entry.body.pk)) != entry.loaded_revision
        ]
        if stale:
            raise Stale(stale)
        saved = []
        for entry in changing:
            content = {
                "text": entry.text,
                "meeting_date": entry.meeting_date,
                "minutes_reference": entry.minutes_reference,
            }
            evaluation = stored.get(entry.body.pk)
            if evaluation is not None:
                evaluation.revise(**content, by=by)
            else:
                evaluation = cls(body=entry.body, year=half_year.year, half=half_year.number)
                try:
                    with transaction.atomic():
                        evaluation.revise(**content, by=by)
                except IntegrityError:
                    # Someone recorded the group's first evaluation since the lock was taken:
                    # locks cover stored rows only; the unique constraint catches the new one.
                    raise Stale([entry.body]) from None
            saved.append(evaluation)
        return saved


def revision_of(evaluation: GroupEvaluation | None) -> int:
    """The revision a form shows for a group: 0 while nothing is recorded."""
    return evaluation.revision if evaluation is not None else 0


class SentReportQuerySet(models.QuerySet["SentReport"]):
    def listed(self, plan: Plan) -> SentReportQuerySet:
        """The plan's sent reports, newest first, with who sent them and without the PDF
        bytes, which only the download reads."""
        return (
            self.filter(plan=plan)
            .select_related("sent_by")
            .defer("pdf", "verdicts")
            .order_by("-sent_at", "-pk")
        )

    def latest_for(self, plan: Plan, half_year: HalfYear) -> SentReport | None:
        """The last report sent for the half-year, with its verdicts, or None."""
        return (
            self.filter(plan=plan, year=half_year.year, half=half_year.number)
            .select_related("sent_by")
            .defer("pdf")
            .order_by("-sent_at", "-pk")
            .first()
        )


class SentReport(models.Model):
    """A status report as the secretariat sent it to the board: the PDF and the verdicts
    behind it, stored as they were, so that the board can always read the report it was sent,
    and a later look at the same half-year can say what has changed since.

    A half-year may be sent more than once (a corrected report, say); each sending is kept.
    Nothing here is ever changed after it is stored (`save` refuses).
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sent_reports", verbose_name=_("plan")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), help_text=_("1 or 2."))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Who sent a report to the board outlives a careless deletion of their account.
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    note = models.TextField(_("note"), blank=True)
    pdf = models.BinaryField(_("PDF"))
    # Each criterion's row as the report showed it: {"criterion", "text", "area", "where",
    # "year", "verdict", "sentence", "value"}.
    verdicts = models.JSONField(_("verdicts"), default=list)

    objects = SentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("sent status report")
        verbose_name_plural = _("sent status reports")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(half__in=(1, 2)),
                name="sentreport_half_1_or_2",
                violation_error_message=_("A half-year is numbered 1 or 2."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {self.half_year} – {self.sent_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A sent report is kept as it was sent; it is never changed.")
        super().save(*args, **kwargs)

    @property
    def half_year(self) -> HalfYear:
        return HalfYear(self.year, self.half)
