"""Recording history with django-simple-history: the write side, shared by the apps that keep
the plan's data.

Every change of the plan's data (the agreements, activities, criteria, measurements and
quarterly counts) is recorded with who made it, when and why. Rows that were loaded before
their history began get a first record of how they stood (`HistoricalRecordsWithStart`,
`record_history_start`), and rows deleted in bulk are recorded in bulk
(`bulk_delete_with_history`). Reading the records back is audit.history's `ChangeLog`.
"""

from __future__ import annotations

import copy

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.models import HistoricalRecords


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
