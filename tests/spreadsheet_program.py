"""A real spreadsheet program for the tests: LibreOffice Calc, run headless (`soffice`).

The sheets this application writes are meant for Danish Excel and LibreOffice; openpyxl alone
would read back whatever openpyxl wrote. These helpers have LibreOffice open a sheet and save
it again, as a CSV of the cells as a reader sees them (in a Danish locale) or as an xlsx of its
own, so a test can check what a person would see and what a file saved by a spreadsheet
program imports as.

Debian's `libreoffice-calc-nogui` provides `soffice` (`make prerequisites` installs it). The
tests that need it skip where it is missing, saying so; continuous integration sets
REQUIRE_SPREADSHEET_PROGRAM, and there they fail instead, so they cannot silently not run.
"""

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

MISSING = (
    "LibreOffice (soffice) is not installed: `make prerequisites` installs Debian's "
    "libreoffice-calc-nogui"
)

# LibreOffice's settings for a profile of its own: Danish, so that it shows numbers and dates
# as a Danish reader sees them.
DANISH_PROFILE = "\n".join(
    [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry">',
        *(
            f'<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="{setting}" '
            'oor:op="fuse"><value>da-DK</value></prop></item>'
            for setting in ("ooSetupSystemLocale", "ooLocale")
        ),
        "</oor:items>",
    ]
)
# Semicolon-separated (as Danish CSV is), quoted with ", UTF-8, first line 1, cells as shown.
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):59,34,76,1,,1030,false,true,true,false"


def require_spreadsheet_program() -> str:
    """The path of soffice (SOFFICE_PATH, or found on the PATH); skips the test where it is
    missing, and fails it where REQUIRE_SPREADSHEET_PROGRAM is set (continuous integration)."""
    path = os.environ.get("SOFFICE_PATH") or shutil.which("soffice")
    if path is None or not os.access(path, os.X_OK):
        if os.environ.get("REQUIRE_SPREADSHEET_PROGRAM"):
            pytest.fail(MISSING, pytrace=False)
        pytest.skip(MISSING)
    return path


def convert(files: dict[str, bytes], target: str, workdir: Path) -> dict[str, bytes]:
    """Have LibreOffice open each file (name: content) and save it as `target` ("xlsx", or
    CSV_AS_SHOWN); the saved files by their names. One LibreOffice run for all of them."""
    soffice = require_spreadsheet_program()
    source, out, profile = workdir / "in", workdir / "out", workdir / "profile"
    for folder in (source, out, profile / "user"):
        folder.mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(DANISH_PROFILE)
    for name, content in files.items():
        (source / name).write_bytes(content)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *[str(source / name) for name in files],
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(workdir)},
    )
    extension = "csv" if target.startswith("csv") else target
    saved = {}
    for name in files:
        path = out / f"{Path(name).stem}.{extension}"
        assert path.exists(), f"LibreOffice did not save {name} as {extension}"
        saved[name] = path.read_bytes()
    return saved


def as_shown(files: dict[str, bytes], workdir: Path) -> dict[str, list[list[str]]]:
    """Each sheet's first sheet as a Danish reader sees it in LibreOffice: rows of cell text."""
    return {
        name: list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))
        for name, content in convert(files, CSV_AS_SHOWN, workdir).items()
    }


def saved_by_libreoffice(files: dict[str, bytes], workdir: Path) -> dict[str, bytes]:
    """Each file as LibreOffice saves it again as xlsx: what a person's program uploads."""
    return convert(files, "xlsx", workdir)
