from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

# The admin site's building blocks, which every app's admin shares (agreements is below).
from agreements.admin_site import (
    ChangeReasonAdmin,
    ChangeReasonForm,
    HistoryAdmin,
    PlanScopedAdmin,
    PlanScopedInline,
    SheetAdminMixin,
    TextChangeReasonForm,
    secretariat_plan_ids,
)

# An activity's staff lines (agreements' rows) are edited inline on its page; its housing
# areas are chosen from its plans' areas.
from agreements.models import PlanArea, StaffResource

# Composition: an activity's own criteria are edited inline on its page (indicators is above).
from indicators.models import SuccessCriterion

from .models import Activity, Metric, QuarterlyCount, QuarterReport
from .resources import ActivityResource


class MetricInline(PlanScopedInline, admin.TabularInline):
    model = Metric
    fields = ["position", "name", "aggregation", "sensitive", "description"]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class ActivityStaffInline(PlanScopedInline, admin.TabularInline):
    model = StaffResource
    fk_name = "activity"
    fields = ["position", "role", "fte", "note"]
    extra = 0


class ActivityCriterionInline(PlanScopedInline, admin.StackedInline):
    model = SuccessCriterion
    fk_name = "activity"
    fields = [
        ("position", "kind"),
        "text",
        "data_source",
        "method",
        ("indicator", "metric", "denominator_metric"),
        "rule_note",
    ]
    extra = 0
    show_change_link = True
    # Each criterion is several long texts; folded away, the page keeps to a readable length.
    classes = ["collapse"]
    verbose_name_plural = _("success criteria of the activity")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        activity_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name in ("metric", "denominator_metric") and activity_id:
            field.queryset = field.queryset.filter(activity_id=activity_id)
        return field


@admin.register(Activity)
class ActivityAdmin(ChangeReasonAdmin, SheetAdminMixin, PlanScopedAdmin, HistoryAdmin):
    # An activity's schema is part of its delaftale's text.
    form = TextChangeReasonForm
    plan_path = "subagreement__plan"
    resource_classes = [ActivityResource]
    list_display = [
        "name",
        "subagreement",
        "cfbu_recommended",
        "municipality_responsible",
        "area_names",
    ]
    list_filter = [
        "subagreement__plan",
        "subagreement__focus_area",
        "cfbu_recommended",
        "municipality_responsible",
        "areas",
    ]
    search_fields = ["name", "content", "purpose", "target_groups"]
    fieldsets = [
        (None, {"fields": ["subagreement", "position", "name"]}),
        (
            _("Activity schema"),
            {
                "fields": [
                    "content",
                    "purpose",
                    "target_groups",
                    "criteria_note",
                    "responsibility",
                ],
                # The schema's long texts are folded away: the page is otherwise many
                # screens long before the activity's metrics and criteria.
                "classes": ["collapse"],
            },
        ),
        (
            _("Where and by whom"),
            {
                "fields": [
                    "areas",
                    "municipality_responsible",
                    ("cfbu_recommended", "cfbu_note"),
                ]
            },
        ),
    ]
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    inlines = [MetricInline, ActivityCriterionInline, ActivityStaffInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("subagreement__plan", "subagreement__focus_area")
            .prefetch_related("areas")
        )

    @admin.display(description=_("housing areas"))
    def area_names(self, obj):
        return ", ".join(area.label for area in obj.areas.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # An activity runs in housing areas of a plan: those of the user's plans, not also
        # the areas no plan has yet that other choice lists offer (OwnPlansMixin).
        if db_field.name == "areas" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk__in=PlanArea.objects.filter(plan__in=secretariat_plan_ids(request)).values(
                    "area"
                )
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class QuarterlyCountForm(ChangeReasonForm):
    reason_missing = _("Write why the number is changed: the quarter's report has been submitted.")

    def reason_required(self) -> bool:
        # As on the entry form: once a quarter is submitted its numbers are official, and
        # changing one needs a reason.
        count = self.instance
        return (
            "value" in self.changed_data
            and QuarterReport.objects.filter(
                activity_id=count.metric.activity_id,
                area_id=count.area_id,
                year=count.year,
                quarter=count.quarter,
                submitted_at__isnull=False,
            ).exists()
        )


@admin.register(QuarterlyCount)
class QuarterlyCountAdmin(ChangeReasonAdmin, PlanScopedAdmin, HistoryAdmin):
    form = QuarterlyCountForm
    plan_path = "metric__activity__subagreement__plan"
    list_display = ["metric", "area", "year", "quarter", "value"]
    list_filter = ["metric__activity__subagreement__plan", "year", "quarter", "area"]
    search_fields = ["metric__name", "metric__activity__name"]
    list_select_related = ["metric", "area"]
