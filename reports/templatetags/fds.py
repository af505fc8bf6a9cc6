"""Render form widgets with the classes of the Danish design system (DKFDS).

Forms stay free of presentation: a template asks for `{{ form.field|fds }}`, or with a width
class, `{{ form.field|fds:"input-char-11" }}`, and gets the widget with `form-input`,
`form-select` or `form-checkbox`. Radio buttons are written out in the template, one
`form-radio` input per choice, as DKFDS lays them out with their own labels.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def _design_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-checkbox"
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.FileInput):
        # DKFDS styles file inputs by their type; form-input would draw a text box around them.
        return ""
    return "form-input"


@register.filter
def fds(field: BoundField, extra: str = "") -> SafeString:
    """The field's widget with its DKFDS class, and `extra` classes such as a width."""
    widget = field.field.widget
    classes = " ".join(c for c in (widget.attrs.get("class"), _design_class(widget), extra) if c)
    return field.as_widget(attrs={"class": classes} if classes else None)
