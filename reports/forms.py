"""The form of the groups' evaluations: one part per group, saved together."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.models import Body
from lib.forms import DATE_INPUT_FORMATS, SummarisedForm
from lib.params import RevisionField
from lib.periods import HalfYear

from .models import EvaluationEntry, GroupEvaluation, revision_of


class GroupEvaluationForm(SummarisedForm):
    """One group's evaluation. Left empty, it records nothing; once anything is written (or
    the group has a recorded evaluation), the text and the meeting date are required."""

    meeting_date = forms.DateField(
        label=_("Meeting date"),
        help_text=_("The date of the group's evaluation meeting, for example 12.06.2019."),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Write the date as day.month.year, for example 12.06.2019."),
        },
    )
    text = forms.CharField(
        label=_("Evaluation"),
        help_text=_(
            "The group's evaluation of the activities, their quantity and quality. "
            "Do not write the names of residents."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    minutes_reference = forms.CharField(
        label=_("Minutes"),
        help_text=_("Where the minutes are, for example 'Referat af møde 12.06.2019, punkt 4'."),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Write at most 200 characters.")},
    )
    # None when the form does not say which revision it showed: then any save of the group
    # is refused as out of date (GroupEvaluation.record).
    revision = RevisionField()

    def __init__(self, *args, body: Body, half_year: HalfYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        self.half_year = half_year

    def written(self) -> bool:
        """Whether anything was typed, valid or not: an invalid date counts."""
        return any(
            str(self[name].value() or "").strip()
            for name in ("meeting_date", "text", "minutes_reference")
        )

    def clean(self):
        data = super().clean()
        if not (self.written() or data.get("revision")):
            return data
        if not data.get("text"):
            self.add_error("text", _("Write the group's evaluation."))
        if not data.get("meeting_date") and "meeting_date" not in self.errors:
            self.add_error("meeting_date", _("Write the date of the group's meeting."))
        if self.errors:
            return data
        evaluation = GroupEvaluation(
            body=self.body,
            year=self.half_year.year,
            half=self.half_year.number,
            text=data["text"],
            meeting_date=data["meeting_date"],
            minutes_reference=data["minutes_reference"],
        )
        try:
            # The group comes from the plan and the database keeps one evaluation per group
            # and half-year: checking either here would cost a query per group.
            evaluation.full_clean(
                exclude=["body", "recorded_by"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else NON_FIELD_ERRORS
                for message in messages:
                    self.add_error(None if target == NON_FIELD_ERRORS else target, message)
        return data

    def entry(self) -> EvaluationEntry:
        data = self.cleaned_data
        return EvaluationEntry(
            body=self.body,
            loaded_revision=data["revision"],
            text=data["text"],
            meeting_date=data["meeting_date"],
            minutes_reference=data["minutes_reference"],
        )


def initial_values(evaluation: GroupEvaluation | None) -> dict:
    if evaluation is None:
        return {"revision": 0}
    return {
        "meeting_date": evaluation.meeting_date,
        "text": evaluation.text,
        "minutes_reference": evaluation.minutes_reference,
        "revision": evaluation.revision,
    }


class GroupEvaluationsForm:
    """Every evaluating group's form for one half-year, each with the prefix of its group.

    `kept` gives, by group, what to show instead of the stored evaluation: what the user
    entered, after a conflict on other groups.
    """

    def __init__(
        self,
        data=None,
        *,
        groups: list[Body],
        half_year: HalfYear,
        stored: dict[int, GroupEvaluation],
        kept: dict[int, EvaluationEntry] | None = None,
    ):
        kept = kept or {}
        self.half_year = half_year
        self.parts = []
        for body in groups:
            entry = kept.get(body.pk)
            initial = (
                {
                    "meeting_date": entry.meeting_date,
                    "text": entry.text,
                    "minutes_reference": entry.minutes_reference,
                    "revision": entry.loaded_revision,
                }
                if entry
                else initial_values(stored.get(body.pk))
            )
            form = GroupEvaluationForm(
                data, prefix=f"group-{body.pk}", initial=initial, body=body, half_year=half_year
            )
            self.parts.append((body, stored.get(body.pk), form))

    def has_errors(self) -> bool:
        return any(form.errors for _body, _evaluation, form in self.parts)

    def is_valid(self) -> bool:
        return all([form.is_valid() for _body, _evaluation, form in self.parts])

    def entries(self) -> list[EvaluationEntry]:
        return [form.entry() for _body, _evaluation, form in self.parts]

    def after_conflict(
        self, stored: dict[int, GroupEvaluation], stale: list[Body]
    ) -> GroupEvaluationsForm:
        """The form to show when `stale` groups were saved by someone else meanwhile: those
        groups, and any group whose stored evaluation moved on, as now stored; every other
        group as the user entered it, to save again."""
        kept = {
            entry.body.pk: entry
            for entry in self.entries()
            if entry.body not in stale
            and revision_of(stored.get(entry.body.pk)) == entry.loaded_revision
        }
        return GroupEvaluationsForm(
            groups=[body for body, _evaluation, _form in self.parts],
            half_year=self.half_year,
            stored=stored,
            kept=kept,
        )

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id, message) for every error, in the order of the page, named by group.
        Errors of the group as a whole and of its hidden revision point at its text."""
        found = []
        for body, _evaluation, form in self.parts:
            for target, message in form.error_summary():
                found.append((target, f"{body.name}, {message}"))
            for message in form.non_field_errors() + form["revision"].errors:
                found.append((form["text"].auto_id, f"{body.name}: {message}"))
        return found


class SendReportForm(forms.Form):
    """Sending a half-year's status report to the board: a note is all there is to add."""

    note = forms.CharField(
        label=_("Note to the board (optional)"),
        help_text=_("Kept with the report as sent. Do not write the names of residents."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
