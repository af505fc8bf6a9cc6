"""Success criteria (*succeskriterier*), the figures they are judged on, and their targets.

Yearly figures from outside sources (police, BL tables, the municipality) are `Measurement`s
of an `Indicator`. A criterion reads either an indicator or, for an activity, the quarterly
counts of its metrics. Measurements belong to the indicator rather than to a criterion because
the same figure serves several criteria: the safety figure is a criterion in two delaftaler,
and it must be typed once and read the same in both.

A criterion's rule is a list of `CriterionTarget`s, one per rule and housing area (or the whole
plan), so that "from 30,65 in 2016 to at most 20 in 2021, and under 30 on Motalavej" is three
targets of one criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Activity, Metric
from agreements.models import HousingArea, NumberedInSubagreementManager, Plan, Subagreement
from lib.constraints import validate_constraints_on_fields
from lib.history import HistoricalRecordsWithStart
from lib.phrases import comparison_phrase, describe_target, format_figure_with_unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Unit(models.TextChoices):
    # A count of people or events: "antal" in Danish, not the "nummer" of a section.
    COUNT = "count", pgettext_lazy("unit of a figure", "number")
    PERCENT = "percent", _("per cent")
    PER_THOUSAND = "per_thousand", _("per 1,000 residents")
    FULL_TIME_PERSONS = "full_time_persons", _("full-time persons")


class IndicatorManager(models.Manager["Indicator"]):
    def get_by_natural_key(self, plan_slug: str, name: str) -> Indicator:
        return self.get(plan__slug=plan_slug, name=name)


class Indicator(models.Model):
    """A figure measured once a year, per housing area or for the whole plan.

    A reference indicator is a figure from outside the plan's areas that targets compare with,
    such as the average safety of all særligt udsatte boligområder or the municipality's crime
    rate; its measurements have no area.
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_reference = models.BooleanField(
        _("external reference"),
        default=False,
        help_text=_("A figure from outside the plan's areas that targets compare with."),
    )

    history = HistoricalRecordsWithStart()
    objects = IndicatorManager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="indicator_unique_name_per_plan",
                violation_error_message=_("The plan already has an indicator with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.slug, self.name)

    natural_key.dependencies = ["agreements.plan"]


class MeasurementManager(models.Manager["Measurement"]):
    def get_by_natural_key(self, plan_slug, indicator_name, year, area_code) -> Measurement:
        return (
            self.get(
                indicator__plan__slug=plan_slug,
                indicator__name=indicator_name,
                year=year,
                area__code=area_code,
            )
            if area_code
            else self.get(
                indicator__plan__slug=plan_slug,
                indicator__name=indicator_name,
                year=year,
                area__isnull=True,
            )
        )


class Measurement(models.Model):
    """The value of an indicator in one calendar year, in one area or for the whole plan."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("housing area"),
        help_text=_("Leave empty for a figure that covers the whole plan."),
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    measured_on = models.DateField(_("date of the figure"), null=True, blank=True)
    # Invented by load_demo_data; real figures (the fixture's baselines) never have it.
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    # Who changed a figure, when, from what, and why (the reason is required on the
    # measurements page when an entered figure is changed).
    history = HistoricalRecordsWithStart()
    objects = MeasurementManager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "year", "area__name"]
        constraints = [
            # Two partial constraints so that "the whole plan" (no area) is unique too.
            models.UniqueConstraint(
                fields=["indicator", "year", "area"],
                condition=Q(area__isnull=False),
                name="measurement_one_per_indicator_year_area",
                violation_error_message=_(
                    "There is already a figure for this indicator, year and housing area."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(area__isnull=True),
                name="measurement_one_per_indicator_year_whole_plan",
                violation_error_message=_(
                    "There is already a figure for this indicator and year for the whole plan."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="measurement_not_negative",
                violation_error_message=_("A figure cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100),
                name="measurement_year_plausible",
                violation_error_message=_("The year must be between 1990 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        where = self.area or _("whole plan")
        return f"{self.indicator} {self.year} ({where})"

    def natural_key(self) -> tuple:
        return (*self.indicator.natural_key(), self.year, self.area.code if self.area else None)

    natural_key.dependencies = ["indicators.indicator", "agreements.housingarea"]

    def clean(self) -> None:
        errors = {}
        if self.indicator_id:
            indicator = self.indicator
            if self.value is not None and indicator.unit == Unit.PERCENT and self.value > 100:
                errors["value"] = _("A percentage cannot be above 100.")
            plan = indicator.plan
            if self.year is not None and not (
                plan.first_measured_year <= self.year <= plan.end_date.year
            ):
                errors["year"] = _(
                    "The year must be between %(first)s and %(last)s: the plan's own years, "
                    "or up to %(baseline_years)s years before them for a baseline."
                ) % {
                    "first": plan.first_measured_year,
                    "last": plan.end_date.year,
                    "baseline_years": plan.BASELINE_YEARS,
                }
            if self.area_id and indicator.is_reference:
                errors["area"] = _("An external reference has no housing area.")
            elif (
                self.area_id and not indicator.plan.plan_areas.filter(area_id=self.area_id).exists()
            ):
                errors["area"] = _("The housing area is not part of the plan.")
        if errors:
            raise ValidationError(errors)


class SuccessCriterionQuerySet(models.QuerySet["SuccessCriterion"]):
    def for_evaluation(self, plan: Plan) -> SuccessCriterionQuerySet:
        """The plan's criteria with everything the engine reads, in three queries."""
        return (
            self.filter(subagreement__plan=plan)
            .select_related(
                "subagreement__focus_area",
                "activity",
                "indicator",
                "metric",
                "denominator_metric",
            )
            .prefetch_related(
                models.Prefetch(
                    "targets",
                    queryset=CriterionTarget.objects.select_related("area", "reference"),
                )
            )
            .order_by("subagreement__focus_area__position", "subagreement_id", "position")
        )

    def for_measurements_page(self, subagreement: Subagreement) -> SuccessCriterionQuerySet:
        """A delaftale's criteria, its own first and then each activity's, with the targets,
        the indicator's figures and the assessments: a fixed number of queries however many
        criteria, years and figures there are."""
        return (
            self.filter(subagreement=subagreement)
            .select_related("activity", "indicator", "metric")
            .prefetch_related(
                "targets",
                models.Prefetch("indicator__measurements", queryset=Measurement.objects.order_by()),
                models.Prefetch(
                    "assessments",
                    queryset=QualitativeAssessment.objects.select_related("assessed_by"),
                ),
            )
            .order_by(models.F("activity__position").asc(nulls_first=True), "position")
        )


class SuccessCriterion(models.Model):
    """A *succeskriterium* of a delaftale or of one of its activities, with its *datakilde*.

    `subagreement` is always set; `activity` is set for an activity's own criteria and then
    decides `subagreement` (see `save`).
    """

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("measured against targets")
        QUALITATIVE = "qualitative", _("assessed by people")

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("sub-agreement"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("activity"),
        help_text=_("Leave empty for a criterion of the sub-agreement itself."),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    group_label = models.CharField(
        _("group"),
        max_length=300,
        blank=True,
        help_text=_("A heading the agreement groups criteria under, if any."),
    )
    text = models.TextField(_("success criterion"))
    data_source = models.TextField(_("data source"))
    method = models.TextField(_("method of measurement"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIVE
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("indicator"),
        help_text=_("For a criterion read from yearly figures."),
    )
    metric = models.ForeignKey(
        Metric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("metric"),
        help_text=_("For a criterion read from quarterly counts (the numerator of a share)."),
    )
    denominator_metric = models.ForeignKey(
        Metric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="denominator_of",
        verbose_name=_("denominator metric"),
        help_text=_("Makes the criterion a share: metric divided by this, summed over the year."),
    )
    rule_note = models.TextField(
        _("how the criterion is read"),
        blank=True,
        help_text=_("Where the agreement's wording leaves room, how the targets interpret it."),
    )

    history = HistoricalRecordsWithStart()
    objects = NumberedInSubagreementManager.from_queryset(SuccessCriterionQuerySet)()

    class Meta:
        verbose_name = _("success criterion")
        verbose_name_plural = _("success criteria")
        ordering = ["subagreement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "position"],
                name="criterion_unique_position",
                violation_error_message=_(
                    "The sub-agreement already has a success criterion at this position."
                ),
            ),
            models.CheckConstraint(
                condition=Q(indicator__isnull=True) | Q(metric__isnull=True),
                name="criterion_reads_an_indicator_or_a_metric_not_both",
                violation_error_message=_(
                    "A criterion reads either an indicator or a metric, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(denominator_metric__isnull=True) | Q(metric__isnull=False),
                name="criterion_denominator_needs_a_numerator",
                violation_error_message=_(
                    "A share needs a numerator metric as well as a denominator."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(data_source=""),
                name="criterion_has_a_data_source",
                violation_error_message=_("Every success criterion needs a data source."),
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"

    def save(self, *args, **kwargs) -> None:
        # An activity's criterion belongs to the activity's delaftale; never let them differ.
        if self.activity_id:
            self.subagreement_id = self.activity.subagreement_id
        super().save(*args, **kwargs)

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.position)

    natural_key.dependencies = [
        "agreements.subagreement",
        "activities.activity",
        "activities.metric",
        "indicators.indicator",
    ]

    @property
    def unit(self) -> str:
        """The unit the targets are expressed in, from what the criterion reads."""
        if self.denominator_metric_id:
            return Unit.PERCENT
        if self.indicator_id:
            return self.indicator.unit
        if self.metric_id:
            return Unit.COUNT
        return ""

    def clean(self) -> None:
        errors = {}
        activity = self.activity if self.activity_id else None
        for field in ("metric", "denominator_metric"):
            metric = getattr(self, field) if getattr(self, f"{field}_id") else None
            if metric and (activity is None or metric.activity_id != activity.pk):
                errors[field] = _("The metric must belong to the criterion's activity.")
        if (
            self.indicator_id
            and self.subagreement_id
            and (self.indicator.plan_id != self.subagreement.plan_id)
        ):
            errors["indicator"] = _("The indicator must belong to the same plan.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # What the criterion reads, beside the metric, as the admin shows a field's own errors.
        validate_constraints_on_fields(
            self,
            {
                "criterion_reads_an_indicator_or_a_metric_not_both": ("metric", None),
                "criterion_denominator_needs_a_numerator": ("metric", None),
            },
            exclude,
        )


class CriterionTargetManager(models.Manager["CriterionTarget"]):
    def get_by_natural_key(
        self, plan_slug, period_code, code, criterion_position, position
    ) -> CriterionTarget:
        return self.get(
            criterion=SuccessCriterion.objects.get_by_natural_key(
                plan_slug, period_code, code, criterion_position
            ),
            position=position,
        )


@dataclass(frozen=True)
class RequiredByKind:
    """A field that some kinds of target need, and the CheckConstraint that says so."""

    field: str
    kinds: list[str]
    name: str
    message: StrOrPromise

    def constraint(self) -> models.CheckConstraint:
        # One kind is written `kind=…`, several `kind__in=[…]`: the conditions as migrated.
        kind = Q(kind=self.kinds[0]) if len(self.kinds) == 1 else Q(kind__in=self.kinds)
        return models.CheckConstraint(
            condition=~kind | Q(**{f"{self.field}__isnull": False}),
            name=self.name,
            violation_error_message=self.message,
        )


# What each kind of target needs besides its comparison, written once: CriterionTarget's
# constraints are made from it, and a form shows a missing field's error beside the field
# (CriterionTarget.validate_constraints). It stands outside the model because the model's Meta
# cannot read the model's own attributes.
REQUIRED_BY_KIND = [
    RequiredByKind(
        "value",
        ["yearly", "average", "cumulative", "by_year"],
        "target_value_required_for_fixed_targets",
        _("This kind of target needs a target value."),
    ),
    RequiredByKind(
        "change_percent",
        ["change_previous", "change_baseline", "yearly_change"],
        "target_change_percent_required_for_changes",
        _("This kind of target needs a change in per cent."),
    ),
    RequiredByKind(
        "horizon_years",
        ["change_baseline"],
        "target_horizon_required_for_change_from_baseline",
        _("A change from the baseline needs a horizon in years."),
    ),
    RequiredByKind(
        "to_year",
        ["by_year"],
        "target_year_required_for_target_in_a_year",
        _("A target in a target year needs the target year ('to year')."),
    ),
    RequiredByKind(
        "reference",
        ["reference"],
        "target_reference_required_for_comparison_with_reference",
        _("A comparison with a reference needs the reference."),
    ),
]


class CriterionTarget(models.Model):
    """One rule of a success criterion, for one housing area or for the whole plan.

    Every kind compares the year's value with something, using `comparison`:
    - yearly: the value each year against `value` (a range when `value_max` is set);
    - average: the average over the period (for a share: all its numerators over all its
      denominators) against `value`, due at the end of the period;
    - cumulative: the total from the start against `value`, due by the deadline;
    - by_year: against `value` by the deadline, on a straight line from the baseline;
    - change_previous: against last year's value changed by `change_percent`;
    - yearly_change: against the baseline changed by `change_percent` for every year since
      it ("falling by 10 % a year from 15 in 2015": at most 12,15 in 2017);
    - change_baseline: against the baseline changed by `change_percent` within
      `horizon_years` (or by the deadline, when one is set), and held after that;
    - reference: against the latest value of the `reference` indicator, due at the deadline;
    - direction: against the baseline, due at the deadline.
    `from_year`/`to_year` limit the years the rule applies to. The deadline is the end of
    `to_year`, or of its quarter `to_quarter` when the agreement names a date inside a year
    ("by the end of the plan's first year": 30 September 2018, quarter 3 of 2018); without
    `to_year` it is the end of the plan ("Målene skal sættes for den fireårige periode",
    seed section 5). Before the deadline a target is on track or not; it is met or not only
    once it is due. A baseline without a value is read from the measurement of
    `baseline_year` when that is entered.
    """

    class Kind(models.TextChoices):
        YEARLY = "yearly", _("every year")
        AVERAGE = "average", _("average per year")
        CUMULATIVE = "cumulative", _("total by a deadline")
        BY_YEAR = "by_year", _("target in a target year")
        CHANGE_PREVIOUS = "change_previous", _("change from the previous year")
        YEARLY_CHANGE = "yearly_change", _("change per year from the baseline")
        CHANGE_BASELINE = "change_baseline", _("change from the baseline within a horizon")
        REFERENCE = "reference", _("compared with a reference")
        DIRECTION = "direction", _("direction from the baseline")

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("at least")
        ABOVE = "gt", _("above")
        AT_MOST = "lte", _("at most")
        BELOW = "lt", _("below")

    criterion = models.ForeignKey(
        SuccessCriterion,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("success criterion"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("housing area"),
        help_text=_("Leave empty for the whole plan."),
    )
    kind = models.CharField(_("kind of target"), max_length=20, choices=Kind.choices)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_max = models.DecimalField(
        _("upper end of range"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a range such as '10-12 young people'."),
    )
    change_percent = models.DecimalField(
        _("change in per cent"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Negative for a fall, e.g. -10 for 'at least 10 per cent fewer'."),
    )
    horizon_years = models.PositiveSmallIntegerField(_("horizon in years"), null=True, blank=True)
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    from_year = models.PositiveSmallIntegerField(_("from year"), null=True, blank=True)
    to_year = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, help_text=_("The target year or deadline.")
    )
    to_quarter = models.PositiveSmallIntegerField(
        _("deadline quarter"),
        null=True,
        blank=True,
        help_text=_(
            "When the deadline falls inside the 'to year': the quarter it ends, e.g. 3 for "
            "30 September. Empty: the end of the year."
        ),
    )
    reference = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reference_for",
        verbose_name=_("reference"),
        limit_choices_to={"is_reference": True},
    )
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("A name the agreement gives the target, e.g. 'ghettokriteriet'."),
    )

    history = HistoricalRecordsWithStart()
    objects = CriterionTargetManager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["criterion", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "position"],
                name="target_unique_position",
                violation_error_message=_("The criterion already has a target at this position."),
            ),
            *(rule.constraint() for rule in REQUIRED_BY_KIND),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True)
                | Q(value__isnull=False, value_max__gte=models.F("value")),
                name="target_range_max_not_below_min",
                violation_error_message=_("The upper end cannot be below the target value."),
            ),
            models.CheckConstraint(
                condition=Q(from_year__isnull=True)
                | Q(to_year__isnull=True)
                | Q(from_year__lte=models.F("to_year")),
                name="target_from_year_not_after_to_year",
                violation_error_message=_("'To year' cannot be before 'from year'."),
            ),
            models.CheckConstraint(
                condition=Q(to_quarter__isnull=True)
                | Q(to_year__isnull=False, to_quarter__gte=1, to_quarter__lte=4),
                name="target_to_quarter_of_the_to_year",
                violation_error_message=_(
                    "A deadline quarter is numbered 1 to 4 and needs the 'to year'."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_value__gte=0),
                name="target_baseline_not_negative",
                violation_error_message=_("A baseline cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(change_percent__isnull=True) | Q(change_percent__gt=-100),
                name="target_change_above_minus_100_percent",
                violation_error_message=_("A fall cannot be 100 per cent or more."),
            ),
        ]

    def __str__(self) -> str:
        where = self.area or _("whole plan")
        return f"{self.get_kind_display()} ({where})"

    def natural_key(self) -> tuple:
        return (*self.criterion.natural_key(), self.position)

    natural_key.dependencies = [
        "indicators.successcriterion",
        "indicators.indicator",
        "agreements.housingarea",
    ]

    def describe(self, unit: str = "", **how) -> str:
        """The target in words ("at least 50", "3–4"); `how` as lib.phrases.describe_target
        takes it."""
        return describe_target(self.comparison, self.value, self.value_max, unit, **how)

    def describe_rule(self, unit: str = "") -> str:
        """The rule in a few words, for a chart's legend: the target value where it has one
        ("højst 20"), else the change or comparison it asks for ("-10 % fra året før"); never
        a dash for a value it does not have."""
        if self.value is not None:
            return self.describe(unit)
        if self.change_percent is not None:
            sign = "+" if self.change_percent > 0 else ""
            percent = f"{sign}{format_figure_with_unit(self.change_percent)} %"
            phrases = {
                self.Kind.CHANGE_PREVIOUS: _("%(percent)s from the year before"),
                self.Kind.YEARLY_CHANGE: _("%(percent)s a year from the baseline"),
                self.Kind.CHANGE_BASELINE: _("%(percent)s from the baseline"),
            }
            if self.kind in phrases:
                return str(phrases[self.kind]) % {"percent": percent}
        if self.kind == self.Kind.REFERENCE and self.reference_id:
            return comparison_phrase(self.comparison, str(self.reference))
        rising = self.comparison in (self.Comparison.AT_LEAST, self.Comparison.ABOVE)
        return str(_("a rise from the baseline") if rising else _("a fall from the baseline"))

    def clean(self) -> None:
        if self.criterion_id and self.area_id:
            plan = self.criterion.subagreement.plan
            if not plan.plan_areas.filter(area_id=self.area_id).exists():
                raise ValidationError({"area": _("The housing area is not part of the plan.")})

    def validate_constraints(self, exclude=None) -> None:
        # Beside the field to correct, as the admin shows a field's own errors; a missing field
        # in the words of a required field. The required fields first, so that a missing value
        # is one mistake, not also a range upside down.
        required = _("Required for this kind of target.")
        validate_constraints_on_fields(
            self,
            {
                **{rule.name: (rule.field, required) for rule in REQUIRED_BY_KIND},
                "target_range_max_not_below_min": ("value_max", None),
                "target_from_year_not_after_to_year": ("to_year", None),
                "target_to_quarter_of_the_to_year": ("to_quarter", None),
                "target_change_above_minus_100_percent": ("change_percent", None),
            },
            exclude,
        )


class QualitativeAssessment(models.Model):
    """People's judgement of a qualitative success criterion for one year, with its reasons.

    Qualitative criteria ("Trygheden vurderes styrket") have no figure to compare; the
    secretariat records the assessment the board will read, and who made it and when.
    """

    class Status(models.TextChoices):
        MET = "met", _("met")
        PARTLY_MET = "partly_met", _("partly met")
        NOT_MET = "not_met", _("not met")

    criterion = models.ForeignKey(
        SuccessCriterion,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("success criterion"),
        limit_choices_to={"kind": SuccessCriterion.Kind.QUALITATIVE},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("assessment"), max_length=20, choices=Status.choices)
    justification = models.TextField(_("justification"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"))

    history = HistoricalRecordsWithStart()

    class Meta:
        verbose_name = _("qualitative assessment")
        verbose_name_plural = _("qualitative assessments")
        ordering = ["criterion", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "year"],
                name="assessment_one_per_criterion_year",
                violation_error_message=_("The criterion is already assessed for this year."),
            ),
            models.CheckConstraint(
                condition=~Q(justification=""),
                name="assessment_has_a_justification",
                violation_error_message=_("An assessment needs a written justification."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.year}: {self.get_status_display()}"

    def clean(self) -> None:
        errors = {}
        if self.criterion_id:
            if self.criterion.kind != SuccessCriterion.Kind.QUALITATIVE:
                errors["criterion"] = _("Only qualitative criteria are assessed by people.")
            plan = self.criterion.subagreement.plan
            if self.year is not None and self.year not in {y.year for y in plan.years()}:
                errors["year"] = _(
                    "The year must be one of the plan's years (%(first)s–%(last)s)."
                ) % {
                    "first": plan.start_date.year,
                    "last": plan.end_date.year,
                }
        if errors:
            raise ValidationError(errors)
