"""Template filters for numbers in Danish form (see helhedsplan.numbers)."""

from django import template

from helhedsplan import numbers

register = template.Library()


@register.filter
def tkr(kroner):
    """Whole kroner as thousands: 11559000 -> "11.559"."""
    return numbers.format_thousand_dkk(kroner)


@register.filter
def num(value, decimals=None):
    return numbers.format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def pct(value, decimals=1):
    return numbers.format_percent(value, int(decimals))


@register.filter
def fte(value):
    return numbers.format_fte(value)
