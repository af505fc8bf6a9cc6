"""Template filters for numbers in Danish form (see lib.numbers)."""

from django import template

from lib import numbers

register = template.Library()


@register.filter
def tkr(kroner):
    """Whole kroner as thousands: 11559000 -> "11.559"."""
    return numbers.format_thousand_dkk(kroner)
