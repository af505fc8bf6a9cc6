"""The sheets of yearly measurements and of success criteria."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from activities.models import Activity
from agreements.sheets import (
    PLAN_COLUMN,
    AllOrNothingResource,
    AreaWidget,
    NamedInPlanWidget,
    PlanScopedWidget,
    SubagreementWidget,
)
from lib.sheets import (
    ChoiceWidget,
    DanishDateWidget,
    DanishDecimalWidget,
    YearWidget,
    number_column,
    text_column,
)

from .models import Indicator, Measurement, SuccessCriterion


class MeasurementResource(AllOrNothingResource):
    sheet_title = _("Measurements")
    file_stem = "maalinger"

    plan = Field(attribute="indicator__plan__slug", column_name=PLAN_COLUMN, readonly=True)
    indicator = Field(
        attribute="indicator",
        column_name=_("indicator"),
        widget=NamedInPlanWidget(
            Indicator, "plan", _("The plan has no indicator named '%(value)s'.")
        ),
    )
    year = Field(attribute="year", column_name=_("year"), widget=YearWidget())
    area = Field(attribute="area", column_name=_("housing area"), widget=AreaWidget())
    value = Field(attribute="value", column_name=_("value"), widget=DanishDecimalWidget())
    source_note = text_column("source_note", _("source"))
    measured_on = Field(
        attribute="measured_on", column_name=_("date of the figure"), widget=DanishDateWidget()
    )

    class Meta:
        model = Measurement
        fields = ["plan", "indicator", "year", "area", "value", "source_note", "measured_on"]
        import_id_fields = ["indicator", "year", "area"]
        clean_model_instances = True
        skip_unchanged = True

    def get_queryset(self):
        return super().get_queryset().select_related("indicator__plan", "area")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        # A figure a sheet changes or adds is real, whatever it replaced; one it holds as it
        # is stays as it is (unchanged rows are not saved), so exporting and importing the
        # demo figures again changes nothing.
        instance.is_demo = False


class ActivityInSubagreementWidget(PlanScopedWidget):
    """An activity named within the row's delaftale (blank: the delaftale's own criterion)."""

    def __init__(self, subagreement: Field, **kwargs):
        super().__init__(Activity, **kwargs)
        self.subagreement = subagreement

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        subagreement = self.subagreement.clean(row)
        return self.remember((subagreement.pk, value), lambda: self.find(subagreement, value))

    def find(self, subagreement, value: str) -> Activity:
        found = subagreement.activities.filter(name=value).first()
        if found is None:
            raise ValueError(
                _("The sub-agreement has no activity named '%(value)s'.") % {"value": value}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class CriterionResource(AllOrNothingResource):
    sheet_title = _("Success criteria")
    file_stem = "succeskriterier"

    plan = Field(attribute="subagreement__plan__slug", column_name=PLAN_COLUMN, readonly=True)
    subagreement = Field(
        attribute="subagreement", column_name=_("focus area"), widget=SubagreementWidget()
    )
    position = number_column("position", _("number"))
    activity = Field(attribute="activity", column_name=_("activity"))
    group_label = text_column("group_label", _("group"))
    text = text_column("text", _("success criterion"))
    data_source = text_column("data_source", _("data source"))
    method = text_column("method", _("method of measurement"))
    kind = Field(
        attribute="kind",
        column_name=_("kind"),
        widget=ChoiceWidget(SuccessCriterion.Kind.choices),
    )
    indicator = Field(
        attribute="indicator",
        column_name=_("indicator"),
        widget=NamedInPlanWidget(
            Indicator, "plan", _("The plan has no indicator named '%(value)s'.")
        ),
    )
    rule_note = text_column("rule_note", _("how the criterion is read"))

    class Meta:
        model = SuccessCriterion
        fields = [
            "plan",
            "subagreement",
            "position",
            "activity",
            "group_label",
            "text",
            "data_source",
            "method",
            "kind",
            "indicator",
            "rule_note",
        ]
        import_id_fields = ["subagreement", "position"]
        clean_model_instances = True
        skip_unchanged = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["activity"].widget = ActivityInSubagreementWidget(self.fields["subagreement"])

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "subagreement__plan", "subagreement__focus_area", "activity", "indicator"
            )
        )
