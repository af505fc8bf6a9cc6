"""Saving a form that someone else may have saved meanwhile: the optimistic lock.

A form carries what it showed (the revision of each row, lib.params.RevisionField, or the
values as loaded); its save compares that with what is stored now, inside the save's
transaction, and refuses the whole form when anything moved on. Nothing is saved then, and the
page shows what is stored now beside what the user entered, to enter again.
"""

from __future__ import annotations

from collections.abc import Iterable


class Stale(Exception):
    """Rows were saved by someone else after the form was loaded; nothing was saved.

    `what` names those rows as the saving code knows them (an activity in a housing area, a
    housing area, a group), so that the page can point them out; it is empty when the form
    did not say what it showed, which no stored row matches. `locked` says that the rows were
    locked meanwhile (a quarter's report approved), so entering again will not help until
    they are unlocked.
    """

    def __init__(self, what: Iterable = (), *, locked: bool = False):
        self.what = list(what)
        self.locked = locked
        super().__init__(self.what)
