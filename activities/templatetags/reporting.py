from django import template
from django.utils.translation import gettext as _

from lib.numbers import format_number

register = template.Library()


@register.filter
def count(value) -> str:
    """A count in Danish form ("1.234"); "nothing" for no count at all."""
    if value is None:
        return _("nothing")
    return format_number(value)
