"""Reading the history of the plan's data back, as the changes people see on a delaftale's,
an activity's or a criterion's history page (`ChangeLog`).

The records are written by django-simple-history, with the help of lib.history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from agreements.diff import TextDiff, text_diff
from lib.history import normalised_text, same_value
from lib.history import show_value as lib_show_value
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


# A text longer than this, or of several lines, is shown as a word-by-word difference.
LONG_TEXT = 120


@dataclass(frozen=True)
class FieldChange:
    """One field of one record (or one event, such as "Submitted"): its name for people, and
    its value before and after. A long text's change has its word-by-word `diff`."""

    field: str
    before: str
    after: str
    diff: TextDiff | None = None

    @property
    def values(self) -> tuple[str, str]:
        return (self.before, self.after)


@dataclass(frozen=True)
class LoggedChange:
    """One recorded change of one row, or one event in the plan's workflow.

    `action` is "created", "changed" or "deleted" for a row, or the event: "submitted",
    "approved", "reopened" (a quarter's report), "version" (a version approved), "link"
    (a share link created, revoked or used). `who_label` names who acted where that is no
    user (Landsbyggefonden through a share link)."""

    when: datetime.datetime
    who: object
    kind: str
    subject: str
    action: str
    changes: list[FieldChange]
    reason: str
    who_label: str = ""


def text_change(label: str, before: str, after: str) -> FieldChange:
    """A change of text: a long one word by word, a short one whole."""
    if any(len(text) > LONG_TEXT or "\n" in text for text in (before, after)):
        return FieldChange(label, before, after, text_diff(before, after))
    return FieldChange(label, before, after)


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
    "activities.quarterreport": (
        ["activity", "area"],
        lambda n, r: ", ".join(
            [_fk(n, r, "activity"), _fk(n, r, "area"), str(Quarter(r.year, r.quarter))]
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

# A report's fields that its events say (status), that only serve them, or that say which
# report it is (its subject): never listed as changes of their own.
EVENT_FIELDS = {
    "activities.quarterreport": {
        "activity",
        "area",
        "year",
        "quarter",
        "status",
        "revision",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "reopen_reason",
    },
}


def show_value(field, value, names: Names) -> str:
    """A stored value as Danish readers expect it (lib.history.show_value), a foreign key by
    its name."""
    if isinstance(field, models.ForeignKey) and value not in (None, ""):
        return names(field.related_model, value)
    return lib_show_value(field, value)


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


class Events:
    """Rows that are workflow events in themselves, listed among the changes: a version of a
    delaftale approved, a share link created, revoked or used.

    `when` is the field that dates the event, `describe` makes the LoggedChange of a row, and
    `related` is what it reads besides the row (select_related), so a page reads each kind of
    event in one query.
    """

    def __init__(
        self,
        queryset: models.QuerySet,
        *,
        when: str,
        describe: Callable[[Any], LoggedChange],
        related: Sequence[str] = (),
    ) -> None:
        self.queryset = queryset
        self.when = when
        self.describe = describe
        self.related = related

    def keys(self, number: int) -> models.QuerySet:
        return (
            self.queryset.annotate(
                source=Value(number, output_field=models.IntegerField()),
                event_id=F("pk"),
                event_date=F(self.when),
            )
            .values_list("source", "event_id", "event_date")
            .order_by()
        )

    def load(self, ids: list[int]) -> dict[int, LoggedChange]:
        rows = self.queryset.model._base_manager.filter(pk__in=ids).select_related(*self.related)
        return {row.pk: self.describe(row) for row in rows}


class ChangeLog:
    """The recorded changes of several kinds of rows together, and the workflow's events,
    newest first, a page at a time.

    `sources` are querysets of historical records (`Model.history.filter(...)`) and `Events`.
    A page costs two queries for the keys and their count, two per kind of row on the page
    (the records and the records before them, to compare with), one per kind of many-to-many
    field, one per kind of row named and one per kind of event: the same however long the
    history grows.

    A row's first record that is not its creation is where its history starts (see
    `record_history_start`); there is nothing before it to compare with, so it is not listed.
    """

    per_page = 50

    def __init__(self, sources: Iterable[models.QuerySet | Events]) -> None:
        self.sources = list(sources)

    def keys(self) -> models.QuerySet:
        """(source, id, date) of every change and event, newest first, as one query."""
        parts = [
            source.keys(number)
            if isinstance(source, Events)
            else source.exclude(Q(history_type="~") & ~Exists(_earlier(source.model)))
            .annotate(source=Value(number, output_field=models.IntegerField()))
            .values_list("source", "history_id", "history_date")
            .order_by()
            for number, source in enumerate(self.sources)
        ]
        # A compound query is ordered by the columns of its first part, a history's.
        assert not isinstance(self.sources[0], Events)
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
        events: dict[tuple[int, int], LoggedChange] = {}
        for number, history_ids in by_source.items():
            source = self.sources[number]
            if isinstance(source, Events):
                for pk, event in source.load(history_ids).items():
                    events[number, pk] = event
                continue
            for record, previous in self._records(source.model, history_ids):
                records[number, record.history_id] = (record, previous)
                self._want_names(names, record, previous)
        names.load()
        logged = (
            events.get((source, hid))
            if (source, hid) not in records
            else self._logged(*records[source, hid], names)
            for source, hid, _when in keys
        )
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
        """The fields people edit, in the model's order, without those an event says."""
        hidden = EVENT_FIELDS.get(record.instance_type._meta.label_lower, set())
        return [
            field
            for field in record.instance_type._meta.fields
            if field.editable and not field.primary_key and field.name not in hidden
        ]

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
        reason = record.history_change_reason or ""
        if label == "activities.quarterreport":
            action, changes = report_event(record, previous)
            changes += self._field_changes(record, previous, names)
            if action == "reopened":
                reason = reason or record.reopen_reason
        elif record.history_type == "+":
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
            # Never shortened: the quarter and the housing area end it, and say what it is.
            subject=subject(names, record) if subject else str(record.instance),
            action=action,
            changes=changes,
            reason=reason,
        )

    def _field_changes(self, record, previous, names: Names) -> list[FieldChange]:
        """The fields that differ from the record before (from nothing for a creation that is
        listed with its fields, as a report is), compared as people read them."""
        changes = []
        for field in self._fields(record):
            after = getattr(record, field.attname)
            before = getattr(previous, field.attname) if previous is not None else None
            if same_value(field, before, after):
                continue
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                changes.append(
                    text_change(
                        capfirst(field.verbose_name),
                        normalised_text(before),
                        normalised_text(after),
                    )
                )
            else:
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
            before, after = previous.m2m[field.name] if previous else set(), record.m2m[field.name]
            if before != after:
                changes.append(
                    FieldChange(
                        capfirst(field.verbose_name),
                        ", ".join(sorted(names(field.related_model, pk) for pk in before)),
                        ", ".join(sorted(names(field.related_model, pk) for pk in after)),
                    )
                )
        return changes


def report_event(record, previous) -> tuple[str, list[FieldChange]]:
    """What a quarter report's record says happened in the workflow: submitted, approved or
    reopened, as its status before and after; "changed" when its status stayed."""
    status = record._meta.get_field("status")
    before = previous.status if previous is not None else None
    events = {
        "submitted": ("submitted", pgettext("change log", "Submitted")),
        "approved": ("approved", pgettext("change log", "Approved")),
        "draft": ("reopened", pgettext("change log", "Reopened")),
    }
    resubmitted = (
        record.status == before == "submitted" and previous.submitted_at != record.submitted_at
    )
    if before is None and record.status == "draft":
        action, name = "created", pgettext("change log", "Created")
    elif before != record.status or resubmitted:
        action, name = events[record.status]
    else:
        return "changed", []
    shown_before = str(dict(status.flatchoices).get(before, "")) if before else ""
    shown_after = str(dict(status.flatchoices).get(record.status, record.status))
    return action, [FieldChange(name, shown_before, shown_after)]
