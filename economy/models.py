"""What each delaftale has spent, year by year and by source of financing.

The budget is the agreement's (`Subagreement.budget_lbf` and `budget_local`); what was spent
against it comes from the yearly accounts, which the secretariat enters or imports once a year
closes. A year without a figure is not a year that spent nothing: it is shown as missing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Plan, Subagreement
from lib.history import HistoricalRecordsWithStart


def closed_years(plan: Plan, today: datetime.date | None = None) -> list[int]:
    """The plan's years whose part in the plan has ended: those that have accounts."""
    today = today or timezone.localdate()
    return [plan_year.year for plan_year in plan.years() if plan_year.ends < today]


class Financing(models.TextChoices):
    """Where the money comes from, in the words of LBF's budget template."""

    LBF = "lbf", _("Landsbyggefonden")
    LOCAL = "local", _("Local co-financing")


class SpendingQuerySet(models.QuerySet["Spending"]):
    def of_plan(self, plan: Plan) -> SpendingQuerySet:
        return self.filter(subagreement__plan=plan)

    def through(self, year: int) -> SpendingQuerySet:
        """The years up to and including `year`: what a report that knows them may read."""
        return self.filter(year__lte=year)


class SpendingManager(models.Manager["Spending"]):
    def get_by_natural_key(
        self, plan: str, period: str, focus_area: str, year: int, financing: str
    ) -> Spending:
        return self.get(
            subagreement=Subagreement.objects.get_by_natural_key(plan, period, focus_area),
            year=year,
            financing=financing,
        )


class Spending(models.Model):
    """What one delaftale spent in one calendar year from one source, in whole kroner."""

    subagreement = models.ForeignKey(
        Subagreement,
        on_delete=models.CASCADE,
        related_name="spending",
        verbose_name=_("sub-agreement"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    financing = models.CharField(_("financing"), max_length=10, choices=Financing.choices)
    amount = models.BigIntegerField(_("amount spent (DKK)"))
    note = models.CharField(
        _("note"),
        max_length=500,
        blank=True,
        help_text=_("Where the figure comes from, e.g. 'Audited accounts 2018'."),
    )

    # Who entered or changed a figure, when, from what, and why.
    history = HistoricalRecordsWithStart()
    objects = SpendingManager.from_queryset(SpendingQuerySet)()

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        ordering = ["subagreement", "year", "financing"]
        constraints = [
            models.UniqueConstraint(
                fields=["subagreement", "year", "financing"],
                name="spending_one_per_subagreement_year_source",
                violation_error_message=_(
                    "There is already a figure for this sub-agreement, year and financing."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="spending_not_negative",
                violation_error_message=_("An amount spent cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100),
                name="spending_year_plausible",
                violation_error_message=_("The year must be between 1990 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(financing__in=Financing.values),
                name="spending_financing_known",
                violation_error_message=_("The financing must be LBF or local co-financing."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subagreement.focus_area} {self.year} ({self.get_financing_display()})"

    def natural_key(self) -> tuple:
        return (*self.subagreement.natural_key(), self.year, self.financing)

    natural_key.dependencies = ["agreements.subagreement"]  # type: ignore[attr-defined]

    def clean(self) -> None:
        if self.subagreement_id and self.year is not None:
            plan = self.subagreement.plan
            if not plan.start_date.year <= self.year <= plan.end_date.year:
                raise ValidationError(
                    {
                        "year": _("The plan runs from %(start)s to %(end)s.")
                        % {"start": plan.start_date.year, "end": plan.end_date.year}
                    }
                )
            if self.year not in closed_years(plan):
                raise ValidationError(
                    {
                        "year": _(
                            "The spending of %(year)s can be entered once the year has ended."
                        )
                        % {"year": self.year}
                    }
                )
