"""The activities sheet: one row per activity, with all sections of its schema."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from agreements.sheets import PLAN_COLUMN, AllOrNothingResource, AreaListWidget, SubagreementWidget
from lib.sheets import YesNoWidget, number_column, text_column

from .models import Activity


class ActivityResource(AllOrNothingResource):
    sheet_title = _("Activities")
    file_stem = "aktiviteter"

    plan = Field(attribute="subagreement__plan__slug", column_name=PLAN_COLUMN, readonly=True)
    subagreement = Field(
        attribute="subagreement", column_name=_("focus area"), widget=SubagreementWidget()
    )
    position = number_column("position", _("number"))
    name = text_column("name", _("name"))
    content = text_column("content", _("content and practice"))
    purpose = text_column("purpose", _("purpose and goals"))
    target_groups = text_column("target_groups", _("target groups"))
    responsibility = text_column("responsibility", _("responsibility and roles"))
    cfbu_recommended = Field(
        attribute="cfbu_recommended", column_name=_("recommended by CFBU"), widget=YesNoWidget()
    )
    cfbu_note = text_column("cfbu_note", _("CFBU reference"))
    municipality_responsible = Field(
        attribute="municipality_responsible",
        column_name=_("run by the municipality"),
        widget=YesNoWidget(),
    )
    areas = Field(attribute="areas", column_name=_("housing areas"))

    class Meta:
        model = Activity
        fields = [
            "plan",
            "subagreement",
            "position",
            "name",
            "content",
            "purpose",
            "target_groups",
            "responsibility",
            "cfbu_recommended",
            "cfbu_note",
            "municipality_responsible",
            "areas",
        ]
        import_id_fields = ["subagreement", "position"]
        clean_model_instances = True
        skip_unchanged = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["areas"].widget = AreaListWidget(self.fields["subagreement"].widget)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("subagreement__plan", "subagreement__focus_area")
            .prefetch_related("areas")
        )
