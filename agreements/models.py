"""The agreements of a boligsocial helhedsplan.

A plan (the *strategisk samarbejdsaftale*) belongs to an LBF funding period, covers some housing
areas, and holds at most one *delaftale* (here `Subagreement`) per focus area (*indsatsområde*)
of its funding period: it may take a subset of them. Danish domain words are kept in verbose
names and docstrings; identifiers are English.

Amounts of money are stored in whole kroner and shown in thousands (t.kr.), the unit the seed
and LBF's budget template use.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lib.constraints import validate_constraints_on_fields
from lib.history import HistoricalRecordsWithStart
from lib.numbers import format_thousand_dkk
from lib.periods import (
    HalfYear,
    PlanYear,
    Quarter,
    half_years_between,
    quarters_between,
    years_between,
)

from .lbf_template import ACTIVITY_HEADINGS, TITLE, Edition, headings


class FundingPeriodManager(models.Manager["FundingPeriod"]):
    def get_by_natural_key(self, code: str) -> FundingPeriod:
        return self.get(code=code)


class FundingPeriod(models.Model):
    """An LBF funding period, such as "2015-18-midlerne"; it fixes which focus areas exist."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))

    objects = FundingPeriodManager()

    class Meta:
        verbose_name = _("funding period")
        verbose_name_plural = _("funding periods")
        ordering = ["first_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_year__lte=models.F("last_year")),
                name="fundingperiod_first_year_not_after_last",
                violation_error_message=_("The first year cannot be after the last year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class FocusAreaManager(models.Manager["FocusArea"]):
    def get_by_natural_key(self, period_code: str, code: str) -> FocusArea:
        return self.get(funding_period__code=period_code, code=code)


class FocusArea(models.Model):
    """An *indsatsområde* of a funding period; a plan of that period has at most one delaftale
    for each, and may leave some out."""

    funding_period = models.ForeignKey(
        FundingPeriod,
        on_delete=models.PROTECT,
        related_name="focus_areas",
        verbose_name=_("funding period"),
    )
    code = models.SlugField(_("code"), help_text=_("Short name used in links and commands."))
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = FocusAreaManager()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["funding_period__first_year", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["funding_period", "code"],
                name="focusarea_unique_code_per_period",
                violation_error_message=_(
                    "The funding period already has a focus area with this code."
                ),
            ),
            models.UniqueConstraint(
                fields=["funding_period", "name"],
                name="focusarea_unique_name_per_period",
                violation_error_message=_(
                    "The funding period already has a focus area with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.funding_period.code, self.code)

    natural_key.dependencies = ["agreements.fundingperiod"]


class OrganisationManager(models.Manager["Organisation"]):
    def get_by_natural_key(self, name: str) -> Organisation:
        return self.get(name=name)


class Organisation(models.Model):
    """A housing organisation, the municipality, the police or another partner."""

    class Kind(models.TextChoices):
        HOUSING = "housing", _("housing organisation")
        MUNICIPALITY = "municipality", _("municipality")
        POLICE = "police", _("police")
        OTHER = "other", _("other partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class HousingAreaManager(models.Manager["HousingArea"]):
    def get_by_natural_key(self, code: str) -> HousingArea:
        return self.get(code=code)


class HousingArea(models.Model):
    """A *boligområde*. Areas outlive plans: a follow-on plan covers the same estates."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_("Used in narrow table columns, e.g. 'Ringparken'."),
    )

    objects = HousingAreaManager()

    class Meta:
        verbose_name = _("housing area")
        verbose_name_plural = _("housing areas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    """What a user does in a plan; it decides what they may see and change."""

    SECRETARIAT = "secretariat", _("Secretariat")
    COORDINATOR = "coordinator", _("Coordinator")
    BOARD = "board", _("Board")
    LBF = "lbf", _("Landsbyggefonden")


class PlanQuerySet(models.QuerySet["Plan"]):
    def for_user(self, user) -> PlanQuerySet:
        """The plans this user has any role in (every plan for a superuser)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()

    def with_role(self, user, *roles: str) -> PlanQuerySet:
        """The plans in which this user holds one of `roles` (every plan for a superuser)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user, memberships__role__in=roles).distinct()

    def with_role_of(self, user) -> PlanQuerySet:
        """Annotate `user_role`, the user's role in each plan (None where they have none, as a
        superuser may not): what `agreements.access.PlanAccess` is made from. No extra query."""
        role = Membership.objects.filter(plan=OuterRef("pk"), user=user.pk).values("role")[:1]
        return self.annotate(user_role=Subquery(role))

    def for_overview(self) -> PlanQuerySet:
        """Plans with their delaftaler counted, in a fixed number of queries however many
        plans there are."""
        subagreements = Subagreement.objects.select_related("focus_area").annotate(
            activity_total=Count("activities", distinct=True),
            criterion_total=Count("criteria", distinct=True),
        )
        return self.select_related("funding_period").prefetch_related(
            Prefetch("subagreements", queryset=subagreements)
        )

    def with_budget_totals(self) -> PlanQuerySet:
        """Annotate the sums of the delaftaler's budgets, for the budget overview."""
        return self.annotate(
            subagreements_lbf=Sum("subagreements__budget_lbf", default=0),
            subagreements_local=Sum("subagreements__budget_local", default=0),
        )


class PlanManager(models.Manager["Plan"]):
    def get_by_natural_key(self, slug: str) -> Plan:
        return self.get(slug=slug)


class Plan(models.Model):
    """A boligsocial helhedsplan: the strategic cooperation agreement and everything under it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), unique=True)
    funding_period = models.ForeignKey(
        FundingPeriod,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("funding period"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    preamble = models.TextField(
        _("preamble"),
        blank=True,
        help_text=_("The introduction before section 1 ('Aftaledokumenter')."),
    )
    vision = models.TextField(_("vision"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    budget_lbf = models.BigIntegerField(_("budget from LBF (DKK)"), default=0)
    budget_local = models.BigIntegerField(_("local co-financing (DKK)"), default=0)
    budget_note = models.TextField(_("budget note"), blank=True)
    areas = models.ManyToManyField(
        HousingArea, through="PlanArea", related_name="plans", verbose_name=_("housing areas")
    )
    parties = models.ManyToManyField(
        Organisation, through="PlanParty", related_name="plans", verbose_name=_("parties")
    )
    has_demo_data = models.BooleanField(
        _("has demo data"),
        default=False,
        editable=False,
        help_text=_(
            "Invented quarterly counts and measurements were loaded with load_demo_data; "
            "every page of the plan says so until they are removed with --remove."
        ),
    )

    history = HistoricalRecordsWithStart()

    BASELINE_YEARS = 10

    objects = PlanManager.from_queryset(PlanQuerySet)()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lt=models.F("end_date")),
                name="plan_starts_before_end",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(budget_lbf__gte=0),
                name="plan_budget_lbf_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(budget_local__gte=0),
                name="plan_budget_local_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["agreements.fundingperiod"]

    @property
    def budget_total(self) -> int:
        return self.budget_lbf + self.budget_local

    def budget_overview(self) -> dict:
        """The plan's budget against its delaftaler, and what is left unallocated.

        The seed's delaftaler do not add up to the plan total; the remainder is real and is
        shown, never hidden.
        """
        subagreements = list(self.subagreements.select_related("focus_area"))
        allocated = {
            "lbf": sum(subagreement.budget_lbf for subagreement in subagreements),
            "local": sum(subagreement.budget_local for subagreement in subagreements),
        }
        allocated["total"] = allocated["lbf"] + allocated["local"]
        plan = {"lbf": self.budget_lbf, "local": self.budget_local, "total": self.budget_total}
        return {
            "subagreements": subagreements,
            "plan": plan,
            "allocated": allocated,
            "unallocated": {key: plan[key] - allocated[key] for key in plan},
        }

    def years(self) -> list[PlanYear]:
        """The calendar years the plan touches, the first and last often only in part."""
        return years_between(self.start_date, self.end_date)

    def quarters(self) -> list[Quarter]:
        return quarters_between(self.start_date, self.end_date)

    def half_years(self) -> list[HalfYear]:
        """The half-years the plan touches: the periods of the board's status reports."""
        return half_years_between(self.start_date, self.end_date)

    def half_year(self, code: str) -> HalfYear:
        """The plan's half-year a code such as "2019H1" names; ValueError, saying why in words
        for the user, for anything else or one outside the plan."""
        try:
            half_year = HalfYear.parse(code)
        except ValueError:
            raise ValueError(
                _("There is no half-year called “%(code)s”. Write it as, for example, 2019H1.")
                % {"code": code}
            ) from None
        half_years = self.half_years()
        if half_year not in half_years:
            raise ValueError(
                _("%(half_year)s is outside the plan, which runs from %(first)s to %(last)s.")
                % {"half_year": half_year, "first": half_years[0], "last": half_years[-1]}
            )
        return half_year

    def reporting_half_year(self, today) -> HalfYear:
        """The half-year the board most likely means on `today`: the one just ended, or the
        plan's first or last half-year before or after the plan."""
        half_years = self.half_years()
        return min(max(HalfYear.containing(today).previous(), half_years[0]), half_years[-1])

    def reporting_quarter(self, today) -> Quarter:
        """The quarter a reporter most likely means on `today`: the one just ended, or the
        plan's first or last quarter before or after the plan."""
        quarters = self.quarters()
        just_ended = Quarter.containing(today).previous()
        return min(max(just_ended, quarters[0]), quarters[-1])

    @property
    def first_measured_year(self) -> int:
        """The earliest year a figure may be entered for.

        Criteria compare with figures from before the plan (the seed's tables go back to 2011),
        so baselines from up to BASELINE_YEARS before the start are accepted.
        """
        return self.start_date.year - self.BASELINE_YEARS

    def clean(self) -> None:
        # The other side of Subagreement.clean: a plan cannot move to another funding period
        # away from the focus areas of its delaftaler and sections.
        if self.pk and self.funding_period_id:
            other_period = ~Q(focus_area__funding_period=self.funding_period_id)
            if (
                self.subagreements.filter(other_period).exists()
                or self.sections.filter(other_period, focus_area__isnull=False).exists()
            ):
                raise ValidationError(
                    {
                        "funding_period": _(
                            "The plan's sub-agreements and sections are for focus areas of "
                            "its present funding period."
                        )
                    }
                )

    def missing_focus_areas(self) -> models.QuerySet[FocusArea]:
        """Focus areas of the funding period that have no delaftale yet. A plan may take a
        subset of its period's areas, so these are open to it, not required of it."""
        return self.funding_period.focus_areas.exclude(subagreements__plan=self)

    def validate_constraints(self, exclude=None) -> None:
        # The dates' order beside the end date, as the admin shows a field's own errors.
        validate_constraints_on_fields(
            self, {"plan_starts_before_end": ("end_date", None)}, exclude
        )


class PlanAreaManager(models.Manager["PlanArea"]):
    def get_by_natural_key(self, plan_slug: str, area_code: str) -> PlanArea:
        return self.get(plan__slug=plan_slug, area__code=area_code)


class PlanArea(models.Model):
    """A housing area as part of one plan, with what the plan says about it."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="plan_areas", verbose_name=_("plan")
    )
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        related_name="plan_areas",
        verbose_name=_("housing area"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    particularly_vulnerable = models.BooleanField(
        _("on the government's list"),
        default=False,
        help_text=_("On the government's list of særligt udsatte boligområder."),
    )
    coordinator_fte = models.DecimalField(
        _("coordinator FTE"),
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Share of a full-time coordinator for this area, e.g. 0.5 for 50 per cent."),
    )

    history = HistoricalRecordsWithStart()
    objects = PlanAreaManager()

    class Meta:
        verbose_name = _("housing area in plan")
        verbose_name_plural = _("housing areas in plan")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "area"],
                name="planarea_unique_area_per_plan",
                violation_error_message=_("The housing area is already part of the plan."),
            ),
            models.CheckConstraint(
                condition=Q(coordinator_fte__gte=0) | Q(coordinator_fte__isnull=True),
                name="planarea_coordinator_fte_not_negative",
                violation_error_message=_("An FTE share cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} ({self.plan})"

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.slug, self.area.code)

    natural_key.dependencies = ["agreements.plan", "agreements.housingarea"]


class PlanPartyManager(models.Manager["PlanParty"]):
    def get_by_natural_key(self, plan_slug: str, organisation_name: str) -> PlanParty:
        return self.get(plan__slug=plan_slug, organisation__name=organisation_name)


class PlanParty(models.Model):
    """A party to the strategic agreement."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="plan_parties", verbose_name=_("plan")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="plan_parties",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecordsWithStart()
    objects = PlanPartyManager()

    class Meta:
        verbose_name = _("party to the plan")
        verbose_name_plural = _("parties to the plan")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation"],
                name="planparty_unique_organisation_per_plan",
                violation_error_message=_("The organisation is already a party to the plan."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.slug, self.organisation.name)

    natural_key.dependencies = ["agreements.plan", "agreements.organisation"]


class Signatory(models.Model):
    """A person who signed the strategic agreement on behalf of a party."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
        verbose_name=_("organisation"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecordsWithStart()

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return self.name


class BodyManager(models.Manager["Body"]):
    def get_by_natural_key(self, plan_slug: str, name: str) -> Body:
        return self.get(plan__slug=plan_slug, name=name)


class Body(models.Model):
    """A part of the plan's organisation (seed section 2): the board, its chair, the
    secretariat, the coordination group, the coordinators or a local follow-up group."""

    class Kind(models.TextChoices):
        BOARD = "board", _("board")
        CHAIR = "chair", _("chair")
        SECRETARIAT = "secretariat", _("secretariat")
        COORDINATION_GROUP = "coordination_group", _("coordination group")
        COORDINATORS = "coordinators", _("coordinators")
        LOCAL_GROUP = "local_group", _("local follow-up group")
        STAFF = "staff", _("staff of the community houses")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("plan")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        HousingArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("housing area"),
        help_text=_("Only for a local follow-up group."),
    )
    heading = models.CharField(
        _("heading in the agreement"),
        max_length=200,
        blank=True,
        help_text=_(
            "The heading the strategic agreement gives this body, e.g. 'Bestyrelse'; empty: "
            "its name. Bodies that follow each other with the same heading and the same text "
            "(the four local follow-up groups) are written once."
        ),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("The agreement's text before the composition.")
    )
    composition = models.TextField(
        _("composition"), blank=True, help_text=_("Who takes part, one line each.")
    )
    closing = models.TextField(
        _("text after the composition"),
        blank=True,
        help_text=_("The agreement's text about the body after the list of who takes part."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecordsWithStart()
    objects = BodyManager()

    class Meta:
        verbose_name = _("body of the organisation")
        verbose_name_plural = _("bodies of the organisation")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="body_unique_name_per_plan",
                violation_error_message=_("The plan already has a body with this name."),
            ),
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=~Q(kind="local_group"),
                name="body_one_of_each_kind_per_plan",
                violation_error_message=_("The plan already has a body of this kind."),
            ),
            models.UniqueConstraint(
                fields=["plan", "area"],
                condition=Q(kind="local_group"),
                name="body_one_local_group_per_area",
                violation_error_message=_("The housing area already has a local follow-up group."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="local_group") & Q(area__isnull=False))
                | (~Q(kind="local_group") & Q(area__isnull=True)),
                name="body_area_only_for_local_group",
                violation_error_message=_(
                    "A local follow-up group needs a housing area; other bodies have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.slug, self.name)

    natural_key.dependencies = ["agreements.plan", "agreements.housingarea"]


class PlanSectionManager(models.Manager["PlanSection"]):
    def get_by_natural_key(self, plan_slug: str, position: int) -> PlanSection:
        return self.get(plan__slug=plan_slug, position=position)


class PlanSection(models.Model):
    """A section of the strategic agreement, kept in the agreement's own words, in the order
    of the agreement.

    Vision, purpose, organisation and budget are structured data elsewhere (the plan, its
    bodies and areas); the section that holds them in the agreement says so (`includes`), and
    the document shows them there, after the section's own text. A section's tables of figures
    are `PlanSectionTable` rows, placed in the text where it says "[tabel: KEY]".
    """

    class Includes(models.TextChoices):
        NOTHING = "", _("only its text")
        VISION_AND_PURPOSE = "vision_and_purpose", _("the plan's vision and purpose")
        ORGANISATION = "organisation", _("the plan's organisation (its bodies)")
        BUDGET = "budget", _("the plan's budget")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=300)
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_sections",
        verbose_name=_("focus area"),
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Paragraphs separated by a blank line; lines starting with '- ' make a list; a "
            "line '[tabel: KEY]' places the section's table with that key."
        ),
    )
    includes = models.CharField(
        _("also shows"),
        max_length=30,
        choices=Includes.choices,
        default=Includes.NOTHING,
        blank=True,
        help_text=_("Structured data of the plan that the agreement gives in this section."),
    )

    history = HistoricalRecordsWithStart()
    objects = PlanSectionManager()

    class Meta:
        verbose_name = _("section of the strategic agreement")
        verbose_name_plural = _("sections of the strategic agreement")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "position"],
                name="plansection_unique_position_per_plan",
                violation_error_message=_("The plan already has a section at this position."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def natural_key(self) -> tuple[str, int]:
        return (self.plan.slug, self.position)

    natural_key.dependencies = ["agreements.plan", "agreements.focusarea"]

    def clean(self) -> None:
        # As a delaftale's (Subagreement.clean), and for the same reason only here.
        if (
            self.plan_id
            and self.focus_area_id
            and self.focus_area.funding_period_id != self.plan.funding_period_id
        ):
            raise ValidationError({"focus_area": focus_area_of_another_period(self.plan)})


def focus_area_of_another_period(plan: Plan) -> str:
    return _("The focus area must belong to the plan's funding period (%(period)s).") % {
        "period": plan.funding_period
    }


def validate_table_rows(rows) -> None:
    """A table's rows: a list of {"cells": ["text", ...], "head": true or false}. A head row
    names the columns of the rows below it; a row of one cell in a wider table heads a group
    of rows and spans the table."""
    message = _(
        'The rows must be a list of {"cells": ["text", ...], "head": true or false}, every '
        "row with as many cells as the widest, or one."
    )
    if not isinstance(rows, list):
        raise ValidationError(message, code="invalid")
    widths = set()
    for row in rows:
        if (
            not isinstance(row, dict)
            or set(row) - {"cells", "head"}
            or not isinstance(row.get("cells"), list)
            or not row["cells"]
            or not all(isinstance(cell, str) for cell in row["cells"])
            or not isinstance(row.get("head", False), bool)
        ):
            raise ValidationError(message, code="invalid")
        widths.add(len(row["cells"]))
    if len(widths - {1}) > 1:
        raise ValidationError(message, code="invalid")


class FigureTable(models.Model):
    """A table in an agreement's text, as the agreement has it: its caption, its rows of
    cells and its source. Cells are kept as the agreement writes them ("19,88%", "55,1"), so
    the document prints exactly the figures that were agreed.

    The strategic agreement's tables belong to a section (`PlanSectionTable`), a delaftale's to
    one of its text sections (`SubagreementTable`); the text places each with a line
    "[tabel: KEY]", and a table the text does not place follows the text.
    """

    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Placed in the text with a line '[tabel: KEY]'."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    caption = models.TextField(
        _("caption"), blank=True, help_text=_("The table's number and title, as written.")
    )
    rows = models.JSONField(
        _("rows"),
        default=list,
        validators=[validate_table_rows],
        help_text=_('A list of rows: {"cells": ["text", ...], "head": true or false}.'),
    )
    row_headers = models.BooleanField(
        _("first column heads its row"),
        default=True,
        help_text=_("On for figures by row (a year, an age group); off for rows of text."),
    )
    source = models.TextField(_("source"), blank=True, help_text=_("Printed after 'Kilde:'."))

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.caption.splitlines()[0] if self.caption.strip() else self.key

    def as_dict(self) -> dict:
        """The table as plain JSON, as a version of a delaftale freezes it."""
        return {
            "key": self.key,
            "caption": self.caption,
            "rows": self.rows,
            "row_headers": self.row_headers,
            "source": self.source,
        }


class PlanSectionTableManager(models.Manager["PlanSectionTable"]):
    def get_by_natural_key(self, plan_slug: str, position: int, key: str) -> PlanSectionTable:
        return self.get(section__plan__slug=plan_slug, section__position=position, key=key)


class PlanSectionTable(FigureTable):
    """A table in a section of the strategic agreement (e.g. "Figur 19", or the success
    criteria of section 5.1 with their data sources)."""

    section = models.ForeignKey(
        PlanSection, on_delete=models.CASCADE, related_name="tables", verbose_name=_("section")
    )

    history = HistoricalRecordsWithStart()
    objects = PlanSectionTableManager()

    class Meta(FigureTable.Meta):
        verbose_name = _("table in the strategic agreement")
        verbose_name_plural = _("tables in the strategic agreement")
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "key"],
                name="plansectiontable_unique_key_per_section",
                violation_error_message=_("The section already has a table with this key."),
            ),
        ]

    def natural_key(self) -> tuple:
        return (*self.section.natural_key(), self.key)

    natural_key.dependencies = ["agreements.plansection"]


class RequiredAttachmentManager(models.Manager["RequiredAttachment"]):
    def get_by_natural_key(self, plan_slug: str, title: str) -> RequiredAttachment:
        return self.get(plan__slug=plan_slug, title=title)


class RequiredAttachment(models.Model):
    """A document LBF requires with the strategic agreement, and whether it is present."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("plan")
    )
    title = models.CharField(_("title"), max_length=300)
    is_present = models.BooleanField(
        _("present"),
        null=True,
        blank=True,
        help_text=_("Leave empty while it is not known whether the document is attached."),
    )
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecordsWithStart()
    objects = RequiredAttachmentManager()

    class Meta:
        verbose_name = _("required attachment")
        verbose_name_plural = _("required attachments")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "title"],
                name="requiredattachment_unique_title_per_plan",
                violation_error_message=_("The plan already lists this attachment."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def natural_key(self) -> tuple[str, str]:
        return (self.plan.slug, self.title)

    natural_key.dependencies = ["agreements.plan"]


class SubagreementManager(models.Manager["Subagreement"]):
    def get_by_natural_key(self, plan_slug: str, period_code: str, code: str) -> Subagreement:
        return self.get(
            plan__slug=plan_slug,
            focus_area__funding_period__code=period_code,
            focus_area__code=code,
        )


class SubagreementQuerySet(models.QuerySet["Subagreement"]):
    def with_versions(self) -> SubagreementQuerySet:
        """With the focus area and each delaftale's versions, newest first, in
        `version_list`; the frozen content is left out (it is only read to render one)."""
        versions = SubagreementVersion.objects.defer("content").select_related("recorded_by")
        return self.select_related("focus_area").prefetch_related(
            Prefetch("versions", queryset=versions.order_by("-number"), to_attr="version_list")
        )

    def changed_since_approved(self) -> set[int]:
        """The ids of these delaftaler whose draft has moved on from their current approved
        version (or that have none): what the secretariat still has to bring to the board.
        A frozen version against the live rows: one query, and six for each delaftale
        (`Subagreement.content`)."""
        chosen = list(self)
        current = {
            version.subagreement_id: version.content
            for version in SubagreementVersion.objects.current().filter(subagreement__in=chosen)
        }
        return {each.pk for each in chosen if current.get(each.pk) != each.content()}


class Subagreement(models.Model):
    """A *delaftale*: the plan's agreement for one focus area, in the sections of LBF's
    template (parties, problemkompleks, formål og mål, succeskriterier, activities,
    medarbejderressourcer, budget, konflikthåndtering, revision, validity)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="subagreements", verbose_name=_("plan")
    )
    focus_area = models.ForeignKey(
        FocusArea,
        on_delete=models.PROTECT,
        related_name="subagreements",
        verbose_name=_("focus area"),
    )
    title = models.CharField(
        _("title as written"),
        max_length=300,
        blank=True,
        help_text=_(
            "The delaftale's title as the agreement writes it, e.g. 'Delaftale for "
            "indsatsområdet Uddannelse & Beskæftigelse'; empty: 'Delaftale for "
            "indsatsområdet' and the focus area's name."
        ),
    )
    template = models.CharField(
        _("edition of LBF's template"),
        max_length=30,
        choices=Edition.choices,
        default=Edition.GOALS_AND_CRITERIA,
        help_text=_("The delaftale's headings are this edition's, in LBF's own words."),
    )
    initiative_name = models.CharField(
        _("name of the initiative"),
        max_length=300,
        blank=True,
        help_text=_("'Navn på den boligsociale indsats, som delaftalen vedrører'."),
    )
    responsibility_statement = models.TextField(_("the board's responsibility"), blank=True)
    problem_complex = models.TextField(_("problem complex"), blank=True)
    purpose_and_goals = models.TextField(_("purpose and goals"), blank=True)
    activities_overview = models.TextField(
        _("activities overview"),
        blank=True,
        help_text=_("The delaftale's own summary of the activities that serve its goals."),
    )
    municipal_interplay = models.TextField(_("interplay with the municipality's work"), blank=True)
    budget_lbf = models.BigIntegerField(_("budget from LBF (DKK)"), default=0)
    budget_local = models.BigIntegerField(_("local co-financing (DKK)"), default=0)
    budget_lbf_as_written = models.CharField(
        _("budget from LBF as written"),
        max_length=50,
        blank=True,
        help_text=_(
            "The amount as the agreement writes it, e.g. '8.186 mio'; it must start with the "
            "amount in thousands of kroner. Empty: the amount in thousands."
        ),
    )
    budget_local_as_written = models.CharField(
        _("local co-financing as written"), max_length=50, blank=True
    )
    budget_total_as_written = models.CharField(
        _("total budget as written"), max_length=50, blank=True
    )
    conflict_handling = models.TextField(_("conflict handling"), blank=True)
    activities_intro = models.TextField(
        _("text before the activity schemas"),
        blank=True,
        help_text=_("What the delaftale says under the heading of its activity schemas."),
    )
    revision = models.TextField(_("revision"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    validity_note = models.CharField(
        _("validity as written"),
        max_length=200,
        blank=True,
        help_text=_("The validity in the agreement's own words, where it gives no exact dates."),
    )

    history = HistoricalRecordsWithStart()
    objects = SubagreementManager.from_queryset(SubagreementQuerySet)()

    class Meta:
        verbose_name = _("sub-agreement")
        verbose_name_plural = _("sub-agreements")
        ordering = ["plan", "focus_area__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "focus_area"],
                name="subagreement_one_per_focus_area_and_plan",
                violation_error_message=_(
                    "The plan already has a sub-agreement for this focus area."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lt=models.F("valid_to")),
                name="subagreement_valid_from_before_valid_to",
                violation_error_message=_("'Valid to' must be after 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(budget_lbf__gte=0),
                name="subagreement_budget_lbf_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(budget_local__gte=0),
                name="subagreement_budget_local_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Sub-agreement for %(focus_area)s") % {"focus_area": self.focus_area})

    def natural_key(self) -> tuple[str, str, str]:
        return (self.plan.slug, *self.focus_area.natural_key())

    natural_key.dependencies = ["agreements.plan", "agreements.focusarea"]

    @property
    def budget_total(self) -> int:
        return self.budget_lbf + self.budget_local

    @property
    def code(self) -> str:
        return self.focus_area.code

    @property
    def heading(self) -> str:
        """The delaftale's title: as written, or LBF's with the focus area's name."""
        return self.title or TITLE.format(name=self.focus_area.name)

    @property
    def current_version(self) -> SubagreementVersion | None:
        """The latest approved version; needs `with_versions()`."""
        return self.version_list[0] if self.version_list else None

    def content(self) -> dict:
        """The delaftale as it stands now, in the form a version freezes it: every section of
        LBF's template, under the headings of the delaftale's edition of the template, with its
        parties, criteria, activities (each with its own criteria and staff), staff, tables and
        budget. Plain JSON values only, so a version stored today reads the same in ten years
        whatever the tables become. Six queries.
        """
        parties = [
            {
                "group": party.group,
                "name": party.name,
                "role": party.role,
                "representative": party.representative,
                "written_as": party.written_as,
                "part_of": party.part_of.name if party.part_of else "",
            }
            for party in self.parties.select_related("part_of")
        ]
        staff_by_activity: dict[int | None, list[dict]] = {}
        for line in self.staff.all():
            staff_by_activity.setdefault(line.activity_id, []).append(
                {
                    "role": line.role,
                    "fte": str(line.fte),
                    "fte_as_written": line.fte_as_written,
                    "note": line.note,
                }
            )
        criteria_by_activity: dict[int | None, list[dict]] = {}
        for criterion in self.criteria.order_by("activity__position", "position"):
            criteria_by_activity.setdefault(criterion.activity_id, []).append(
                {
                    "group": criterion.group_label,
                    "text": criterion.text,
                    "data_source": criterion.data_source,
                    "method": criterion.method,
                    "kind": criterion.kind,
                }
            )
        activities = [
            {
                "name": activity.name,
                "cfbu_recommended": activity.cfbu_recommended,
                "cfbu_note": activity.cfbu_note,
                "content": activity.content,
                "purpose": activity.purpose,
                "target_groups": activity.target_groups,
                "criteria_note": activity.criteria_note,
                "responsibility": activity.responsibility,
                "municipality_responsible": activity.municipality_responsible,
                "areas": [area.name for area in activity.areas.all()],
                "criteria": criteria_by_activity.get(activity.pk, []),
                "staff": staff_by_activity.get(activity.pk, []),
                "headings": own.headings
                if (own := getattr(activity, "schema_headings", None))
                else {},
            }
            for activity in self.activities.select_related("schema_headings").prefetch_related(
                models.Prefetch(
                    "areas",
                    queryset=HousingArea.objects.order_by("plan_areas__position").filter(
                        plan_areas__plan_id=self.plan_id
                    ),
                )
            )
        ]
        return {
            "focus_area": {"code": self.focus_area.code, "name": self.focus_area.name},
            "title": self.heading,
            "headings": headings(self.template),
            "initiative_name": self.initiative_name,
            "responsibility_statement": self.responsibility_statement,
            "parties": parties,
            "problem_complex": self.problem_complex,
            "purpose_and_goals": self.purpose_and_goals,
            "criteria": criteria_by_activity.get(None, []),
            "activities_overview": self.activities_overview,
            "activities_intro": self.activities_intro,
            "activities": activities,
            "staff": staff_by_activity.get(None, []),
            "municipal_interplay": self.municipal_interplay,
            "budget": {
                "lbf": self.budget_lbf,
                "local": self.budget_local,
                "as_written": {
                    "lbf": self.budget_lbf_as_written,
                    "local": self.budget_local_as_written,
                    "total": self.budget_total_as_written,
                },
            },
            "conflict_handling": self.conflict_handling,
            "revision": self.revision,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "validity_note": self.validity_note,
            "tables": [
                {"section": table.section, **table.as_dict()} for table in self.tables.all()
            ],
        }

    @transaction.atomic
    def approve_version(
        self,
        *,
        decided_on: datetime.date,
        note: str,
        by,
        based_on: int | None,
        draft_digest: str,
    ) -> SubagreementVersion:
        """Record the board's approval of the draft as the next version and freeze its content.

        `based_on` is the version number and `draft_digest` the draft the approver was shown;
        if either has moved on since (someone else approved, or the draft was edited), nothing
        is recorded and VersionConflict says why, so nobody approves a text they did not see.
        The delaftale's row is locked meanwhile, so two approvals are taken one at a time.
        """
        Subagreement.objects.select_for_update().get(pk=self.pk)
        latest = self.versions.order_by("-number").first()
        latest_number = latest.number if latest else None
        if latest_number != based_on:
            raise VersionConflict(
                _(
                    "Version %(number)s was approved by someone else in the meantime. "
                    "Look at the differences again before you approve."
                )
                % {"number": latest_number}
            )
        content = self.content()
        if content_digest(content) != draft_digest:
            raise VersionConflict(
                _(
                    "The draft was changed after you opened the page. "
                    "Look at the differences again before you approve."
                )
            )
        if latest and latest.content == content:
            raise VersionConflict(
                _("The draft is the same as version %(number)s; there is nothing to approve.")
                % {"number": latest.number}
            )
        return self.versions.create(
            number=(latest_number or 0) + 1,
            decided_on=decided_on,
            note=note,
            recorded_by=by,
            content=content,
        )

    def clean(self) -> None:
        errors = {}
        # Not a constraint in the database: a CHECK constraint sees one row of one table, and
        # the focus area's period and the plan's are in two other tables. Forms check it here
        # (the administration's, and every import that validates its rows).
        if (
            self.plan_id
            and self.focus_area_id
            and self.focus_area.funding_period_id != self.plan.funding_period_id
        ):
            errors["focus_area"] = focus_area_of_another_period(self.plan)
        for field, amount in (
            ("budget_lbf_as_written", self.budget_lbf),
            ("budget_local_as_written", self.budget_local),
            ("budget_total_as_written", self.budget_total),
        ):
            written = getattr(self, field)
            if written and not amount_as_written_agrees(written, amount):
                errors[field] = _(
                    "The amount as written must start with the amount in thousands of kroner, "
                    "%(amount)s, or the document would show another figure than the budget."
                ) % {"amount": format_thousand_dkk(amount)}
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # The dates' order beside 'valid to', as the admin shows a field's own errors.
        validate_constraints_on_fields(
            self, {"subagreement_valid_from_before_valid_to": ("valid_to", None)}, exclude
        )


def amount_as_written_agrees(written: str, kroner: int) -> bool:
    """Whether an amount as an agreement writes it ("8.186 mio") starts with the amount in
    thousands of kroner ("8.186"), and not with a longer figure ("8.186,5")."""
    figure = format_thousand_dkk(kroner)
    rest = written.strip().removeprefix(figure)
    return rest != written.strip() and not re.match(r"[.,]?\d", rest)


class SubagreementTableManager(models.Manager["SubagreementTable"]):
    def get_by_natural_key(
        self, plan_slug: str, period_code: str, code: str, key: str
    ) -> SubagreementTable:
        return self.get(
            subagreement=Subagreement.objects.get_by_natural_key(plan_slug, period_code, code),
            key=key,
        )


class SubagreementTable(FigureTable):
    """A table in one of a delaftale's text sections, such as the table of criminal decisions
    per 1,000 residents in its problemkompleks."""

    class Section(models.TextChoices):
        PROBLEM_COMPLEX = "problem_complex", _("problem complex")
        PURPOSE_AND_GOALS = "purpose_and_goals", _("purpose and goals")
        ACTIVITIES_OVERVIEW = "activities_overview", _("activities overview")
        MUNICIPAL_INTERPLAY = "municipal_interplay", _("interplay with the municipality's work")
        ACTIVITIES_INTRO = "activities_intro", _("text before the activity schemas")

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="tables",
        verbose_name=_("sub-agreement"),
    )
    section = models.CharField(
        _("section"),
        max_length=30,
        choices=Section.choices,
        default=Section.PROBLEM_COMPLEX,
        help_text=_("The text the table belongs to."),
    )

    history = HistoricalRecordsWithStart()
    objects = SubagreementTableManager()

    class Meta(FigureTable.Meta):
        verbose_name = _("table in a sub-agreement")
        verbose_name_plural = _("tables in sub-agreements")
        ordering = ["subagreement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "key"],
                name="subagreementtable_unique_key",
                violation_error_message=_("The sub-agreement already has a table with this key."),
            ),
        ]

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.key)

    natural_key.dependencies = ["agreements.subagreement"]


class NumberedInSubagreementManager(models.Manager):
    """For rows numbered within a delaftale (its parties, staff lines, activities and
    criteria): the natural key is the delaftale's key and the row's position."""

    def get_by_natural_key(self, plan_slug: str, period_code: str, code: str, position: int):
        return self.get(
            subagreement=Subagreement.objects.get_by_natural_key(plan_slug, period_code, code),
            position=position,
        )


class SubagreementParty(models.Model):
    """A party to a delaftale, with its role and the person representing it."""

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("sub-agreement"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    group = models.CharField(
        _("group"),
        max_length=300,
        blank=True,
        help_text=_("A heading the agreement groups parties under, if any."),
    )
    name = models.CharField(_("party"), max_length=300)
    role = models.CharField(_("role"), max_length=300, blank=True)
    representative = models.CharField(_("represented by"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subagreement_parties",
        verbose_name=_("organisation"),
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("part of"),
        help_text=_("The party of the same sub-agreement this one belongs under, if any."),
    )
    written_as = models.CharField(
        _("written as"),
        max_length=300,
        blank=True,
        help_text=_(
            "The party as the agreement writes it, e.g. 'DGI ved Peter Holmen'; it must name "
            "the party, its role and who represents it. Empty: the party, role and "
            "representative in columns of their own."
        ),
    )

    history = HistoricalRecordsWithStart()
    objects = NumberedInSubagreementManager()

    class Meta:
        verbose_name = _("party to the sub-agreement")
        verbose_name_plural = _("parties to the sub-agreement")
        ordering = ["subagreement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "position"],
                name="subagreementparty_unique_position",
                violation_error_message=_(
                    "The sub-agreement already has a party at this position."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.position)

    natural_key.dependencies = ["agreements.subagreement", "agreements.organisation"]

    def clean(self) -> None:
        errors = {}
        if self.part_of_id and (
            self.part_of_id == self.pk or self.part_of.subagreement_id != self.subagreement_id
        ):
            errors["part_of"] = _(
                "A party can only be part of another party of the same sub-agreement."
            )
        if self.written_as:
            written = self.written_as.casefold()
            absent = [
                value
                for value in (self.name, self.role, self.representative)
                if value and value.casefold() not in written
            ]
            if absent:
                errors["written_as"] = _(
                    "The party as written must name %(missing)s, or the document would say "
                    "something else than the party's fields."
                ) % {"missing": ", ".join(f"“{value}”" for value in absent)}
        if errors:
            raise ValidationError(errors)


class StaffResource(models.Model):
    """A line of *medarbejderressourcer*: a role and its share of a full-time post (FTE).

    It belongs to a delaftale and, when the agreement places it under one activity, to that
    activity too.
    """

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("sub-agreement"),
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("activity"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    role = models.CharField(_("role"), max_length=300)
    fte = models.DecimalField(
        _("FTE"),
        max_digits=6,
        decimal_places=3,
        help_text=_("Full-time equivalents: 0.5 for half time, 1 for one full-time post."),
    )
    fte_as_written = models.CharField(
        _("share as written"),
        max_length=100,
        blank=True,
        help_text=_(
            "The share as the agreement writes it, when not as a percentage: '1', '0,75', "
            "'0,5 årsværk over to år', '¼ årsværk,'. It must start with the same share as FTE."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecordsWithStart()
    objects = NumberedInSubagreementManager()

    class Meta:
        verbose_name = _("staff resource")
        verbose_name_plural = _("staff resources")
        ordering = ["subagreement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "position"],
                name="staffresource_unique_position",
                violation_error_message=_(
                    "The sub-agreement already has a staff line at this position."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fte__gte=0),
                name="staffresource_fte_not_negative",
                violation_error_message=_("An FTE share cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.role

    def save(self, *args, **kwargs) -> None:
        # A line placed under an activity belongs to that activity's delaftale.
        if self.activity_id:
            self.subagreement_id = self.activity.subagreement_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.fte_as_written and self.fte is not None:
            written = share_as_written(self.fte_as_written)
            if written is None or written != Decimal(self.fte):
                raise ValidationError(
                    {
                        "fte_as_written": _(
                            "The share as written must start with the share in FTE, e.g. "
                            "%(percent)s or %(number)s for 0.5."
                        )
                        % {"percent": "“50%”", "number": "“0,5”"}
                    }
                )

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.position)

    natural_key.dependencies = ["agreements.subagreement", "activities.activity"]


def validate_activity_headings(headings) -> None:
    """Headings of an activity schema by key (ACTIVITY_HEADINGS), each in words."""
    if not isinstance(headings, dict) or not all(
        key in ACTIVITY_HEADINGS and isinstance(words, str) for key, words in headings.items()
    ):
        raise ValidationError(
            _("The headings must be words by heading of the activity schema: %(keys)s.")
            % {"keys": ", ".join(ACTIVITY_HEADINGS)},
            code="invalid",
        )


class ActivityHeadingsManager(models.Manager["ActivityHeadings"]):
    def get_by_natural_key(
        self, plan_slug: str, period_code: str, code: str, position: int
    ) -> ActivityHeadings:
        return self.get(
            activity__subagreement=Subagreement.objects.get_by_natural_key(
                plan_slug, period_code, code
            ),
            activity__position=position,
        )


class ActivityHeadings(models.Model):
    """The headings of one activity's schema where the agreement words them otherwise than
    its delaftale's edition of LBF's template: an activity written by another hand, in the
    other edition ("Formål og mål:" in a delaftale whose schemas say "Formål:"), keeps its own
    words. An empty heading leaves the template's line out (the schema's "(OBS: ...)" note).

    It belongs with the agreements rather than the activities, because it is how the
    agreement's text is written, not how the activity is run or reported.
    """

    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.CASCADE,
        related_name="schema_headings",
        verbose_name=_("activity"),
    )
    headings = models.JSONField(
        _("headings"),
        default=dict,
        validators=[validate_activity_headings],
        help_text=_("The schema's headings as this activity words them, by heading."),
    )

    history = HistoricalRecordsWithStart()
    objects = ActivityHeadingsManager()

    class Meta:
        verbose_name = _("headings of an activity schema")
        verbose_name_plural = _("headings of activity schemas")

    def __str__(self) -> str:
        return str(self.activity)

    def natural_key(self) -> tuple:
        return self.activity.natural_key()

    natural_key.dependencies = ["activities.activity"]


_WRITTEN_SHARE = re.compile(r"^\s*(?:(\d+(?:,\d+)?)|([¼½¾]))\s*(%?)")
_FRACTIONS = {"¼": Decimal("0.25"), "½": Decimal("0.5"), "¾": Decimal("0.75")}


def share_as_written(text: str) -> Decimal | None:
    """The share of a full-time post a staff line's written share starts with: "50%" is 0.5,
    "0,75" and "¾ årsværk" are 0.75; None when it starts with no share."""
    match = _WRITTEN_SHARE.match(text)
    if not match:
        return None
    number, fraction, percent = match.groups()
    try:
        share = _FRACTIONS[fraction] if fraction else Decimal(number.replace(",", "."))
    except InvalidOperation:
        return None
    return share / 100 if percent else share


class Membership(models.Model):
    """A user's role in one plan. A person can hold roles in several plans."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("plan")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role in a plan")
        verbose_name_plural = _("roles in plans")
        ordering = ["plan", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "plan"],
                name="membership_one_role_per_plan",
                violation_error_message=_("The user already has a role in this plan."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.plan})"


class VersionConflict(Exception):
    """An approval that would record something other than what the approver was shown."""


def content_digest(content: dict) -> str:
    """A short fingerprint of a delaftale's content, to tell whether the draft moved on."""
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def decided_on_text(decided_on: datetime.date | None) -> str:
    """The date of the board's approval as pages and documents write it, or that it is not
    stated: a version the plan was loaded with may not say when, and a date is never made up."""
    if decided_on is None:
        return str(_("approval date not stated"))
    return date_format(decided_on, "j. F Y")


class SubagreementVersionManager(models.Manager["SubagreementVersion"]):
    def get_by_natural_key(self, plan_slug: str, period_code: str, code: str, number: int):
        return self.get(
            subagreement=Subagreement.objects.get_by_natural_key(plan_slug, period_code, code),
            number=number,
        )


class SubagreementVersionQuerySet(models.QuerySet["SubagreementVersion"]):
    def current(self) -> SubagreementVersionQuerySet:
        """The latest approved version of each delaftale: what "current" means to LBF."""
        latest = (
            SubagreementVersion.objects.filter(subagreement=OuterRef("subagreement"))
            .order_by("-number")
            .values("number")[:1]
        )
        return self.filter(number=Subquery(latest))

    def for_rendering(self) -> SubagreementVersionQuerySet:
        """With what a PDF names besides the content: the plan and the focus area."""
        return self.select_related("subagreement__plan", "subagreement__focus_area").order_by(
            "subagreement__focus_area__position", "number"
        )


class SubagreementVersion(models.Model):
    """An approved version of a delaftale: the board's decision and the content it approved.

    The content is a frozen copy (`Subagreement.content`), not a link to the live rows, so
    later edits of the delaftale, its activities or its criteria never change it. The live
    rows are the draft of the next version.
    """

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("sub-agreement"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    decided_on = models.DateField(
        _("approved by the board on"),
        null=True,
        blank=True,
        help_text=_(
            "The date of the board's decision. Only the version a plan starts with may lack it, "
            "where the agreement does not say when the board approved it."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    content = models.JSONField(_("content"))

    objects = SubagreementVersionManager.from_queryset(SubagreementVersionQuerySet)()

    class Meta:
        verbose_name = _("version of a sub-agreement")
        verbose_name_plural = _("versions of sub-agreements")
        ordering = ["subagreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "number"],
                name="subagreementversion_unique_number",
                violation_error_message=_(
                    "The sub-agreement already has a version with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="subagreementversion_number_from_one",
                violation_error_message=_("Versions are numbered from 1."),
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=False) | Q(number=1),
                name="subagreementversion_decided_on_after_the_first",
                violation_error_message=_(
                    "A version approved after the first needs the date of the board's decision."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(subagreement)s, version %(number)s")
            % {"subagreement": self.subagreement, "number": self.number}
        )

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.number)

    natural_key.dependencies = ["agreements.subagreement"]

    @property
    def decided_on_text(self) -> str:
        return decided_on_text(self.decided_on)


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    SALT = "agreements.sharelink"

    def from_token(self, token: str) -> ShareLink:
        """The link a token was signed for, whatever its state; DoesNotExist for a token that
        was not signed here, so a guessed or altered link finds nothing."""
        try:
            pk = signing.loads(token, salt=self.SALT)
        except signing.BadSignature:
            raise self.model.DoesNotExist from None
        return self.select_related("plan").get(pk=pk)


class ShareLink(models.Model):
    """A link the secretariat gives Landsbyggefonden to the current delaftaler, without a
    login. It is signed (it cannot be guessed from another link), expires, can be revoked,
    serves only approved versions, and every download through it is logged."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("plan")
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Whom the link is for, e.g. LBF's case officer. Write no personal details."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["plan", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="sharelink_expires_after_creation",
                violation_error_message=_("A link must expire after it is created."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False),
                name="sharelink_revoked_by_only_when_revoked",
                violation_error_message=_("Only a revoked link has someone who revoked it."),
            ),
        ]

    def __str__(self) -> str:
        created = date_format(timezone.localtime(self.created_at), "j. F Y")
        return self.note or str(_("Link of %(date)s") % {"date": created})

    @classmethod
    def create_for(cls, plan: Plan, *, by, note: str = "", days: int | None = None) -> ShareLink:
        """A new link to the plan's current delaftaler, valid for `days` (SHARE_LINK_DAYS)."""
        now = timezone.now()
        days = settings.SHARE_LINK_DAYS if days is None else days
        return cls.objects.create(
            plan=plan,
            note=note,
            created_by=by,
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=ShareLinkQuerySet.SALT)

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, *, by) -> None:
        """Stop the link from working, at once and for good; the download log stays."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])

    def log_download(self, versions: list[SubagreementVersion]) -> None:
        self.downloads.create(
            versions={version.subagreement.code: version.number for version in versions}
        )


class ShareLinkDownload(models.Model):
    """One download through a share link: when, and which versions it served."""

    link = models.ForeignKey(
        ShareLink, on_delete=models.CASCADE, related_name="downloads", verbose_name=_("link")
    )
    downloaded_at = models.DateTimeField(_("downloaded at"), default=timezone.now)
    versions = models.JSONField(
        _("versions"), help_text=_("The versions served, by focus area code.")
    )

    class Meta:
        verbose_name = _("download through a share link")
        verbose_name_plural = _("downloads through share links")
        ordering = ["link", "-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.link} {self.downloaded_at:%Y-%m-%d %H:%M}"


class StoredDocumentQuerySet(models.QuerySet["StoredDocument"]):
    def serve(
        self,
        *,
        plan: Plan,
        kind: str,
        versions: str,
        digest: str,
        render,
    ) -> bytes:
        """The stored PDF with this digest, or `render()` stored under it.

        The digest names exactly what the document shows (see `agreements.pdf`), so a new
        approval or an edit of what it shows gives another digest and the old row is never
        served again; the old row of the same document is deleted when the new one is stored,
        in the same transaction. Two first requests at once both render, and the second to
        store finds the first's row (get_or_create catches the unique digest's IntegrityError
        and reads it): neither fails.
        """
        stored = self.filter(digest=digest).values_list("pdf", flat=True).first()
        if stored is not None:
            return bytes(stored)
        data = render()
        # What the new row replaces: the plan's one set of current delaftaler and one strategic
        # agreement, whatever versions they showed; each version of a delaftale is a document
        # of its own, served as long as it is asked for.
        replaced = self.filter(plan=plan, kind=kind).exclude(digest=digest)
        if kind == StoredDocument.Kind.SUBAGREEMENT:
            replaced = replaced.filter(versions=versions)
        with transaction.atomic():
            replaced.delete()
            row, _created = self.get_or_create(
                digest=digest,
                defaults={"plan": plan, "kind": kind, "versions": versions, "pdf": data},
            )
        return bytes(row.pdf)


class StoredDocument(models.Model):
    """An approved document as a PDF, rendered once and served from here after that.

    Rendering takes from half a second to a few seconds (WeasyPrint); serving the stored bytes
    takes milliseconds. They are kept in the database rather than in files because several app
    servers share the database and need no shared file system: a document rendered by one is
    served by all. It is a cache: every row can be rendered again from the versions and the
    plan, so backups leave it out (`agreements.backup`), and a row is found by the digest of
    what it shows, never by a key that could outlive a change. A draft is never stored.
    """

    class Kind(models.TextChoices):
        SUBAGREEMENT = "subagreement", _("sub-agreement, one version")
        ALL_SUBAGREEMENTS = "all-subagreements", _("current sub-agreements")
        STRATEGIC_AGREEMENT = "strategic-agreement", _("strategic agreement")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan")
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    versions = models.CharField(
        _("versions"),
        max_length=200,
        blank=True,
        help_text=_(
            "The ids of the approved versions shown, or empty for the strategic agreement."
        ),
    )
    digest = models.CharField(
        _("digest"),
        max_length=64,
        unique=True,
        help_text=_(
            "SHA-256 of everything the document shows and of the templates it is made with."
        ),
    )
    pdf = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["subagreement", "all-subagreements", "strategic-agreement"]),
                name="storeddocument_kind_known",
            ),
            # A delaftale document names its versions; the strategic agreement has none.
            models.CheckConstraint(
                condition=Q(kind="strategic-agreement", versions="")
                | (~Q(kind="strategic-agreement") & ~Q(versions="")),
                name="storeddocument_versions_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.kind} {self.versions} {self.created_at:%Y-%m-%d %H:%M}"


class DataVersion(models.Model):
    """One number that changes with every transaction that writes the plans' data, so that
    what is computed from that data can be cached under it and is never served stale
    (agreements.data_version says how every write is caught). One row; a random number
    rather than a count, so that a database emptied and filled again never repeats one."""

    number = models.BigIntegerField(_("number"))

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="data_version_one_row",
                violation_error_message=_("There is only one data version."),
            )
        ]

    def __str__(self) -> str:
        return str(self.number)
