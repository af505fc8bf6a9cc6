"""The data version: one number that changes in every transaction that writes the plans' data.

What is costly to compute from the plans' data (the board's dashboard, the status report) is
cached under the version it was computed at (`kept`), and found again only while the version
stands. The version is changed by watching the SQL itself rather than the code that writes:
every INSERT, UPDATE and DELETE on a table of the plans' data, whether from a model's save, a
queryset's update or delete, a bulk create, an import or the administration, changes it, in the
same transaction and once per transaction. A new write path cannot forget to: it has no say.

The plans' data is every table of the apps that hold it (`DATA_APPS`), history included,
except the tables that are themselves derived from it (`NOT_DATA`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created

# The apps whose tables hold the plans' data, from the agreements up.
DATA_APPS = ("agreements", "activities", "indicators", "economy", "reports", "members")
# Tables derived from the data, or about it: writing them changes nothing a cache holds.
NOT_DATA = ("agreements.dataversion", "agreements.storeddocument")

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"([^"]+)"', re.IGNORECASE)

# How long something made from the data is kept: a new version finds no entry long before
# this, so it only bounds what an unused one takes up in the cache.
KEPT_FOR = 24 * 60 * 60

_tables: frozenset[str] | None = None

T = TypeVar("T")


def data_tables() -> frozenset[str]:
    """The database tables of the plans' data (read once from the installed models)."""
    global _tables
    if _tables is None:
        _tables = frozenset(
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in DATA_APPS and model._meta.label_lower not in NOT_DATA
        )
    return _tables


def writes_data(sql: str) -> bool:
    """Whether an SQL statement writes a table of the plans' data."""
    found = WRITE.match(sql)
    return found is not None and found.group(1) in data_tables()


def _changed() -> None:
    """Marks a transaction as having changed the version: run on commit, to nothing."""


def has_written(connection) -> bool:
    """Whether the transaction under way has written the plans' data."""
    return connection.in_atomic_block and any(
        callback is _changed for _sids, callback, _robust in connection.run_on_commit
    )


def has_table(connection) -> bool:
    """Whether the version's table exists yet: the migrations before it write data too."""
    if connection.alias not in _migrated:
        if "agreements_dataversion" not in connection.introspection.table_names():
            return False
        _migrated.add(connection.alias)
    return True


_migrated: set[str] = set()


def change(connection) -> None:
    """A new version, in the transaction under way; once per transaction."""
    if not has_table(connection):
        return
    if connection.in_atomic_block:
        # The marker goes with the transaction: dropped on a rollback (of the savepoint it
        # was set in, too), so that a later write sets a new version again. Later writes of
        # the same transaction need none: it reads no cache (`current`), and others see the
        # version and all its writes at once, when it commits.
        if has_written(connection):
            return
        connection.on_commit(_changed)
    number = secrets.randbits(62)
    with connection.cursor() as cursor:
        cursor.execute('UPDATE "agreements_dataversion" SET "number" = %s WHERE "id" = 1', [number])
        if cursor.rowcount == 0:  # an emptied database (a test's flush)
            cursor.execute(
                'INSERT INTO "agreements_dataversion" ("id", "number") VALUES (1, %s)', [number]
            )


def watch_writes(execute, sql, params, many, context):
    """A connection's execute wrapper: a write to the plans' data changes the version."""
    result = execute(sql, params, many, context)
    if writes_data(sql):
        change(context["connection"])
    return result


def watch(sender, connection, **kwargs) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def current(using: str = "default") -> int | None:
    """The version now, or None when nothing may be cached or read from the cache: before
    the first write, and in a transaction that has written (its version is not final until
    it commits, and what it reads is not yet what others read)."""
    connection = connections[using]
    if has_written(connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute('SELECT "number" FROM "agreements_dataversion" WHERE "id" = 1')
        row = cursor.fetchone()
    return row[0] if row else None


def kept(key: str, make: Callable[[], T]) -> T:
    """`make()`, made once and served from the cache under `key` while the version stands.
    `key` must name everything else the result depends on. One query (the version) when
    kept; made afresh, and not kept, in a transaction that has written."""
    version = current()
    versioned = f"{version}:{key}"
    if version is not None and (found := cache.get(versioned)) is not None:
        return found
    made = make()
    if version is not None:
        cache.set(versioned, made, KEPT_FOR)
    return made


def start_watching() -> None:
    """Watch every connection: those opened from now on, and any already open."""
    connection_created.connect(watch, dispatch_uid="agreements.data_version")
    for connection in connections.all(initialized_only=True):
        watch(None, connection)
