"""Half-years, the periods of the board's status reports, named as Danish readers name them."""

import datetime

import pytest
from django.utils import translation

from lib.periods import HalfYear, Quarter


def test_a_half_year_is_parsed_from_its_code_and_covers_its_two_quarters():
    half = HalfYear.parse("2019h1")
    assert half == HalfYear(2019, 1) and half.code == "2019H1"
    assert half.quarters == [Quarter(2019, 1), Quarter(2019, 2)]
    assert (half.first_day, half.last_day) == (
        datetime.date(2019, 1, 1),
        datetime.date(2019, 6, 30),
    )
    assert HalfYear(2019, 2).last_day == datetime.date(2019, 12, 31)
    assert HalfYear(2019, 2).next() == HalfYear(2020, 1) == HalfYear(2020, 2).previous()


@pytest.mark.parametrize("code", ["2019H3", "2019K1", "19H1", "2019", "H1"])
def test_anything_else_is_not_a_half_year(code):
    with pytest.raises(ValueError):
        HalfYear.parse(code)


def test_it_reads_1_halvaar_2019_in_danish():
    with translation.override("da"):
        assert str(HalfYear(2019, 1)) == "1. halvår 2019"


@pytest.mark.django_db
def test_the_loaded_plan_has_the_half_years_from_2017h2_to_2021h2(plan):
    halves = plan.half_years()
    assert (halves[0].code, halves[-1].code, len(halves)) == ("2017H2", "2021H2", 9)
