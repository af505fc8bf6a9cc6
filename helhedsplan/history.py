"""Helpers around django-simple-history shared by the apps that keep the plan's data.

Every change of the plan's data (the agreements, activities, criteria, measurements and
quarterly counts) is recorded with who made it, when and why; `ChangeLog` reads those records
back as the changes people see on a delaftale's, an activity's or a criterion's history page.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django import forms
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from helhedsplan.numbers import format_number
from helhedsplan.periods import Quarter


def record_history_start(model, objects: list) -> None:
    """Give rows that have no history yet (loaded from a fixture, or entered before history
    was kept) a first record of how they stand, so that their first change shows what it
    changed from. Nobody is named as its author: it is not known.

    The record is a change ("~"), not a creation: the row existed before its history began,
    and `ChangeLog` shows such a first record as the start it is, not as a change of its own.
    Call it with the objects as stored, before they are changed.
    """
    with_history = set(
        model.history.filter(id__in=[obj.pk for obj in objects]).values_list("id", flat=True)
    )
    unrecorded = []
    for obj in objects:
        # Saving it again in this request needs no second look (HistoricalRecordsWithStart).
        obj._history_started = True
        if obj.pk not in with_history:
            unrecorded.append(copy.copy(obj))
            unrecorded[-1]._history_user = None
            unrecorded[-1]._change_reason = None
    _create_start_records(model, unrecorded)


def _create_start_records(model, objects: list) -> None:
    if not objects:
        return
    records = model.history.bulk_history_create(objects, update=True)
    # bulk_history_create leaves out many-to-many fields; a start record must hold them too,
    # or the first change of an activity's housing areas would look like a change from none.
    history_model = model.history.model
    for field in getattr(history_model, "_history_m2m_fields", ()):
        through = field.remote_field.through
        source = field.m2m_field_name()
        m2m_history = getattr(history_model, field.name).model
        record_of = {record.id: record for record in records}
        rows = through.objects.filter(**{f"{source}_id__in": record_of})
        m2m_history.objects.bulk_create(
            m2m_history(
                history=record_of[getattr(row, f"{source}_id")],
                **{f.attname: getattr(row, f.attname) for f in through._meta.concrete_fields},
            )
            for row in rows
        )


class HistoricalRecordsWithStart(HistoricalRecords):
    """HistoricalRecords that never lose what a row held before its first recorded change.

    Rows loaded with `loaddata` (the real plan) or created in bulk have no history. Before
    such a row is saved or its many-to-many fields change, by any path (the administration,
    a sheet import, the shell), the row as stored is recorded first, as `record_history_start`
    does. It costs one query per save of a row that was loaded from the database; code that
    saves many rows at once calls `record_history_start` itself.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if self.cls is not sender:
            return
        models.signals.pre_save.connect(record_start_before_save, sender=sender, weak=False)
        for field in self.get_m2m_fields_from_model(sender):
            models.signals.m2m_changed.connect(
                record_start_before_m2m_change, sender=field.remote_field.through, weak=False
            )

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        # Changed from the other side (a housing area's activities): simple-history would
        # record the area, which has no history; record each row whose field changed instead.
        if action == "pre_clear":
            instance._history_cleared = list(
                self.cls._base_manager.filter(**{attr: instance}).values_list("pk", flat=True)
            )
        elif action == "post_clear":
            pk_set = instance.__dict__.pop("_history_cleared", ())
        if action in ("post_add", "post_remove", "post_clear") and pk_set:
            for row in self.cls._base_manager.filter(pk__in=pk_set):
                self.create_historical_record(row, "~")


def record_start_before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        # loaddata sets the many-to-many fields right after a raw save, and simple-history
        # records that as the row's first record: where its history starts, nothing to add.
        instance._history_started = True
        return
    if instance._state.adding or getattr(instance, "_history_started", False):
        return
    if hasattr(instance, "skip_history_when_saving"):
        return
    _record_stored_start(sender, [instance.pk])
    instance._history_started = True


def record_start_before_m2m_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("pre_"):
        return
    if not reverse:
        if not getattr(instance, "_history_started", False):
            _record_stored_start(type(instance), [instance.pk])
            instance._history_started = True
        return
    # From the other side, the rows whose field changes are those of `model`.
    field = next(f for f in model._meta.many_to_many if f.remote_field.through is sender)
    if pk_set is None:
        pk_set = model._base_manager.filter(**{field.name: instance}).values_list("pk", flat=True)
    _record_stored_start(model, list(pk_set))


def _record_stored_start(model, pks: list) -> None:
    # The rows as stored, not as an instance now holds them: a form has already changed it.
    unrecorded = list(
        model._base_manager.filter(pk__in=pks).exclude(
            Exists(model.history.filter(id=OuterRef("pk")))
        )
    )
    for obj in unrecorded:
        obj._history_user = None
        obj._change_reason = None
    _create_start_records(model, unrecorded)


def bulk_delete_with_history(model, objects: list, *, user, reason: str | None) -> None:
    """Delete rows in one query and record each deletion in its history in another.

    simple-history records deletions only through each row's own delete(), one query apiece;
    a whole quarter's form must save in a fixed number of queries.
    """
    if not objects:
        return
    historical = model.history.model
    fields = [field.attname for field in model._meta.concrete_fields]
    now = timezone.now()
    historical.objects.bulk_create(
        [
            historical(
                **{name: getattr(obj, name) for name in fields},
                history_date=now,
                history_type="-",
                history_user=user,
                history_change_reason=reason,
            )
            for obj in objects
        ]
    )
    model.objects.filter(pk__in=[obj.pk for obj in objects]).delete()


class ChangeReasonForm(forms.ModelForm):
    """An administration form that can say why a row is changed; the reason is kept with
    the change in the row's history (see ChangeReasonAdmin)."""

    change_reason = forms.CharField(
        label=_lazy("Reason for the change"),
        # simple-history keeps a reason in 100 characters.
        max_length=100,
        required=False,
        help_text=_lazy("Kept in the history with the change. Do not write names of residents."),
    )
    reason_missing = _lazy("Write why it is changed.")

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
        return [*fieldsets, (_lazy("Reason for the change"), {"fields": ["change_reason"]})]

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


def ids_ever(model, **lookups) -> list[models.QuerySet]:
    """Subqueries of the ids of `model`'s rows that match `lookups` now, or did at some
    recorded time: a deleted activity's metrics still belong to its delaftale's history."""
    return [
        model._base_manager.filter(**lookups).values("pk"),
        model.history.filter(**lookups).values("id"),
    ]


def in_any(field: str, subqueries: Iterable[models.QuerySet]) -> Q:
    """Rows whose `field` is in any of the subqueries (see `ids_ever`)."""
    return reduce(or_, (Q(**{f"{field}__in": subquery}) for subquery in subqueries))


# --- Reading the history back ------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its name for people, and its value before and after."""

    field: str
    before: str
    after: str

    @property
    def values(self) -> tuple[str, str]:
        return (self.before, self.after)


@dataclass(frozen=True)
class LoggedChange:
    """One recorded change of one row: a creation, a deletion or a change of fields."""

    when: datetime.datetime
    who: object
    kind: str
    subject: str
    action: str  # "created", "changed" or "deleted"
    changes: list[FieldChange]
    reason: str


class Names:
    """The names of the rows that records point to, looked up together: a few queries per
    page, however many records it shows. A row deleted since is named from its history."""

    # How a row is named where the model's own name is too short to place it.
    LABELS: dict[str, tuple[Sequence[str], Callable]] = {
        "agreements.subagreement": (["focus_area"], lambda row: row.focus_area.name),
        "activities.metric": (["activity"], lambda row: f"{row.name} ({row.activity.name})"),
    }

    def __init__(self) -> None:
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[tuple[type, object], str] = {}

    def want(self, model, pk) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            related, label = self.LABELS.get(model._meta.label_lower, ([], str))
            for row in model._base_manager.filter(pk__in=pks).select_related(*related):
                self.found[model, row.pk] = label(row)
            missing = pks - {pk for kind, pk in self.found if kind is model}
            if missing and hasattr(model._meta, "simple_history_manager_attribute"):
                for record in model.history.filter(id__in=missing).order_by(
                    "history_date", "history_id"
                ):
                    self.found[model, record.id] = str(record.instance)

    def __call__(self, model, pk) -> str:
        if pk is None:
            return ""
        return self.found.get((model, pk), f"#{pk}")


def _whole_plan_or(names: Names, record, field: str) -> str:
    area = record._meta.get_field(field)
    return names(area.related_model, getattr(record, area.attname)) or _("whole plan")


def _fk(names: Names, record, field: str) -> str:
    related = record._meta.get_field(field)
    return names(related.related_model, getattr(record, related.attname))


# What a record of each model is about, where the model's own name is not enough: the
# foreign keys it needs named, and how it reads.
SUBJECTS: dict[str, tuple[Sequence[str], Callable[[Names, object], str]]] = {
    "agreements.subagreement": (["focus_area"], lambda n, r: _fk(n, r, "focus_area")),
    "activities.metric": (
        ["activity"],
        lambda n, r: f"{r.name} ({_fk(n, r, 'activity')})",
    ),
    "activities.quarterlycount": (
        ["metric", "area"],
        lambda n, r: ", ".join(
            [_fk(n, r, "metric"), _fk(n, r, "area"), str(Quarter(r.year, r.quarter))]
        ),
    ),
    "indicators.measurement": (
        ["indicator", "area"],
        lambda n, r: ", ".join([_fk(n, r, "indicator"), str(r.year), _whole_plan_or(n, r, "area")]),
    ),
    "indicators.criteriontarget": (
        ["criterion", "area"],
        lambda n, r: (
            _("%(target)s (%(area)s) of “%(criterion)s”")
            % {
                "target": r.get_kind_display(),
                "area": _whole_plan_or(n, r, "area"),
                "criterion": _fk(n, r, "criterion"),
            }
        ),
    ),
    "indicators.qualitativeassessment": (
        ["criterion"],
        lambda n, r: f"{_fk(n, r, 'criterion')}, {r.year}",
    ),
}

# The one value that says most about a row, shown when it is created or deleted.
MAIN_VALUES = {
    "activities.quarterlycount": "value",
    "indicators.measurement": "value",
    "indicators.criteriontarget": "value",
    "indicators.qualitativeassessment": "status",
}

# Whole numbers that are not amounts: they never get a thousands separator.
PLAIN_NUMBERS = {"position", "number", "quarter", "horizon_years"}


def show_value(field, value, names: Names) -> str:
    """A stored value as Danish readers expect it: "Ja"/"Nej", a choice by its label, a
    foreign key by its name, numbers with Danish separators, dates as "1. oktober 2017"."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.ForeignKey):
        return names(field.related_model, value)
    if isinstance(field, models.DateTimeField):
        return date_format(timezone.localtime(value), "j. F Y H:i")
    if isinstance(field, models.DateField):
        return date_format(value, "j. F Y")
    if isinstance(field, models.DecimalField):
        value = Decimal(value).normalize()
        exponent = value.as_tuple().exponent
        return format_number(value, decimals=max(0, -exponent))
    if isinstance(field, models.IntegerField):
        if field.name in PLAIN_NUMBERS or "year" in field.name:
            return str(value)
        return format_number(value)
    return str(value)


def _earlier(history_model) -> models.QuerySet:
    """The records of the same row before each outer record, latest first."""
    return (
        history_model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
    )


class ChangeLog:
    """The recorded changes of several kinds of rows together, newest first, a page at a time.

    `sources` are querysets of historical records (`Model.history.filter(...)`). A page costs
    two queries for the keys and their count, two per kind of row on the page (the records
    and the records before them, to compare with), one per kind of many-to-many field, and
    one per kind of row named: the same however long the history grows.

    A row's first record that is not its creation is where its history starts (see
    `record_history_start`); there is nothing before it to compare with, so it is not listed.
    """

    per_page = 50

    def __init__(self, sources: Iterable[models.QuerySet]) -> None:
        self.sources = list(sources)

    def keys(self) -> models.QuerySet:
        """(source, history id, date) of every change, newest first, as one query."""
        parts = [
            source.exclude(Q(history_type="~") & ~Exists(_earlier(source.model)))
            .annotate(source=Value(number, output_field=models.IntegerField()))
            .values_list("source", "history_id", "history_date")
            .order_by()
            for number, source in enumerate(self.sources)
        ]
        return (
            parts[0].union(*parts[1:], all=True).order_by("-history_date", "-source", "-history_id")
        )

    def page(self, number) -> Page:
        """The page `number` (the first or last for anything else); its `object_list` holds
        LoggedChange items."""
        page = Paginator(self.keys(), self.per_page).get_page(number)
        page.object_list = self.changes([tuple(key) for key in page.object_list])
        return page

    def changes(self, keys: list[tuple[int, int, datetime.datetime]]) -> list[LoggedChange]:
        by_source: dict[int, list[int]] = defaultdict(list)
        for source, history_id, _when in keys:
            by_source[source].append(history_id)
        names = Names()
        records: dict[tuple[int, int], tuple] = {}
        for source, history_ids in by_source.items():
            for record, previous in self._records(self.sources[source].model, history_ids):
                records[source, record.history_id] = (record, previous)
                self._want_names(names, record, previous)
        names.load()
        logged = (self._logged(*records[source, hid], names) for source, hid, _when in keys)
        return [change for change in logged if change is not None]

    def _records(self, history_model, history_ids: list[int]) -> list[tuple]:
        """Each record with the one before it of the same row (None for a creation)."""
        found = list(
            history_model.objects.filter(history_id__in=history_ids)
            .select_related("history_user")
            .annotate(previous_id=Subquery(_earlier(history_model).values("history_id")[:1]))
        )
        previous = history_model.objects.in_bulk(
            [record.previous_id for record in found if record.previous_id]
        )
        pairs = [(record, previous.get(record.previous_id)) for record in found]
        self._load_many_to_many(history_model, [r for pair in pairs for r in pair if r])
        return pairs

    @staticmethod
    def _load_many_to_many(history_model, records: list) -> None:
        """Each record's many-to-many values, as a set of ids in `record.m2m[field name]`."""
        for record in records:
            record.m2m = {}
        for field in getattr(history_model, "_history_m2m_fields", ()):
            target = field.m2m_reverse_field_name()
            m2m_history = getattr(history_model, field.name).model
            values = defaultdict(set)
            for history_id, target_id in m2m_history.objects.filter(
                history_id__in=[record.history_id for record in records]
            ).values_list("history_id", f"{target}_id"):
                values[history_id].add(target_id)
            for record in records:
                record.m2m[field.name] = values[record.history_id]

    @staticmethod
    def _fields(record) -> list:
        """The fields people edit, in the model's order."""
        return [field for field in record.instance_type._meta.fields if field.editable]

    def _want_names(self, names: Names, record, previous) -> None:
        """Ask for the names the record will show: those its subject needs, and the values of
        the foreign keys and many-to-many fields it changed."""
        label = record.instance_type._meta.label_lower
        subject_fields, _subject = SUBJECTS.get(label, ([], None))
        for name in subject_fields:
            field = record._meta.get_field(name)
            names.want(field.related_model, getattr(record, field.attname))
        if previous is None or record.history_type != "~":
            return
        for field in self._fields(record):
            if isinstance(field, models.ForeignKey):
                before, after = getattr(previous, field.attname), getattr(record, field.attname)
                if before != after:
                    names.want(field.related_model, before)
                    names.want(field.related_model, after)
        for field in record.instance_type._meta.many_to_many:
            before, after = previous.m2m.get(field.name, set()), record.m2m.get(field.name, set())
            if before != after:
                for pk in before | after:
                    names.want(field.related_model, pk)

    def _logged(self, record, previous, names: Names) -> LoggedChange | None:
        model = record.instance_type
        label = model._meta.label_lower
        _subject_fields, subject = SUBJECTS.get(label, ([], None))
        main = model._meta.get_field(MAIN_VALUES[label]) if label in MAIN_VALUES else None
        value = show_value(main, getattr(record, main.attname), names) if main else ""
        if record.history_type == "+":
            action, changes = "created", [FieldChange(pgettext("change log", "Created"), "", value)]
        elif record.history_type == "-":
            action, changes = "deleted", [FieldChange(pgettext("change log", "Deleted"), value, "")]
        else:
            action, changes = "changed", self._field_changes(record, previous, names)
            if not changes:
                return None
        return LoggedChange(
            when=record.history_date,
            who=record.history_user,
            kind=capfirst(model._meta.verbose_name),
            subject=Truncator(subject(names, record) if subject else str(record.instance)).chars(
                120
            ),
            action=action,
            changes=changes,
            reason=record.history_change_reason or "",
        )

    def _field_changes(self, record, previous, names: Names) -> list[FieldChange]:
        changes = []
        for field in self._fields(record):
            before, after = getattr(previous, field.attname), getattr(record, field.attname)
            if before != after:
                changes.append(
                    FieldChange(
                        capfirst(field.verbose_name),
                        show_value(field, before, names),
                        show_value(field, after, names),
                    )
                )
        for field in record.instance_type._meta.many_to_many:
            if field.name not in record.m2m:
                continue
            before, after = previous.m2m[field.name], record.m2m[field.name]
            if before != after:
                changes.append(
                    FieldChange(
                        capfirst(field.verbose_name),
                        ", ".join(sorted(names(field.related_model, pk) for pk in before)),
                        ", ".join(sorted(names(field.related_model, pk) for pk in after)),
                    )
                )
        return changes
