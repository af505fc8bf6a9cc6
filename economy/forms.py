"""The form of a delaftale's spending: one row per year and source of financing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.models import Subagreement
from indicators.forms import SheetConfirmForm, SheetUploadForm
from lib.forms import AccessibleErrorsMixin, CountField, RowsWithReason

from .models import Financing, Spending
from .services import Amount, AmountEntry, SpendingSheet


class AmountForm(AccessibleErrorsMixin, forms.Form):
    """One year's spending from one source. The `loaded_*` fields carry what the form was
    loaded with, so that a save can tell whether someone else changed it meanwhile."""

    amount = CountField(
        label=_("Amount spent (DKK)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    loaded_amount = forms.CharField(required=False, widget=forms.HiddenInput)
    loaded_note = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    LOADED_FIELDS = ("loaded_amount", "loaded_note")

    def __init__(self, *args, subagreement: Subagreement, row: tuple[int, str], stored, **kwargs):
        super().__init__(*args, **kwargs)
        self.subagreement = subagreement
        self.year, self.financing = row
        self.stored = stored.get(row)
        self.row_label = f"{self.year}, {Financing(self.financing).label}"

    def clean_loaded_amount(self) -> int | None:
        text = self.cleaned_data["loaded_amount"]
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError(_("The form is damaged; load the page again."))
        return int(text)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("amount") is None:
            if data["loaded_amount"] is None and data["note"]:
                self.add_error("amount", _("Enter the amount, or leave the note empty."))
            return data
        spending = Spending(
            pk=self.stored.pk if self.stored else None,
            subagreement=self.subagreement,
            year=self.year,
            financing=self.financing,
            amount=data["amount"],
            note=data.get("note") or "",
        )
        spending._state.adding = self.stored is None
        try:
            spending.full_clean(validate_unique=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else "amount"
                for message in messages:
                    self.add_error(target, message)
        return data

    def says_what_it_showed(self) -> bool:
        return all(self.add_prefix(name) in self.data for name in self.LOADED_FIELDS)

    def entry(self) -> AmountEntry:
        data = self.cleaned_data
        loaded = (
            Amount(data["loaded_amount"], data["loaded_note"])
            if data["loaded_amount"] is not None
            else None
        )
        entered = Amount(data["amount"], data["note"]) if data["amount"] is not None else None
        return AmountEntry(self.year, self.financing, loaded, entered)


class BaseAmountFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows: list[tuple[int, str]], **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["row"] = self.rows[index]
        return kwargs


def initial_row(stored: Spending | None) -> dict:
    if stored is None:
        return {}
    return {
        "amount": stored.amount,
        "note": stored.note,
        "loaded_amount": str(stored.amount),
        "loaded_note": stored.note,
    }


class SpendingForm(RowsWithReason):
    """A delaftale's spending: a row for each of the years given and each source, and the
    reason for a change."""

    value_field = "amount"
    reason_needed = _("Give a reason when you change or remove an amount that was entered.")

    def __init__(self, data=None, *, subagreement: Subagreement, years: list[int], stored):
        rows = [(year, financing) for year in years for financing in Financing.values]
        by_row = {(spending.year, spending.financing): spending for spending in stored}
        formset_class = forms.formset_factory(
            AmountForm,
            formset=BaseAmountFormSet,
            extra=0,
            max_num=len(rows),
            absolute_max=len(rows),
            validate_max=True,
        )
        self.amounts = formset_class(
            data,
            rows=rows,
            prefix="amounts",
            initial=[initial_row(by_row.get(row)) for row in rows],
            form_kwargs={"subagreement": subagreement, "stored": by_row},
        )
        super().__init__(data, self.amounts)


class SpendingSheetUploadForm(SheetUploadForm):
    sheet_format = SpendingSheet


class SpendingSheetConfirmForm(SheetConfirmForm):
    salt = "economy.spending-sheet"
