"""What the forms of every app share: accessible errors and their summary, numbers and dates as
Danes type them, the reason for a change, and the signed confirmation of a checked upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lib.numbers import danish_number_text

# Dates as Danes write them (12.09.2018, 12-09-2018), and as ISO dates.
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"]
# Django's own "Enter a valid date." does not say how a date is written.
DATE_INVALID = _("Write the date as dd.mm.yyyy, for example 1.10.2019.")

# Django's "Enter a valid slug" names a word nobody in a secretariat uses.
SHORT_NAME_INVALID = _(
    "Use only lower-case letters a-z, digits and hyphens, for example skaelskoer-2019."
)

# A reason is kept in django-simple-history's history_change_reason, of 100 characters.
REASON_MAX_LENGTH = 100


class AccessibleErrorsMixin:
    """Point each field with an error at its message (aria-describedby, aria-invalid).

    The message is rendered with the id "<field id>-error"; help text, when a field has one,
    with "<field id>_helptext".
    """

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        for name in self._errors:
            if name not in self.fields:
                continue
            field_id = self[name].auto_id
            described_by = [f"{field_id}-error"]
            if self.fields[name].help_text:
                described_by.insert(0, f"{field_id}_helptext")
            self.fields[name].widget.attrs.update(
                {"aria-describedby": " ".join(described_by), "aria-invalid": "true"}
            )


class SummarisedForm(AccessibleErrorsMixin, forms.Form):
    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary at the top of the page."""
        return [
            (self[name].auto_id, f"{self[name].label}: {error}")
            for name, errors in self.errors.items()
            if name in self.fields and not self.fields[name].widget.is_hidden
            for error in errors
        ]


class CountField(forms.IntegerField):
    """A whole number as Danes type it: "1.200" and "1 200" are twelve hundred."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = danish_number_text(value, decimal_comma=False)
        return super().to_python(value)


class DanishDecimalField(forms.DecimalField):
    """A number written the Danish way ("72,4", "11.559") or with a decimal point ("72.4").

    A comma is always the decimal mark. Without one, a point is a decimal point, except in
    Danish when it groups thousands exactly ("11.559", "1.250.000").
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = danish_number_text(value, grouping_points=get_language() == "da")
        return super().to_python(value)


class ShortNameField(forms.SlugField):
    """A short name used in addresses and commands (a plan's, a housing area's code).

    Narrower than Django's slug, which also takes capitals and underscores: lower-case a-z,
    digits and single hyphens, as every short name of the seed is written, so that what the
    message says is allowed is exactly what is taken.
    """

    default_validators = [
        RegexValidator(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z", SHORT_NAME_INVALID, code="invalid")
    ]
    default_error_messages = {"invalid": SHORT_NAME_INVALID}


class MultilineTextField(forms.CharField):
    """Text of several lines, with its line breaks as stored: a browser sends a textarea's
    line breaks as CR LF, and without this every save would change text nobody touched."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def reason_field(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Required when you change or remove what was already entered. "
            "Do not write the names of residents."
        ),
        **kwargs,
    )


class ReasonForm(AccessibleErrorsMixin, forms.Form):
    reason = reason_field()


class RowsWithReason:
    """Figures entered together, a form a row, and the reason for changing one that was
    entered: an indicator's figures of a year, a delaftale's spending.

    A row form carries what it was loaded with and gives `entry()` (with `loaded` and
    `changes_something`), `says_what_it_showed()` and `row_label`. A subclass says which field
    holds a row's figure (`value_field`: errors of hidden fields and of the whole row are shown
    there) and what to say when a change to an entered figure has no reason (`reason_needed`).
    """

    value_field: str
    reason_needed: Any

    def __init__(self, data, rows: forms.BaseFormSet):
        self.rows = rows
        self.reason = ReasonForm(data)

    def is_valid(self) -> bool:
        valid = self.rows.is_valid() & self.reason.is_valid()
        if valid and not self.reason.cleaned_data["reason"]:
            if any(entry.loaded and entry.changes_something for entry in self.entries()):
                self.reason.add_error("reason", self.reason_needed)
                return False
        return valid

    def entries(self) -> list:
        return [form.entry() for form in self.rows]

    def says_what_it_showed(self) -> bool:
        """Whether every row says what it was loaded with; a save must refuse the form as out
        of date when one does not, never apply it over what is stored now."""
        return all(form.says_what_it_showed() for form in self.rows)

    def error_summary(self) -> list[tuple[str, str]]:
        """(link target, message) for every error, in the order of the page."""
        found = [(self.rows.prefix, str(error)) for error in self.rows.non_form_errors()]
        for form in self.rows:
            for name, errors in form.errors.items():
                shown = name != NON_FIELD_ERRORS and not form.fields[name].widget.is_hidden
                field = name if shown else self.value_field
                target = form[field].auto_id
                prefix = f"{form.row_label}, {form.fields[name].label}" if shown else form.row_label
                found += [(target, f"{prefix}: {error}") for error in errors]
        for error in self.reason.errors.get("reason", []):
            found.append((self.reason["reason"].auto_id, f"{self.reason['reason'].label}: {error}"))
        return found


def sign_upload(data: Any, *, bound: dict, salt: str) -> str:
    """What a checked upload holds (plain JSON), signed for the confirmation that saves it.

    The upload is shown as a preview first and saved only when the user confirms; the preview
    page carries it in this token rather than keeping it on the server. `bound` says what it
    was checked for (the plan, the user, the quarter), so that a token can neither be altered
    nor replayed elsewhere; `salt` keeps one kind of upload's tokens from being taken for
    another's.
    """
    return signing.dumps({"for": bound, "data": data}, salt=salt, compress=True)


def unsign_upload(token: str, *, bound: dict, salt: str, max_age: int) -> Any:
    """The data `sign_upload` signed with `salt` for `bound`, at most `max_age` seconds ago.

    Raises BadSignature (SignatureExpired is one) for a token that was altered, is too old, or
    was made for anything else.
    """
    signed = signing.loads(token, salt=salt, max_age=max_age)
    if not isinstance(signed, dict) or signed.get("for") != bound:
        raise signing.BadSignature("The confirmation belongs to something else.")
    return signed["data"]
