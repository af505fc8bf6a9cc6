"""Every management command refuses bad input with one plain Danish line and exit status 1:
no traceback, and no file half written.

Bad input is an --out that cannot be written (a folder, an empty name, a missing folder, a
place no one may write), an input file that is missing or damaged, and an option value that is
no number or out of range. One representative case per command runs `manage.py` in a fresh
interpreter, the only way to see the exit status and that no traceback is printed; the other
cases call the command in-process and expect the CommandError that Django turns into that line.
"""

import errno
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.backup import MAX_BACKUP_BYTES

ROOT = Path(__file__).resolve().parent.parent
SLUG = "slagelse-2017-2021"
# Even root cannot create a file in sysfs.
UNWRITABLE = "/sys/helhedsplan.pdf"

# One case per command for the command line: (command and arguments, the line's Danish).
# "{out}" is an empty folder that must stay empty; "{damaged}" a cut-short .json.gz.
ON_THE_COMMAND_LINE = {
    "export_plan": (["export_plan", SLUG, "--out", "{out}"], "er en mappe; giv --out navnet"),
    "render_pdf": (
        ["render_pdf", "strategic-agreement", "--out", ""],
        "--out skal have navnet på den fil, der skal skrives.",
    ),
    "render_status_report": (
        ["render_status_report", "--period", "2019H1", "--out", ""],
        "--out skal have navnet på den fil, der skal skrives.",
    ),
    "import_plan": (["import_plan", "{damaged}"], "Filen er komprimeret, men kan ikke pakkes ud"),
    "evaluate_criteria": (
        ["evaluate_criteria", "--year", "abc"],
        "--year skal være et helt tal, ikke 'abc'.",
    ),
    "send_quarter_reminders": (
        ["send_quarter_reminders", "--days", "14 dage"],
        "--days skal være et helt tal, ikke '14 dage'.",
    ),
    "generate_national_dataset": (
        ["generate_national_dataset", "--plans", "1e3"],
        "--plans skal være et helt tal, ikke '1e3'.",
    ),
    "load_plan": (["load_plan", "ingen"], "Der er ingen fixture ingen.json i fixture-mapperne."),
    "load_demo_data": (
        ["load_demo_data", "--plan", "ingen"],
        "Der er ingen plan med kortnavnet 'ingen'.",
    ),
    "create_demo_users": (
        ["create_demo_users", "--plan", "ingen"],
        "Der er ingen plan med kortnavnet 'ingen'.",
    ),
    "plan_workbook": (
        ["plan_workbook", "export", SLUG, "--out", "{out}"],
        "er en mappe; giv --out navnet",
    ),
    "create_plan": (
        [
            "create_plan",
            "--name",
            "Helhedsplan for Nyby",
            "--slug",
            "nyby",
            "--funding-period",
            "1999",
            "--start",
            "2019-01-01",
            "--end",
            "2022-12-31",
            "--invite",
            "sekretariat@nyby.dk",
        ],
        "Bevillingsperiode: Vælg en af bevillingsperioderne.",
    ),
    "invite": (
        ["invite", "ingen", "person@nyby.dk"],
        "Der er ingen plan med kortnavnet 'ingen'.",
    ),
    "prune_unchanged_history": (
        ["prune_unchanged_history", "--alle"],
        "Kommandoen kender ikke --alle.",
    ),
}


def test_every_command_of_the_project_is_tested_on_the_command_line():
    commands = {
        path.stem
        for path in ROOT.glob("*/management/commands/*.py")
        if not path.name.startswith("_")
    }
    assert commands == set(ON_THE_COMMAND_LINE)


@pytest.fixture(scope="module")
def command_line(tmp_path_factory):
    """Runs manage.py in a fresh interpreter on a migrated, empty SQLite database of its own
    (whichever database the suite runs on), with DEBUG on for the demo commands."""
    folder = tmp_path_factory.mktemp("command-line")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helhedsplan.test_settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DEBUG": "on",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrated = run("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    return run


@pytest.mark.parametrize("command", sorted(ON_THE_COMMAND_LINE))
def test_on_the_command_line_bad_input_is_one_line_and_status_1(command_line, tmp_path, command):
    out = tmp_path / "ud"
    out.mkdir()
    damaged = tmp_path / "plan.json.gz"
    damaged.write_bytes(gzip.compress(b'{"format":"helhedsplan-plan-backup"}' * 100)[:-20])
    args, message = ON_THE_COMMAND_LINE[command]

    result = command_line(*(arg.format(out=out, damaged=damaged) for arg in args))

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("CommandError: ") and message in line
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["render_pdf", "nonsense", "--out", "x.pdf"],
            "document kan ikke være 'nonsense'; vælg mellem 'subagreement'",
        ),
        (["evaluate_criteria"], "Kommandoen skal have --year."),
        (["export_plan", SLUG, "--out", "x.json", "--bogus"], "Kommandoen kender ikke --bogus."),
        (["prune_unchanged_history", "--dry-run=ja"], "--dry-run tager ingen værdi"),
        (["send_quarter_reminders", "--days"], "--days skal have en værdi."),
    ],
    ids=["unknown-document", "missing-option", "unknown-option", "flag-with-value", "no-value"],
)
def test_a_mistyped_command_line_is_one_line_and_status_1_not_the_usage(
    command_line, args, message
):
    result = command_line(*args)

    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("CommandError: ") and message in line


@pytest.fixture
def out(tmp_path) -> Path:
    """An empty folder; nothing may be left in it after a refusal, not even a temporary file."""
    folder = tmp_path / "ud"
    folder.mkdir()
    return folder


def refused(*args, message: str) -> str:
    with pytest.raises(CommandError, match=message) as refusal:
        call_command(*args, verbosity=0)
    assert "\n" not in str(refusal.value)
    assert refusal.value.returncode == 1
    return str(refusal.value)


BAD_OUT = [
    ("folder", lambda out: str(out), "er en mappe; giv --out navnet på en fil i den"),
    ("folder-slash", lambda out: f"{out}/", "er en mappe; giv --out navnet på en fil i den"),
    ("empty", lambda out: "", "--out skal have navnet på den fil"),
    ("blank", lambda out: "   ", "--out skal have navnet på den fil"),
    ("missing-folder", lambda out: str(out / "mangler" / "x.pdf"), r"Mappen .*mangler findes ikke"),
    ("unwritable", lambda out: UNWRITABLE, "Kan ikke skrive i mappen /sys"),
    ("device", lambda out: "/dev/null", "/dev/null er ikke en almindelig fil"),
]
WRITERS = {
    "export_plan": ["export_plan", SLUG],
    "render_pdf": ["render_pdf", "strategic-agreement"],
    "render_status_report": ["render_status_report", "--period", "2019H1"],
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize(
    ("target", "message"), [case[1:] for case in BAD_OUT], ids=[case[0] for case in BAD_OUT]
)
def test_an_out_that_cannot_be_written_is_refused_before_any_work(
    plan, out, writer, target, message
):
    refused(*WRITERS[writer], "--out", target(out), message=message)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_write_that_fails_leaves_no_file(plan, out, writer, monkeypatch):
    """The disk fills up after the checks: one line, and the temporary file is gone."""

    def disk_full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    target = out / "fil.pdf"
    refused(*WRITERS[writer], "--out", str(target), message=f"Filen {target} kunne ikke skrives")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Filen .*mangler.json findes ikke."),
        ("folder", "er en mappe, ikke en backupfil."),
        (b"", "Filen er ikke en backup af en plan."),
        (b"\x00\x01 binary", "Filen er ikke en backup af en plan."),
        (gzip.compress(b"{" * 5000)[:-12], "Filen er komprimeret, men kan ikke pakkes ud"),
        (b"\x1f\x8b not gzip at all", "Filen er komprimeret, men kan ikke pakkes ud"),
        ("huge", "Filen fylder mere end 200 MB"),
    ],
    ids=["missing", "folder", "empty", "binary", "cut-short", "bad-gzip", "huge"],
)
def test_a_missing_or_damaged_backup_is_refused(plan, tmp_path, content, message):
    path = tmp_path / "mangler.json"
    if content == "folder":
        path.mkdir()
    elif content == "huge":
        # A sparse file: its size is refused before a byte of it is read.
        with path.open("wb") as file:
            file.truncate(MAX_BACKUP_BYTES + 1)
    elif content is not None:
        path.write_bytes(content)
    refused("import_plan", str(path), message=message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate_criteria", "--year", ""], "--year skal være et helt tal, ikke ''."),
        (["evaluate_criteria", "--year", "2019.5"], "--year skal være et helt tal"),
        (["evaluate_criteria", "--year", "2016"], "2016 ligger uden for planen"),
        (["send_quarter_reminders", "--days", "-1"], "--days"),
        (["send_quarter_reminders", "--today", "2019-13-01"], "'2019-13-01' er ikke en dato"),
        (["send_quarter_reminders", "--quarter", "2019K5"], "'2019K5' er ikke et kvartal"),
        (["generate_national_dataset", "--plans", "0"], "--plans skal være mellem 1 og 999"),
        (["generate_national_dataset", "--plans", "1000"], "--plans skal være mellem 1 og 999"),
        (
            ["render_pdf", "subagreement", "tryghed", "--version", "v1", "--out", "x.pdf"],
            "--version skal være et helt tal, ikke 'v1'.",
        ),
        (
            ["render_status_report", "--period", "2019H3", "--out", "x.pdf"],
            "Der er intet halvår, der hedder »2019H3«",
        ),
        (["load_demo_data", "--plan", "ingen"], "Der er ingen plan med kortnavnet 'ingen'."),
        (["create_demo_users", "--plan", "ingen"], "Der er ingen plan med kortnavnet 'ingen'."),
    ],
)
def test_a_bad_option_value_is_refused(plan, settings, tmp_path, monkeypatch, args, message):
    settings.DEBUG = True  # create_demo_users runs only with DEBUG on
    monkeypatch.chdir(tmp_path)
    refused(*args, message=message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Der er ingen fixture plan.json i fixture-mapperne."),
        (b'[{"model": "agreements.plan", ', r"Fixturen .*plan.json er beskadiget"),
        (b'{"model": "agreements.plan"}', "Fixturen .*plan.json kunne ikke indlæses"),
        (b'[{"model": "agreements.plan", "pk": 1}]', r"Fixturen .*plan.json er beskadiget"),
        (b'[{"model": "agreements.ingenting", "fields": {}}]', "kunne ikke indlæses"),
        (b'[{"model": "agreements.plan", "fields": {"slug": "ny"}}]', "kunne ikke indlæses"),
    ],
    ids=["missing", "cut-short", "not-a-list", "no-fields", "unknown-model", "invalid-row"],
)
def test_a_missing_or_damaged_fixture_is_refused(db, settings, tmp_path, content, message):
    settings.FIXTURE_DIRS = [tmp_path]
    if content is not None:
        (tmp_path / "plan.json").write_bytes(content)
    refused("load_plan", "plan", message=message)
