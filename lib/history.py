"""Recording history with django-simple-history: the write side, shared by the apps that keep
the plan's data.

Every change of the plan's data (the agreements, activities, criteria, measurements and
quarterly counts) is recorded with who made it, when and why, and only a change is recorded:
a save, an import or a bulk update that leaves a row as its last record has it writes nothing
(`HistoricalRecordsOfChanges`, whatever path the save takes). Rows that were loaded before
their history began get a first record of how they stood (`HistoricalRecordsWithStart`,
`record_history_start`), and rows deleted in bulk are recorded in bulk
(`bulk_delete_with_history`). Reading the records back is audit.history's `ChangeLog`.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.db import models
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

from lib.numbers import format_number


def normalised_text(value) -> str:
    """Text as people read it: no text is empty text, and a line break is a line break
    whether a browser sent it as CR LF or a sheet as LF."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def same_value(field: models.Field, before, after) -> bool:
    """Whether two values of `field` are the same to the people who read them.

    A value may come from the database, a form or a sheet, so the comparison is of what it
    means: Decimal("100") and Decimal("100.00") and 100.0 are the same figure, "" and None
    the same text where the field keeps text, and CR LF the same line break as LF.
    """
    if isinstance(field, models.CharField | models.TextField):
        return normalised_text(before) == normalised_text(after)
    if before is None or after is None:
        return before is None and after is None
    if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField):
        try:
            return Decimal(str(before)) == Decimal(str(after))
        except InvalidOperation:
            return before == after
    if isinstance(field, models.ForeignKey | models.DateField | models.BooleanField):
        try:
            return field.to_python(before) == field.to_python(after)
        except Exception:  # a value the field cannot read is not the same as one it can
            return before == after
    return before == after


# Whole numbers that are not amounts: they never get a thousands separator.
PLAIN_NUMBERS = {"position", "number", "quarter", "horizon_years", "revision"}


def show_value(field: models.Field, value) -> str:
    """A stored value as Danish readers expect it: "Ja"/"Nej", a choice by its label, numbers
    with Danish separators, dates as "1. oktober 2017", nothing as nothing. A foreign key is
    named by its row (the history pages look the rows' names up together)."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, models.DateTimeField):
        return date_format(timezone.localtime(value), "j. F Y H:i")
    if isinstance(field, models.DateField):
        return date_format(value, "j. F Y")
    if isinstance(field, models.DecimalField | models.FloatField):
        number = Decimal(str(value)).normalize()
        exponent = number.as_tuple().exponent
        return format_number(number, decimals=max(0, -int(exponent)))
    if isinstance(field, models.IntegerField) and not isinstance(field, models.ForeignKey):
        if field.name in PLAIN_NUMBERS or "year" in field.name:
            return str(value)
        return format_number(value)
    return str(value)


def compared_fields(history_model) -> list[models.Field]:
    """The fields of the tracked model whose change is a change to people: those they edit,
    without the bookkeeping (a report's revision) the model names as unimportant."""
    unimportant: frozenset[str] = getattr(history_model, "_history_unimportant_fields", frozenset())
    return [
        field
        for field in history_model.tracked_fields
        if field.editable and field.name not in unimportant
    ]


def differs_from_record(instance, record, history_model=None) -> bool:
    """Whether the instance's fields differ from what the historical record (or the row as
    stored, with its `history_model`) holds. The many-to-many fields are compared by
    `HistoricalRecordsOfChanges` itself."""
    return any(
        not same_value(field, getattr(record, field.attname), getattr(instance, field.attname))
        for field in compared_fields(history_model or type(record))
    )


def latest_records(history_model, pks) -> dict:
    """The latest historical record of each row, by its id, in one query."""
    latest = (
        history_model.objects.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return {
        record.id: record
        for record in history_model.objects.filter(id__in=list(pks))
        .annotate(latest_history_id=Subquery(latest))
        .filter(history_id=F("latest_history_id"))
    }


class ChangesOnlyHistoryManager(HistoryManager):
    """The history manager of `HistoricalRecordsOfChanges`: a bulk update records only the
    rows it changed (simple_history.utils.bulk_update_with_history comes through here)."""

    def bulk_history_create(self, objs, *args, update=False, **kwargs):
        objs = list(objs)
        if update and objs:
            recorded = latest_records(self.model, [obj.pk for obj in objs])
            objs = [
                obj
                for obj in objs
                if obj.pk not in recorded or differs_from_record(obj, recorded[obj.pk])
            ]
            if not objs:
                return []
        return super().bulk_history_create(objs, *args, update=update, **kwargs)


class HistoricalRecordsOfChanges(HistoricalRecords):
    """HistoricalRecords that record a change only when something changed.

    simple-history writes a record on every save; a save through any path (a form that posts
    back what it showed, a sheet imported again, a command) would then show as a change with
    the same value before and after. A change record ("~") is written only when a field that
    people edit differs from the row's latest record, compared as `same_value` does, or when
    a many-to-many field holds other rows. Creations and deletions are always recorded.

    `unimportant_fields` are fields whose change alone is no change to people (a report's
    revision, which only guards against two people saving at once).
    """

    def __init__(self, *args, unimportant_fields=(), **kwargs):
        kwargs.setdefault("history_manager", ChangesOnlyHistoryManager)
        super().__init__(*args, **kwargs)
        self.unimportant_fields = frozenset(unimportant_fields)

    def create_history_model(self, model, inherited):
        history_model = super().create_history_model(model, inherited)
        history_model._history_unimportant_fields = self.unimportant_fields
        return history_model

    def create_historical_record(self, instance, history_type, using=None):
        if history_type == "~" and not self.changes_something(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def changes_something(self, instance) -> bool:
        """Whether the instance differs from its latest record. Without a record it does,
        unless its history was not started because the save changed nothing
        (`record_start_before_save`)."""
        history_model = getattr(instance, self.manager_name).model
        latest = latest_records(history_model, [instance.pk]).get(instance.pk)
        if latest is None:
            return not getattr(instance, "_history_stored_same", False)
        if differs_from_record(instance, latest):
            return True
        for field in getattr(history_model, "_history_m2m_fields", ()):
            target = field.m2m_reverse_field_name()
            recorded = set(
                getattr(history_model, field.name)
                .model.objects.filter(history_id=latest.history_id)
                .values_list(f"{target}_id", flat=True)
            )
            current = set(getattr(instance, field.name).values_list("pk", flat=True))
            if recorded != current:
                return True
        return False


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
    # Straight to simple-history's own bulk create: a start has nothing before it to compare
    # with (ChangesOnlyHistoryManager would look for it).
    records = HistoryManager.bulk_history_create(model.history, objects, update=True)
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


class HistoricalRecordsWithStart(HistoricalRecordsOfChanges):
    """HistoricalRecords that never lose what a row held before its first recorded change,
    and record only changes (`HistoricalRecordsOfChanges`).

    Rows loaded with `loaddata` (the real plan) or created in bulk have no history. Before
    such a row is saved or its many-to-many fields change, by any path (the administration,
    a sheet import, the shell), the row as stored is recorded first, as `record_history_start`
    does, unless the save changes nothing. It costs one query per save of a row that was loaded
    from the database; code that saves many rows at once calls `record_history_start` itself.
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
    instance.__dict__.pop("_history_stored_same", None)
    if instance._state.adding or getattr(instance, "_history_started", False):
        return
    if hasattr(instance, "skip_history_when_saving"):
        return
    if _record_stored_start(sender, [instance.pk], unless_same_as=instance):
        instance._history_started = True
    else:
        # The row has no history and the save changes nothing: nothing to record, now or
        # after the save (HistoricalRecordsOfChanges.changes_something).
        instance._history_stored_same = True


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


def _record_stored_start(model, pks: list, unless_same_as=None) -> bool:
    """Record the start of the rows' history where they have none; False when the one row
    `unless_same_as` has none and holds what is stored, so that no start is needed yet."""
    # The rows as stored, not as an instance now holds them: a form has already changed it.
    unrecorded = list(
        model._base_manager.filter(pk__in=pks).exclude(
            Exists(model.history.filter(id=OuterRef("pk")))
        )
    )
    if unless_same_as is not None and unrecorded:
        (stored,) = unrecorded
        if not differs_from_record(unless_same_as, stored, model.history.model):
            return False
    for obj in unrecorded:
        obj._history_user = None
        obj._change_reason = None
    _create_start_records(model, unrecorded)
    return True


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


def unchanged_records(history_model, chunk_size: int = 2000):
    """The ids of the change records ("~") that hold what the record before them of the same
    row held, compared as `HistoricalRecordsOfChanges` compares: the empty changes recorded
    before only changes were. A row's first record (where its history starts), creations and
    deletions are never among them."""
    fields = compared_fields(history_model)
    m2m_fields = getattr(history_model, "_history_m2m_fields", ())
    m2m: dict[int, dict[str, set]] = {}
    for field in m2m_fields:
        target = f"{field.m2m_reverse_field_name()}_id"
        rows = getattr(history_model, field.name).model.objects.values_list("history_id", target)
        for history_id, target_id in rows.iterator(chunk_size=chunk_size):
            m2m.setdefault(history_id, {}).setdefault(field.name, set()).add(target_id)
    previous = None
    records = history_model.objects.order_by("id", "history_date", "history_id")
    for record in records.iterator(chunk_size=chunk_size):
        if (
            previous is not None
            and previous.id == record.id
            and previous.history_type != "-"
            and record.history_type == "~"
            and not any(
                not same_value(
                    field, getattr(previous, field.attname), getattr(record, field.attname)
                )
                for field in fields
            )
            and all(
                m2m.get(previous.history_id, {}).get(field.name, set())
                == m2m.get(record.history_id, {}).get(field.name, set())
                for field in m2m_fields
            )
        ):
            yield record.history_id
            continue  # the record before the next one is still `previous`: the same values
        previous = record
