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
"""

from __future__ import annotations

import datetime
import gzip
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Plan

FORMAT = "helhedsplan-plan-backup"
VERSION = 1
# Ids per query when reading, inserting or deleting: far below SQLite's limit of variables.
CHUNK = 500
# What a user is written with besides the user name. Passwords and permissions stay with the
# installation: a file must never carry a way to log in, nor make anyone an administrator.
USER_FIELDS = ("first_name", "last_name", "email")

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
    everything = apps.get_models(include_auto_created=True)
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


def decode(column: models.Field, value):
    if value is None or isinstance(column, models.JSONField):
        return value
    return column.to_python(value)


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


def encode_backup(document: dict, *, gzipped: bool) -> bytes:
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return gzip.compress(data) if gzipped else data


def decode_backup(data: bytes) -> dict:
    """The document in a backup file's bytes, gzip-compressed or not; BackupError for anything
    that is not a backup of a plan, or one in another format version."""
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        document = json.loads(data)
    except (OSError, EOFError, ValueError):
        document = None
    check_format(document)
    return document


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
    there = document.get("schema") or {}

    def last(names) -> str:
        return names[-1] if names else _("no migrations")

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
    transaction, so a failed import leaves the old plan in place.
    """
    check_format(document)
    scope = plan_scope()
    check_schema(document, scope)
    try:
        with transaction.atomic():
            return restore(document, scope, replace=replace, on_model=on_model)
    except DatabaseError as error:
        raise BackupError(
            _("The plan could not be saved: %(error)s. Nothing was imported.")
            % {"error": str(error).strip().rstrip(".")}
        ) from error


def restore(document: dict, scope: Scope, *, replace: bool, on_model: Progress | None) -> Import:
    result = Import(slug=document.get("plan", ""))
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
    blocks = plan_blocks(document, scope)
    refuse_taken_ids(blocks)
    mapping = restore_shared(document, scope, result, on_model)
    for model, columns, rows in blocks:
        objects = [build(model, columns, row, mapping, scope) for row in rows]
        model._base_manager.bulk_create(objects, batch_size=CHUNK)
        result.rows += len(objects)
        if on_model:
            on_model(model._meta.label_lower, len(objects))
    tables = [model for model, _columns, _rows in blocks]
    # SQLite checks deferred keys only at the commit, which a test's transaction never reaches;
    # checking here also names the table in the message.
    connection.check_constraints(table_names=[model._meta.db_table for model in tables])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)
    return result


def plan_blocks(document: dict, scope: Scope) -> list[tuple[type[models.Model], list, list]]:
    """The file's rows by plan model, with the columns they hold, in this installation's
    insertion order."""
    by_label = {model._meta.label_lower: model for model in scope.plan_models}
    blocks = {}
    for block in document.get("objects", []):
        model = by_label.get(block.get("model"))
        names = block.get("fields", [])
        if model is None or sorted(names) != sorted(
            column.attname for column in model._meta.concrete_fields
        ):
            raise BackupError(
                _(
                    "The file's %(model)s does not match this installation's tables. "
                    "Nothing was imported."
                )
                % {"model": block.get("model")}
            )
        columns = [model._meta.get_field(name) for name in names]
        blocks[model] = (model, columns, block.get("rows", []))
    return [blocks[model] for model in scope.plan_models if model in blocks]


def refuse_taken_ids(blocks: list) -> None:
    taken = []
    for model, columns, rows in blocks:
        index = columns.index(model._meta.pk)
        ids = [row[index] for row in rows]
        count = sum(model._base_manager.filter(pk__in=chunk).count() for chunk in chunks(ids))
        if count:
            taken.append(f"{model._meta.label_lower} ({count})")
    if taken:
        raise BackupError(
            _(
                "This database already holds rows with the ids of the file's rows (%(tables)s), "
                "so the plan cannot be restored here with its history. Nothing was imported. "
                "Restore it into the database it came from after deleting the plan there, or "
                "into a new database."
            )
            % {"tables": ", ".join(taken)}
        )


def restore_shared(document: dict, scope: Scope, result: Import, on_model) -> dict:
    """Find each shared row of the file by its natural key, or create it; returns the ids
    they have here by model and by their id in the file."""
    user_model = get_user_model()
    mapping: dict = defaultdict(dict)
    blocks = {block.get("model"): block for block in document.get("shared", [])}
    for model in scope.shared_models:
        block = blocks.get(model._meta.label_lower)
        if block is None:
            continue
        for row in block["rows"]:
            try:
                obj = model._default_manager.get_by_natural_key(*row["natural_key"])
            except model.DoesNotExist:
                obj = new_shared_row(model, row, mapping)
                if model is user_model:
                    obj.set_unusable_password()
                obj.save()
                result.created.setdefault(model._meta.label_lower, []).append(
                    " ".join(str(part) for part in row["natural_key"])
                )
            mapping[model][row["pk"]] = obj.pk
        if on_model:
            on_model(model._meta.label_lower, len(block["rows"]))
    return mapping


def new_shared_row(model: type[models.Model], row: dict, mapping: dict) -> models.Model:
    """A shared row the database lacks, from the file; its keys to other shared rows (a focus
    area's funding period) turned into their ids here. A user gets the name from the key."""
    try:
        values = {}
        for name, value in row["fields"].items():
            column = model._meta.get_field(name)
            if column.is_relation and value is not None:
                value = mapping[column.related_model][value]
            values[column.attname] = decode(column, value)
        if model is get_user_model():
            values[model.USERNAME_FIELD] = row["natural_key"][0]
        return model(**values)
    except (LookupError, TypeError, ValueError, ValidationError) as error:
        raise damaged(model, row.get("pk"), error) from error


def build(model, columns: list[models.Field], row: list, mapping: dict, scope: Scope):
    """A plan row from the file, its keys to shared rows turned into their ids here."""
    try:
        if not isinstance(row, list) or len(row) != len(columns):
            raise ValueError(_("the row does not have a value for each column"))
        values = {}
        for column, value in zip(columns, row, strict=True):
            if (
                value is not None
                and column.is_relation
                and column.related_model in scope.shared_models
            ):
                value = mapping[column.related_model][value]
            values[column.attname] = decode(column, value)
        return model(**values)
    except (LookupError, TypeError, ValueError, ValidationError) as error:
        pk = row[columns.index(model._meta.pk)] if isinstance(row, list) and row else None
        raise damaged(model, pk, error) from error


def damaged(model, pk, error: Exception) -> BackupError:
    detail = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return BackupError(
        _("The file is damaged at %(model)s %(pk)s: %(error)s. Nothing was imported.")
        % {"model": model._meta.label_lower, "pk": pk, "error": detail}
    )
