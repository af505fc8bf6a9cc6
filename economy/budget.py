"""Spending against the budget, for the economy page, the dashboard and the status report.

A report reads only the years it knows (`through`, the last year the period has ended): a
report for the first half of 2019 shows what was spent up to and including 2018, against how
much of the plan's period had passed at the end of 2018, whatever is entered later. A year
without a figure is named as missing, never counted as nothing spent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from agreements.models import Plan, Subagreement
from lib.numbers import format_number

from .models import Financing, Spending


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent, one decimal; None when there is no whole to share."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def show_percent(value: Decimal | None) -> str:
    """ "72,4 %", or an en dash for no share."""
    return "–" if value is None else f"{format_number(value, decimals=1)} %"


@dataclass
class Use:
    """A budget and what was spent of it in the known years; `missing` are the known years
    of the plan without a figure."""

    budget: int
    spent: int = 0
    missing: list[int] = field(default_factory=list)
    figures: int = 0  # how many yearly figures `spent` adds up

    @property
    def unknown(self) -> bool:
        """No known year has a figure: nothing can be said about what was spent."""
        return self.figures == 0

    @property
    def remaining(self) -> int:
        """Negative when more was spent than the budget holds: shown, never hidden."""
        return self.budget - self.spent

    @property
    def share_spent(self) -> Decimal | None:
        return percent(self.spent, self.budget)

    @property
    def share_spent_text(self) -> str:
        return show_percent(self.share_spent)

    def __add__(self, other: Use) -> Use:
        return Use(
            self.budget + other.budget,
            self.spent + other.spent,
            sorted(set(self.missing) | set(other.missing)),
            self.figures + other.figures,
        )


@dataclass
class SubagreementUse:
    subagreement: Subagreement
    by_financing: dict[str, Use]
    by_year: dict[int, dict[str, int]]
    years: list[int]

    @property
    def total(self) -> Use:
        return self.by_financing[Financing.LBF] + self.by_financing[Financing.LOCAL]

    @property
    def yearly(self) -> list[tuple[int, list[int | None]]]:
        """(year, [LBF, local]) for each known year; None where there is no figure."""
        return [
            (year, [self.by_year.get(year, {}).get(financing) for financing in Financing.values])
            for year in self.years
        ]

    def rows(self) -> list[tuple[str, Use]]:
        """(label, use) for LBF, the local co-financing and both."""
        return [
            (str(Financing.LBF.label), self.by_financing[Financing.LBF]),
            (str(Financing.LOCAL.label), self.by_financing[Financing.LOCAL]),
        ]


@dataclass
class BudgetUse:
    """What each delaftale has spent of its budget up to and including `through`.

    `through` is None while no year of the plan has ended by the report: then nothing is
    known yet, and nothing is shown as spent.
    """

    plan: Plan
    through: int | None
    subagreements: list[SubagreementUse]

    @classmethod
    def load(
        cls, plan: Plan, through: int | None, subagreements: list[Subagreement] | None = None
    ) -> BudgetUse:
        """Two queries: the delaftaler (unless given, with their focus areas) and their
        spending up to `through`."""
        if subagreements is None:
            subagreements = list(plan.subagreements.select_related("focus_area"))
        known = [] if through is None else [y.year for y in plan.years() if y.year <= through]
        figures: dict[int, dict[int, dict[str, int]]] = {}
        if known:
            for subagreement_id, year, financing, amount in (
                Spending.objects.of_plan(plan)
                .through(known[-1])
                .values_list("subagreement_id", "year", "financing", "amount")
            ):
                figures.setdefault(subagreement_id, {}).setdefault(year, {})[financing] = amount
        uses = []
        for subagreement in subagreements:
            by_year = figures.get(subagreement.pk, {})
            by_financing: dict[str, Use] = {}
            for financing, budget in (
                (Financing.LBF, subagreement.budget_lbf),
                (Financing.LOCAL, subagreement.budget_local),
            ):
                by_financing[financing] = Use(
                    budget=budget,
                    spent=sum(amounts.get(financing, 0) for amounts in by_year.values()),
                    missing=[year for year in known if financing not in by_year.get(year, {})],
                    figures=sum(1 for amounts in by_year.values() if financing in amounts),
                )
            uses.append(SubagreementUse(subagreement, by_financing, by_year, known))
        return cls(plan, known[-1] if known else None, uses)

    @property
    def total(self) -> Use:
        total = Use(0)
        for use in self.subagreements:
            total = total + use.total
        return total

    @property
    def share_passed(self) -> Decimal | None:
        """How much of the plan's period had passed at the end of `through`, in per cent."""
        if self.through is None:
            return None
        start, end = self.plan.start_date, self.plan.end_date
        until = min(datetime.date(self.through, 12, 31), end)
        return percent((until - start).days + 1, (end - start).days + 1)

    @property
    def share_passed_text(self) -> str:
        return show_percent(self.share_passed)

    @property
    def any_spent(self) -> bool:
        return any(use.by_year for use in self.subagreements)

    @property
    def summary(self) -> str:
        """The spending in one sentence, for the top of the dashboard and the status report."""
        if self.through is None:
            return _("No year of the plan has ended yet, so no spending is reported.")
        total = self.total
        values = {
            "year": self.through,
            "spent": total.share_spent_text,
            "passed": self.share_passed_text,
            "missing": ", ".join(str(year) for year in total.missing),
        }
        if total.unknown:
            return _("No spending is entered for the years up to and including %(year)s.") % values
        sentence = _(
            "Up to and including %(year)s, %(spent)s of the sub-agreements' budget is spent; "
            "%(passed)s of the plan's period had passed by then."
        )
        if total.missing:
            sentence += " " + _("Figures are missing for %(missing)s.")
        return sentence % values
