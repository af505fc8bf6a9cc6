"""Importing a plan's rows from the spreadsheets people keep: the plan-scoped parts of the xlsx
resources (the generic parts, read within bounds, are lib.sheets).

Five promises hold for every sheet imported, through the admin or a page:
- all or nothing: one invalid row, or two rows for the same thing, and no row is saved;
- every problem is reported on its row, in the user's language, never as an exception's text;
- names (plan, focus area, indicator, housing area) are resolved only within the plans the
  user keeps as secretariat, so a sheet cannot reach another plan's data;
- a row that holds what is stored is unchanged, compared as people read it (100 and 100,00
  are one figure, an empty cell and no text one text), and writes nothing, history included;
- a row that changes a stored row needs the import's reason (`change_reason`), which is kept
  in the history of every row the import writes.
"""

from __future__ import annotations

import logging

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import Model, Q
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from import_export import resources, widgets
from import_export.results import Error, RowResult

from lib.forms import REASON_MAX_LENGTH
from lib.history import same_value
from lib.sheets import import_preview

from .models import HousingArea, Plan, Role, Subagreement

logger = logging.getLogger(__name__)

PLAN_COLUMN = gettext_lazy("plan")


def plans_for_import(user) -> list[Plan]:
    """The plans a user may import into: those they keep as secretariat."""
    if user is None:
        return []
    return list(Plan.objects.with_role(user, Role.SECRETARIAT))


class PlanScopedWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up by name within the row's plan, among the user's plans.

    Each name is looked up once per import: a sheet names the same few delaftaler,
    indicators and areas on every row.
    """

    def __init__(self, model, field="pk", **kwargs):
        super().__init__(model, field, **kwargs)
        self.prepare(plans=[])

    def prepare(self, plans: list[Plan]) -> None:
        """Start an import for a user who keeps these plans."""
        self.plans = plans
        self.found: dict = {}

    def remember(self, key, lookup):
        if key not in self.found:
            self.found[key] = lookup()
        return self.found[key]

    def row_plan(self, row) -> Plan:
        slug = str((row or {}).get(str(PLAN_COLUMN)) or "").strip()
        for plan in self.plans:
            if plan.slug == slug:
                return plan
        if not slug:
            raise ValueError(_("The column 'plan' is empty."))
        raise ValueError(_("Unknown plan '%(plan)s', or you do not keep it.") % {"plan": slug})


class SubagreementWidget(PlanScopedWidget):
    """A delaftale named by its focus area's code or name within the row's plan."""

    def __init__(self, **kwargs):
        super().__init__(Subagreement, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            raise ValueError(_("The focus area is empty."))
        plan = self.row_plan(row)
        return self.remember((plan.pk, value.lower()), lambda: self.find(plan, value))

    def find(self, plan: Plan, value: str) -> Subagreement:
        found = (
            Subagreement.objects.filter(plan=plan)
            .filter(Q(focus_area__code__iexact=value) | Q(focus_area__name__iexact=value))
            .select_related("plan", "focus_area")
            .first()
        )
        if found is None:
            raise ValueError(
                _("The plan has no sub-agreement for the focus area '%(value)s'.")
                % {"value": value}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return value.focus_area.code if value else ""


class NamedInPlanWidget(PlanScopedWidget):
    """A row of `model` named exactly by its `name` within the row's plan (blank = none)."""

    def __init__(self, model, plan_lookup: str, unknown_message, **kwargs):
        super().__init__(model, **kwargs)
        self.plan_lookup = plan_lookup
        self.unknown_message = unknown_message

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        plan = self.row_plan(row)
        return self.remember((plan.pk, value), lambda: self.find(plan, value))

    def find(self, plan: Plan, value: str):
        found = self.model.objects.filter(**{self.plan_lookup: plan, "name": value}).first()
        if found is None:
            raise ValueError(str(self.unknown_message) % {"value": value})
        return found

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


def find_area(plan: Plan, value: str) -> HousingArea:
    """A housing area of the plan named by its name, short name or code."""
    found = (
        HousingArea.objects.filter(plan_areas__plan=plan)
        .filter(Q(name__iexact=value) | Q(short_name__iexact=value) | Q(code__iexact=value))
        .first()
    )
    if found is None:
        raise ValueError(
            _("The housing area '%(value)s' is not part of the plan.") % {"value": value}
        )
    return found


class AreaWidget(PlanScopedWidget):
    """A housing area of the row's plan; blank means the whole plan."""

    def __init__(self, **kwargs):
        super().__init__(HousingArea, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        plan = self.row_plan(row)
        return self.remember((plan.pk, value.lower()), lambda: find_area(plan, value))

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


# How a cell lists housing areas, in every sheet: a semicolon, as Danish Excel separates a
# list (the comma is the decimal sign), and a name may hold a comma.
AREA_SEPARATOR = "; "


class AreaListWidget(widgets.ManyToManyWidget):
    """Housing areas of the row's plan, by name, separated by semicolons."""

    def __init__(self, plan_widget: PlanScopedWidget, **kwargs):
        super().__init__(HousingArea, separator=";", field="name", **kwargs)
        self.plan_widget = plan_widget

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(self.separator) if name.strip()]
        if not names:
            return []
        plan = self.plan_widget.row_plan(row)
        return [
            self.plan_widget.remember(
                ("area", plan.pk, name.lower()), lambda name=name: find_area(plan, name)
            )
            for name in names
        ]

    def render(self, value, obj=None, **kwargs):
        return AREA_SEPARATOR.join(area.name for area in value.all()) if value is not None else ""


class PlainError(Error):
    """An import error shown without a traceback: the admin's page would show it to anyone."""

    traceback = ""


class AllOrNothingResource(resources.ModelResource):
    """A model resource whose import is one transaction: any invalid row rolls back all.

    Two rows naming the same thing (the same import_id_fields) are refused, the later one
    naming the earlier: otherwise both "succeed" and the last one wins.
    """

    # Shown on the row that changes a stored row when the import gives no reason.
    reason_missing = gettext_lazy("Write why the import changes what is stored.")

    def import_data(self, dataset, **kwargs):
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        # The preview shows each changed cell beside the value it replaces.
        kwargs["retain_instance_in_row_result"] = True
        missing = self.missing_columns(dataset.headers or [])
        if missing:
            # import-export would say so once, in English, and then fail on every row.
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            message = _(
                "The sheet has no column '%(column)s'. Its first row must hold the headings "
                "of the columns: %(columns)s."
            ) % {
                "column": missing[0],
                "columns": ", ".join(str(field.column_name) for field in self.get_import_fields()),
            }
            result.append_base_error(self.get_error_result_class()(ValueError(message)))
            result.preview, result.preview_headers = [], []
            return result
        result = super().import_data(dataset, **kwargs)
        # What the preview shows: each row, and in a changed row each cell with the value it
        # replaces. Read while what is stored is as it was: in a dry run, or after a refusal.
        refused = result.has_errors() or result.has_validation_errors()
        result.preview = (
            import_preview(self, dataset, result) if kwargs.get("dry_run") or refused else []
        )
        result.preview_headers = [str(heading) for heading in dataset.headers or []]
        return result

    def missing_columns(self, headers: list) -> list[str]:
        """The columns that name a row (import_id_fields) and that the sheet does not have."""
        return [
            str(self.fields[name].column_name)
            for name in self.get_import_id_fields()
            if self.fields[name].column_name not in headers
        ]

    def get_error_result_class(self):
        return PlainError

    def handle_import_error(self, result, error, raise_errors=False):
        # A failure outside the rows: log it for us, tell the user plainly.
        logger.error("A sheet import failed", exc_info=error)
        super().handle_import_error(
            result, ValueError(_("The sheet could not be read; nothing was saved")), raise_errors
        )

    def before_import(self, dataset, **kwargs):
        self.change_reason = (kwargs.get("change_reason") or "").strip()[:REASON_MAX_LENGTH]
        plans = plans_for_import(kwargs.get("user"))
        # An import started from one plan's page reaches that plan only.
        if kwargs.get("plan") is not None:
            plans = [plan for plan in plans if plan.pk == kwargs["plan"].pk]
        for field in self.fields.values():
            if isinstance(field.widget, PlanScopedWidget):
                field.widget.prepare(plans)
        self.first_row_of: dict[tuple, int] = {}

    def before_import_row(self, row, **kwargs):
        """Refuse a row whose name does not resolve, or that names what an earlier row did.

        The names are the columns that say which row of the database a sheet's row is
        (import_id_fields); import-export would otherwise report a bad one without its column.
        """
        key = []
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                value = field.clean(row, **kwargs)
            except ValueError as error:
                raise ValidationError({str(field.column_name): str(error)}) from None
            key.append(value.pk if isinstance(value, Model) else value)
        # Numbered as in the sheet, whose first row holds the headings.
        number = kwargs["row_number"] + 1
        first = self.first_row_of.setdefault(tuple(key), number)
        if first != number:
            columns = [str(self.fields[name].column_name) for name in self.get_import_id_fields()]
            raise ValidationError(
                _("Rows %(first)s and %(row)s of the sheet are both for the same %(columns)s.")
                % {
                    "first": first,
                    "row": number,
                    "columns": get_text_list(columns, pgettext("last item of a list", "and")),
                }
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged when every column holds what is stored, compared as people read it
        (import-export compares the values as they are: 100 is not 100.00 to it)."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        for field in self.get_import_fields():
            model_field = self.model_field(field)
            if isinstance(field.widget, widgets.ManyToManyWidget):
                if field.column_name not in row:  # a sheet without the column leaves it
                    continue
                entered = sorted(value.pk for value in field.clean(row))
                if entered != sorted(value.pk for value in field.get_value(original).all()):
                    return False
            elif model_field is None:
                if field.get_value(instance) != field.get_value(original):
                    return False
            elif not same_value(
                model_field,
                getattr(original, model_field.attname),
                getattr(instance, model_field.attname),
            ):
                return False
        return True

    def model_field(self, field):
        """The model's field a column writes, or None for one that is no plain field."""
        if not field.attribute or "__" in field.attribute:
            return None
        try:
            return self._meta.model._meta.get_field(field.attribute)
        except FieldDoesNotExist:
            return None

    def save_instance(self, instance, is_create, row, **kwargs):
        # The history keeps the import's reason with every row it writes; changing a stored
        # row needs one. A preview (dry run) only shows what the import would do.
        if not is_create and not kwargs.get("dry_run") and not self.change_reason:
            raise ValidationError(str(self.reason_missing))
        instance._change_reason = self.change_reason or None
        super().save_instance(instance, is_create, row, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors:
            # import-export would show an unexpected exception as it is: a class name or a
            # library's English. Log it for us; refuse the row plainly.
            for error in row_result.errors:
                logger.error("Row %s of a sheet failed", kwargs["row_number"], exc_info=error.error)
            row_result.errors = []
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(
                _("The row could not be read. Check that each cell holds what its column asks for.")
            )
        return row_result

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A ValueError is reported on its column with its message, which our widgets word for
        # the user; anything else (decimal.InvalidOperation, TypeError) would be shown raw.
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ValueError:
            raise
        except Exception as error:
            logger.error("A cell of a sheet could not be read", exc_info=error)
            raise ValueError(
                _("'%(value)s' could not be read.") % {"value": row.get(field.column_name)}
            ) from None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Name each error by the sheet's column heading rather than the model's field name.
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise ValidationError(self.by_column(error.message_dict)) from None

    def by_column(self, errors: dict) -> dict:
        columns = {field.attribute: str(field.column_name) for field in self.fields.values()}
        labelled: dict = {}
        for name, messages in errors.items():
            if name in columns:
                label = columns[name]
            elif name == NON_FIELD_ERRORS:
                label = name
            else:
                try:
                    label = str(self._meta.model._meta.get_field(name).verbose_name)
                except FieldDoesNotExist:
                    label = name
            labelled.setdefault(label, []).extend(messages)
        return labelled

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many cells are otherwise read only after saving, where a bad name would
        # surface as a crash; check them with the other cells. A sheet without the column
        # leaves them as they are, as import-export does with every other column.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error))
        if errors:
            raise ValidationError(errors)
