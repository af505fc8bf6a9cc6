"""The sheet of yearly spending: one row per delaftale, year and source of financing."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from import_export.fields import Field

from agreements.sheets import PLAN_COLUMN, AllOrNothingResource, SubagreementWidget
from lib.numbers import danish_number_text
from lib.sheets import ChoiceWidget, YearWidget, text_column

from .models import Financing, Spending


class KronerWidget(widgets.Widget):
    """Whole kroner from a cell: a number, or text as Danes write it ("1.234.567")."""

    sheet_kind = "plain"

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            raise ValueError(_("The amount is empty."))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = danish_number_text(str(value).strip(), decimal_comma=False)
        # Twelve digits: far above any plan's budget, and no number a database refuses.
        if not re.fullmatch(r"[0-9]{1,12}", text):
            raise ValueError(_("'%(value)s' is not an amount in whole kroner.") % {"value": value})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class SpendingResource(AllOrNothingResource):
    sheet_title = gettext_lazy("Spending")
    file_stem = "forbrug"

    plan = Field(attribute="subagreement__plan__slug", column_name=PLAN_COLUMN, readonly=True)
    subagreement = Field(
        attribute="subagreement",
        column_name=gettext_lazy("focus area"),
        widget=SubagreementWidget(),
    )
    year = Field(attribute="year", column_name=gettext_lazy("year"), widget=YearWidget())
    financing = Field(
        attribute="financing",
        column_name=gettext_lazy("financing"),
        widget=ChoiceWidget(Financing.choices),
    )
    amount = Field(
        attribute="amount", column_name=gettext_lazy("amount spent (DKK)"), widget=KronerWidget()
    )
    note = text_column("note", gettext_lazy("note"))

    class Meta:
        model = Spending
        fields = ["plan", "subagreement", "year", "financing", "amount", "note"]
        import_id_fields = ["subagreement", "year", "financing"]
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        return (
            super().get_queryset().select_related("subagreement__plan", "subagreement__focus_area")
        )
