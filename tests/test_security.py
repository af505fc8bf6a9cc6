"""Security: login lockout, the Content Security Policy, the deployment checklist, session
expiry, limits on uploads, the public privacy and accessibility pages, and no secrets in the
repository."""

import datetime
import io
import os
import re
import secrets
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from axes.models import AccessAttempt
from defusedxml import EntitiesForbidden
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from indicators.models import Measurement
from tests.browser import axe_violations, format_violations, log_in
from tests.conftest import PASSWORD, PLAN_SLUG
from tests.test_quarter_entry_sheet import QUARTER, stored_state, upload_url
from tests.test_sheet_imports import GOOD_ROWS, MEASUREMENT_HEADINGS, xlsx

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def log_in_with(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


# Login lockout


def test_five_failed_logins_lock_the_account_until_the_cool_off_has_passed(client, board_member):
    for attempt in range(1, 5):
        response = log_in_with(client, "bestyrelse", "forkert-adgangskode")
        assert response.status_code == 200, attempt
    locked = log_in_with(client, "bestyrelse", "forkert-adgangskode")
    assert locked.status_code == 429

    # Now even the right password is refused, with a page that says why and for how long.
    refused = log_in_with(client, "bestyrelse", PASSWORD)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Kontoen er spærret lige nu" in text
    assert "prøv igen om 15 minutter" in text
    assert "_auth_user_id" not in client.session

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    response = log_in_with(client, "bestyrelse", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(board_member.pk)
    # A successful login wipes the failures, so that old typos do not count towards the next.
    assert not AccessAttempt.objects.filter(username="bestyrelse").exists()


def test_failures_on_one_account_do_not_lock_another(client, board_member, secretariat):
    for _ in range(5):
        log_in_with(client, "bestyrelse", "forkert-adgangskode")
    assert log_in_with(client, "sekretariat", PASSWORD).status_code == 302


def test_the_failure_limit_and_cool_off_are_settings(client, board_member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    log_in_with(client, "bestyrelse", "forkert")
    assert log_in_with(client, "bestyrelse", "forkert").status_code == 429


# Content Security Policy


@pytest.mark.parametrize("url_name", ["login", "privacy"])
def test_pages_forbid_inline_scripts_and_styles(client, url_name):
    policy = client.get(reverse(url_name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_has_inline_script_or_style():
    """The policy would refuse them; this names the template before a browser meets it."""
    offenders = []
    for template in BASE_DIR.glob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        # Templates for PDFs are drawn by WeasyPrint, never by a browser.
        if "/pdf/" in template.as_posix():
            continue
        for found in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son\w+=", text):
            offenders.append(f"{template.relative_to(BASE_DIR)}: {found.group(0)}")
    assert offenders == []


def test_the_dashboard_with_its_charts_has_no_inline_style(client, board_member):
    client.force_login(board_member)
    page = client.get(reverse("reports:dashboard", args=[PLAN_SLUG])).content.decode()
    assert "<svg" in page
    assert not re.search(r"\sstyle=|<style\b", page)


# The deployment checklist


def production_environment(**extra) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helhedsplan.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "helhedsplan.example.dk",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    environment.update(extra)
    return environment


def test_the_production_settings_pass_djangos_deployment_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_send_cookies_only_over_https_and_ask_for_hsts():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=BASE_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True", "28800"], (
        result.stderr
    )


# Sessions


def test_a_session_ends_with_the_browser_and_after_a_working_day_at_the_latest(
    client, board_member
):
    log_in_with(client, "bestyrelse", PASSWORD)
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 60 * 60
    # No expiry date on the cookie, so the browser forgets it when it closes.
    assert not client.cookies[settings.SESSION_COOKIE_NAME]["expires"]


# Uploads


def workbook_with(extra_member: tuple[str, bytes] | None = None, sheet_xml: bytes | None = None):
    """A real xlsx from openpyxl, with an added member or its sheet's XML replaced."""
    source = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(MEASUREMENT_HEADINGS)
    book.save(source)
    result = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            data = original.read(item.filename)
            if sheet_xml is not None and item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            copy.writestr(item, data)
        if extra_member:
            copy.writestr(extra_member[0], extra_member[1])
    return result.getvalue()


# 60 MB of zeros pack into about 60 kB.
ZIP_BOMB = ("xl/media/padding.bin", bytes(60 * 1024 * 1024))
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>'
    b"</worksheet>"
)


@pytest.fixture
def importer(client, secretariat):
    client.force_login(secretariat)
    return client


def upload_measurements(client, content: bytes):
    sheet = SimpleUploadedFile("maalinger.xlsx", content)
    return client.post(reverse("indicators:import", args=[PLAN_SLUG]), {"sheet": sheet})


def test_a_workbook_that_unpacks_to_far_too_much_is_refused_unread(importer):
    content = workbook_with(extra_member=ZIP_BOMB)
    assert len(content) < 1024 * 1024
    before = Measurement.objects.count()

    page = upload_measurements(importer, content).content.decode()

    assert "Regnearket fylder mere end 50 MB, når det pakkes ud" in page
    assert Measurement.objects.count() == before


def test_a_quarter_sheet_that_unpacks_to_far_too_much_is_refused(
    client, plan, coordinator_motalavej
):
    client.force_login(coordinator_motalavej)
    before = stored_state()
    sheet = SimpleUploadedFile("indberetning.xlsx", workbook_with(extra_member=ZIP_BOMB))

    response = client.post(upload_url(plan), {"sheet": sheet})

    assert "pakkes ud" in str(response.context["upload"].errors["sheet"])
    assert stored_state() == before


def test_the_admin_import_refuses_a_workbook_that_unpacks_to_far_too_much(client, secretariat):
    client.force_login(secretariat)
    sheet = io.BytesIO(workbook_with(extra_member=ZIP_BOMB))
    sheet.name = "maalinger.xlsx"
    response = client.post(
        reverse("admin:indicators_measurement_import"),
        {"resource": "0", "format": "0", "import_file": sheet},
    )
    assert "pakkes ud" in response.content.decode()


def test_an_xml_bomb_in_a_workbook_is_refused_not_expanded(importer):
    # openpyxl reads through defusedxml only when it is installed; it is a dependency for this.
    assert openpyxl.DEFUSEDXML is True
    before = Measurement.objects.count()

    content = workbook_with(sheet_xml=BILLION_LAUGHS)
    with pytest.raises(ValueError) as refused:
        XLSX().create_dataset(content)
    assert isinstance(refused.value.__cause__, EntitiesForbidden)

    page = upload_measurements(importer, content).content.decode()

    assert "Filen kunne ikke læses som en Excel-projektmappe" in page
    assert Measurement.objects.count() == before


def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(importer):
    before = Measurement.objects.count()
    huge = SimpleUploadedFile("maalinger.xlsx", bytes(11 * 1024 * 1024))

    response = upload_measurements(importer, huge.read())

    assert response.status_code == 413
    assert "Filen er for stor" in response.content.decode()
    assert Measurement.objects.count() == before


def test_a_good_sheet_still_passes_the_checks(importer):
    sheet = xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS[:1])
    response = upload_measurements(importer, sheet.getvalue())
    assert 'name="token"' in response.content.decode()


# Public pages


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [("privacy", "Privatlivspolitik"), ("accessibility", "Tilgængelighedserklæring")],
)
def test_the_privacy_policy_and_accessibility_statement_are_public(client, url_name, heading):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_the_privacy_policy_says_what_personal_data_is_kept_and_for_how_long(client):
    text = client.get(reverse("privacy")).content.decode()
    assert "Din brugerkonto: brugernavn, navn og e-mailadresse" in text
    assert "spærres efter 5 forkerte forsøg" in text
    assert "senest efter 8 timer" in text


def footer_of(client, url: str) -> str:
    page = client.get(url).content.decode()
    return page[page.index("<footer") :]


def test_every_page_links_to_both_from_its_footer(client, board_member, settings):
    footers = [footer_of(client, reverse("login"))]
    client.force_login(board_member)
    footers.append(footer_of(client, reverse("reports:dashboard", args=[PLAN_SLUG])))
    for footer in footers:
        assert f'<a href="{reverse("privacy")}">Privatlivspolitik</a>' in footer
        assert f'<a href="{reverse("accessibility")}">Tilgængelighedserklæring</a>' in footer

    settings.ACCESSIBILITY_STATEMENT_URL = "https://www.was.digst.dk/helhedsplan-example"
    footer = footer_of(client, reverse("privacy"))
    assert '<a href="https://www.was.digst.dk/helhedsplan-example">' in footer


# Secrets


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    return [BASE_DIR / name for name in listed.split("\0") if name]


def test_no_secret_is_kept_in_the_repository():
    files = tracked_files()
    assert BASE_DIR / ".env" not in files
    # A private key, a password in a database or mail address other than the documented
    # example, or a SECRET_KEY given as a literal: only keys that say they are no secret
    # (development with DEBUG on, the test suite), a placeholder ("...") and a key made up
    # on the spot ("$(...)") may be written down.
    patterns = re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
        r"|SECRET_KEY[\"']?\s*[=:]\s*[\"'](?![^\"']*not-secret|\$\()[^\"']+[\"']"
        r"|^SECRET_KEY=(?!\.\.\.)\S"
        r"|://[^/\s:@]+:[^/\s@]+@(?!smtp\.example\.org)"
    )
    found = []
    for path in files:
        if path.suffix in {".png", ".pdf", ".xlsx", ".woff", ".woff2", ".mo"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if patterns.search(line):
                found.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert found == []


# In a real browser: the pages the secretariat uses, including the administration, run under
# the policy without a single refusal (the `page` fixture fails the test on any).


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_secretariats_pages_and_the_administration_run_under_the_policy(
    page, live_server, secretariat
):
    log_in(page, live_server, "sekretariat", PASSWORD)
    for url in (
        reverse("reports:dashboard", args=[PLAN_SLUG]),
        reverse("activities:entry", args=[PLAN_SLUG, QUARTER.code]),
        reverse("indicators:plan", args=[PLAN_SLUG]),
        reverse("admin:index"),
        reverse("admin:activities_activity_changelist"),
        reverse("admin:activities_activity_change", args=[_first_activity_pk()]),
        reverse("admin:indicators_measurement_import"),
        reverse("privacy"),
    ):
        page.goto(live_server.url + url)
        assert page.locator("h1").first.is_visible(), url
    page.goto(live_server.url + reverse("privacy"))
    assert not (found := axe_violations(page)), format_violations(found)


def _first_activity_pk() -> int:
    from activities.models import Activity

    return Activity.objects.order_by("pk").values_list("pk", flat=True).first()


@pytest.mark.parametrize("url_name", ["privacy", "accessibility"])
def test_the_public_pages_ask_the_database_only_for_the_visitor(
    client, board_member, django_assert_num_queries, url_name
):
    # Only the request's savepoint and its release (ATOMIC_REQUESTS).
    with django_assert_num_queries(2):
        client.get(reverse(url_name))
    client.force_login(board_member)
    # Then also the session and the user, for the name in the header.
    with django_assert_num_queries(4):
        client.get(reverse(url_name))
