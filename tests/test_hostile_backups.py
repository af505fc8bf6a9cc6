"""A backup is input from outside: an edited one is refused whole, and changes nothing.

The cases are an attacker's findings: a backup that attached a secretariat role in another
plan, that created a superuser, that stored 1e400 as infinity, a small gzip file that unpacks
to gigabytes; and any file changed after export_plan wrote it. Each test edits a real export
of the plan and expects one plain Danish line and the database as it was.

The signature refuses every edit by someone without the key. The checks behind it are tested
on files signed again after the edit (`rewrite`), as a file damaged before it was signed, or
edited by someone who holds the key, would be.
"""

import io
import json
import tracemalloc
import zlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.backup import MAX_BACKUP_BYTES, decode_backup, encode_backup, signed
from agreements.models import Membership, Plan, Role

pytestmark = pytest.mark.django_db

SLUG = "slagelse-2017-2021"
# Where a test puts a value the JSON encoder cannot write (1e400, NaN) into the text.
MARK = "@@value@@"


@pytest.fixture
def plan(plan, coordinator_motalavej):
    """The real plan with a coordinator (a role and an assignment) and some history."""
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.revision = "Revideret"
    tryghed.save()
    # A real change: a save that changes nothing records nothing.
    plan.budget_note = "Budgettet er revideret."
    plan.save()
    return plan


@pytest.fixture
def other(make_plan, make_user):
    """Another plan in the same database, with its own secretariat."""
    other = make_plan("anden-plan")
    member = make_user("anden-sekretaer", Role.SECRETARIAT, other)
    return SimpleNamespace(
        plan=other,
        subagreement=other.subagreements.get(),
        membership=Membership.objects.get(user=member),
    )


@pytest.fixture
def path(plan, tmp_path):
    """The plan's backup, as export_plan writes it."""
    path = tmp_path / "plan.json"
    call_command("export_plan", SLUG, "--out", str(path), verbosity=0)
    return path


def state() -> dict:
    """Every row of every table a backup touches, and every user in full."""
    tables = {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"agreements", "activities", "indicators", "reports"}
    }
    tables["auth.user"] = list(get_user_model().objects.order_by("pk").values_list())
    return tables


def refused(path, message: str) -> str:
    """Import the file over the plan (--replace: the plan is deleted in the transaction) and
    expect one line with the message, and nothing changed."""
    before = state()
    with pytest.raises(CommandError, match=message) as refusal:
        call_command("import_plan", str(path), "--replace", stdout=io.StringIO())
    assert "\n" not in str(refusal.value)
    assert state() == before
    return str(refusal.value)


def rewrite(path, change) -> None:
    """Change the document in the file, and sign it again."""
    document = decode_backup(path.read_bytes())
    change(document)
    path.write_bytes(encode_backup(document, gzipped=False))


def block(document: dict, model: str) -> dict:
    (found,) = [block for block in document["objects"] if block["model"] == model]
    return found


def set_value(document: dict, model: str, column: str, value, row: int = 0) -> None:
    found = block(document, model)
    found["rows"][row][found["fields"].index(column)] = value


def test_a_role_in_another_plan_is_refused(path, other):
    """The finding: a copy of the secretariat's membership, moved into another plan."""

    def attach(document):
        memberships = block(document, "agreements.membership")
        role = list(memberships["rows"][0])
        role[memberships["fields"].index("id")] = 999_999
        role[memberships["fields"].index("plan_id")] = other.plan.pk
        role[memberships["fields"].index("role")] = Role.SECRETARIAT
        memberships["rows"].append(role)

    rewrite(path, attach)
    refused(
        path,
        f"agreements.membership 999999 i filen henviser til agreements.plan {other.plan.pk}, "
        "som ikke hører til planen i filen. En backup kan kun genskabe sin egen plan.",
    )


@pytest.mark.parametrize(
    ("model", "column", "target"),
    [
        ("agreements.subagreement", "plan_id", "plan"),
        ("activities.activity", "subagreement_id", "subagreement"),
        ("activities.reportingassignment", "membership_id", "membership"),
        # History keys are not enforced by the database; the import enforces them.
        ("agreements.historicalsubagreement", "plan_id", "plan"),
    ],
)
def test_a_key_into_another_plan_is_refused(path, other, model, column, target):
    row = getattr(other, target)
    rewrite(path, lambda document: set_value(document, model, column, row.pk))
    refused(path, f"henviser til {row._meta.label_lower} {row.pk}, som ikke hører til planen")


def test_history_of_another_plans_object_is_refused(path, other):
    """A history row claiming another plan's delaftale would add to that plan's audit, and a
    key may name an object the file's history records: both end at the ids check."""

    def graft(document):
        set_value(document, "agreements.historicalsubagreement", "id", other.subagreement.pk)
        set_value(document, "agreements.historicalplan", "id", other.plan.pk)
        set_value(document, "agreements.historicalsubagreement", "plan_id", other.plan.pk)

    rewrite(path, graft)
    message = refused(path, "Databasen har allerede rækker med filens id'er")
    assert "agreements.subagreement (1)" in message and "agreements.plan (1)" in message


def test_a_row_that_belongs_to_no_plan_is_refused(path):
    rewrite(path, lambda document: set_value(document, "agreements.subagreement", "plan_id", None))
    refused(path, "i filen hører ikke til planen i filen")


@pytest.mark.parametrize(
    "fields",
    [
        {"is_superuser": True},
        {"is_staff": True},
        {"is_active": True},
        {"password": "md5$salt$0123456789abcdef0123456789abcdef"},
        {"groups": [1], "user_permissions": [1]},
    ],
    ids=["superuser", "staff", "active", "password", "groups"],
)
@pytest.mark.parametrize("username", ["sekretariat-ny", "koordinator-motalavej"])
def test_a_user_with_rights_or_a_password_is_refused(path, fields, username):
    def promote(document):
        (users,) = [block for block in document["shared"] if block["model"] == "auth.user"]
        users["rows"][0]["natural_key"] = [username]
        users["rows"][0]["fields"].update(fields)

    rewrite(path, promote)
    refused(
        path,
        f"Filen giver brugeren {username} {', '.join(sorted(fields))}. En backup indeholder "
        "kun en brugers navn og e-mail, aldrig en adgangskode eller rettigheder.",
    )
    assert not get_user_model().objects.filter(username="sekretariat-ny").exists()


def test_an_existing_user_is_never_changed(path, coordinator_motalavej):
    def rename(document):
        (users,) = [block for block in document["shared"] if block["model"] == "auth.user"]
        (row,) = users["rows"]
        row["fields"].update(first_name="Angriber", email="angriber@example.org")

    rewrite(path, rename)
    before = get_user_model().objects.values().get(pk=coordinator_motalavej.pk)
    call_command("import_plan", str(path), "--replace", verbosity=0)
    assert get_user_model().objects.values().get(pk=coordinator_motalavej.pk) == before


@pytest.mark.parametrize(
    ("model", "column", "text", "message"),
    [
        ("indicators.measurement", "value", "1e400", "Filen indeholder tallet 1e400, som ingen"),
        ("indicators.measurement", "value", "NaN", "Filen indeholder tallet NaN"),
        ("indicators.measurement", "value", "-Infinity", "Filen indeholder tallet -Infinity"),
        ("indicators.measurement", "value", '"Infinity"', "value: “Infinity”-værdien skal være"),
        ("indicators.measurement", "value", '"1e400"', "value: Der må maksimalt være 14 cifre"),
        ("indicators.measurement", "value", '"1234567890123.45"', "maksimalt være 14 cifre"),
        ("indicators.measurement", "year", "40000", "year: kolonnen kan ikke rumme 40000"),
        ("indicators.measurement", "year", "-1", "year: kolonnen kan ikke rumme -1"),
        ("indicators.measurement", "indicator_id", str(2**64), f"tallet {2**64}"),
        ("agreements.membership", "role", '"overlord"', "role: kolonnen kan ikke rumme overlord"),
    ],
)
def test_numbers_no_column_can_keep_are_refused(path, model, column, text, message):
    """Python's json reads 1e400 as infinity and NaN as NaN, which SQLite stored; the pages of
    the plan then failed. Values beyond their column's range or choices are refused too."""
    document = decode_backup(path.read_bytes())
    set_value(document, model, column, MARK)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_bytes(signed(body.replace(f'"{MARK}"', text).encode()))
    refused(path, message)


def test_a_gzip_bomb_is_refused_without_filling_the_memory(plan, tmp_path):
    """A file of a few hundred kilobytes that unpacks to more than the limit (the finding: 1 MB
    to 2.1 GB) is refused while it is being unpacked, with the memory it takes far below."""
    path = tmp_path / "bombe.json.gz"
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip file, header and all
    megabyte = b" " * 1024 * 1024
    with path.open("wb") as file:
        file.write(squeeze.compress(b'{"format":"helhedsplan-plan-backup","version":2}\n'))
        for _ in range(MAX_BACKUP_BYTES // len(megabyte) + 1):
            file.write(squeeze.compress(megabyte))
        file.write(squeeze.flush())
    assert path.stat().st_size < 1024 * 1024

    tracemalloc.start()
    try:
        refused(path, "Filen fylder mere end 200 MB")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024


def test_a_file_changed_after_export_is_refused(path, plan):
    header, body = path.read_bytes().split(b"\n", 1)
    path.write_bytes(header + b"\n" + body.replace(plan.name.encode(), b"Angrebet plan", 1))
    refused(path, "Filens signatur passer ikke: den er ændret, efter export_plan skrev den")


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("no signature", "Filen er ikke signeret, så den kan ikke skelnes fra en fil"),
        ("format 1", "Filen er i backupformat 1; denne version af programmet læser format 2"),
        ("document only", "Filen er ikke en backup af en plan"),
    ],
)
def test_an_unsigned_file_is_refused(path, layout, message):
    """A file without a signature: its header without one, a file of format 1 (which had no
    header, and no signature), or the document alone."""
    header, body = path.read_bytes().split(b"\n", 1)
    if layout == "no signature":
        header = json.dumps({**json.loads(header), "signature": ""}).encode()
        path.write_bytes(header + b"\n" + body)
    elif layout == "format 1":
        path.write_bytes(body.replace(b'"version":2', b'"version":1', 1))
    else:
        path.write_bytes(body)
    refused(path, message)


def test_a_backup_from_another_installation_needs_its_key(path, plan, settings, tmp_path):
    """Two installations exchange plans by sharing BACKUP_SIGNING_KEY (README)."""
    settings.BACKUP_SIGNING_KEY = "the-key-of-the-other-installation"
    refused(path, "skrevet af en installation med en anden BACKUP_SIGNING_KEY")

    theirs = tmp_path / "theirs.json.gz"
    call_command("export_plan", SLUG, "--out", str(theirs), verbosity=0)
    out = io.StringIO()
    call_command("import_plan", str(theirs), "--replace", stdout=out)
    assert f"Planen {SLUG} er indlæst" in out.getvalue()
    assert Plan.objects.get(slug=SLUG).subagreements.count() == 4
