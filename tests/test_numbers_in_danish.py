"""Numbers and money are written the Danish way."""

from decimal import Decimal

import pytest
from django.utils import translation

from lib.numbers import format_number, format_thousand_dkk


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (11559, None, "11.559"),
        (Decimal("30.65"), 2, "30,65"),
        (Decimal("72.45"), 1, "72,5"),  # half up, as people round
        (Decimal("1234567.8"), 1, "1.234.567,8"),
        (0, 0, "0"),
    ],
)
def test_numbers(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_money_in_thousands_of_kroner():
    assert format_thousand_dkk(44_450_000) == "44.450"
    assert format_thousand_dkk(2_831_000) == "2.831"


def test_english_readers_get_english_numbers():
    with translation.override("en"):
        assert format_number(11559) == "11,559"
