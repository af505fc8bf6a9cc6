"""The quarterly entry form (*Indberetning*): every number, note and status of a reporter's
grid for one quarter, validated together so that nothing is saved unless all of it is right.

Field names carry the ids they belong to: `c_<metric>_<area>` for a count,
`note_<activity>_<area>`, `progress_<activity>_<area>` and `rev_<activity>_<area>` (the
report's revision when the form was loaded) for a report. The same form checks an uploaded
sheet (see activities.sheets), so both ways in obey the same rules.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lib.forms import REASON_MAX_LENGTH, CountField, sign_upload, unsign_upload
from lib.params import RevisionField

from .grid import EntryGrid, Pair
from .models import QuarterReport
from .services import PairEntry

FIELD_NAME = re.compile(r"^(c|note|progress|rev)_(\d+)_(\d+)$")

COUNT_ERRORS = {
    "invalid": _("Write a whole number, for example 12."),
    "min_value": _("A count cannot be negative."),
    "max_value": _("The number is too large."),
}


class QuarterEntryForm(forms.Form):
    SAVE = "save"
    SUBMIT = "submit"

    action = forms.ChoiceField(
        choices=[(SAVE, _("Save draft")), (SUBMIT, _("Save and submit"))],
        required=False,
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason for changing submitted numbers"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Needed only when you change a number that has already been submitted."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, I have checked the numbers marked above and they are correct."),
        required=False,
    )

    def __init__(self, data=None, *, grid: EntryGrid, **kwargs):
        super().__init__(data, **kwargs)
        self.grid = grid
        self.warnings: dict[str, str] = {}
        self.entries: list[PairEntry] = []  # filled by clean()
        for pair in grid.pairs:
            activity_id, area_id = pair.key
            locked = pair.is_locked
            attrs = {"disabled": True} if locked else {}
            for cell in pair.cells:
                self.fields[self.count_name(cell)] = CountField(
                    label=cell.metric.name,
                    required=False,
                    min_value=0,
                    max_value=2_000_000_000,
                    initial=cell.stored,
                    error_messages=COUNT_ERRORS,
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "autocomplete": "off", **attrs}
                    ),
                )
            report = pair.report
            self.fields[f"note_{activity_id}_{area_id}"] = forms.CharField(
                label=_("Does the activity work as intended? A short note"),
                required=False,
                max_length=2000,
                initial=report.note if report else "",
                widget=forms.Textarea(attrs={"rows": 3, **attrs}),
            )
            self.fields[f"progress_{activity_id}_{area_id}"] = forms.ChoiceField(
                label=_("Status"),
                required=False,
                choices=QuarterReport.Progress.choices,
                initial=report.progress if report else "",
                widget=forms.RadioSelect(attrs=attrs),
            )
            self.fields[f"rev_{activity_id}_{area_id}"] = RevisionField(initial=pair.revision)

    @staticmethod
    def count_name(cell) -> str:
        return f"c_{cell.metric.pk}_{cell.area.pk}"

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == self.SUBMIT

    def clean(self):
        cleaned = super().clean()
        if self.data and any(
            FIELD_NAME.match(name) and name not in self.fields for name in self.data
        ):
            raise forms.ValidationError(
                gettext(
                    "The form names an activity or housing area you do not report for. "
                    "Nothing was saved; open the form again from the menu."
                ),
                code="not_reported",
            )
        self.entries = [self.entry(pair) for pair in self.grid.pairs]
        for entry in self.entries:
            self.check_entry(entry)
        if (
            self.changes_submitted_numbers
            and "reason" not in self.errors  # a reason too long is not also a reason missing
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error(
                "reason",
                gettext(
                    "Write why numbers that have already been submitted are changed; "
                    "the reason is kept with the change."
                ),
            )
        return cleaned

    @property
    def changes_submitted_numbers(self) -> bool:
        """Whether a number that was already submitted changes; that needs a reason."""
        return any(
            entry.changed_counts() and entry.pair.report and entry.pair.report.was_submitted
            for entry in self.entries
        )

    def entry(self, pair: Pair) -> PairEntry:
        activity_id, area_id = pair.key
        if pair.is_locked:
            # A locked report keeps what is stored: its fields are not sent by the browser.
            report = pair.report
            counts = {cell.metric.pk: cell.stored for cell in pair.cells}
            return PairEntry(pair, pair.revision, counts, report.note, report.progress)
        return PairEntry(
            pair=pair,
            # Never the stored revision in place of a missing one: that would let a form that
            # leaves it out overwrite whatever someone else saved meanwhile.
            loaded_revision=self.cleaned_data.get(f"rev_{activity_id}_{area_id}"),
            counts={
                cell.metric.pk: self.cleaned_data.get(self.count_name(cell)) for cell in pair.cells
            },
            note=self.cleaned_data.get(f"note_{activity_id}_{area_id}", "").strip(),
            progress=self.cleaned_data.get(f"progress_{activity_id}_{area_id}", ""),
        )

    def check_entry(self, entry: PairEntry) -> None:
        pair = entry.pair
        activity_id, area_id = pair.key
        if pair.is_locked:
            # The browser sends nothing for a locked report; a sheet sends what it holds,
            # which must be what is stored.
            report = pair.report
            stored = {self.count_name(cell): cell.stored for cell in pair.cells}
            stored[f"note_{activity_id}_{area_id}"] = report.note
            stored[f"progress_{activity_id}_{area_id}"] = report.progress
            for name, value in stored.items():
                posted = self.data.get(name)
                if posted is not None and posted.strip() != ("" if value is None else str(value)):
                    self.add_error(
                        name,
                        gettext(
                            "%(quarter)s is approved and locked for this activity; ask the "
                            "secretariat to reopen it."
                        )
                        % {"quarter": self.grid.quarter},
                    )
            return
        counts = entry.counts
        for numerator, denominator in self.grid.shares:
            top, bottom = counts.get(numerator.pk), counts.get(denominator.pk)
            if top is not None and bottom is not None and top > bottom:
                self.add_error(
                    f"c_{numerator.pk}_{area_id}",
                    gettext("Cannot be more than “%(denominator)s” (%(value)s).")
                    % {"denominator": denominator.name, "value": bottom},
                )
        if self.submitting:
            for cell in pair.cells:
                name = self.count_name(cell)
                if counts[cell.metric.pk] is None and name not in self.errors:
                    self.add_error(
                        name,
                        gettext(
                            "Fill in the number before you submit (write 0 if there was none)."
                        ),
                    )
            if not entry.progress:
                self.add_error(
                    f"progress_{activity_id}_{area_id}",
                    gettext("Choose whether the activity is on track before you submit."),
                )
        for cell in pair.cells:
            value = counts[cell.metric.pk]
            if (
                value is not None
                and value != cell.stored
                and cell.metric.is_far_outside(value, cell.history)
            ):
                self.warnings[self.count_name(cell)] = gettext(
                    "%(value)s is far above this activity's earlier quarters here (at most "
                    "%(highest)s). Check the number, and confirm it at the bottom of the form."
                ) % {"value": value, "highest": max(cell.history)}

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings) and not self.cleaned_data.get("confirm")


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the report reopened?"),
        help_text=_("The reporter sees the reason on the form. Do not write names of residents."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why the report is reopened.")},
    )
    revision = RevisionField()

    def clean(self):
        cleaned = super().clean()
        # The page has no place for an error of a hidden field; show it above the form.
        for error in self.errors.pop("revision", []):
            self.add_error(None, error)
        return cleaned


class SheetUploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Filled-in sheet (xlsx)"),
        error_messages={"required": _("Choose the sheet to upload.")},
    )


SHEET_SALT = "activities.entry-sheet"
SHEET_MAX_AGE = 60 * 60  # seconds between the preview and the confirmation


def sheet_bound(grid: EntryGrid, user) -> dict:
    """What a checked sheet is signed for: its plan, quarter and user."""
    return {"plan": grid.plan.slug, "quarter": grid.quarter.code, "user": user.pk}


def sign_sheet_data(data: dict[str, str], *, grid: EntryGrid, user) -> str:
    """The checked sheet's data, signed with the plan, quarter and user it was checked for,
    so the confirmation can neither be altered nor replayed elsewhere."""
    return sign_upload(data, bound=sheet_bound(grid, user), salt=SHEET_SALT)


def unsign_sheet_data(value: str, *, grid: EntryGrid, user) -> dict[str, str]:
    """The data of a confirmation; BadSignature when it was made for anything else."""
    return unsign_upload(
        value, bound=sheet_bound(grid, user), salt=SHEET_SALT, max_age=SHEET_MAX_AGE
    )
