"""The admin site: the secretariat's tool for keeping the plan's data.

Access is decided by a user's roles in plans (agreements.Membership), not by Django's model
permissions: the secretariat of a plan may see and change that plan's data; nobody else enters
the admin except superusers. Every app's admin builds on the classes here; the project installs
the site (helhedsplan.apps).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache, update_wrapper

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, FieldError, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ConfirmImportForm, SelectableFieldsExportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from lib.forms import (
    DATE_INPUT_FORMATS,
    DATE_INVALID,
    REASON_MAX_LENGTH,
    MultilineTextField,
    ShortNameField,
)
from lib.history import same_value, show_value
from lib.params import parse_int
from lib.sheets import SheetFormat, resource_workbook, sheet_filename
from lib.uploads import UploadTooLarge

from .diff import text_diff
from .forms import FocusAreaChoiceField, named_with_period
from .models import FocusArea, Membership, Plan, Role


def secretariat_plan_ids(request) -> set[int]:
    """The plans the requesting user keeps as secretariat, looked up once per request."""
    if not hasattr(request, "_secretariat_plan_ids"):
        user = request.user
        request._secretariat_plan_ids = (
            set(user.memberships.filter(role=Role.SECRETARIAT).values_list("plan_id", flat=True))
            if user.is_authenticated
            else set()
        )
    return request._secretariat_plan_ids


# The relations a row of data shared by all plans is used through: a housing area is in a
# plan, an organisation is a party to it, signs it or is a party to one of its delaftaler.
SHARED_PLAN_PATHS = {
    "agreements.housingarea": ("plan_areas__plan",),
    "agreements.organisation": (
        "plan_parties__plan",
        "signatories__plan",
        "subagreement_parties__subagreement__plan",
    ),
}


@cache
def plan_path_of(model: type[models.Model]) -> str | None:
    """The lookup from a model to the plan its rows belong to ("pk" for the plan itself,
    "subagreement__plan" for an activity), or None for a model of no plan.

    Found by following required foreign keys, shortest way first, so that a model added later
    is kept within its plans without being listed anywhere.
    """
    paths: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(5):
        found = []
        for current, path in paths:
            if current is Plan:
                return path or "pk"
            for field in current._meta.get_fields():
                if (
                    (field.many_to_one or field.one_to_one)
                    and field.concrete
                    and not field.null
                    and field.related_model is not current
                ):
                    step = f"{path}__{field.name}" if path else field.name
                    found.append((field.related_model, step))
        paths = found
    return None


def own_choices(queryset: models.QuerySet, request) -> models.QuerySet:
    """The rows of `queryset` a secretariat may be offered: its own plans' rows and users.

    Rows of a plan are offered within the user's plans; users, when they hold a role in one of
    those plans. Housing areas and organisations belong to no plan: offered are those the
    user's plans use and those no plan uses yet, so that one just made (on its own page or by
    the "+" beside a list) can be chosen; one another plan uses stays out of sight, and adding
    it to a second plan is for the operator (a superuser). Focus areas are LBF's, offered for
    the funding periods of the user's plans. Superusers are offered everything.
    """
    if request.user.is_superuser:
        return queryset
    model = queryset.model
    plan_ids = secretariat_plan_ids(request)
    label = model._meta.label_lower
    if label == settings.AUTH_USER_MODEL.lower():
        return queryset.filter(pk__in=Membership.objects.filter(plan__in=plan_ids).values("user"))
    if model is FocusArea:
        periods = Plan.objects.filter(pk__in=plan_ids).values("funding_period")
        return queryset.filter(funding_period__in=periods)
    if label in SHARED_PLAN_PATHS:
        used = Q()
        unused = Q()
        for path in SHARED_PLAN_PATHS[label]:
            used |= Q(**{f"{path}__in": plan_ids})
            unused &= Q(**{f"{path}__isnull": True})
        return queryset.filter(pk__in=model._default_manager.filter(used | unused).values("pk"))
    path = plan_path_of(model)
    if path is None:
        return queryset
    return queryset.filter(**{f"{path}__in": plan_ids})


class OwnRowsFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """A list filter by a related row offering only the rows the listed rows refer to: the
    list is already limited to the user's plans, so no other plan's name is offered. A focus
    area is named with its funding period where the list holds more than one period."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        if field.related_model is not FocusArea:
            return choices
        areas = FocusArea.objects.select_related("funding_period").in_bulk(
            [pk for pk, _label in choices]
        )
        if len({area.funding_period_id for area in areas.values()}) < 2:
            return choices
        return [(pk, named_with_period(areas[pk])) for pk, _label in choices]


class DanishInputMixin:
    """Form fields of an admin or inline take input as Danes write it: decimal fields accept
    and show a decimal comma ("0,5"); text of several lines keeps its line breaks as stored (a
    browser sends them as CR LF, which would make every save change text nobody touched); a
    date or a short name that is refused says how to write it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("localize", True)
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", MultilineTextField)
        if isinstance(db_field, models.SlugField):
            kwargs.setdefault("form_class", ShortNameField)
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            # Django's "Enter a valid date." does not say how a date is written.
            kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
            kwargs.setdefault("error_messages", {"invalid": DATE_INVALID})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OwnPlansMixin(DanishInputMixin):
    """Choice lists and list filters of an admin or inline offer only the user's own plans'
    rows and users (`own_choices`)."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return own_choices(queryset, request)

    def get_list_filter(self, request):
        return [self._own_rows_filter(spec) for spec in super().get_list_filter(request)]

    def _own_rows_filter(self, spec):
        # A filter by a related row would offer every row of the related table, whatever plan
        # it belongs to: offer only those the user's own listed rows refer to.
        if isinstance(spec, str) and get_fields_from_path(self.model, spec)[-1].is_relation:
            return (spec, OwnRowsFieldListFilter)
        return spec

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is FocusArea:
            kwargs.setdefault("form_class", FocusAreaChoiceField)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, FocusAreaChoiceField):
            field.queryset = field.queryset.select_related("funding_period")
        return field


def narrow_focus_areas(form_class: type[forms.BaseForm], plan_id: int | None) -> None:
    """Once the plan of a form is known, offer only its funding period's focus areas, by name.

    `form_class` is a class made for this request by the admin, so changing it changes no
    other request's form.
    """
    fields = [
        field
        for field in form_class.base_fields.values()
        if isinstance(field, FocusAreaChoiceField)
    ]
    if not fields or plan_id is None:
        return
    period = Plan.objects.filter(pk=plan_id).values("funding_period")
    for field in fields:
        field.queryset = field.queryset.filter(funding_period__in=period)
        field.with_period = False


@contextmanager
def history_of_own_plans(model: type[models.Model], object_id: str):
    """Around django-simple-history's history pages: 404 for a row outside the user's plans.

    Those pages find a deleted row in its history, and answer 403 for one of another plan
    and fail on an id that is no id. For the user another plan's row does not exist, live
    (PlanScopedAdmin.get_object) or deleted, so it is a 404, as for a wrong id.
    """
    try:
        model._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        raise Http404 from None
    try:
        yield
    except PermissionDenied:
        # The only refusal inside them: has_view_permission for a row of another plan.
        raise Http404 from None


class DanishHistoryHelper(HistoricalRecordContextHelper):
    """The changes on the administration's history page as the history pages show them: in
    Danish, only what really changed (a line break sent as CR LF is none), a long text word by
    word rather than cut to "[455 chars]"."""

    LONG_TEXT = 120

    def context_for_delta_changes(self, delta) -> list[dict]:
        found = []
        for change in delta.changes:
            field = self.model._meta.get_field(change.field)
            label = capfirst(field.verbose_name)
            if isinstance(field, models.ManyToManyField):
                before, after = (
                    self.related_names(field, value) for value in (change.old, change.new)
                )
                if before != after:
                    found.append({"field": label, "old": before, "new": after, "diff": None})
                continue
            old, new = change.old, change.new
            if isinstance(field, models.ForeignKey):
                if getattr(old, "pk", old) == getattr(new, "pk", new):
                    continue
                old, new = (str(value) if value is not None else "" for value in (old, new))
                found.append({"field": label, "old": old, "new": new, "diff": None})
                continue
            if same_value(field, old, new):
                continue
            old, new = show_value(field, old), show_value(field, new)
            long_text = any(len(text) > self.LONG_TEXT or "\n" in text for text in (old, new))
            diff = text_diff(old, new) if long_text and not field.choices else None
            found.append({"field": label, "old": old, "new": new, "diff": diff})
        return found

    @staticmethod
    def related_names(field, values) -> str:
        target = field.m2m_reverse_field_name()
        return ", ".join(sorted(str(value[target]) for value in values))


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's history page, in Danish and showing only real changes."""

    object_history_list_template = "admin/history/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return DanishHistoryHelper(self.model, historical_record)


class HelhedsplanAdminSite(admin.AdminSite):
    site_header = _("Helhedsplan – administration")
    site_title = _("Helhedsplan")
    index_title = _("The plan's data")
    # The sidebar repeats the index page's list of tables and takes a quarter of a 1,280 px
    # window from the long forms and their tables of inline rows.
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or bool(secretariat_plan_ids(request))

    @login_not_required
    def login(self, request, extra_context=None):
        # One login page for the whole application.
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, reverse("login"))

    def admin_view(self, view, cacheable=False):
        # Django sends a logged-in user without access back to the login form, which only
        # invites a retry; a board member should be told plainly that this is not for them.
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)


class PlanScopedAdmin(OwnPlansMixin, admin.ModelAdmin):
    """Admin for rows that belong to a plan: its secretariat sees and changes them.

    `plan_path` is the lookup from the model to its plan ("pk" for the plan itself). Choice
    lists and filters offer only rows of the user's plans (OwnPlansMixin); on the page of a
    row, a focus area is chosen from its plan's funding period only.
    """

    plan_path = "plan"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.plan_path}__in": secretariat_plan_ids(request)})

    def get_ordering(self, request):
        # Totals counted for the list (a plan's budget, a role's assignments) group the rows,
        # which drops the model's own ordering: say it here, for the pages of an autocomplete.
        return super().get_ordering(request) or self.model._meta.ordering

    def get_object(self, request, object_id, from_field=None):
        # Outside the user's plans an object does not exist for them: a plain 404, not the
        # admin's redirect with a message that names the id.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        with history_of_own_plans(self.model, object_id):
            return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Routed only where django-simple-history adds the page of one recorded version.
        if parse_int(version_id) is None:
            raise Http404
        with history_of_own_plans(self.model, object_id):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def plan_id_of(self, obj: models.Model) -> int | None:
        if self.plan_path == "pk":
            return obj.pk
        *steps, last = self.plan_path.split("__")
        for step in steps:
            obj = getattr(obj, step)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id")

    def _may(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        plan_ids = secretariat_plan_ids(request)
        if obj is None:
            return bool(plan_ids)
        return self.plan_id_of(obj) in plan_ids

    def has_module_permission(self, request) -> bool:
        return self._may(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            narrow_focus_areas(form, self.plan_id_of(obj))
        return form


class NamedColumnsFormSet(forms.BaseInlineFormSet):
    """Rows of a table of inline forms whose fields are named: a table's fields stand under
    column headings, not beside labels, and a screen reader finds no name for them.
    Each field is given its column's heading as its name."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # The admin wraps a choice of a related row in a widget of its own, which shares
            # the attributes of the original's inner widget: name the inner one of this form.
            widget = getattr(field.widget, "widget", field.widget)
            if not widget.is_hidden and field.label:
                widget.attrs.setdefault("aria-label", capfirst(str(field.label)))


class NamedColumnsInlineMixin:
    """Mixin for inlines: the fields of a tabular inline are named by their column headings
    (`NamedColumnsFormSet`)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not isinstance(self, admin.TabularInline):
            return formset
        return type(formset.__name__, (NamedColumnsFormSet, formset), {})


class PlanScopedInline(NamedColumnsInlineMixin, OwnPlansMixin):
    """Mixin for inlines under a plan-scoped admin. The parent admin has already limited the
    page to the user's plans, so whoever may use the admin may edit the inline rows.

    Under an admin of agreement text (its form a `TextChangeReasonForm`), the inline rows are
    agreement text too (a delaftale's activities and criteria, the plan's sections): changing
    or removing one needs the reason given on the page (`TextReasonFormSet`).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = self.admin_site._registry.get(self.parent_model)
        if obj is not None and hasattr(parent, "plan_id_of"):
            narrow_focus_areas(formset.form, parent.plan_id_of(obj))
        if obj is None or not issubclass(getattr(parent, "form", object), TextChangeReasonForm):
            return formset
        given = bool(request.POST.get("change_reason", "").strip())
        return type(formset.__name__, (TextReasonFormSet, formset), {"reason_given": given})

    def has_view_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)


class SharedDataAdmin(OwnPlansMixin, admin.ModelAdmin):
    """Admin for data shared by all plans (organisations, housing areas): any secretariat may
    look and add; changing or deleting what other plans also use is for superusers.

    A secretariat sees those its plans use and those no plan uses yet (`own_choices`): what it
    needs for its own plans and to add new ones, and no other plan's names.
    """

    def get_queryset(self, request):
        return own_choices(super().get_queryset(request), request)

    def get_object(self, request, object_id, from_field=None):
        # As for a plan's rows: one out of sight does not exist, a plain 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or (
            obj is None and self.admin_site.has_permission(request)
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class ReferenceDataAdmin(SharedDataAdmin):
    """Admin for LBF's reference data (funding periods): read-only but for superusers."""

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser


class ColumnLabelledExportForm(SelectableFieldsExportForm):
    """Label each column to export by its heading in the sheet, as the user knows it."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field else field_name


class ReasonConfirmImportForm(ConfirmImportForm):
    """The confirmation of a previewed import, with the one reason for what it changes: kept
    in the history of every row it writes, and required when it changes stored rows."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_(
            "Required when the sheet changes what is stored. Kept in the history of each row "
            "the import changes. Do not write names of residents."
        ),
    )
    # Whether the preview changed stored rows; the import itself refuses such a change
    # without a reason, whatever this says.
    changes_stored = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        cleaned["change_reason"] = cleaned.get("change_reason", "").strip()
        if cleaned.get("changes_stored") and not cleaned["change_reason"]:
            self.add_error("change_reason", _("Write why the import changes what is stored."))
        return cleaned


class SheetAdminMixin(ImportExportMixin):
    """xlsx import and export for a plan-scoped admin: only those who may change may import.

    The export is a sheet for Danish Excel and LibreOffice (lib.sheets.write_table), named
    for what it holds, the plan and the day. The import's preview lists the rows it adds and
    changes, each changed cell beside the value it replaces, and counts the unchanged rows
    apart; confirming it asks one reason for what it changes.
    """

    export_form_class = ColumnLabelledExportForm
    confirm_form_class = ReasonConfirmImportForm
    # The sheets people keep are Excel workbooks; one format means no format to choose wrongly.
    formats = [XLSX]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(kwargs.get("export_form"), request)
        dataset = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return resource_workbook(resource_class(), dataset, title=str(resource_class.sheet_title))

    def get_export_filename(self, request, queryset, file_format):
        resource_class = self.choose_export_resource_class(None, request)
        slugs = list(
            queryset.order_by().values_list(f"{self.plan_path}__slug", flat=True).distinct()[:2]
        )
        return sheet_filename(
            resource_class.file_stem, slugs[0] if len(slugs) == 1 else "flere-planer"
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        confirm, result = context.get("confirm_form"), context.get("result")
        if confirm is not None and result is not None and result.totals["update"]:
            confirm.initial["changes_stored"] = True
            confirm.fields["change_reason"].required = True
        return response

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        if form is not None and "change_reason" in getattr(form, "cleaned_data", {}):
            kwargs["change_reason"] = form.cleaned_data["change_reason"]
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The sheet was read again on confirmation and something changed since the
            # preview (a row now changes what is stored, and no reason was given): nothing
            # is saved, and the preview must be made again.
            messages.error(
                request,
                _(
                    "Nothing was imported: the sheet no longer imports as the preview showed. "
                    "Upload it again and look at the preview."
                ),
            )
            return HttpResponseRedirect(
                reverse("admin:{}_{}_import".format(*self.get_model_info()))
            )
        return super().process_result(result, request)

    def get_import_formats(self):
        # Read within bounds: no more columns than this admin's sheets have, plus slack.
        return [SheetFormat.for_resources(*self.resource_classes)]

    def add_data_read_fail_error_to_form(self, form, e):
        # import-export names the exception's class; say what is wrong in the user's words.
        if isinstance(e, UploadTooLarge):  # unpacks to far too much, or too many rows or columns
            message = str(e)
        else:
            message = _("The file could not be read as an Excel workbook.")
        form.add_error("import_file", message)

    def get_export_queryset(self, request):
        # The export page filters as the list does, from the address; a parameter that is no
        # filter makes the list redirect, but here it would be a server error.
        try:
            return super().get_export_queryset(request)
        except (IncorrectLookupParameters, FieldError, ValidationError, ValueError):
            raise BadRequest(_("The address holds a filter that does not exist.")) from None

    def has_import_permission(self, request) -> bool:
        return self.has_change_permission(request) and self.has_add_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)


class ChangeReasonForm(forms.ModelForm):
    """An administration form that can say why a row is changed; the reason is kept with
    the change in the row's history (see ChangeReasonAdmin)."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Kept in the history with the change. Do not write names of residents."),
    )
    reason_missing = _("Write why it is changed.")

    def reason_required(self) -> bool:
        """Whether this change must say why; the row as stored is still `self.instance`."""
        return False

    def clean(self):
        cleaned = super().clean()
        changed = [name for name in self.changed_data if name != "change_reason"]
        if (
            self.instance.pk
            and changed
            and not cleaned.get("change_reason", "").strip()
            and self.reason_required()
        ):
            self.add_error("change_reason", self.reason_missing)
        return cleaned


class TextChangeReasonForm(ChangeReasonForm):
    """A form of agreement text (a delaftale's, the plan's): changing the text needs a reason,
    as changing a figure does."""

    reason_missing = _("Write why the text is changed.")

    def reason_required(self) -> bool:
        return changes_text(self)


def changes_text(form: forms.ModelForm) -> bool:
    """Whether a form changes the text of its row (a name, a note, a description); a choice
    from a list (how a metric's quarters add up) is a setting, not text."""
    text_fields = {
        field.name
        for field in form._meta.model._meta.fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    }
    return any(name in text_fields for name in form.changed_data)


class TextReasonFormSet(forms.BaseInlineFormSet):
    """Inline rows of agreement text: changing the text of a stored row, or removing one,
    needs the reason given for the page's change, as the text of the row above does. The
    reason goes into each row's history (ChangeReasonAdmin.save_formset)."""

    reason_given = False

    def clean(self):
        super().clean()
        if self.reason_given:
            return
        for form in self.initial_forms:
            if self._should_delete_form(form) or changes_text(form):
                raise ValidationError(TextChangeReasonForm.reason_missing)


class ChangeReasonAdmin:
    """Mixin for the administration of rows with history: the change page asks for a reason
    (required where `form.reason_required` says so), and the reason goes into the history of
    the row and of every inline row saved with it. A save that changes nothing records
    nothing."""

    form = ChangeReasonForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "change_reason"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Reason for the change"), {"fields": ["change_reason"]})]

    def save_model(self, request, obj, form, change):
        if change and not [name for name in form.changed_data if name != "change_reason"]:
            return
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason") or None
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)
