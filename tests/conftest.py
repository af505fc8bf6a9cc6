"""Shared fixtures: the real Slagelse plan, loaded once, a cast of users by role, and a browser.

The fixture plan is loaded into the test database once per session; each test runs in a
transaction that is rolled back, so every test sees the plan exactly as the seed has it.

Browser tests (tests/browser.py) need the live server, so they commit for real and the
database is flushed after each. They are marked
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the database as it was
after loading the plan is kept as a serialised copy and restored before each of them, and
they run after every other test (pytest_collection_modifyitems below).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from activities.models import Activity, ReportingAssignment
from agreements.models import HousingArea, Membership, Plan, Role
from tests import browser as browser_helpers

PLAN_SLUG = "slagelse-2017-2021"
PASSWORD = "a-long-test-password"
# Every kind of logged-in user, by the name of its fixture below; coordinator_sydbyen is a
# coordinator of another area than the one the tests report for (Motalavej).
ROLES = [
    "secretariat",
    "superuser",
    "coordinator_motalavej",
    "coordinator_sydbyen",
    "board_member",
    "lbf_user",
    "outsider",
]


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        or (marker and marker.kwargs.get("transaction"))
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that flush the database after all others, not only after the other
    database tests as pytest-django orders them: a test it takes for one without a database
    (its user fixture chosen with request.getfixturevalue) would otherwise find it empty."""
    items.sort(key=_flushes_the_database)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("loaddata", "slagelse_2017_2021", verbosity=0)
        # Django serialised each database for serialized_rollback when it created it, before
        # the plan was loaded; serialise again so that the restore brings the plan back.
        # Only done when a collected test asked for it (Django then set the attribute).
        for connection in connections.all():
            if getattr(connection, "_test_serialized_contents", None) is not None:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def danish(settings):
    """Tests read pages as the users do: in Danish."""
    settings.LANGUAGE_CODE = "da"
    from django.utils import translation

    with translation.override("da"):
        yield


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(slug=PLAN_SLUG)


@pytest.fixture
def make_user(db, django_user_model):
    """Create a user with a role in a plan, optionally assigned areas or activities."""

    def make(
        username: str,
        role: str | None = None,
        plan: Plan | None = None,
        areas: list[HousingArea] = (),
        activities: list[Activity] = (),
        **extra,
    ):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)
        if role:
            membership = Membership.objects.create(
                user=user, plan=plan or Plan.objects.get(slug=PLAN_SLUG), role=role
            )
            for area in areas:
                ReportingAssignment.objects.create(membership=membership, area=area)
            for activity in activities:
                ReportingAssignment.objects.create(membership=membership, activity=activity)
        return user

    return make


@pytest.fixture
def secretariat(make_user, plan):
    return make_user("sekretariat", Role.SECRETARIAT, plan)


@pytest.fixture
def board_member(make_user, plan):
    return make_user("bestyrelse", Role.BOARD, plan)


@pytest.fixture
def lbf_user(make_user, plan):
    return make_user("lbf", Role.LBF, plan)


@pytest.fixture
def coordinator_motalavej(make_user, plan):
    return make_user(
        "koordinator-motalavej",
        Role.COORDINATOR,
        plan,
        areas=[HousingArea.objects.get(code="motalavej")],
    )


@pytest.fixture
def coordinator_sydbyen(make_user, plan):
    return make_user(
        "koordinator-sydbyen",
        Role.COORDINATOR,
        plan,
        areas=[HousingArea.objects.get(code="sydbyen")],
    )


@pytest.fixture
def outsider(make_user):
    """Logged in, but with no role in any plan."""
    return make_user("udenforstaaende")


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def make_plan(db):
    """Another plan in the same database, with its own delaftale and one housing area."""
    import datetime

    from agreements.models import FocusArea, FundingPeriod, PlanArea, Subagreement

    def make(slug: str, area_code: str = "andet-omraade") -> Plan:
        other = Plan.objects.create(
            name=f"Helhedsplan {slug}",
            slug=slug,
            funding_period=FundingPeriod.objects.get(code="2019-26"),
            start_date=datetime.date(2022, 1, 1),
            end_date=datetime.date(2025, 12, 31),
            budget_lbf=10_000_000,
            budget_local=5_000_000,
        )
        area, _ = HousingArea.objects.get_or_create(
            code=area_code, defaults={"name": area_code.replace("-", " ").title()}
        )
        PlanArea.objects.create(plan=other, area=area, position=1)
        Subagreement.objects.create(
            plan=other,
            focus_area=FocusArea.objects.get(code="beskaeftigelse"),
            valid_from=datetime.date(2022, 1, 1),
            budget_lbf=1_000_000,
            budget_local=500_000,
        )
        return other

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright; one for the whole session."""
    from playwright.sync_api import sync_playwright

    executable = browser_helpers.chromium_path()
    serialized = {c.alias: getattr(c, "_test_serialized_contents", None) for c in connections.all()}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's synchronous API keeps an asyncio loop running in this thread, which
        # Django takes for an async context; the ORM calls of the tests are still synchronous.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # In that "async context" Django hands out new connection objects (to the same test
        # databases); give them the serialised plan too, or serialized_rollback restores nothing.
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=browser_helpers.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh tab, with its own cookies, on a 1366x768 screen, in Danish.

    It asks for the live server so that it is closed first: a request still in flight when the
    server stops would use the database connection the server has already handed back.
    """
    context = browser.new_context(viewport=browser_helpers.DESKTOP, locale="da-DK")
    tab = context.new_page()
    # Every browser test also checks that no page broke the Content Security Policy.
    refused = []

    def note_refusal(message):
        if browser_helpers.is_csp_violation(message):
            refused.append(message.text)

    tab.on("console", note_refusal)
    yield tab
    context.close()
    assert not refused, "The Content Security Policy refused:\n" + "\n".join(refused)


@pytest.fixture(autouse=True, scope="session")
def each_pdf_laid_out_once():
    """WeasyPrint takes a second or more for an agreement, and many tests print the same one
    (the permission matrix, the stored documents, the inputs that must not fail): within a test
    run, the same HTML with the same stylesheet is laid out once and its bytes given again.
    A test that breaks the stylesheet (another path) is laid out afresh, and fails as it should.
    """
    from lib import pdf

    laid_out = pdf.html_to_pdf
    made: dict[tuple[str, str], bytes] = {}

    def html_to_pdf(html: str) -> bytes:
        key = (html, str(pdf._STYLESHEET))
        if key not in made:
            made[key] = laid_out(html)
        return made[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(pdf, "html_to_pdf", html_to_pdf)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """The static files collected as `make production` collects them (hashed names, each file
    compressed), once for the production runs that serve them: compressing them all takes
    half a minute."""
    folder = tmp_path_factory.mktemp("static")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helhedsplan.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder
