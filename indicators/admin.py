from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The admin site's building blocks, which every app's admin shares (agreements is below).
from agreements.admin_site import (
    ChangeReasonAdmin,
    ChangeReasonForm,
    HistoryAdmin,
    PlanScopedAdmin,
    PlanScopedInline,
    SheetAdminMixin,
)

from .models import (
    CriterionTarget,
    Indicator,
    Measurement,
    QualitativeAssessment,
    SuccessCriterion,
)
from .resources import CriterionResource, MeasurementResource

FIGURE_REASON_MISSING = _("Write why the figure is changed.")


class MeasurementForm(ChangeReasonForm):
    reason_missing = FIGURE_REASON_MISSING

    def reason_required(self) -> bool:
        # As on the measurements page: changing an entered figure needs a reason.
        return "value" in self.changed_data


class MeasurementFormSet(BaseInlineFormSet):
    """An indicator's figures; changing or removing one needs the reason given on the page."""

    reason_given = False

    def clean(self):
        super().clean()
        if self.reason_given:
            return
        for form in self.initial_forms:
            if self._should_delete_form(form) or "value" in form.changed_data:
                raise ValidationError(FIGURE_REASON_MISSING)


class MeasurementInline(PlanScopedInline, admin.TabularInline):
    model = Measurement
    formset = MeasurementFormSet
    fields = ["year", "area", "value", "source_note", "measured_on"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.reason_given = bool(request.POST.get("change_reason", "").strip())
        return formset


@admin.register(Indicator)
class IndicatorAdmin(ChangeReasonAdmin, PlanScopedAdmin, HistoryAdmin):
    list_display = ["name", "plan", "unit", "is_reference", "measurement_count"]
    list_filter = ["plan", "unit", "is_reference"]
    search_fields = ["name", "description", "source"]
    inlines = [MeasurementInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan")
            .annotate(measurement_total=Count("measurements"))
        )

    @admin.display(description=_("measurements"), ordering="measurement_total")
    def measurement_count(self, obj):
        return obj.measurement_total


@admin.register(Measurement)
class MeasurementAdmin(ChangeReasonAdmin, SheetAdminMixin, PlanScopedAdmin, HistoryAdmin):
    form = MeasurementForm
    plan_path = "indicator__plan"
    resource_classes = [MeasurementResource]
    list_display = ["indicator", "year", "area_or_whole_plan", "value", "source_note"]
    list_filter = ["indicator__plan", "year", "area", "indicator"]
    search_fields = ["indicator__name", "source_note"]
    list_select_related = ["indicator", "area"]

    @admin.display(description=_("housing area"), ordering="area__name")
    def area_or_whole_plan(self, obj):
        return obj.area or _("whole plan")


class CriterionTargetInline(PlanScopedInline, admin.StackedInline):
    model = CriterionTarget
    fields = [
        ("position", "area", "label"),
        ("kind", "comparison"),
        ("value", "value_max", "change_percent", "horizon_years"),
        ("baseline_value", "baseline_year", "from_year", "to_year", "to_quarter"),
        "reference",
    ]
    extra = 0


class OwnerListFilter(admin.SimpleListFilter):
    title = _("belongs to")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("subagreement", _("the sub-agreement")), ("activity", _("an activity"))]

    def queryset(self, request, queryset):
        if self.value() == "subagreement":
            return queryset.filter(activity__isnull=True)
        if self.value() == "activity":
            return queryset.filter(activity__isnull=False)
        return queryset


@admin.register(SuccessCriterion)
class SuccessCriterionAdmin(ChangeReasonAdmin, SheetAdminMixin, PlanScopedAdmin, HistoryAdmin):
    plan_path = "subagreement__plan"
    resource_classes = [CriterionResource]
    list_display = ["short_text", "subagreement", "activity", "kind", "data_source", "targets_n"]
    list_filter = ["subagreement__plan", "subagreement__focus_area", OwnerListFilter, "kind"]
    search_fields = ["text", "data_source", "activity__name"]
    fieldsets = [
        (None, {"fields": ["subagreement", "activity", ("position", "group_label")]}),
        (_("Criterion"), {"fields": ["text", "data_source", "method", "kind"]}),
        (
            _("What it is judged on"),
            {"fields": ["indicator", ("metric", "denominator_metric"), "rule_note"]},
        ),
    ]
    inlines = [CriterionTargetInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("subagreement__focus_area", "subagreement__plan", "activity")
            .annotate(target_total=Count("targets"))
        )

    @admin.display(description=_("success criterion"), ordering="position")
    def short_text(self, obj):
        return str(obj)

    @admin.display(description=_("targets"), ordering="target_total")
    def targets_n(self, obj):
        return obj.target_total


@admin.register(QualitativeAssessment)
class QualitativeAssessmentAdmin(ChangeReasonAdmin, PlanScopedAdmin, HistoryAdmin):
    plan_path = "criterion__subagreement__plan"
    list_display = ["criterion", "year", "status", "assessed_by", "assessed_at"]
    list_filter = ["criterion__subagreement__plan", "year", "status"]
    search_fields = ["criterion__text", "justification"]
    list_select_related = ["criterion", "assessed_by"]
    readonly_fields = ["assessed_by", "assessed_at"]

    def save_model(self, request, obj, form, change):
        obj.assessed_by = request.user
        obj.assessed_at = timezone.now()
        super().save_model(request, obj, form, change)
