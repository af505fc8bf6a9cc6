"""Reading a plan workbook back: a new plan, or the changes to one that exists, all or nothing.

Every row is read, checked as the model checks it (`full_clean`) and saved in one transaction;
one error anywhere and nothing is kept. A preview is the same import rolled back, so it
shows exactly what confirming will do, and finds exactly the errors it would.

A row is found again by its natural key (`Sheet.key`) and updated where its cells differ, with
the user and the reason in its history. A row of the plan that a sheet no longer lists is
removed, unless removing it would take reported data with it (counts, reports, measurements,
assessments, versions, evaluations): then it is kept, and the preview says so. A sheet
missing from the workbook leaves its rows alone.

Organisations and housing areas are shared with other plans: one the workbook names that does
not exist is created; one that exists is never changed by a plan's workbook.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import translation
from django.utils.translation import gettext as _

from activities.models import Activity, QuarterlyCount, QuarterReport
from agreements.backup import is_history
from agreements.lbf_template import ACTIVITY_HEADINGS
from agreements.models import (
    ActivityHeadings,
    FocusArea,
    FundingPeriod,
    HousingArea,
    Organisation,
    Plan,
    PlanArea,
    PlanSectionTable,
    SubagreementTable,
)
from indicators.models import Measurement
from lib.history import normalised_text
from lib.numbers import format_figure
from lib.sheets import DanishDateWidget, DanishDecimalWidget, WholeNumberWidget, YesNoWidget
from lib.uploads import UploadTooLarge, read_sheets

from .workbook import (
    MAX_COLUMNS,
    MAX_ROWS,
    SHEETS,
    SUBAGREEMENT,
    TABLE_CELLS,
    Column,
    Sheet,
    cell_value,
    plan_rows,
)

TABLE_ROWS = "Tabelrækker"
HEADINGS_SHEET = "Overskrifter"
SHARED_MODELS = (Organisation, HousingArea)
QUOTES = "\"'“”„«»"


class AlreadyReported(ValueError):
    """A reference to a row whose own errors are reported: nothing more to say about it."""


class WorkbookError(Exception):
    """A file that is no plan workbook at all; the message says so in the user's words."""


@dataclass
class RowResult:
    """What the import does with one row of a sheet."""

    sheet: str
    row: int
    key: str
    action: str  # new, changed or unchanged
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # heading, old, new


@dataclass
class Outcome:
    """What an import did, or would do: per sheet, the rows it adds, changes, leaves, removes
    and keeps, and every error, each naming its sheet, row and column."""

    slug: str = ""
    new_plan: bool = False
    errors: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # sheet, key, why
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> list[dict]:
        """Per sheet, in the workbook's order: how many rows are new, changed, unchanged,
        removed and kept."""
        totals: dict[str, dict[str, int]] = {
            sheet.title: dict.fromkeys(("new", "changed", "unchanged", "removed", "kept"), 0)
            for sheet in SHEETS
            if sheet.title != TABLE_ROWS
        }
        for row in self.rows:
            totals[row.sheet][row.action] += 1
        for sheet, _key in self.removed:
            totals[sheet]["removed"] += 1
        for sheet, _key, _why in self.kept:
            totals[sheet]["kept"] += 1
        return [{"sheet": title, **counts} for title, counts in totals.items()]

    @property
    def changes_stored_rows(self) -> bool:
        """Whether the import changes or removes what is stored: that needs a reason."""
        return bool(self.removed) or any(row.action == "changed" for row in self.rows)

    def total(self, action: str) -> int:
        return sum(counts[action] for counts in self.counts())


def read_workbook(content: bytes) -> dict[str, list[tuple]]:
    """The workbook's sheets by title, read within bounds (lib.uploads.read_sheets)."""
    try:
        sheets = read_sheets(
            content,
            max_rows=MAX_ROWS,
            max_columns=MAX_COLUMNS,
            names=[sheet.title for sheet in SHEETS],
        )
    except UploadTooLarge as error:
        raise WorkbookError(str(error)) from None
    except Exception:  # openpyxl raises many kinds of errors for a damaged workbook
        raise WorkbookError(_("The file could not be read as an Excel workbook.")) from None
    if "Plan" not in sheets:
        raise WorkbookError(
            _("The workbook has no sheet '%(sheet)s'. Start from a downloaded plan workbook.")
            % {"sheet": "Plan"}
        )
    return sheets


def import_workbook(
    content: bytes,
    *,
    user=None,
    reason: str = "",
    plan: Plan | None = None,
    dry_run: bool,
) -> Outcome:
    """Import a plan workbook, all or nothing; with `dry_run`, only say what it would do.

    With `plan` (a page of that plan), the workbook must hold that plan; without, its plan is
    updated if it exists and created if not. Raises WorkbookError for a file that is no
    workbook; every error within one is in the outcome.
    """
    sheets = read_workbook(content)
    with translation.override("da"):
        try:
            with transaction.atomic():
                outcome = Importer(sheets, user=user, reason=reason, plan=plan).run()
                if dry_run or outcome.errors:
                    transaction.set_rollback(True)
        except DatabaseError as error:
            outcome = Outcome(
                errors=[
                    _("The workbook could not be saved: %(error)s. Nothing was imported.")
                    % {"error": str(error).strip().rstrip(".")}
                ]
            )
    return outcome


def key_text(value) -> str:
    """A key cell as text, whichever way it was written: 3, 3.0 and "3" are one number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def canonical(value) -> str:
    """A value as the comparison of a row with the stored one sees it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return normalised_text(value)


def shown(value) -> str:
    """A value as the preview shows it; long texts cut short."""
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # Amounts read with their thousands grouped ("6.000.000"); a number of four digits
        # or fewer may be a year or a number in a list, which is never grouped.
        number = Decimal(str(value))
        if abs(number) >= 10000:
            return format_figure(number)
        return canonical(value).replace(".", ",")
    text = canonical(value)
    return text if len(text) <= 80 else f"{text[:79]}…"


def table_text(rows: list[dict]) -> str:
    """A table's cells as one line, for the preview of a changed table."""
    return shown(" | ".join(" ".join(row["cells"]) for row in rows))


@dataclass
class Row:
    """A row of a sheet as read: its number in the sheet, its cells by heading."""

    number: int
    cells: dict[str, Any]


class Importer:
    def __init__(self, sheets: dict[str, list[tuple]], *, user, reason: str, plan: Plan | None):
        self.raw = sheets
        self.user = user if user is not None and user.is_authenticated else None
        self.reason = reason
        self.given_plan = plan
        self.outcome = Outcome()
        self.plan: Plan | None = None
        self.rows: dict[str, list[Row]] = {}
        # By sheet, the rows of the plan found by their key: the stored ones first, then those
        # the import saves.
        self.index: dict[str, dict[tuple, Any]] = defaultdict(dict)
        # By sheet, the keys of rows that could not be imported.
        self.failed: dict[str, set[tuple]] = defaultdict(set)

    # --- Errors -------------------------------------------------------------------------

    def error(self, sheet: str, row: int | None, column: str | None, message) -> None:
        if row is None:
            text = _("Sheet '%(sheet)s': %(message)s")
        elif column is None:
            text = _("Sheet '%(sheet)s', row %(row)s: %(message)s")
        else:
            text = _("Sheet '%(sheet)s', row %(row)s, column '%(column)s': %(message)s")
        self.outcome.errors.append(
            text % {"sheet": sheet, "row": row, "column": column, "message": str(message)}
        )

    # --- Reading ------------------------------------------------------------------------

    def read_rows(self, sheet: Sheet) -> list[Row] | None:
        """The sheet's non-empty rows by heading; None when the workbook has no such sheet."""
        raw = self.raw.get(sheet.title)
        if raw is None:
            return None
        if not raw:
            return []
        headings = [key_text(value) for value in raw[0]]
        missing = [heading for heading in sheet.headings if heading not in headings]
        if missing:
            for heading in missing:
                self.error(
                    sheet.title,
                    None,
                    None,
                    _("the column '%(column)s' is missing.") % {"column": heading},
                )
            return []
        positions = {heading: headings.index(heading) for heading in sheet.headings}
        rows = []
        for number, values in enumerate(raw[1:], start=2):
            if all(
                value is None or (isinstance(value, str) and not value.strip()) for value in values
            ):
                continue
            rows.append(Row(number, {h: values[i] for h, i in positions.items()}))
        return rows

    def parse(self, sheet: Sheet, column: Column, row: Row, model_field=None):
        """A cell as the value its column holds; raises ValueError in the user's words."""
        value = row.cells[column.heading]
        if isinstance(value, str) and column.kind != "text":
            value = value.strip()
        if value in (None, ""):
            if column.required:
                raise ValueError(_("Fill in this column."))
            if column.kind == "bool":
                return None if model_field is not None and model_field.null else False
            if (
                column.kind in ("int", "decimal")
                and model_field is not None
                and model_field.has_default()
            ):
                return model_field.get_default()
            return "" if column.kind in ("text", "choice", "areas") else None
        if column.kind == "text":
            return normalised_text(value) if isinstance(value, str) else key_text(value)
        if column.kind == "int":
            return WholeNumberWidget().clean(value)
        if column.kind == "decimal":
            return DanishDecimalWidget().clean(value)
        if column.kind == "date":
            return DanishDateWidget().clean(value)
        if column.kind == "bool":
            return YesNoWidget().clean(value)
        if column.kind == "choice":
            return self.choice(model_field, value)
        if column.kind == "areas":
            # Semicolons, as the workbook writes them; a comma, as workbooks made before wrote
            # them, is read too (a code, a slug, holds neither).
            return [code.strip() for code in re.split(r"[;,]", str(value)) if code.strip()]
        return key_text(value)

    @staticmethod
    def choice(model_field, value) -> str:
        """A choice by its Danish or English label or its stored value; quotation marks
        around a label (a template's edition is named by its heading) may be left out."""

        def plain(text) -> str:
            return str(text).strip().strip(QUOTES).strip().lower()

        text = plain(value)
        choices = list(model_field.flatchoices)
        for stored, label in choices:
            with translation.override("en"):
                english = plain(label)
            if text in (plain(stored), plain(label), english):
                return stored
        labels = ", ".join(str(label) for stored, label in choices if stored)
        raise ValueError(
            _("'%(value)s' is not one of: %(labels)s.") % {"value": value, "labels": labels}
        )

    # --- The import ---------------------------------------------------------------------

    def run(self) -> Outcome:
        for sheet in SHEETS:
            rows = self.read_rows(sheet)
            if rows is not None:
                self.rows[sheet.title] = rows
        if self.outcome.errors:
            return self.outcome
        if not self.import_plan():
            return self.outcome
        self.index_stored()
        tables = self.read_table_rows()
        self.remove_missing()
        for sheet in SHEETS[1:]:
            if sheet.title == TABLE_ROWS or sheet.title not in self.rows:
                continue
            if sheet.title == HEADINGS_SHEET:
                self.import_headings(sheet)
            else:
                self.import_sheet(sheet, tables)
        return self.outcome

    def import_plan(self) -> bool:
        sheet = SHEETS[0]
        rows = self.rows["Plan"]
        if len(rows) != 1:
            self.error(sheet.title, None, None, _("it must hold exactly one row: the plan."))
            return False
        row = rows[0]
        slug = key_text(row.cells["Kort navn"])
        self.outcome.slug = slug
        if self.given_plan is not None:
            if slug != self.given_plan.slug:
                self.error(
                    sheet.title,
                    row.number,
                    "Kort navn",
                    _("the workbook holds the plan '%(slug)s', not this plan (%(plan)s).")
                    % {"slug": slug, "plan": self.given_plan.slug},
                )
                return False
            plan: Plan | None = self.given_plan
        else:
            plan = Plan.objects.filter(slug=slug).first()
        self.outcome.new_plan = plan is None
        saved = self.import_row(sheet, row, plan, {}, None)
        if saved is None:
            return False
        self.plan = saved
        return True

    def index_stored(self) -> None:
        assert self.plan is not None
        if self.outcome.new_plan:
            return
        for sheet in SHEETS[1:]:
            if sheet.model is None or sheet.model is ActivityHeadings:
                continue
            for obj in plan_rows(sheet, self.plan):
                self.index[sheet.title][self.stored_key(sheet, obj)] = obj

    def stored_key(self, sheet: Sheet, obj) -> tuple:
        return tuple(key_text(cell_value(sheet, sheet.column(h), obj)) for h in sheet.key)

    def row_key(self, sheet: Sheet, row: Row) -> tuple:
        return tuple(key_text(row.cells[h]) for h in sheet.key)

    # --- Removing what the workbook no longer lists -------------------------------------

    def remove_missing(self) -> None:
        """Remove the plan's rows a sheet no longer lists, children first; keep those that
        carry reported data."""
        for sheet in reversed(SHEETS[1:]):
            if sheet.model in (None, *SHARED_MODELS) or sheet.title not in self.rows:
                continue
            if sheet.model is ActivityHeadings:
                continue  # by activity, in import_headings
            listed = {self.row_key(sheet, row) for row in self.rows[sheet.title]}
            for key, obj in list(self.index[sheet.title].items()):
                if key in listed:
                    continue
                label = " / ".join(key)
                blockers = self.reported_data(obj)
                if blockers:
                    self.outcome.kept.append((sheet.title, label, blockers))
                    continue
                if not type(obj)._base_manager.filter(pk=obj.pk).exists():
                    del self.index[sheet.title][key]
                    continue
                self.stamp(obj)
                obj.delete()
                del self.index[sheet.title][key]
                self.outcome.removed.append((sheet.title, label))

    def stamp(self, obj: Any) -> None:
        """Who changes the row and why, for its history (django-simple-history reads these)."""
        obj._change_reason = self.reason
        obj._history_user = self.user

    def reported_data(self, obj) -> str:
        """What removing the row would take with it beyond the plan's description, named for
        people; empty when it may go."""
        described = {sheet.model for sheet in SHEETS if sheet.model} | {Activity.areas.through}
        collector = Collector(using=obj._state.db or "default")
        try:
            collector.collect([obj])
        except (ProtectedError, RestrictedError) as error:
            protected = (
                error.protected_objects
                if isinstance(error, ProtectedError)
                else error.restricted_objects
            )
            return ", ".join(sorted({str(o._meta.verbose_name_plural) for o in protected}))
        found = {model for model, rows in collector.data.items() if rows}
        found |= {qs.model for qs in collector.fast_deletes if qs.exists()}
        blocking = {model for model in found if model not in described and not is_history(model)}
        if isinstance(obj, PlanArea):
            plan = obj.plan
            area = obj.area
            if QuarterlyCount.objects.filter(
                area=area, metric__activity__subagreement__plan=plan
            ).exists():
                blocking.add(QuarterlyCount)
            if QuarterReport.objects.filter(area=area, activity__subagreement__plan=plan).exists():
                blocking.add(QuarterReport)
            if Measurement.objects.filter(area=area, indicator__plan=plan).exists():
                blocking.add(Measurement)
        return ", ".join(sorted(str(model._meta.verbose_name_plural) for model in blocking))

    # --- Rows ---------------------------------------------------------------------------

    def import_sheet(self, sheet: Sheet, tables: dict) -> None:
        seen: dict[tuple, int] = {}
        for row in self.rows[sheet.title]:
            key = self.row_key(sheet, row)
            if key in seen:
                self.error(
                    sheet.title,
                    row.number,
                    None,
                    _("it repeats row %(row)s: each row is found by %(columns)s.")
                    % {"row": seen[key], "columns": ", ".join(sheet.key)},
                )
                continue
            seen[key] = row.number
            extra = {}
            if sheet.model in (PlanSectionTable, SubagreementTable):
                owner = ("section", key[0]) if sheet.model is PlanSectionTable else ("sub", key[0])
                extra["rows"] = tables.get((*owner, key[1]), [])
            stored = self.index[sheet.title].get(key)
            saved = self.import_row(sheet, row, stored, extra, key)
            if saved is None:
                self.failed[sheet.title].add(key)
            else:
                self.index[sheet.title][key] = saved

    def import_row(self, sheet: Sheet, row: Row, stored, extra: dict, key: tuple | None):
        """Check a row and save it where it is new or changed; the saved row, or None."""
        model = sheet.model
        assert model is not None
        values: dict[str, Any] = {}
        areas = None
        failed = False
        for column in sheet.columns:
            model_field = self.model_field(model, column)
            try:
                value = self.parse(sheet, column, row, model_field)
                if column.kind == "ref":
                    value = self.resolve(sheet, column, row, value)
                elif column.kind == "shared":
                    continue
            except AlreadyReported:
                failed = True
                continue
            except ValueError as error:
                self.error(sheet.title, row.number, column.heading, error)
                failed = True
                continue
            if column.kind == "areas":
                areas = value
            elif model_field is not None:
                values[column.field] = value
        if failed:
            return None
        if model is Organisation:
            return self.import_shared(sheet, row, values)
        if model is PlanArea:
            values["area"] = self.shared_area(sheet, row, values.get("area"))
            if values["area"] is None:
                return None
        if areas is not None:
            areas = self.find_areas(sheet, row, areas)
            if areas is None:
                return None
        values.update(extra)
        obj: Any = stored if stored is not None else model()
        if stored is None and self.plan is not None and self.has_field(model, "plan"):
            obj.plan = self.plan
        old_rows = stored.rows if stored is not None and "rows" in extra else None
        old_cells = (
            {
                column.heading: cell_value(sheet, column, stored, labels=False)
                for column in sheet.columns
                if column.kind not in ("shared",)
            }
            if stored
            else {}
        )
        for name, value in values.items():
            setattr(obj, name, value)
        changes = []
        if stored is not None:
            for column in sheet.columns:
                if column.kind == "shared":
                    continue
                new = cell_value(sheet, column, obj, labels=False, areas=areas)
                old = old_cells[column.heading]
                if canonical(new) != canonical(old):
                    changes.append((column.heading, shown(old), shown(new)))
            if old_rows is not None and old_rows != extra["rows"]:
                changes.append((TABLE_ROWS, table_text(old_rows), table_text(extra["rows"])))
        action = "new" if stored is None else "changed" if changes else "unchanged"
        # A row as stored is as valid as it was; a changed row next to it is checked against it.
        if action != "unchanged":
            try:
                obj.full_clean()
            except ValidationError as error:
                self.report_invalid(sheet, row, error)
                return None
        if action != "unchanged":
            self.stamp(obj)
            try:
                with transaction.atomic():
                    obj.save()
            except DatabaseError as error:
                self.error(sheet.title, row.number, None, str(error))
                return None
        if areas is not None and (stored is None or changes):
            self.stamp(obj)
            obj.areas.set(areas)
        label = " / ".join(key) if key else key_text(row.cells[sheet.key[0]])
        self.outcome.rows.append(RowResult(sheet.title, row.number, label, action, changes))
        return obj

    def report_invalid(self, sheet: Sheet, row: Row, error: ValidationError) -> None:
        by_field = {column.field: column.heading for column in sheet.columns if column.field}
        for name, messages in error.message_dict.items():
            heading = by_field.get(name)
            if name == "rows":
                heading = TABLE_ROWS
            for message in messages:
                if heading is None or name == NON_FIELD_ERRORS:
                    self.error(sheet.title, row.number, None, message)
                else:
                    self.error(sheet.title, row.number, heading, message)

    @staticmethod
    def has_field(model, name: str) -> bool:
        try:
            model._meta.get_field(name)
        except Exception:
            return False
        return True

    def model_field(self, model, column: Column):
        if column.kind == "shared":
            reference = {"area": HousingArea, "organisation": Organisation}[column.ref]
            return reference._meta.get_field(column.field)
        if column.field and column.kind != "areas" and self.has_field(model, column.field):
            return model._meta.get_field(column.field)
        return None

    # --- References ---------------------------------------------------------------------

    def resolve(self, sheet: Sheet, column: Column, row: Row, value):
        """The row a reference cell names; ValueError when there is none."""
        if value in (None, ""):
            return None
        text = key_text(value)
        sub = key_text(row.cells.get(SUBAGREEMENT))
        kind = column.ref
        found: Any = None
        if kind == "funding_period":
            found = FundingPeriod.objects.filter(code=text).first()
            if found is None:
                raise ValueError(_("There is no funding period '%(value)s'.") % {"value": text})
            return found
        if kind == "focus_area":
            assert self.plan is not None
            found = FocusArea.objects.filter(
                funding_period=self.plan.funding_period, code=text
            ).first()
            if found is None:
                codes = ", ".join(
                    FocusArea.objects.filter(funding_period=self.plan.funding_period).values_list(
                        "code", flat=True
                    )
                )
                raise ValueError(
                    _("The plan's funding period has no focus area '%(value)s' (%(codes)s).")
                    % {"value": text, "codes": codes}
                )
            return found
        if kind == "area":
            if sheet.title == "Områder":
                return text  # found or created with the row's name (shared_area)
            planned = self.index["Områder"].get((text,))
            if planned is None and (text,) in self.failed["Områder"]:
                raise AlreadyReported
            if planned is None:
                raise ValueError(
                    _("The housing area '%(value)s' is not part of the plan.") % {"value": text}
                )
            return planned.area
        if kind == "organisation":
            found = (
                self.index["Organisationer"].get((text,))
                or Organisation.objects.filter(name=text).first()
            )
            if found is None:
                raise ValueError(
                    _("There is no organisation '%(value)s'; add it to the sheet '%(sheet)s'.")
                    % {"value": text, "sheet": "Organisationer"}
                )
            return found
        lookups = {
            "section": ("Afsnit", (text,)),
            "subagreement": ("Delaftaler", (text,)),
            "activity": ("Aktiviteter", (sub, text)),
            "indicator": ("Indikatorer", (text,)),
            "criterion": ("Succeskriterier", (sub, text)),
            "party": ("Delaftaleparter", (sub, text)),
            "metric": ("Målepunkter", (sub, key_text(row.cells.get("Aktivitet")), text)),
        }
        title, key = lookups[kind]
        found = self.index[title].get(key)
        if found is None and key in self.failed[title]:
            raise AlreadyReported
        if found is None:
            raise ValueError(
                _("There is no row %(key)s in the sheet '%(sheet)s'.")
                % {"key": " / ".join(k for k in key if k), "sheet": title}
            )
        return found

    def find_areas(self, sheet: Sheet, row: Row, codes: list[str]) -> list | None:
        areas = []
        for code in codes:
            planned = self.index["Områder"].get((code,))
            if planned is None:
                self.error(
                    sheet.title,
                    row.number,
                    "Boligområder",
                    _("The housing area '%(value)s' is not part of the plan.") % {"value": code},
                )
                return None
            areas.append(planned.area)
        return areas

    def shared_area(self, sheet: Sheet, row: Row, code: str | None) -> HousingArea | None:
        """The housing area the row names, created when it does not exist."""
        name = normalised_text(row.cells["Navn"]).strip()
        short_name = normalised_text(row.cells["Kort navn"] or "").strip()
        area = HousingArea.objects.filter(code=code).first()
        if area is None:
            area = HousingArea(code=code or "", name=name, short_name=short_name)
            try:
                area.full_clean()
            except ValidationError as error:
                headings = {"code": "Kode", "name": "Navn", "short_name": "Kort navn"}
                for name_, messages in error.message_dict.items():
                    for message in messages:
                        self.error(sheet.title, row.number, headings.get(name_), message)
                return None
            area.save()
            self.outcome.notes.append(
                _("The housing area '%(name)s' is created.") % {"name": area.name}
            )
        elif (area.name, area.short_name) != (name, short_name):
            self.outcome.notes.append(
                _(
                    "The housing area '%(code)s' exists as '%(name)s' and is shared with other "
                    "plans: the workbook does not change its name."
                )
                % {"code": area.code, "name": area.name}
            )
        return area

    def import_shared(self, sheet: Sheet, row: Row, values: dict):
        """An organisation the plan names: found by its name, or created."""
        found = Organisation.objects.filter(name=values.get("name")).first()
        if found is None:
            found = Organisation(**values)
            try:
                found.full_clean()
            except ValidationError as error:
                self.report_invalid(sheet, row, error)
                return None
            found.save()
            self.outcome.rows.append(RowResult(sheet.title, row.number, found.name, "new"))
            return found
        if any(str(getattr(found, name)) != str(value) for name, value in values.items()):
            self.outcome.notes.append(
                _(
                    "The organisation '%(name)s' exists and is shared with other plans: the "
                    "workbook does not change it."
                )
                % {"name": found.name}
            )
        self.outcome.rows.append(RowResult(sheet.title, row.number, found.name, "unchanged"))
        return found

    # --- Tables and headings ------------------------------------------------------------

    def read_table_rows(self) -> dict[tuple, list[dict]]:
        """The tables' rows from the sheet Tabelrækker, by (owner kind, owner, key)."""
        sheet = next(s for s in SHEETS if s.title == TABLE_ROWS)
        read: dict[tuple, list] = defaultdict(list)
        for row in self.rows.get(TABLE_ROWS, []):
            try:
                section = self.parse(sheet, sheet.column("Afsnit"), row)
                code = key_text(row.cells[SUBAGREEMENT])
                key = self.parse(sheet, sheet.column("Nøgle"), row)
                number = self.parse(sheet, sheet.column("Række"), row)
                head = self.parse(sheet, sheet.column("Overskriftsrække"), row)
            except ValueError as error:
                self.error(sheet.title, row.number, None, error)
                continue
            if (section is None) == (not code):
                self.error(
                    sheet.title,
                    row.number,
                    None,
                    _("fill in either 'Afsnit' or 'Delaftale': the table belongs to one of them."),
                )
                continue
            cells = [
                ""
                if row.cells[f"Celle {n}"] is None
                else key_text(row.cells[f"Celle {n}"])
                if not isinstance(row.cells[f"Celle {n}"], str)
                else normalised_text(row.cells[f"Celle {n}"])
                for n in range(1, TABLE_CELLS + 1)
            ]
            while len(cells) > 1 and cells[-1] == "":
                cells.pop()
            owner = ("section", key_text(section)) if section is not None else ("sub", code)
            read[(*owner, key)].append((number, bool(head), cells))
        tables = {}
        for key, rows in read.items():
            rows.sort(key=lambda item: item[0])
            width = max(len(cells) for _n, _h, cells in rows)
            tables[key] = [
                {
                    "cells": cells + [""] * (width - len(cells)) if len(cells) > 1 else cells,
                    **({"head": True} if head else {}),
                }
                for _n, head, cells in rows
            ]
        return tables

    def import_headings(self, sheet: Sheet) -> None:
        """The schema headings an activity words its own way, gathered by activity."""
        by_activity: dict[Any, dict[str, str]] = {}
        first_row: dict[Any, Row] = {}
        for row in self.rows[sheet.title]:
            try:
                activity = self.resolve(
                    sheet,
                    sheet.column("Aktivitet"),
                    row,
                    self.parse(sheet, sheet.column("Aktivitet"), row),
                )
                heading = key_text(row.cells["Overskrift"])
                if heading not in ACTIVITY_HEADINGS:
                    raise ValueError(
                        _("'%(value)s' is not one of: %(labels)s.")
                        % {"value": heading, "labels": ", ".join(ACTIVITY_HEADINGS)}
                    )
            except AlreadyReported:
                continue
            except ValueError as error:
                self.error(sheet.title, row.number, None, error)
                continue
            text = row.cells["Tekst"]
            by_activity.setdefault(activity, {})[heading] = (
                "" if text is None else normalised_text(str(text))
            )
            first_row.setdefault(activity, row)
        stored = {
            headings.activity_id: headings
            for headings in ActivityHeadings.objects.filter(activity__subagreement__plan=self.plan)
        }
        for activity, headings in by_activity.items():
            obj = stored.pop(activity.pk, None)
            key = f"{activity.subagreement.focus_area.code} / {activity.position}"
            row = first_row[activity]
            if obj is not None and obj.headings == headings:
                self.outcome.rows.append(RowResult(sheet.title, row.number, key, "unchanged"))
                continue
            action = "new" if obj is None else "changed"
            changes = [] if obj is None else [(sheet.title, str(obj.headings), str(headings))]
            obj = obj or ActivityHeadings(activity=activity)
            obj.headings = headings
            try:
                obj.full_clean()
            except ValidationError as error:
                for message in error.messages:
                    self.error(sheet.title, row.number, None, message)
                continue
            self.stamp(obj)
            obj.save()
            self.outcome.rows.append(RowResult(sheet.title, row.number, key, action, changes))
        for obj in stored.values():
            self.stamp(obj)
            key = f"{obj.activity.subagreement.focus_area.code} / {obj.activity.position}"
            obj.delete()
            self.outcome.removed.append((sheet.title, key))
