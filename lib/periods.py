"""Calendar years and quarters of a plan, named the way Danish readers name them.

A plan runs between two dates that rarely fall on the first of January (the Slagelse plan runs
from 1 October 2017 to 30 September 2021), so its first and last calendar years are often only
partly inside it. Criteria are judged per calendar year and counts are reported per quarter;
both need to know how much of the period is covered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, code: str) -> Quarter:
        """The quarter of a short code such as "2018K1" (the form used in links and sheets).

        Raises ValueError for anything else.
        """
        year, separator, number = code.upper().partition("K")
        if not (separator and len(year) == 4 and year.isdigit() and number in {"1", "2", "3", "4"}):
            raise ValueError(f"Not a quarter: {code!r}")
        return cls(int(year), int(number))

    @property
    def code(self) -> str:
        return f"{self.year}K{self.number}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        if self.number == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.number + 1, 1) - datetime.timedelta(days=1)

    @property
    def index(self) -> int:
        """The quarter counted from year 0: the distance between two quarters is the difference
        of their indexes, which straight lines between quarters are drawn on."""
        return self.year * 4 + self.number - 1

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return _("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}


@dataclass(frozen=True, order=True)
class HalfYear:
    """A half-year: the board meets twice a year on a status report for one (seed section 6).

    H1 is January-June, H2 July-December.
    """

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2):
            raise ValueError(f"A half-year is numbered 1 or 2, not {self.number}.")

    @classmethod
    def containing(cls, day: datetime.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, code: str) -> HalfYear:
        """The half-year of a short code such as "2019H1"; ValueError for anything else."""
        year, separator, number = code.upper().partition("H")
        if not (separator and len(year) == 4 and year.isdigit() and number in {"1", "2"}):
            raise ValueError(f"Not a half-year: {code!r}")
        return cls(int(year), int(number))

    @property
    def code(self) -> str:
        return f"{self.year}H{self.number}"

    @property
    def quarters(self) -> list[Quarter]:
        first = 2 * self.number - 1
        return [Quarter(self.year, first), Quarter(self.year, first + 1)]

    @property
    def first_day(self) -> datetime.date:
        return self.quarters[0].first_day

    @property
    def last_day(self) -> datetime.date:
        return self.quarters[1].last_day

    def next(self) -> HalfYear:
        return HalfYear(self.year + 1, 1) if self.number == 2 else HalfYear(self.year, 2)

    def previous(self) -> HalfYear:
        return HalfYear(self.year - 1, 2) if self.number == 1 else HalfYear(self.year, 1)

    def __str__(self) -> str:
        return _("H%(number)s %(year)s") % {"number": self.number, "year": self.year}


def half_years_between(start: datetime.date, end: datetime.date) -> list[HalfYear]:
    halves, half = [], HalfYear.containing(start)
    while half.first_day <= end:
        halves.append(half)
        half = half.next()
    return halves


@dataclass(frozen=True)
class PlanYear:
    """A calendar year of a plan and the part of it the plan covers."""

    year: int
    starts: datetime.date
    ends: datetime.date

    @property
    def is_partial(self) -> bool:
        return (self.starts.month, self.starts.day) != (1, 1) or (
            self.ends.month,
            self.ends.day,
        ) != (12, 31)

    def describe_coverage(self) -> str:
        """ "1. oktober–31. december 2017": the part of the year the plan covers."""
        return _("%(start)s–%(end)s") % {
            "start": date_format(self.starts, "j. F"),
            "end": date_format(self.ends, "j. F Y"),
        }


def years_between(start: datetime.date, end: datetime.date) -> list[PlanYear]:
    return [
        PlanYear(
            year,
            max(start, datetime.date(year, 1, 1)),
            min(end, datetime.date(year, 12, 31)),
        )
        for year in range(start.year, end.year + 1)
    ]


@dataclass(frozen=True)
class Horizon:
    """What a judgement made at the end of a quarter may know: the quarterly counts of the
    quarters up to and including `last`, and the yearly figures of the years whose part inside
    the plan has ended by then. A report for the first half of 2021 reads the counts of the
    first and second quarter of 2021 and the yearly figures up to 2020, whatever is entered
    later, so it says tomorrow what it said today.

    `plan_quarters` are the plan's quarters: the plan's first and last years end where the plan
    does (the Slagelse plan's 2021 ends with its third quarter).
    """

    last: Quarter
    plan_quarters: tuple[Quarter, ...]

    @classmethod
    def end_of_year(cls, year: int, plan_quarters: tuple[Quarter, ...]) -> Horizon:
        """The horizon once the plan's part of `year` is over."""
        return cls(cls.last_of_year(year, plan_quarters), plan_quarters)

    @staticmethod
    def last_of_year(year: int, plan_quarters: tuple[Quarter, ...]) -> Quarter:
        """The plan's last quarter in `year`, or the year's fourth outside the plan."""
        inside = [quarter for quarter in plan_quarters if quarter.year == year]
        return inside[-1] if inside else Quarter(year, 4)

    def knows(self, quarter: Quarter) -> bool:
        return quarter <= self.last

    def year_is_over(self, year: int) -> bool:
        """Whether the plan's part of `year` has ended by the horizon."""
        return self.last_of_year(year, self.plan_quarters) <= self.last

    @property
    def last_full_year(self) -> int:
        """The latest year whose yearly figures the horizon knows."""
        return self.last.year if self.year_is_over(self.last.year) else self.last.year - 1

    def quarters_in(self, year: int) -> int:
        """How many of the plan's quarters in `year` have passed by the horizon."""
        return sum(
            1 for quarter in self.plan_quarters if quarter.year == year and quarter <= self.last
        )


def quarters_between(start: datetime.date, end: datetime.date) -> list[Quarter]:
    quarters, quarter = [], Quarter.containing(start)
    while quarter.first_day <= end:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters
