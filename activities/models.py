"""Activities of a delaftale, what they count each quarter, and who reports them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import (
    HousingArea,
    Membership,
    NumberedInSubagreementManager,
    Role,
    Subagreement,
)


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

    objects = NumberedInSubagreementManager()

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
    position = models.PositiveSmallIntegerField(_("position"), default=0)

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

    def year_value(self, by_quarter: Mapping[int, int]) -> Decimal | None:
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

    history = HistoricalRecords()
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
