from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.forms import DATE_INPUT_FORMATS, SummarisedForm
from lib.params import RevisionField

DRAFT = "kladde"


class FocusAreaChoiceField(forms.ModelChoiceField):
    """A focus area to choose. Until the plan, and so its funding period, is known, each is
    named with its period ("2019-26-midlerne: Beskæftigelse"): the periods have areas of
    nearly the same names. Once it is known, only that period's areas are offered, by name
    (`with_period` False; see admin_site.narrow_focus_areas)."""

    with_period = True

    def label_from_instance(self, obj) -> str:
        return named_with_period(obj) if self.with_period else str(obj)


def named_with_period(focus_area) -> str:
    """A focus area named with its funding period: "2019-26-midlerne: Beskæftigelse"."""
    return f"{focus_area.funding_period}: {focus_area}"


class ApproveVersionForm(SummarisedForm):
    """The board's decision to approve the draft as the next version."""

    decided_on = forms.DateField(
        label=_("Date of the board's decision"),
        help_text=_("For example 12.09.2018."),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d.%m.%Y"),
        error_messages={
            "required": _("Write the date of the board's decision."),
            "invalid": _("Write the date as day.month.year, for example 12.09.2018."),
        },
    )
    note = forms.CharField(
        label=_("What was changed, and why"),
        help_text=_(
            "Kept with the version and shown in its history. Do not write residents' names."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the board approved and why.")},
    )
    # What the approver was shown: the current version's number (empty when there is none)
    # and a fingerprint of the draft. `approve_version` refuses the approval when either has
    # moved on since.
    based_on = RevisionField()
    draft_digest = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, latest_decided_on: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest_decided_on = latest_decided_on

    def clean(self):
        cleaned = super().clean()
        if not all(self.add_prefix(name) in self.data for name in ("based_on", "draft_digest")):
            # A form that does not say what it showed is out of date: an empty fingerprint
            # matches no draft, so the approval is refused with the conflict message.
            cleaned["draft_digest"] = ""
        return cleaned

    def error_summary(self) -> list[tuple[str, str]]:
        # A damaged hidden field has no place on the page; its error leads to the first field.
        hidden = [
            (self["decided_on"].auto_id, str(error))
            for field in self.hidden_fields()
            for error in field.errors
        ]
        return super().error_summary() + hidden

    def clean_decided_on(self) -> datetime.date:
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise forms.ValidationError(_("The board's decision cannot be in the future."))
        if self.latest_decided_on and decided_on < self.latest_decided_on:
            raise forms.ValidationError(
                _("The decision cannot be before the current version's, %(date)s."),
                params={"date": self.latest_decided_on.strftime("%d.%m.%Y")},
            )
        return decided_on


class CompareForm(SummarisedForm):
    """Two versions of a delaftale to compare; the draft is offered to those who may see it."""

    fra = forms.ChoiceField(label=_("From"))
    til = forms.ChoiceField(label=_("To"))

    def __init__(self, *args, numbers: list[int], with_draft: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(number), _("Version %(number)s") % {"number": number}) for number in numbers
        ]
        if with_draft:
            choices.append((DRAFT, _("Draft")))
        self.fields["fra"].choices = choices
        self.fields["til"].choices = choices
        for name in ("fra", "til"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "There is no version %(value)s of this sub-agreement."
            )


class ShareLinkForm(SummarisedForm):
    note = forms.CharField(
        label=_("Whom the link is for"),
        help_text=_("For example LBF's case officer. Write no personal details."),
        max_length=200,
        required=False,
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=365,
        error_messages={
            "required": _("Write how many days the link is valid."),
            "min_value": _("A link is valid for at least 1 day."),
            "max_value": _("A link is valid for at most 365 days."),
            "invalid": _("Write a whole number of days."),
        },
    )
