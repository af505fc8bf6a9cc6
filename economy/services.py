"""Saving a delaftale's spending: from its form, or from a sheet.

As for the measurements, the form carries what it was loaded with and the save locks the
stored rows and refuses when they changed meanwhile (Stale), so nobody silently overwrites
another's work; every change is recorded with its reason by django-simple-history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from agreements.models import Plan, Subagreement
from lib.concurrency import Stale
from lib.history import record_history_start
from lib.sheets import SheetFormat

from .models import Spending
from .resources import SpendingResource

# Reads a sheet of spending within bounds: no wider than its columns, plus slack.
SpendingSheet = SheetFormat.for_resources(SpendingResource)


@dataclass(frozen=True)
class Amount:
    """A figure as the form shows it; two are equal when they read the same."""

    amount: int
    note: str = ""

    @classmethod
    def of(cls, spending: Spending | None) -> Amount | None:
        return None if spending is None else cls(spending.amount, spending.note)


@dataclass(frozen=True)
class AmountEntry:
    """One row of the form: what it was loaded with and what was entered (None: none)."""

    year: int
    financing: str
    loaded: Amount | None
    entered: Amount | None

    @property
    def changes_something(self) -> bool:
        return self.entered != self.loaded


@transaction.atomic
def save_spending(*, subagreement: Subagreement, entries: list[AmountEntry], reason: str) -> int:
    """Save a delaftale's spending as entered, all or none; return how many rows changed.

    A row whose stored figure no longer matches what the form was loaded with raises Stale,
    naming its year and financing.
    """
    entries = [entry for entry in entries if entry.changes_something]
    stored = {
        (spending.year, spending.financing): spending
        for spending in Spending.objects.select_for_update()
        .filter(subagreement=subagreement)
        .order_by("pk")
    }
    keys = [(entry.year, entry.financing) for entry in entries]
    stale = [
        key
        for key, entry in zip(keys, entries, strict=True)
        if Amount.of(stored.get(key)) != entry.loaded
    ]
    if stale:
        raise Stale(stale)
    record_history_start(Spending, [stored[key] for key in keys if key in stored])
    for key, entry in zip(keys, entries, strict=True):
        spending = stored.get(key)
        if entry.entered is None:
            # Only a stored figure can be emptied: an entry that changes something from
            # nothing enters a figure.
            assert spending is not None
            spending._change_reason = reason  # type: ignore[attr-defined]
            spending.delete()
            continue
        if spending is None:
            spending = Spending(
                subagreement=subagreement, year=entry.year, financing=entry.financing
            )
        spending.amount = entry.entered.amount
        spending.note = entry.entered.note
        spending._change_reason = reason or None  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                spending.save()
        except IntegrityError:
            # Someone added the same figure since the lock was taken.
            raise Stale([key]) from None
    return len(entries)


@transaction.atomic
def import_spending(*, plan: Plan, user, content: bytes, dry_run: bool, reason: str = ""):
    """Read an xlsx sheet of spending into the plan, all rows or none (as
    `indicators.services.import_measurements`)."""
    dataset = SpendingSheet().create_dataset(content)
    result = SpendingResource().import_data(
        dataset, dry_run=dry_run, user=user, plan=plan, change_reason=reason
    )
    return dataset, result
