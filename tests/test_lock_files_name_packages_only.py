"""The lock files install the same packages on any machine, whatever the registry publishes.

A lock that carries the compiling machine's package-index options (an index URL, a folder of
wheels) installs differently, or not at all, elsewhere; a lock without the extras its packages
ask for is refused by pip's hash mode once a new release of the extra's package appears. The
installer itself is pinned in requirements-pip.lock, and the dev lock must agree with it.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCKS = sorted(ROOT.glob("requirements*.lock"))

REQUIREMENT = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._-]*)(\[[a-z0-9,._-]+\])?==(?P<version>\S+) \\$"
)
HASH = re.compile(r"^    --hash=sha256:[0-9a-f]{64}( \\)?$")


def pins(path: Path) -> dict[str, str]:
    return {
        match["name"]: match["version"]
        for line in path.read_text().splitlines()
        if (match := REQUIREMENT.match(line))
    }


def test_there_are_the_three_locks():
    assert [path.name for path in LOCKS] == [
        "requirements-dev.lock",
        "requirements-pip.lock",
        "requirements.lock",
    ]


@pytest.mark.parametrize("path", LOCKS, ids=lambda path: path.name)
def test_every_line_is_a_pinned_package_its_hashes_or_a_comment(path):
    strange = [
        f"{number}: {line}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.strip()
        and not line.lstrip().startswith("#")
        and not REQUIREMENT.match(line)
        and not HASH.match(line)
    ]
    assert strange == [], "an option, an index, a path or an unpinned package in the lock"


@pytest.mark.parametrize("path", LOCKS, ids=lambda path: path.name)
def test_no_index_or_local_path_even_in_comments(path):
    text = path.read_text()
    for needle in ("index-url", "find-links", "file://", "/opt/", "/tmp/", "/home/", "/root/"):
        assert needle not in text, needle


def test_extras_are_kept_so_hash_mode_needs_nothing_more():
    text = (ROOT / "requirements-dev.lock").read_text()
    assert "\nfonttools[woff]==" in text
    assert "\ndjango-import-export[xlsx]==" in text


def test_everyone_installs_with_the_pinned_pip():
    pip = pins(ROOT / "requirements-pip.lock")
    assert list(pip) == ["pip"]
    assert pins(ROOT / "requirements-dev.lock")["pip"] == pip["pip"]
    makefile = (ROOT / "Makefile").read_text()
    assert f"PIP_VERSION := {pip['pip']}\n" in makefile


def test_production_lock_is_the_dev_lock_without_the_tools():
    production, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: development.get(name) for name in production} == production
