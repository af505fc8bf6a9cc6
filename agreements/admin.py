from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

# Composition: a delaftale's page lists its activities and criteria, a membership's its
# reporting assignments, inline, though those models live in the apps above this one.
from activities.models import Activity, ReportingAssignment
from indicators.models import SuccessCriterion
from lib.numbers import format_thousand_dkk

from .admin_site import (
    ChangeReasonAdmin,
    DanishInputMixin,
    HistoryAdmin,
    NamedColumnsInlineMixin,
    PlanScopedAdmin,
    PlanScopedInline,
    ReferenceDataAdmin,
    SharedDataAdmin,
    TextChangeReasonForm,
)
from .models import (
    Body,
    FocusArea,
    FundingPeriod,
    HousingArea,
    Membership,
    Organisation,
    Plan,
    PlanArea,
    PlanParty,
    PlanSection,
    RequiredAttachment,
    Signatory,
    StaffResource,
    Subagreement,
    SubagreementParty,
)


@admin.display(description=_("LBF (t.kr.)"), ordering="budget_lbf")
def lbf_budget(obj) -> str:
    return format_thousand_dkk(obj.budget_lbf)


@admin.display(description=_("local (t.kr.)"), ordering="budget_local")
def local_budget(obj) -> str:
    return format_thousand_dkk(obj.budget_local)


@admin.display(description=_("total (t.kr.)"))
def total_budget(obj) -> str:
    return format_thousand_dkk(obj.budget_total)


BUDGET_COLUMNS = [lbf_budget, local_budget, total_budget]


class FocusAreaInline(NamedColumnsInlineMixin, DanishInputMixin, admin.TabularInline):
    model = FocusArea
    fields = ["position", "code", "name"]
    extra = 0


@admin.register(FundingPeriod)
class FundingPeriodAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "first_year", "last_year"]
    inlines = [FocusAreaInline]


@admin.register(Organisation)
class OrganisationAdmin(SharedDataAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


@admin.register(HousingArea)
class HousingAreaAdmin(SharedDataAdmin):
    list_display = ["name", "short_name", "code"]
    search_fields = ["name", "short_name", "code"]


class PlanAreaInline(PlanScopedInline, admin.TabularInline):
    model = PlanArea
    fields = ["position", "area", "particularly_vulnerable", "coordinator_fte"]
    extra = 0


class PlanPartyInline(PlanScopedInline, admin.TabularInline):
    model = PlanParty
    fields = ["position", "organisation", "role"]
    extra = 0


class SignatoryInline(PlanScopedInline, admin.TabularInline):
    model = Signatory
    fields = ["position", "name", "title", "organisation", "signed_on"]
    extra = 0


class BodyInline(PlanScopedInline, admin.StackedInline):
    model = Body
    fields = [("position", "kind", "name", "area"), "description", "composition"]
    extra = 0
    classes = ["collapse"]


class PlanSectionInline(PlanScopedInline, admin.StackedInline):
    model = PlanSection
    fields = [("position", "number", "title", "focus_area"), "body"]
    extra = 0
    classes = ["collapse"]


class RequiredAttachmentInline(PlanScopedInline, admin.TabularInline):
    model = RequiredAttachment
    fields = ["position", "title", "is_present", "note"]
    extra = 0


class SubagreementLinkInline(PlanScopedInline, admin.TabularInline):
    """The plan's delaftaler with their budgets, each a link to its own page."""

    model = Subagreement
    fields = ["focus_area", *BUDGET_COLUMNS, "valid_from", "valid_to"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("sub-agreements")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ChangeReasonAdmin, PlanScopedAdmin, HistoryAdmin):
    form = TextChangeReasonForm
    plan_path = "pk"
    list_display = [
        "name",
        "funding_period",
        "start_date",
        "end_date",
        total_budget,
        "allocated",
        "unallocated",
    ]
    list_filter = ["funding_period"]
    search_fields = ["name", "slug"]
    readonly_fields = ["budget_overview"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "funding_period", ("start_date", "end_date")]}),
        # The long texts are folded away: the budget and the tables below are what the
        # secretariat keeps up most often, and the texts are read on the plan's own pages.
        (
            _("Agreement text"),
            {"fields": ["preamble", "vision", "purpose"], "classes": ["collapse"]},
        ),
        (
            _("Budget"),
            {"fields": [("budget_lbf", "budget_local"), "budget_note", "budget_overview"]},
        ),
    ]
    inlines = [
        PlanAreaInline,
        PlanPartyInline,
        SignatoryInline,
        BodyInline,
        PlanSectionInline,
        RequiredAttachmentInline,
        SubagreementLinkInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("funding_period").with_budget_totals()

    def has_add_permission(self, request, *args) -> bool:
        # A new plan needs its secretariat assigned before anyone but a superuser can see it.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    @admin.display(description=_("in sub-agreements (t.kr.)"))
    def allocated(self, obj):
        return format_thousand_dkk(obj.subagreements_lbf + obj.subagreements_local)

    @admin.display(description=_("not allocated (t.kr.)"))
    def unallocated(self, obj):
        return format_thousand_dkk(
            obj.budget_total - obj.subagreements_lbf - obj.subagreements_local
        )

    @admin.display(description=_("budget against the sub-agreements"))
    def budget_overview(self, obj):
        if obj.pk is None:
            return "–"
        return render_to_string(
            "agreements/_budget_overview.html", {"overview": obj.budget_overview()}
        )


class SubagreementPartyInline(PlanScopedInline, admin.TabularInline):
    model = SubagreementParty
    fields = ["position", "group", "name", "role", "representative", "organisation"]
    extra = 0


class StaffResourceInline(PlanScopedInline, admin.TabularInline):
    model = StaffResource
    fields = ["position", "role", "fte", "activity", "note"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # Only the delaftale's own activities; the parent is known on its change page.
        if db_field.name == "activity" and request.resolver_match.kwargs.get("object_id"):
            field.queryset = field.queryset.filter(
                subagreement_id=request.resolver_match.kwargs["object_id"]
            )
        return field


class ActivityInline(PlanScopedInline, admin.TabularInline):
    model = Activity
    fields = ["position", "name", "cfbu_recommended", "municipality_responsible"]
    extra = 0
    show_change_link = True


class SubagreementCriterionInline(PlanScopedInline, admin.StackedInline):
    """The delaftale's own success criteria; an activity's criteria are on its page."""

    model = SuccessCriterion
    fk_name = "subagreement"
    fields = [
        ("position", "kind", "group_label"),
        "text",
        "data_source",
        "method",
        "indicator",
        "rule_note",
    ]
    extra = 0
    show_change_link = True
    # Each criterion is several long texts; folded away, the page keeps to a readable length.
    classes = ["collapse"]
    verbose_name_plural = _("success criteria of the sub-agreement")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(activity__isnull=True)


@admin.register(Subagreement)
class SubagreementAdmin(ChangeReasonAdmin, PlanScopedAdmin, HistoryAdmin):
    form = TextChangeReasonForm
    list_display = ["focus_area", "plan", *BUDGET_COLUMNS, "valid_from", "valid_to"]
    list_filter = ["plan", "focus_area__funding_period"]
    search_fields = ["focus_area__name", "problem_complex", "purpose_and_goals"]
    fieldsets = [
        (None, {"fields": ["plan", "focus_area", "initiative_name", "responsibility_statement"]}),
        (
            _("Agreement text"),
            {
                "fields": [
                    "problem_complex",
                    "purpose_and_goals",
                    "activities_overview",
                    "municipal_interplay",
                ],
                # Folded away as on the plan's page: the texts make the page very long.
                "classes": ["collapse"],
            },
        ),
        (_("Budget"), {"fields": [("budget_lbf", "budget_local")]}),
        (
            _("Conflicts, revision and validity"),
            {
                "fields": [
                    "conflict_handling",
                    "revision",
                    ("valid_from", "valid_to"),
                    "validity_note",
                ],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [
        SubagreementPartyInline,
        SubagreementCriterionInline,
        ActivityInline,
        StaffResourceInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan", "focus_area")


class ReportingAssignmentInline(PlanScopedInline, admin.TabularInline):
    model = ReportingAssignment
    fields = ["area", "activity"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(PlanScopedAdmin):
    list_display = ["user", "plan", "role", "assignment_count"]
    list_filter = ["plan", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "plan")
            .annotate(assignment_total=Count("assignments"))
        )

    @admin.display(description=_("reporting assignments"), ordering="assignment_total")
    def assignment_count(self, obj):
        return obj.assignment_total

    inlines = [ReportingAssignmentInline]
