"""Helpers around django-simple-history shared by the apps that keep reported numbers."""

from __future__ import annotations

import copy

from django.utils import timezone


def record_history_start(model, objects: list) -> None:
    """Give rows that have no history yet (loaded from a fixture, or entered before history
    was kept) a first record of how they stand, so that their first change shows what it
    changed from. Nobody is named as its author: it is not known."""
    with_history = set(
        model.history.filter(id__in=[obj.pk for obj in objects]).values_list("id", flat=True)
    )
    unrecorded = []
    for obj in objects:
        if obj.pk not in with_history:
            unrecorded.append(copy.copy(obj))
            unrecorded[-1]._history_user = None
    if unrecorded:
        model.history.bulk_history_create(unrecorded)


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
