"""Helpers for tests that drive a real Chromium against the live server.

The browser is Debian's chromium (`apt-get install chromium`), driven by Playwright; Playwright's
own browser downloads are never used. The fixtures that use these helpers (`browser`, `page`)
are in conftest.py. A browser test looks like:

    @pytest.mark.browser
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_something(page, live_server, secretariat):
        log_in(page, live_server, "sekretariat", PASSWORD)
        ...
        assert not (found := axe_violations(page)), format_violations(found)
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str:
    """Debian's chromium, or CHROMIUM_PATH; failing (not skipping) when it is not there."""
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"No Chromium at {path}. The browser tests need Debian's chromium: "
            "`sudo apt-get install chromium` (or set CHROMIUM_PATH to another Chromium). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    return path


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the login form, typing and clicking as a person would."""
    page.goto(live_server.url + reverse("login"))
    page.locator("#id_username").click()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.locator("#main-content form button[type=submit]").click()
    page.wait_for_load_state()
    if page.url.startswith(live_server.url + reverse("login")):
        raise AssertionError(
            f"Logging in as {username!r} failed; the page says:\n"
            + page.locator("#main-content").inner_text()
        )


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts.

    Each is a dict of `id`, `impact`, `help` and `targets` (CSS selectors of the nodes), short
    enough to read in an assertion message (see `format_violations`).
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make install` (npm ci).", pytrace=False)
    # Evaluated through the browser's debugging protocol rather than added as a <script> tag:
    # the pages' Content Security Policy rightly refuses inline scripts. Without preloading:
    # to read the style sheets, axe copies one with an @import (the admin's forms.css) into a
    # <style> element, which the policy rightly refuses too; the one rule that needs them asks
    # whether a page locks the screen's orientation, which none does.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (impacts) => {
            const results = await axe.run(document, {
                resultTypes: ["violations"],
                preload: false,
            });
            return results.violations
                .filter((violation) => impacts.includes(violation.impact))
                .map((violation) => ({
                    id: violation.id,
                    impact: violation.impact,
                    help: violation.help,
                    targets: violation.nodes.map((node) => node.target.join(" ")),
                }));
        }""",
        list(impacts),
    )


def format_violations(violations: list[dict]) -> str:
    """One line per violation and one per offending node, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        lines.extend(f"    {target}" for target in violation["targets"])
    return "\n".join(lines)


def has_horizontal_scrollbar(page) -> bool:
    """Whether the page is wider than the window, so that it scrolls sideways."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def is_csp_violation(message) -> bool:
    """Whether a browser console message reports something the Content Security Policy
    refused (an inline script or style, a resource from elsewhere)."""
    return message.type == "error" and "Content Security Policy" in message.text
