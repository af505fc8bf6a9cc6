"""Activities of a delaftale, what they count each quarter, and who reports them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    HousingArea,
    Membership,
    NumberedInSubagreementManager,
    Role,
    Subagreement,
)
from lib.history import HistoricalRecordsWithStart
from lib.periods import Quarter


class ActivityQuerySet(models.QuerySet["Activity"]):
    def in_plan(self, plan) -> ActivityQuerySet:
        """The plan's activities in the order of the agreement, each with its delaftale's focus
        area, its metrics, and its housing areas in the plan's order. Three queries."""
        return (
            self.filter(subagreement__plan=plan)
            .select_related("subagreement__focus_area")
            .prefetch_related("metrics", Prefetch("areas", queryset=plan_area_order(plan)))
            .order_by("subagreement__focus_area__position", "position")
        )

    def pairs(self) -> list[tuple[Activity, HousingArea]]:
        """Each activity in each housing area it runs in: the unit that is reported, submitted
        and approved (see QuarterReport), in the order of the activities and their areas."""
        return [(activity, area) for activity in self for area in activity.areas.all()]

    def reported_by(self, plan, user) -> ActivityQuerySet:
        """The plan's activities this user's reporting assignments cover in some housing area
        (the rule of `assignment_covers`): those whose history a coordinator may read."""
        assignments = ReportingAssignment.objects.filter(
            membership__plan=plan, membership__user=user
        )
        return self.filter(subagreement__plan=plan).filter(
            Exists(assignments.filter(activity=OuterRef("pk")))
            | Q(municipality_responsible=False)
            & Exists(assignments.filter(activity__isnull=True, area__activities=OuterRef("pk")))
        )

    def pairs_reported_by(self, plan, user) -> list[tuple[Activity, HousingArea]]:
        """The pairs of these activities that the user's reporting assignments in the plan
        cover (the rule of `assignment_covers`): what a coordinator reports. One query more
        than `pairs`."""
        assignments = list(
            ReportingAssignment.objects.filter(
                membership__plan=plan, membership__user=user
            ).values_list("activity_id", "area_id")
        )
        return [
            pair
            for pair in self.reported_by(plan, user).pairs()
            if any(assignment_covers(assignment, *pair) for assignment in assignments)
        ]


def plan_area_order(plan):
    """Housing areas in the order the plan lists them."""
    return HousingArea.objects.filter(plan_areas__plan=plan).order_by("plan_areas__position")


def assignment_covers(assignment: tuple[int | None, int | None], activity, area) -> bool:
    """Whether an assignment (activity id, area id) covers reporting `activity` in `area`.

    An area alone covers the activities the secretariat runs there; an activity alone covers
    it in every area; both name one pair.
    """
    activity_id, area_id = assignment
    if activity_id is None:
        return area_id == area.pk and not activity.municipality_responsible
    return activity_id == activity.pk and area_id in (None, area.pk)


class Activity(models.Model):
    """An *aktivitet*: one schema of LBF's activity template under a delaftale."""

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("sub-agreement"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=300)
    cfbu_recommended = models.BooleanField(
        _("recommended by CFBU"),
        default=False,
        help_text=_("Recommended by Center for Boligsocial Udvikling (CFBU)."),
    )
    cfbu_note = models.CharField(
        _("CFBU reference"),
        max_length=300,
        blank=True,
        help_text=_("The agreement's own note on the CFBU recommendation."),
    )
    content = models.TextField(_("content and practice"), blank=True)
    purpose = models.TextField(_("purpose and goals"), blank=True)
    target_groups = models.TextField(_("target groups"), blank=True)
    criteria_note = models.TextField(
        _("note on the success criteria"),
        blank=True,
        help_text=_("What the activity schema says about its criteria beyond the table."),
    )
    responsibility = models.TextField(_("responsibility and roles"), blank=True)
    areas = models.ManyToManyField(
        HousingArea, related_name="activities", verbose_name=_("housing areas"), blank=True
    )
    municipality_responsible = models.BooleanField(
        _("run by the municipality"),
        default=False,
        help_text=_(
            "The municipality runs the activity and registers its delivery (seed section 6); "
            "otherwise the secretariat and the coordinators do."
        ),
    )

    # The housing areas too: where an activity runs decides where it is counted.
    history = HistoricalRecordsWithStart(m2m_fields=["areas"])
    objects = NumberedInSubagreementManager.from_queryset(ActivityQuerySet)()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["subagreement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "position"],
                name="activity_unique_position",
                violation_error_message=_(
                    "The sub-agreement already has an activity at this position."
                ),
            ),
            models.UniqueConstraint(
                fields=["subagreement", "name"],
                name="activity_unique_name_per_subagreement",
                violation_error_message=_(
                    "The sub-agreement already has an activity with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.position)

    natural_key.dependencies = ["agreements.subagreement", "agreements.housingarea"]

    def areas_reported_by(self, user) -> list[int]:
        """The ids of the housing areas in which the user's reporting assignments cover this
        activity (the rule of `assignment_covers`)."""
        assignments = list(
            ReportingAssignment.objects.filter(
                membership__plan__subagreements=self.subagreement_id, membership__user=user
            ).values_list("activity_id", "area_id")
        )
        return [
            area.pk
            for area in self.areas.all()
            if any(assignment_covers(assignment, self, area) for assignment in assignments)
        ]


class MetricManager(models.Manager["Metric"]):
    def get_by_natural_key(self, plan_slug, period_code, code, position, name) -> Metric:
        return self.get(
            activity=Activity.objects.get_by_natural_key(plan_slug, period_code, code, position),
            name=name,
        )


class Metric(models.Model):
    """Something an activity counts each quarter in each of its areas, e.g. "antal aktive
    frivillige". Shares are not metrics of their own: a share criterion names one metric as
    numerator and another as denominator, so both are counted and the share is computed."""

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum of the quarters")
        MAX = "max", _("highest quarter")
        LAST = "last", _("last quarter")
        AVERAGE = "average", _("average of the quarters")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("activity")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("what to count"), blank=True, help_text=_("Shown beside the field on the entry form.")
    )
    aggregation = models.CharField(
        _("how quarters add up to a year"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Counts people in a personal situation (young people at risk, citizens on "
            "benefits, mothers and infants). In reports to the board and Landsbyggefonden a "
            'count below the small-number threshold is shown as "<5".'
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecordsWithStart()
    objects = MetricManager()

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["activity", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "name"],
                name="metric_unique_name",
                violation_error_message=_("The activity already counts something with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (*self.activity.natural_key(), self.name)

    natural_key.dependencies = ["activities.activity"]

    def hides(self, value) -> bool:
        """Whether a count of this metric is too small to show outside the secretariat: a
        person in a small area could be recognised from it. Nought identifies no one."""
        return self.sensitive and value is not None and 0 < value < settings.SMALL_NUMBER_THRESHOLD

    def year_value(self, by_quarter: Mapping[int, int | Decimal]) -> Decimal | None:
        """The year's figure from its quarters' counts ({quarter number: count}).

        Quarters without a count are left out rather than read as zero: an unreported quarter
        is unknown, not empty. None when no quarter of the year has a count.
        """
        if not by_quarter:
            return None
        counts = [by_quarter[number] for number in sorted(by_quarter)]
        if self.aggregation == self.Aggregation.MAX:
            return Decimal(max(counts))
        if self.aggregation == self.Aggregation.LAST:
            return Decimal(counts[-1])
        if self.aggregation == self.Aggregation.AVERAGE:
            return Decimal(sum(counts)) / len(counts)
        return Decimal(sum(counts))

    def plan_year_value(self, by_area: Iterable[Mapping[int, int | Decimal]]) -> Decimal | None:
        """The whole plan's figure for a year from each area's quarters ({quarter number:
        count} per area).

        The highest quarter is taken of the areas added up quarter by quarter: the most at
        one time. Every other aggregation takes each area's year and adds the areas up, so
        that an area's year so far is not lost when another area has not reported its latest
        quarter (for a sum it is the same either way). None when no area has a count.
        """
        by_area = [quarters for quarters in by_area if quarters]
        if not by_area:
            return None
        if self.aggregation == self.Aggregation.MAX:
            summed: dict[int, int | Decimal] = {}
            for quarters in by_area:
                for number, value in quarters.items():
                    summed[number] = summed.get(number, 0) + value
            return self.year_value(summed)
        return sum((self.year_value(quarters) or Decimal(0) for quarters in by_area), Decimal(0))

    # A count is far outside its history when it is more than this many times the highest
    # earlier count and also at least OUTLIER_MARGIN above it: small counts jump around.
    OUTLIER_FACTOR = 3
    OUTLIER_MARGIN = 10
    OUTLIER_MIN_HISTORY = 2

    @classmethod
    def is_far_outside(cls, value: int, history: Iterable[int]) -> bool:
        """Whether a new count is so far above the earlier ones that it is likely a typing
        error (an extra digit). It is a warning the reporter confirms, never an error: real
        activities do grow. With too little history nothing is far outside."""
        history = list(history)
        if len(history) < cls.OUTLIER_MIN_HISTORY:
            return False
        highest = max(history)
        return value > cls.OUTLIER_FACTOR * highest and value >= highest + cls.OUTLIER_MARGIN


class ReportingAssignment(models.Model):
    """Who reports which activity in which area each quarter.

    A coordinator is assigned an area and reports the activities the secretariat runs there;
    municipal staff are assigned an activity the municipality runs and report it in every area
    it runs in. Both together narrow the assignment to one activity in one area.
    """

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("role in a plan"),
        limit_choices_to={"role": Role.COORDINATOR},
    )
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("housing area"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("activity"),
    )

    class Meta:
        verbose_name = _("reporting assignment")
        verbose_name_plural = _("reporting assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(activity__isnull=False),
                name="assignment_names_an_area_or_an_activity",
                violation_error_message=_("Choose a housing area, an activity or both."),
            ),
            # Three partial constraints rather than nulls_distinct, which SQLite lacks.
            models.UniqueConstraint(
                fields=["membership", "area", "activity"],
                condition=Q(area__isnull=False, activity__isnull=False),
                name="assignment_unique_activity_in_area",
                violation_error_message=_("This assignment already exists."),
            ),
            models.UniqueConstraint(
                fields=["membership", "area"],
                condition=Q(activity__isnull=True),
                name="assignment_unique_area",
                violation_error_message=_("This assignment already exists."),
            ),
            models.UniqueConstraint(
                fields=["membership", "activity"],
                condition=Q(area__isnull=True),
                name="assignment_unique_activity",
                violation_error_message=_("This assignment already exists."),
            ),
        ]

    def __str__(self) -> str:
        parts = [str(part) for part in (self.activity, self.area) if part is not None]
        return f"{self.membership.user}: {' – '.join(parts)}"

    def clean(self) -> None:
        errors = {}
        membership = self.membership if self.membership_id else None
        if membership and membership.role != Role.COORDINATOR:
            errors["membership"] = _("Only coordinators and municipal reporters are assigned.")
        if (
            membership
            and self.activity_id
            and (self.activity.subagreement.plan_id != membership.plan_id)
        ):
            errors["activity"] = _("The activity must belong to the plan of the role.")
        if (
            membership
            and self.area_id
            and not membership.plan.plan_areas.filter(area_id=self.area_id).exists()
        ):
            errors["area"] = _("The housing area is not part of the plan.")
        if (
            self.area_id
            and self.activity_id
            and not self.activity.areas.filter(pk=self.area_id).exists()
        ):
            errors["area"] = _("The activity does not run in this housing area.")
        if errors:
            raise ValidationError(errors)


class QuarterlyCountQuerySet(models.QuerySet["QuarterlyCount"]):
    def for_plans(self, plan_ids) -> QuarterlyCountQuerySet:
        return self.filter(metric__activity__subagreement__plan_id__in=plan_ids)

    def reported(self) -> QuarterlyCountQuerySet:
        """Counts whose quarter the reporter has submitted (or the secretariat approved).

        What the board and LBF see rests on these only: a draft is a reporter's unfinished
        work and may still change.
        """
        return self.filter(
            Exists(
                QuarterReport.objects.filter(
                    activity=OuterRef("metric__activity"),
                    area=OuterRef("area"),
                    year=OuterRef("year"),
                    quarter=OuterRef("quarter"),
                    status__in=[QuarterReport.Status.SUBMITTED, QuarterReport.Status.APPROVED],
                )
            )
        )


class QuarterlyCount(models.Model):
    """What one metric counted in one housing area in one quarter (*leverancemåling*).

    Counts are whole numbers and never negative; shares are not stored but computed from the
    counts of their numerator and denominator metrics.
    """

    metric = models.ForeignKey(
        Metric, on_delete=models.CASCADE, related_name="counts", verbose_name=_("metric")
    )
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        related_name="quarterly_counts",
        verbose_name=_("housing area"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    value = models.IntegerField(_("count"))
    # Invented by load_demo_data for a first impression, and removed again by its --remove.
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    history = HistoricalRecordsWithStart()
    objects = QuarterlyCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly count")
        verbose_name_plural = _("quarterly counts")
        ordering = ["metric", "area", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "area", "year", "quarter"],
                name="count_one_per_metric_area_quarter",
                violation_error_message=_(
                    "There is already a count for this metric, housing area and quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="count_quarter_1_to_4",
                violation_error_message=_("A quarter is numbered 1 to 4."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="count_not_negative",
                violation_error_message=_("A count cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.area} {self.year}-{self.quarter}"

    def clean(self) -> None:
        errors = {}
        if self.metric_id:
            activity = self.metric.activity
            if self.area_id and not activity.areas.filter(pk=self.area_id).exists():
                errors["area"] = _("The activity does not run in this housing area.")
            if self.year and self.quarter in (1, 2, 3, 4):
                plan = activity.subagreement.plan
                if (self.year, self.quarter) not in {(q.year, q.number) for q in plan.quarters()}:
                    errors["quarter"] = _("The quarter is outside the plan period.")
        if errors:
            raise ValidationError(errors)


class QuarterReportQuerySet(models.QuerySet["QuarterReport"]):
    def for_quarter(self, plan, quarter: Quarter) -> QuarterReportQuerySet:
        return self.filter(
            activity__subagreement__plan=plan, year=quarter.year, quarter=quarter.number
        )

    def by_pair(self, plan, quarter: Quarter) -> dict[tuple[int, int], QuarterReport]:
        """The quarter's reports keyed by (activity id, area id); a pair without one is
        missing. One query."""
        return {
            (report.activity_id, report.area_id): report
            for report in self.for_quarter(plan, quarter).select_related(
                "submitted_by", "approved_by"
            )
        }


class QuarterReport(models.Model):
    """One activity's delivery report for one housing area and one quarter: its state in the
    workflow, and the reporter's note on whether the activity works as intended.

    The counts themselves are QuarterlyCount rows of the activity's metrics. A pair with no
    report is *missing*. A report is saved as a draft, submitted by the reporter and approved
    by the secretariat, which locks it; the secretariat can reopen it with a reason. `revision`
    grows with every save, so a form loaded before someone else's save is recognised as stale.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")

    class Progress(models.TextChoices):
        ON_TRACK = "on_track", _("on track")
        ATTENTION = "attention", _("needs attention")
        OFF_TRACK = "off_track", _("not on track")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="reports", verbose_name=_("activity")
    )
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        related_name="quarter_reports",
        verbose_name=_("housing area"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.CharField(
        _("does the activity work as intended?"),
        max_length=10,
        choices=Progress.choices,
        blank=True,
    )
    note = models.TextField(_("note"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    # Invented by load_demo_data, like the counts it reports on.
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    # The revision only guards against two people saving at once: its change alone is none.
    history = HistoricalRecordsWithStart(unimportant_fields=["revision"])
    objects = QuarterReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["activity", "area", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "area", "year", "quarter"],
                name="report_one_per_activity_area_quarter",
                violation_error_message=_(
                    "There is already a report for this activity, housing area and quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="report_quarter_1_to_4",
                violation_error_message=_("A quarter is numbered 1 to 4."),
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="report_submitted_has_time",
                violation_error_message=_("A submitted report has a submission time."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="report_approved_has_time",
                violation_error_message=_("An approved report has an approval time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} – {self.area} – {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def was_submitted(self) -> bool:
        """Once submitted, a report's numbers are official: changing them needs a reason."""
        return self.submitted_at is not None

    def submit(self, *, by) -> None:
        """Hand the report to the secretariat. The caller saves (with the counts)."""
        if self.is_locked:
            raise ValidationError(_("The quarter is approved and locked."))
        self.status = self.Status.SUBMITTED
        self.submitted_at = timezone.now()
        self.submitted_by = by

    def approve(self, *, by) -> None:
        """The secretariat accepts the report; from now on nobody can change it unless the
        secretariat reopens it. The caller saves (`services.approve_reports`, many at once)."""
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be approved."))
        self.status = self.Status.APPROVED
        self.approved_at = timezone.now()
        self.approved_by = by
        self.revision += 1

    def reopen(self, *, by, reason: str) -> None:
        """Unlock a submitted or approved report so the reporter can correct it; the reason is
        kept on the report for the reporter to read and in its history. The caller saves
        (`services.reopen_report`)."""
        if self.status == self.Status.DRAFT:
            raise ValidationError(_("The report is already open."))
        if not reason.strip():
            raise ValidationError(_("Write why the report is reopened."))
        self.status = self.Status.DRAFT
        self.approved_at = None
        self.approved_by = None
        self.reopen_reason = reason.strip()
        self.revision += 1
        self._change_reason = reason.strip()
        self._history_user = by


class PairStatus(models.TextChoices):
    """Where an activity in one housing area stands for a quarter: its report's status, or
    missing when it has no report yet. In the order of the workflow."""

    MISSING = "missing", _("not started")
    DRAFT = QuarterReport.Status.DRAFT.value, _("draft, not submitted")
    SUBMITTED = QuarterReport.Status.SUBMITTED.value, _("submitted")
    APPROVED = QuarterReport.Status.APPROVED.value, _("approved")

    @classmethod
    def of(cls, report: QuarterReport | None) -> PairStatus:
        return cls(report.status) if report else cls.MISSING

    @property
    def is_finished(self) -> bool:
        """Submitted or approved: the reporter has done their part."""
        return self in (PairStatus.SUBMITTED, PairStatus.APPROVED)


class QuarterReminderQuerySet(models.QuerySet["QuarterReminder"]):
    def sent_for(self, plan, quarter: Quarter) -> dict[int, QuarterReminder]:
        """The latest reminder of the quarter to each membership of the plan, by membership
        id. One query."""
        reminders = self.filter(
            membership__plan=plan, year=quarter.year, quarter=quarter.number
        ).order_by("sent_at")
        return {reminder.membership_id: reminder for reminder in reminders}


class QuarterReminder(models.Model):
    """That a reminder about a quarter went to someone: a reporter with missing reports, or a
    secretariat member with the summary. Kept so that a daily run sends each one once."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="quarter_reminders",
        verbose_name=_("role in a plan"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("Who sent it from the overview; empty for the daily reminders."),
    )

    objects = QuarterReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarter reminder")
        verbose_name_plural = _("quarter reminders")
        constraints = [
            # The daily run reminds each person once a quarter; the secretariat may remind
            # someone again by hand, as often as it judges right.
            models.UniqueConstraint(
                fields=["membership", "year", "quarter"],
                condition=Q(sent_by__isnull=True),
                name="reminder_once_per_membership_quarter",
                violation_error_message=_("A reminder for this quarter was already sent."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="reminder_quarter_1_to_4",
                violation_error_message=_("A quarter is numbered 1 to 4."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} {Quarter(self.year, self.quarter)}"
