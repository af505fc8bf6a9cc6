"""Reading the history of the plan's data back, as the changes people see on a delaftale's,
an activity's or a criterion's history page (`ChangeLog`).

The records are written by django-simple-history, with the help of lib.history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lib.numbers import format_number
from lib.periods import Quarter


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
