"""Reading the numbers and codes a request carries, which anyone can write.

Python reads more than a browser ever sends: "²".isdigit() is true but int("²") fails,
int("١٢") is 12, int() refuses more than 4,300 digits, and an id of 20 digits is too large for
the database's integers (SQLite raises OverflowError for it in `pk__in`, which Django does not
range-check as it does `pk=`). Every id, revision and period code read from a query string or a
form goes through here, so that what cannot be read is a 400 page or a form error, never a
server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lib.periods import Quarter

# The largest id a row can have: a BigAutoField, SQLite's INTEGER and PostgreSQL's bigint.
MAX_ID = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]{1,19}")  # 19 digits hold every number up to MAX_ID
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # as Django's SlugField and <slug:> take it

T = TypeVar("T")


def parse_int(text: str | None, *, maximum: int = MAX_ID) -> int | None:
    """The whole number `text` writes in ASCII digits, from 0 to `maximum`; None for anything
    else (signs, spaces, other scripts' digits, too many digits)."""
    if text is None or not ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_slug(text: str | None) -> str | None:
    """`text` when it is a slug (the codes of housing areas and focus areas); None otherwise.
    A slug also keeps out what PostgreSQL refuses in any text, such as a NUL character."""
    if text is None or not SLUG.fullmatch(text):
        return None
    return text


def parse_quarter(text: str | None) -> Quarter | None:
    """The quarter of a code such as "2018K1"; None for anything else."""
    # Quarter.parse takes any digits str.isdigit() takes; a link of ours has ASCII only.
    if not text or not text.isascii():
        return None
    try:
        return Quarter.parse(text)
    except ValueError:
        return None


def query_value(request: HttpRequest, name: str, parse: Callable[[str], T | None]) -> T | None:
    """The query parameter `name` as `parse` reads it; None when it is absent or empty.

    Raises BadRequest (the 400 page) when it is there but cannot be read: no link or form of
    the application writes such a value, so it was typed or crafted.
    """
    text = request.GET.get(name)
    if not text:
        return None
    value = parse(text)
    if value is None:
        raise BadRequest(f"The query parameter {name!r} cannot be read.")
    return value


class RevisionField(forms.Field):
    """The hidden revision a form was loaded with, so that its save can tell whether someone
    else saved in the meantime.

    Empty or not sent, it is None: the form does not say what it showed, and the save must
    refuse it as out of date rather than apply it over whatever is stored now. Anything but a
    number in ASCII digits is a damaged form.
    """

    widget = forms.HiddenInput
    default_error_messages = {"invalid": _("The form is damaged; load the page again.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_int(str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number
