"""Forms of the measurement pages: a year's figures, an assessment, and a sheet to import."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.models import HousingArea, Plan, PlanArea
from lib.forms import (
    DATE_INPUT_FORMATS,
    DATE_INVALID,
    AccessibleErrorsMixin,
    DanishDecimalField,
    RowsWithReason,
    SummarisedForm,
    reason_field,
    sign_upload,
    unsign_upload,
)
from lib.uploads import UploadTooLarge

from .models import Indicator, Measurement, QualitativeAssessment
from .services import AssessmentText, Figure, FigureEntry, MeasurementSheet

SHEET_MAX_BYTES = 2 * 1024 * 1024
SHEET_SIGNING_SALT = "indicators.measurement-sheet"
SHEET_MAX_AGE = 60 * 60  # seconds between the preview and the confirmation


class FigureForm(AccessibleErrorsMixin, forms.Form):
    """One row of a year's figures: the whole plan or one housing area.

    The `loaded_*` fields carry the figure as the form was loaded, so that a save can tell
    whether someone else changed it meanwhile.
    """

    area = forms.ModelChoiceField(
        queryset=HousingArea.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("The housing area is not part of the plan.")},
    )
    value = DanishDecimalField(
        label=_("Value"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    source_note = forms.CharField(label=_("Source"), required=False, max_length=500)
    measured_on = forms.DateField(
        label=_("Date of the figure"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"inputmode": "numeric"}),
        error_messages={"invalid": DATE_INVALID},
    )
    loaded_value = forms.CharField(required=False, widget=forms.HiddenInput)
    loaded_source_note = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    loaded_measured_on = forms.CharField(required=False, widget=forms.HiddenInput)
    LOADED_FIELDS = ("loaded_value", "loaded_source_note", "loaded_measured_on")

    def __init__(self, *args, indicator: Indicator, year: int, areas, stored, row_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.year = year
        self.stored = stored
        self.row_label = row_label
        self.fields["area"].queryset = areas

    def clean_loaded_value(self) -> Decimal | None:
        text = self.cleaned_data["loaded_value"]
        try:
            return Decimal(text) if text else None
        except InvalidOperation:
            raise ValidationError(_("The form is damaged; load the page again.")) from None

    def clean_loaded_measured_on(self) -> datetime.date | None:
        text = self.cleaned_data["loaded_measured_on"]
        try:
            return datetime.date.fromisoformat(text) if text else None
        except ValueError:
            raise ValidationError(_("The form is damaged; load the page again.")) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("value") is None:
            # An emptied value removes a stored figure, whatever its source and date say; on
            # an empty row, a source or date without a value is a mistake.
            if data["loaded_value"] is None and (data["source_note"] or data["measured_on"]):
                self.add_error("value", _("Enter the figure, or leave its source and date empty."))
            return data
        area = data.get("area")
        stored = self.stored.get(area.pk if area else None)
        measurement = Measurement(
            pk=stored.pk if stored else None,
            indicator=self.indicator,
            year=self.year,
            area=area,
            value=data["value"],
            source_note=data.get("source_note") or "",
            measured_on=data.get("measured_on"),
        )
        # The stored row is this figure; its unique constraints must not count it twice.
        measurement._state.adding = stored is None
        try:
            measurement.full_clean(validate_unique=False)
        except ValidationError as error:
            # Rules of the row as a whole (a negative figure) are about its value.
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else "value"
                for message in messages:
                    self.add_error(target, message)
        return data

    def says_what_it_showed(self) -> bool:
        """Whether the row sent back the figure it was loaded with (its hidden fields, empty
        for no figure). Without them an empty row could not be told from a missing one."""
        return all(self.add_prefix(name) in self.data for name in self.LOADED_FIELDS)

    def entry(self) -> FigureEntry:
        data = self.cleaned_data
        loaded = (
            Figure(data["loaded_value"], data["loaded_source_note"], data["loaded_measured_on"])
            if data["loaded_value"] is not None
            else None
        )
        entered = (
            Figure(data["value"], data["source_note"], data["measured_on"])
            if data["value"] is not None
            else None
        )
        return FigureEntry(data.get("area"), loaded, entered)


class BaseFigureFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows: list[HousingArea | None], **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        area = self.rows[index] if index is not None and index < len(self.rows) else None
        kwargs["row_label"] = area.label if area else _("Whole plan")
        return kwargs

    def clean(self) -> None:
        seen = set()
        for form in self.forms:
            if not form.is_valid():
                continue
            area = form.cleaned_data.get("area")
            key = area.pk if area else None
            if key in seen:
                form.add_error(
                    "area", _("There is already a row for this housing area in the form.")
                )
            seen.add(key)


def initial_row(area: HousingArea | None, stored: Measurement | None) -> dict:
    row: dict = {"area": area}
    if stored is not None:
        row |= {
            "value": stored.value,
            "source_note": stored.source_note,
            "measured_on": stored.measured_on,
            "loaded_value": str(stored.value),
            "loaded_source_note": stored.source_note,
            "loaded_measured_on": stored.measured_on.isoformat() if stored.measured_on else "",
        }
    return row


class YearFiguresForm(RowsWithReason):
    """An indicator's figures for one year, one row per area, and the reason for a change.

    The rows are the whole plan and each of the plan's areas (only the whole plan for an
    external reference).
    """

    value_field = "value"
    reason_needed = _("Give a reason when you change or remove a figure that was entered.")

    def __init__(
        self,
        data=None,
        *,
        indicator: Indicator,
        year: int,
        plan_areas: list[PlanArea],
        stored: list[Measurement],
    ):
        rows: list[HousingArea | None] = [None]
        if not indicator.is_reference:
            rows += [plan_area.area for plan_area in plan_areas]
        by_area = {measurement.area_id: measurement for measurement in stored}
        formset_class = forms.formset_factory(
            FigureForm,
            formset=BaseFigureFormSet,
            extra=0,
            max_num=len(rows),
            absolute_max=len(rows),
            validate_max=True,
        )
        area_ids = [plan_area.area_id for plan_area in plan_areas]
        self.figures = formset_class(
            data,
            rows=rows,
            prefix="figures",
            initial=[initial_row(area, by_area.get(area.pk if area else None)) for area in rows],
            form_kwargs={
                "indicator": indicator,
                "year": year,
                "areas": HousingArea.objects.filter(pk__in=area_ids),
                "stored": by_area,
            },
        )
        super().__init__(data, self.figures)


class AssessmentForm(AccessibleErrorsMixin, forms.Form):
    """An assessment of a qualitative criterion for one year."""

    status = forms.ChoiceField(
        label=_("Assessment"),
        choices=QualitativeAssessment.Status.choices,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why the criterion is met or not. Do not write the names of residents."),
    )
    reason = reason_field()
    loaded_status = forms.CharField(required=False, widget=forms.HiddenInput)
    loaded_justification = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)

    def __init__(self, *args, assessment: QualitativeAssessment | None, **kwargs):
        if assessment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "status": assessment.status,
                    "justification": assessment.justification,
                    "loaded_status": assessment.status,
                    "loaded_justification": assessment.justification,
                },
            )
        super().__init__(*args, **kwargs)

    def says_what_it_showed(self) -> bool:
        """Whether the form sent back the assessment it was loaded with (its hidden fields,
        empty when there was none); a save must refuse it as out of date when not."""
        return all(
            self.add_prefix(name) in self.data for name in ("loaded_status", "loaded_justification")
        )

    def loaded(self) -> AssessmentText | None:
        data = self.cleaned_data
        if not data.get("loaded_status"):
            return None
        return AssessmentText(data["loaded_status"], data["loaded_justification"])

    def entered(self) -> AssessmentText:
        return AssessmentText(self.cleaned_data["status"], self.cleaned_data["justification"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        loaded = self.loaded()
        if loaded is not None and loaded != self.entered() and not data.get("reason"):
            self.add_error(
                "reason", _("Give a reason when you change an assessment that was made.")
            )
        return data

    def error_summary(self) -> list[tuple[str, str]]:
        found = []
        for name, errors in self.errors.items():
            field = self[name] if name in self.fields else None
            target = (
                f"{field.auto_id}_0" if name == "status" else field.auto_id if field else "form"
            )
            label = field.label if field else ""
            found += [(target, f"{label}: {error}" if label else str(error)) for error in errors]
        return found


class SheetUploadForm(AccessibleErrorsMixin, forms.Form):
    """An xlsx workbook of measurements (or of another `sheet_format`), small enough to read
    in memory."""

    sheet_format = MeasurementSheet

    sheet = forms.FileField(
        label=_("Spreadsheet (xlsx)"),
        help_text=_("At most 2 MB. The first row holds the column headings."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )

    def clean_sheet(self) -> bytes:
        upload = self.cleaned_data["sheet"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Choose an Excel workbook (.xlsx)."))
        if upload.size > SHEET_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB. Split it into smaller sheets."))
        content = upload.read()
        try:
            self.sheet_format().create_dataset(content)
        except UploadTooLarge as error:  # unpacks to far too much, or too many rows or columns
            raise ValidationError(str(error)) from None
        except Exception:  # openpyxl raises many kinds of errors for a damaged workbook
            raise ValidationError(_("The file could not be read as an Excel workbook.")) from None
        return content


def sign_sheet(*, plan: Plan, user, content: bytes, salt: str = SHEET_SIGNING_SALT) -> str:
    """A token carrying the previewed sheet to the confirmation, bound to plan and user;
    `salt` names the kind of sheet (`SheetConfirmForm.salt`)."""
    return sign_upload(
        base64.b64encode(content).decode(),
        bound={"plan": plan.pk, "user": user.pk},
        salt=salt,
    )


class SheetConfirmForm(SummarisedForm):
    """The confirmation of a previewed sheet, with the one reason for the figures it changes:
    kept in the history of every figure the import writes. The import refuses to change an
    entered figure without one, whatever the form says (AllOrNothingResource)."""

    salt = SHEET_SIGNING_SALT  # a token for one kind of sheet is refused for another
    token = forms.CharField(widget=forms.HiddenInput)
    reason = reason_field()
    changes_figures = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plan: Plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.user = user
        self.fields["reason"].help_text = _(
            "Required when the sheet changes figures that were entered. Kept in the history of "
            "each figure the import changes. Do not write the names of residents."
        )

    def clean(self):
        data = super().clean()
        if data.get("changes_figures") and not data.get("reason"):
            self.add_error(
                "reason", _("Give a reason when the sheet changes figures that were entered.")
            )
        return data

    def clean_token(self) -> bytes:
        expired = _("The preview is too old or damaged. Upload the sheet again.")
        try:
            sheet = unsign_upload(
                self.cleaned_data["token"],
                bound={"plan": self.plan.pk, "user": self.user.pk},
                salt=self.salt,
                max_age=SHEET_MAX_AGE,
            )
        except signing.BadSignature:
            raise ValidationError(expired) from None
        return base64.b64decode(sheet)
