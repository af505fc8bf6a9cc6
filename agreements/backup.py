"""Backup and restore of one whole plan (`manage.py export_plan` and `import_plan`).

A backup is one JSON document, gzip-compressed when the file name ends in .gz, that holds every
row of the plan with its audit history: a plan deleted by mistake, or moved to another
installation, comes back with the same versions, counts, measurements and verdicts, and the
same who, when and why of every change.

Which rows belong to a plan is read from the models, never from a list, so a model added later
is backed up without anyone remembering to add it here:

- A *plan model* is `Plan`, every model with a foreign key to a plan model, and the historical
  twin (django-simple-history) of every plan model. A row belongs to the plan when one of its
  keys points to a row of the plan; a historical row also when it records an object of the
  plan, so the history of rows deleted long ago comes along.
- A *shared model* is any other model a plan model points to: funding periods, focus areas,
  organisations, housing areas and users, which other plans use as well. They are written with
  their natural key, found again by it on import and created only where missing. Users are
  written by user name with their name and e-mail, never with a password.

Rows keep their primary keys, because history rows name the objects they record by id. A plan
is therefore restored into a database where its ids are free (the one it came from, after the
plan was deleted, or a new one); the import refuses rather than renumber. It is all or nothing.

A file is input from outside, and restoring one must never give anyone more than the plan it
holds. So the import refuses, before it writes anything:

- a file not signed by this installation's BACKUP_SIGNING_KEY (an HMAC of the content, on its
  first line), so that a file changed after export_plan wrote it is refused whole;
- a file, or gzip content, beyond MAX_BACKUP_BYTES, measured while unpacking;
- numbers no column can keep (NaN, 1e400, beyond 64 bits) and values outside their column's
  range, digits or choices;
- a key to a plan model that names anything but a row of the file (or, in the history, an
  object the file's history records): a row can never be attached to another plan;
- history of an object this database already holds, which would add to another plan's audit;
- for users, anything but the user name, name and e-mail. A missing user is created without a
  password, and an existing user is found by name and never changed.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import hmac
import io
import json
import math
import os
import re
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .models import Plan, StoredDocument

FORMAT = "helhedsplan-plan-backup"
# 2: a first line with the format, the version and the signature of the rest.
VERSION = 2
# The start of the document of every format so far, to name the format of a file whose first
# line is no header (format 1 had none: its one line was the document, unsigned).
DOCUMENT_START = re.compile(rb'\{"format":"helhedsplan-plan-backup","version":(\d{1,9})[,}]')
HEADER_BYTES = 1024
# The real plan with four years of figures and history makes half a megabyte; a file, or what
# a gzip file unpacks to (a thousand times its size, if it was made to), beyond this is refused
# before it can fill the memory.
MAX_BACKUP_BYTES = 200 * 1024 * 1024
UNPACK_CHUNK = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Keeps the signing key apart from the other uses of the secret it is derived from.
SIGNING_SALT = "agreements.backup"
# Each integer column's range on every supported database. SQLite's own ranges would let any
# 64-bit number into a small column, which PostgreSQL refuses: a file is judged the same way
# whichever database it goes into.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# Ids per query when reading, inserting or deleting: far below SQLite's limit of variables.
CHUNK = 500
# What a user is written with besides the user name. Passwords and permissions stay with the
# installation: a file must never carry a way to log in, nor make anyone an administrator.
USER_FIELDS = ("first_name", "last_name", "email")

# Stored PDFs are a cache of what the versions and the plan hold (rendered again on the first
# request after an import), so a backup leaves them out; delete_plan removes a plan's.
LEFT_OUT = (StoredDocument,)

Progress = Callable[[str, int], None]


class BackupError(Exception):
    """A plan that cannot be written, or a file that cannot be read back, with a message for
    the person running the command. Nothing has been changed in the database."""


@dataclass(frozen=True)
class Scope:
    """The models a plan backup covers, as the foreign keys define them."""

    # In an order the rows can be inserted in: what a row points to comes first.
    plan_models: tuple[type[models.Model], ...]
    shared_models: tuple[type[models.Model], ...]
    # Historical model -> the model whose history it keeps.
    twins: dict[type[models.Model], type[models.Model]]

    def keys_to_plan(self, model: type[models.Model]) -> list[models.ForeignKey]:
        return [key for key in foreign_keys(model) if key.related_model in self.plan_models]

    def keys_to_shared(self, model: type[models.Model]) -> list[models.ForeignKey]:
        return [key for key in foreign_keys(model) if key.related_model in self.shared_models]


def foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    """The historical twin django-simple-history keeps for `model`, if it keeps one."""
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def is_history(model: type[models.Model]) -> bool:
    """Whether `model` is one of simple-history's record tables: a historical twin, or the
    record of a many-to-many field (both name the model they record as `instance_type`)."""
    return hasattr(model, "instance_type")


def plan_scope() -> Scope:
    """Every plan model and every shared model, found from the installed models."""
    everything = [
        model for model in apps.get_models(include_auto_created=True) if model not in LEFT_OUT
    ]
    twins = {twin: model for model in everything if (twin := history_model(model))}
    in_plan: set[type[models.Model]] = {Plan}
    grew = True
    while grew:
        grew = False
        for model in everything:
            if model not in in_plan and (
                twins.get(model) in in_plan
                or any(key.related_model in in_plan for key in foreign_keys(model))
            ):
                in_plan.add(model)
                grew = True
    shared: set[type[models.Model]] = set()
    pending = [key.related_model for model in in_plan for key in foreign_keys(model)]
    while pending:
        model = pending.pop()
        if model not in in_plan and model not in shared:
            shared.add(model)
            pending.extend(key.related_model for key in foreign_keys(model))
    position = {model: index for index, model in enumerate(everything)}
    return Scope(
        plan_models=insertion_order(in_plan, lambda m: (is_history(m), position[m])),
        shared_models=insertion_order(shared, position.__getitem__),
        twins={twin: model for twin, model in twins.items() if twin in in_plan},
    )


def insertion_order(chosen: set, key: Callable) -> tuple:
    """The models in an order in which each comes after those its enforced keys point to;
    ties (and any cycle, which the deferred constraints allow within a transaction) by `key`."""
    needs = {
        model: {
            foreign.related_model
            for foreign in foreign_keys(model)
            if foreign.db_constraint
            and foreign.related_model in chosen
            and foreign.related_model is not model
        }
        for model in chosen
    }
    ordered = []
    while needs:
        ready = [model for model, targets in needs.items() if not targets] or list(needs)
        model = min(ready, key=key)
        ordered.append(model)
        del needs[model]
        for targets in needs.values():
            targets.discard(model)
    return tuple(ordered)


def chunks(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def select_rows(plan: Plan, scope: Scope) -> dict[type[models.Model], list]:
    """The primary keys of the plan's rows in each plan model, in order.

    Rows are found by following keys outwards from the plan until nothing more is found. A row
    that points into this plan and also, by an enforced key, to a row of another plan is
    refused: backing it up (or deleting it with this plan) would break the other plan.
    """
    keys = {model: scope.keys_to_plan(model) for model in scope.plan_models}
    selected: dict = {model: {} for model in scope.plan_models}  # pk -> its keys' values
    # The ids a key to a model may name: its rows, and the objects its history recorded.
    known: dict = {model: set() for model in scope.plan_models}
    selected[Plan][plan.pk] = ()
    known[Plan].add(plan.pk)
    grew = True
    while grew:
        grew = False
        for model in scope.plan_models:
            if model is Plan:
                continue
            twin = scope.twins.get(model)
            columns = [model._meta.pk.attname, *(key.attname for key in keys[model])]
            if twin:
                columns.append(twin._meta.pk.attname)
            for row in model._base_manager.order_by().values_list(*columns).iterator():
                if row[0] in selected[model]:
                    continue
                values = row[1 : 1 + len(keys[model])]
                if any(
                    value in known[key.related_model]
                    for key, value in zip(keys[model], values, strict=True)
                ) or (twin and row[-1] in known[twin]):
                    selected[model][row[0]] = values
                    known[model].add(row[0])
                    if twin:
                        known[twin].add(row[-1])
                    grew = True
    for model in scope.plan_models:
        for pk, values in selected[model].items():
            for key, value in zip(keys[model], values, strict=True):
                target = key.related_model
                if key.db_constraint and value is not None and value not in known[target]:
                    raise BackupError(
                        _(
                            "%(model)s %(pk)s of this plan refers to %(target)s %(target_pk)s, "
                            "which belongs to another plan. A plan can only be backed up or "
                            "deleted on its own; correct the reference first."
                        )
                        % {
                            "model": model._meta.label_lower,
                            "pk": pk,
                            "target": target._meta.label_lower,
                            "target_pk": value,
                        }
                    )
    return {model: sorted(rows) for model, rows in selected.items()}


def schema_state(scope: Scope) -> dict[str, list[str]]:
    """The migrations applied to the apps whose tables a backup holds.

    The user model's app is left out: users are written with a few fields Django has kept for
    decades, and pinning its migrations would refuse every backup after a Django upgrade.
    """
    user_app = get_user_model()._meta.app_label
    labels = {model._meta.app_label for model in (*scope.plan_models, *scope.shared_models)}
    applied = MigrationRecorder(connection).applied_migrations()
    return {
        label: sorted(name for app, name in applied if app == label)
        for label in sorted(labels - {user_app})
    }


def encode(value):
    """A column's value as JSON, exactly: full microseconds, decimals as written."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def checked(column: models.Field, value):
    """A value from a file as Python, if the column can keep it; ValidationError for a value
    of the wrong kind or beyond the column's range, digits, length or choices."""
    if value is None or isinstance(column, models.JSONField):
        return value
    value = column.to_python(value)
    kind = (column.target_field if column.is_relation else column).get_internal_type()
    low, high = INTEGER_RANGES.get(kind, (None, None))
    if (
        (isinstance(value, float) and not math.isfinite(value))
        or (low is not None and not low <= value <= high)
        or (
            column.choices
            and value not in column.empty_values
            and value not in dict(column.flatchoices)
        )
    ):
        raise ValidationError(_("the column cannot hold %(value)s") % {"value": value})
    column.run_validators(value)
    return value


def refuse_files(scope: Scope) -> None:
    """A file field keeps its file on disk, outside the database; a backup of the rows alone
    would restore names of files that are not there."""
    for model in (*scope.plan_models, *scope.shared_models):
        for column in model._meta.concrete_fields:
            if isinstance(column, models.FileField):
                raise BackupError(
                    _(
                        "%(model)s keeps files on disk (%(field)s), which a backup of the "
                        "database does not include."
                    )
                    % {"model": model._meta.label_lower, "field": column.name}
                )


@dataclass
class Export:
    """A plan's backup document, and what the person who asked for it should know."""

    document: dict
    rows: int
    # References in the history to shared rows that no longer exist, by model: left empty.
    dangling: dict[str, int] = field(default_factory=dict)


@contextmanager
def snapshot() -> Iterator[None]:
    """One view of the database for a whole export, so that what is saved meanwhile is
    either wholly in the file or wholly left out. A transaction gives that on SQLite; on
    PostgreSQL, whose default gives each query a view of its own, a new transaction asks for
    repeatable read (a transaction already begun keeps the view it has)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def export_plan(plan: Plan, *, on_model: Progress | None = None) -> Export:
    """The plan and everything that belongs to it, with its history, as a backup document."""
    with snapshot():
        return write_document(plan, on_model)


def write_document(plan: Plan, on_model: Progress | None) -> Export:
    scope = plan_scope()
    refuse_files(scope)
    selection = select_rows(plan, scope)
    blocks = []
    wanted: dict = defaultdict(set)
    for model in scope.plan_models:
        names = [column.attname for column in model._meta.concrete_fields]
        shared_columns = [
            (names.index(key.attname), key.related_model) for key in scope.keys_to_shared(model)
        ]
        rows = []
        for chunk in chunks(selection[model]):
            for values in (
                model._base_manager.filter(pk__in=chunk).order_by("pk").values_list(*names)
            ):
                rows.append([encode(value) for value in values])
                for index, target in shared_columns:
                    if values[index] is not None:
                        wanted[target].add(values[index])
        blocks.append({"model": model._meta.label_lower, "fields": names, "rows": rows})
        if on_model:
            on_model(model._meta.label_lower, len(rows))
    shared, missing = shared_rows(scope, wanted)
    dangling = blank_dangling_keys(scope, blocks, missing)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "plan": plan.slug,
        "exported_at": timezone.now().isoformat(),
        "schema": schema_state(scope),
        "shared": shared,
        "objects": blocks,
    }
    return Export(document, sum(len(block["rows"]) for block in blocks), dangling)


def shared_rows(scope: Scope, wanted: dict) -> tuple[list[dict], dict]:
    """The shared rows the plan's rows point to, each with its natural key; and the ids
    pointed to that no longer exist (only a history row can name a deleted row)."""
    user_model = get_user_model()
    found: dict = {}
    missing: dict = {}
    # Those that point to others first, so that a focus area adds its funding period.
    for model in reversed(scope.shared_models):
        if not hasattr(model, "natural_key") or not hasattr(
            model._default_manager, "get_by_natural_key"
        ):
            raise BackupError(
                _(
                    "%(model)s is shared between plans but has no natural key, so a backup "
                    "could not find its rows again in another database."
                )
                % {"model": model._meta.label_lower}
            )
        ids = sorted(wanted[model])
        objects = [obj for chunk in chunks(ids) for obj in model._base_manager.filter(pk__in=chunk)]
        missing[model] = set(ids) - {obj.pk for obj in objects}
        if model is user_model:
            columns = [model._meta.get_field(name) for name in USER_FIELDS]
        else:
            columns = [c for c in model._meta.concrete_fields if not c.primary_key]
            for key in scope.keys_to_shared(model):
                wanted[key.related_model].update(
                    value for obj in objects if (value := getattr(obj, key.attname)) is not None
                )
        found[model] = {
            "model": model._meta.label_lower,
            "rows": [
                {
                    "pk": obj.pk,
                    "natural_key": list(obj.natural_key()),
                    "fields": {c.attname: encode(getattr(obj, c.attname)) for c in columns},
                }
                for obj in sorted(objects, key=lambda obj: obj.pk)
            ],
        }
    return [found[model] for model in scope.shared_models], missing


def blank_dangling_keys(scope: Scope, blocks: list[dict], missing: dict) -> dict[str, int]:
    """Empty the keys that name shared rows deleted since (a user who left, named in old
    history): another database could only misread them as someone else."""
    dangling: dict[str, int] = {}
    for model, block in zip(scope.plan_models, blocks, strict=True):
        for key in scope.keys_to_shared(model):
            gone = missing.get(key.related_model)
            if not gone:
                continue
            index = block["fields"].index(key.attname)
            for row in block["rows"]:
                if row[index] in gone:
                    row[index] = None
                    dangling[model._meta.label_lower] = dangling.get(model._meta.label_lower, 0) + 1
    return dangling


def signature(content: bytes | memoryview) -> str:
    """The HMAC-SHA256 of a backup's content under this installation's BACKUP_SIGNING_KEY."""
    key = salted_hmac(
        SIGNING_SALT, "signing key", secret=settings.BACKUP_SIGNING_KEY, algorithm="sha256"
    ).digest()
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def encode_backup(document: dict, *, gzipped: bool) -> bytes:
    """The file's bytes: a header line that signs the document's exact bytes, then the
    document. Signing the bytes, not the parsed document, leaves nothing to canonicalise."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = signed(body.encode())
    return gzip.compress(data) if gzipped else data


def signed(body: bytes) -> bytes:
    header = {"format": FORMAT, "version": VERSION, "signature": signature(body)}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def read_backup(path: Path) -> dict:
    """The document in a backup file; BackupError, with a message, for a file that is missing,
    too large, damaged, unsigned, or not a backup of a plan."""
    try:
        # A chunk at a time: read(MAX_BACKUP_BYTES) would take that much memory for any file.
        # The size on disk refuses most large files unread; counting covers what has none.
        chunks, size = [], 0
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_BACKUP_BYTES:
                raise too_large()
            while chunk := file.read(UNPACK_CHUNK):
                size += len(chunk)
                if size > MAX_BACKUP_BYTES:
                    raise too_large()
                chunks.append(chunk)
    except FileNotFoundError:
        raise BackupError(_("There is no file %(file)s.") % {"file": path}) from None
    except IsADirectoryError:
        raise BackupError(_("%(file)s is a folder, not a backup file.") % {"file": path}) from None
    except OSError as error:
        raise BackupError(
            _("The file %(file)s cannot be read: %(reason)s.")
            % {"file": path, "reason": error.strerror or error}
        ) from None
    return decode_backup(b"".join(chunks))


def too_large() -> BackupError:
    return BackupError(
        _(
            "The file holds more than %(megabytes)s MB, more than any plan's backup. Nothing "
            "was imported."
        )
        % {"megabytes": MAX_BACKUP_BYTES // (1024 * 1024)}
    )


def decode_backup(data: bytes) -> dict:
    """The document in a backup file's bytes, gzip-compressed or not; BackupError for anything
    that is not a backup of a plan signed here, or one in another format version.

    The signature is checked on the bytes, before the document is parsed: a file from anyone
    without the key costs no more than reading it.
    """
    data = unpacked(data)
    end = data.find(b"\n", 0, HEADER_BYTES + 1)
    if end < 0:
        start = DOCUMENT_START.match(data)
        if start and int(start[1]) != VERSION:
            check_format({"format": FORMAT, "version": int(start[1])})
        raise BackupError(_("The file is not a backup of a plan. Nothing was imported."))
    header = parse_json(data[:end])
    check_format(header)
    body = memoryview(data)[end + 1 :]
    given = header.get("signature")
    if not isinstance(given, str) or not given:
        raise BackupError(
            _(
                "The file is not signed, so it cannot be told apart from a file written by "
                "someone else. Nothing was imported."
            )
        )
    if not hmac.compare_digest(given.encode(), signature(body).encode()):
        raise BackupError(
            _(
                "The file's signature does not match: it was changed after export_plan wrote "
                "it, or written by an installation with another BACKUP_SIGNING_KEY. Nothing "
                "was imported."
            )
        )
    document = parse_json(bytes(body))
    check_format(document)
    return document


def unpacked(data: bytes) -> bytes:
    """The bytes as export_plan wrote them, gunzipped if compressed. The size is measured
    while unpacking a chunk at a time, keeping nothing, before the content is unpacked whole:
    a small file made to unpack to gigabytes is refused without the memory to hold them."""
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        size = 0
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(UNPACK_CHUNK):
                size += len(chunk)
                if size > MAX_BACKUP_BYTES:
                    raise too_large()
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise BackupError(
            _(
                "The file is compressed but cannot be unpacked: it is damaged or cut short. "
                "Nothing was imported."
            )
        ) from None


def parse_json(data: bytes):
    """JSON as a backup holds it. Python's json reads NaN and Infinity, and 1e400 as infinity,
    which SQLite keeps and no page can show; those, and integers beyond 64 bits, are refused."""
    try:
        return json.loads(
            data,
            parse_constant=unkeepable,
            parse_float=finite_number,
            parse_int=integer_in_64_bits,
        )
    except (ValueError, RecursionError):
        raise BackupError(_("The file is not a backup of a plan. Nothing was imported.")) from None


def unkeepable(text: str) -> NoReturn:
    shown = text if len(text) <= 30 else f"{text[:30]}…"
    raise BackupError(
        _("The file holds the number %(number)s, which no column can keep. Nothing was imported.")
        % {"number": shown}
    )


def finite_number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        unkeepable(text)
    return number


def integer_in_64_bits(text: str) -> int:
    # Measured by its digits first: Python refuses to read one of thousands.
    if len(text.lstrip("-")) > 19 or not -(2**63) <= (number := int(text)) < 2**63:
        unkeepable(text)
    return number


def check_format(document) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(_("The file is not a backup of a plan. Nothing was imported."))
    if document.get("version") != VERSION:
        raise BackupError(
            _(
                "The file is in backup format %(found)s; this version of the application "
                "reads format %(expected)s. Nothing was imported."
            )
            % {"found": document.get("version"), "expected": VERSION}
        )


def check_schema(document: dict, scope: Scope) -> None:
    here = schema_state(scope)
    there = document.get("schema")
    if not isinstance(there, dict):
        there = {}

    def last(names) -> str:
        return str(names[-1]) if isinstance(names, list) and names else _("no migrations")

    differences = [
        _("%(app)s: %(file)s in the file, %(here)s in this database")
        % {"app": app, "file": last(there.get(app)), "here": last(here.get(app))}
        for app in sorted(set(here) | set(there))
        if there.get(app) != here.get(app)
    ]
    if differences:
        raise BackupError(
            _(
                "The file was written from a database at another schema (%(differences)s). "
                "Nothing was imported. Restore it into a database migrated to the same point, "
                "or export the plan again from a database at this one."
            )
            % {"differences": "; ".join(differences)}
        )


@transaction.atomic
def delete_plan(plan: Plan) -> int:
    """Delete the plan and every row that belongs to it, its history included; the shared
    rows (areas, organisations, users, ...) stay. Returns the number of rows deleted.

    Rows go by id, those that point to others first, without signals: simple-history would
    otherwise record each deletion in the very history being deleted, and the PROTECT keys
    that guard a plan's versions and evaluations against a careless delete are meant for
    people, not for this.
    """
    scope = plan_scope()
    selection = select_rows(plan, scope)
    StoredDocument.objects.filter(plan=plan)._raw_delete(StoredDocument.objects.db)
    for model in reversed(scope.plan_models):
        manager = model._base_manager
        for chunk in chunks(selection[model]):
            manager.filter(pk__in=chunk)._raw_delete(manager.db)
    return sum(len(ids) for ids in selection.values())


@dataclass
class Import:
    """What an import did."""

    slug: str
    rows: int = 0
    replaced_rows: int | None = None
    # Shared rows that were not in the database, by model: user names and natural keys.
    created: dict[str, list[str]] = field(default_factory=dict)


def import_plan(
    document: dict, *, replace: bool = False, on_model: Progress | None = None
) -> Import:
    """Restore the plan a backup document holds, all or nothing.

    A plan with the same short name is refused, or with `replace` deleted first, in the same
    transaction, so a failed import leaves the old plan in place. Every row is read and
    checked before anything is written.
    """
    check_format(document)
    scope = plan_scope()
    check_schema(document, scope)
    blocks = plan_blocks(document, scope)
    check_the_plan(document, blocks)
    refuse_keys_outside_the_plan(blocks, scope)
    try:
        with transaction.atomic():
            return restore(document, blocks, scope, replace=replace, on_model=on_model)
    except DatabaseError as error:
        raise BackupError(
            _("The plan could not be saved: %(error)s. Nothing was imported.")
            % {"error": str(error).strip().rstrip(".")}
        ) from error


@dataclass
class Block:
    """A plan model's rows in a file, read and checked: each row its values by column."""

    model: type[models.Model]
    rows: list[dict]

    def values(self, name: str) -> set:
        return {row[name] for row in self.rows} - {None}


def restore(
    document: dict, blocks: list[Block], scope: Scope, *, replace: bool, on_model
) -> Import:
    result = Import(slug=document["plan"])
    existing = Plan.objects.filter(slug=result.slug).first()
    if existing and not replace:
        raise BackupError(
            _(
                "The plan %(slug)s already exists in this database. Nothing was imported. "
                "Use --replace to delete it and import the file in its place."
            )
            % {"slug": result.slug}
        )
    if existing:
        result.replaced_rows = delete_plan(existing)
    refuse_taken_ids(blocks, scope)
    mapping = restore_shared(document, scope, result, on_model)
    for block in blocks:
        model = block.model
        objects = [model(**with_shared_ids(model, values, scope, mapping)) for values in block.rows]
        model._base_manager.bulk_create(objects, batch_size=CHUNK)
        result.rows += len(objects)
        if on_model:
            on_model(model._meta.label_lower, len(objects))
    tables = [block.model for block in blocks]
    # SQLite checks deferred keys only at the commit, which a test's transaction never reaches;
    # checking here also names the table in the message.
    connection.check_constraints(table_names=[model._meta.db_table for model in tables])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)
    return result


def plan_blocks(document: dict, scope: Scope) -> list[Block]:
    """The file's rows by plan model, read and checked against this installation's columns,
    in this installation's insertion order."""
    by_label = {model._meta.label_lower: model for model in scope.plan_models}
    objects = document.get("objects")
    if not isinstance(objects, list):
        raise BackupError(_("The file is not a backup of a plan. Nothing was imported."))
    blocks = {}
    for block in objects:
        block = block if isinstance(block, dict) else {}
        label, names, rows = block.get("model"), block.get("fields"), block.get("rows")
        model = by_label.get(label) if isinstance(label, str) else None
        if (
            model is None
            or model in blocks
            or not isinstance(rows, list)
            or not isinstance(names, list)
            or not all(isinstance(name, str) for name in names)
            or sorted(names) != sorted(column.attname for column in model._meta.concrete_fields)
        ):
            raise BackupError(
                _(
                    "The file's %(model)s does not match this installation's tables. "
                    "Nothing was imported."
                )
                % {"model": label}
            )
        columns = [model._meta.get_field(name) for name in names]
        blocks[model] = Block(model, [read_row(model, columns, row) for row in rows])
    return [blocks[model] for model in scope.plan_models if model in blocks]


def read_row(model: type[models.Model], columns: list[models.Field], row) -> dict:
    if not isinstance(row, list) or len(row) != len(columns):
        raise damaged(model, None, _("the row does not have a value for each column"))
    pk = row[columns.index(model._meta.pk)]
    values = {}
    for column, value in zip(columns, row, strict=True):
        try:
            values[column.attname] = checked(column, value)
        except ValidationError as error:
            raise damaged(model, pk, f"{column.attname}: {'; '.join(error.messages)}") from None
    if pk is None:
        raise damaged(model, pk, _("the row has no id"))
    return values


def check_the_plan(document: dict, blocks: list[Block]) -> None:
    """A backup holds one plan, the one its document names (and --replace deletes)."""
    plans = next((block.rows for block in blocks if block.model is Plan), [])
    if len(plans) != 1 or plans[0]["slug"] != document.get("plan"):
        raise BackupError(
            _(
                "The file must hold exactly one plan, the one it names (%(slug)s). Nothing "
                "was imported."
            )
            % {"slug": document.get("plan")}
        )


def refuse_keys_outside_the_plan(blocks: list[Block], scope: Scope) -> None:
    """Every key to a plan model names a row of the file, so that a backup restores its own
    plan and attaches nothing to another (a role, a count, a version).

    A history row may also name an object that the file's history records but that no longer
    exists (deleted before the export); refuse_taken_ids makes sure no such id is an object of
    this database. A live row must point into the plan by at least one key, as the export
    found it; only history may outlive what it records.
    """
    rows = {block.model: block.values(block.model._meta.pk.attname) for block in blocks}
    recorded: dict = defaultdict(set)
    for block in blocks:
        if twin := scope.twins.get(block.model):
            recorded[twin] |= block.values(twin._meta.pk.attname)
    for block in blocks:
        model = block.model
        keys = scope.keys_to_plan(model)
        pk = model._meta.pk.attname
        for values in block.rows:
            if model is not Plan and not is_history(model):
                if all(values[key.attname] is None for key in keys):
                    raise BackupError(
                        _(
                            "%(model)s %(pk)s in the file does not belong to the plan in the "
                            "file. Nothing was imported."
                        )
                        % {"model": model._meta.label_lower, "pk": values[pk]}
                    )
            for key in keys:
                value = values[key.attname]
                target = key.related_model
                if value is None or value in rows.get(target, ()):
                    continue
                if not key.db_constraint and value in recorded[target]:
                    continue
                raise BackupError(
                    _(
                        "%(model)s %(pk)s in the file refers to %(target)s %(target_pk)s, "
                        "which is not part of the plan in the file. A backup can only restore "
                        "its own plan. Nothing was imported."
                    )
                    % {
                        "model": model._meta.label_lower,
                        "pk": values[pk],
                        "target": target._meta.label_lower,
                        "target_pk": value,
                    }
                )


def existing_ids(model: type[models.Model], column: str, values: set) -> set:
    """The ids of the model's rows whose column holds one of the values."""
    manager = model._base_manager
    return {
        pk
        for chunk in chunks(sorted(values))
        for pk in manager.filter(**{f"{column}__in": chunk}).values_list("pk", flat=True)
    }


def refuse_taken_ids(blocks: list[Block], scope: Scope) -> None:
    """Refuse ids this database already uses: the file's rows', and the objects its history
    records, which would otherwise add history to another plan's rows (live or deleted)."""
    own = {block.model: block.values(block.model._meta.pk.attname) for block in blocks}
    taken: dict = defaultdict(set)
    for block in blocks:
        model = block.model
        taken[model] |= existing_ids(model, "pk", own[model])
        if twin := scope.twins.get(model):
            objects = block.values(twin._meta.pk.attname)
            taken[model] |= existing_ids(model, twin._meta.pk.attname, objects)
            taken[twin] |= existing_ids(twin, "pk", objects - own.get(twin, set()))
    tables = [f"{model._meta.label_lower} ({len(ids)})" for model, ids in taken.items() if ids]
    if tables:
        raise BackupError(
            _(
                "This database already holds rows with the ids of the file's rows (%(tables)s), "
                "so the plan cannot be restored here with its history. Nothing was imported. "
                "Restore it into the database it came from after deleting the plan there, or "
                "into a new database."
            )
            % {"tables": ", ".join(tables)}
        )


def restore_shared(document: dict, scope: Scope, result: Import, on_model) -> dict:
    """Find each shared row of the file by its natural key, or create it; returns the ids
    they have here by model and by their id in the file. A row found is never changed."""
    mapping: dict = defaultdict(dict)
    shared = document.get("shared")
    blocks = {
        block.get("model"): block.get("rows")
        for block in (shared if isinstance(shared, list) else [])
        if isinstance(block, dict) and isinstance(block.get("model"), str)
    }
    for model in scope.shared_models:
        label = model._meta.label_lower
        rows = blocks.get(label)
        if rows is None:
            continue
        if not isinstance(rows, list):
            raise BackupError(
                _(
                    "The file's %(model)s does not match this installation's tables. "
                    "Nothing was imported."
                )
                % {"model": label}
            )
        for row in rows:
            row = row if isinstance(row, dict) else {}
            try:
                pk = checked(model._meta.pk, row["pk"])
                natural_key = row["natural_key"]
                if not isinstance(natural_key, list) or not all(
                    isinstance(part, str | int) for part in natural_key
                ):
                    raise ValueError(_("the natural key is not a list of names"))
                values = shared_values(model, natural_key, row["fields"], mapping)
                try:
                    obj = model._default_manager.get_by_natural_key(*natural_key)
                except model.DoesNotExist:
                    obj = model(**values)
                    if model is get_user_model():
                        obj.set_unusable_password()
                    obj.save()
                    result.created.setdefault(label, []).append(
                        " ".join(str(part) for part in natural_key)
                    )
            except (LookupError, TypeError, ValueError) as error:
                raise damaged(model, row.get("pk"), str(error)) from None
            except ValidationError as error:
                raise damaged(model, row.get("pk"), "; ".join(error.messages)) from None
            mapping[model][pk] = obj.pk
        if on_model:
            on_model(label, len(rows))
    return mapping


def shared_values(model: type[models.Model], natural_key: list, fields, mapping: dict) -> dict:
    """The columns of a shared row, as the file gives them, for creating it if it is missing;
    its keys to other shared rows (a focus area's funding period) turned into their ids here.

    A user is given by user name, name and e-mail only. A file that names anything else
    (is_superuser, is_staff, a password, ...) is refused whole: that is an edited file, and
    whatever else it holds is not to be trusted either.
    """
    user_model = get_user_model()
    if not isinstance(fields, dict):
        raise ValueError(_("the row has no columns"))
    allowed = (
        set(USER_FIELDS)
        if model is user_model
        else {column.attname for column in model._meta.concrete_fields if not column.primary_key}
    )
    if extra := sorted(set(fields) - allowed):
        if model is user_model:
            raise BackupError(
                _(
                    "The file gives the user %(username)s %(columns)s. A backup carries only a "
                    "user's name and e-mail, never a password or rights. Nothing was imported."
                )
                % {"username": natural_key[0] if natural_key else "", "columns": ", ".join(extra)}
            )
        raise BackupError(
            _(
                "The file gives %(model)s %(key)s columns that a backup does not carry: "
                "%(columns)s. Nothing was imported."
            )
            % {
                "model": model._meta.label_lower,
                "key": " ".join(str(part) for part in natural_key),
                "columns": ", ".join(extra),
            }
        )
    values = {}
    for name, value in fields.items():
        column = model._meta.get_field(name)
        value = checked(column, value)
        if column.is_relation and value is not None:
            value = mapping[column.related_model][value]
        values[column.attname] = value
    if model is user_model:
        values[model.USERNAME_FIELD] = checked(
            model._meta.get_field(model.USERNAME_FIELD), natural_key[0]
        )
    return values


def with_shared_ids(model, values: dict, scope: Scope, mapping: dict) -> dict:
    """A plan row's values, its keys to shared rows turned into their ids here."""
    for key in scope.keys_to_shared(model):
        value = values[key.attname]
        if value is None:
            continue
        try:
            values[key.attname] = mapping[key.related_model][value]
        except KeyError:
            raise damaged(
                model,
                values[model._meta.pk.attname],
                _("the file holds no %(target)s %(id)s")
                % {"target": key.related_model._meta.label_lower, "id": value},
            ) from None
    return values


def damaged(model, pk, detail: str) -> BackupError:
    return BackupError(
        _("The file is damaged at %(model)s %(pk)s: %(error)s. Nothing was imported.")
        % {"model": model._meta.label_lower, "pk": pk, "error": detail.rstrip(".")}
    )
