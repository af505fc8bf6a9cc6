"""Ten people saving the same quarter at the same moment on SQLite: each save waits its turn,
one goes through and the others are told someone else saved meanwhile; none gets the 503 page.

SQLite lets one transaction write at a time. A transaction that read first and asks to write
while another writes is refused at once ("database is locked", the 503 page), so the settings
make every transaction take the write lock when it begins and wait for it (helhedsplan/
settings.py). This is tested on a real file: the test database lives in memory, shared by the
process's connections with table locks of its own, which a file does not have. So the race
runs in a child process whose DATABASE_URL names a new file, migrated and loaded with the real
plan there (copying the in-memory database instead would wait forever for any lock another
test's connection still holds on it), and which otherwise has the application's
own settings: each reporter is a thread with its own connection, opens the entry form, waits
for the others, and saves through the real view, in one transaction per request
(ATOMIC_REQUESTS), as on the server.

On PostgreSQL the same race is tested inside the view (tests/test_concurrency_postgres.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities.models import Metric, QuarterlyCount, ReportingAssignment
from agreements.models import HousingArea, Membership, Plan, Role
from tests.page_forms import form_fields

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="About SQLite's locking; PostgreSQL locks rows."
)

REPORTERS = 10
ROUNDS = 3
STALE_QUARTER = "Nogen anden gemte kvartalet, mens du redigerede"

CHILD = """
import json, sys
import django
from django.test.utils import setup_test_environment
django.setup()
setup_test_environment()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_plan", "slagelse_2017_2021", verbosity=0)
from tests.test_sqlite_concurrent_saves import save_together
print(json.dumps(save_together(reporters=int(sys.argv[1]), rounds=int(sys.argv[2]))))
"""


def save_together(*, reporters: int, rounds: int) -> dict:
    """In the child process: `reporters` coordinators of Motalavej each open the quarter,
    wait for one another, and save their own number in the same field at once, `rounds`
    times. Returns every save's status and whether its page says someone else saved."""
    plan = Plan.objects.get(slug="slagelse-2017-2021")
    motalavej = HousingArea.objects.get(code="motalavej")
    clients = []
    for number in range(reporters):
        user = get_user_model().objects.create_user(f"koordinator-{number}", password="x" * 12)
        membership = Membership.objects.create(user=user, plan=plan, role=Role.COORDINATOR)
        ReportingAssignment.objects.create(membership=membership, area=motalavej)
        client = Client()
        client.force_login(user)
        clients.append(client)
    volunteers = Metric.objects.get(activity__subagreement__plan=plan, name="Aktive frivillige")
    field = f"c_{volunteers.pk}_{motalavej.pk}"
    url = reverse("activities:entry", args=[plan.slug, "2018K1"]) + "?omraade=motalavej"
    saves, stored = [], []
    for round_ in range(rounds):
        barrier = threading.Barrier(reporters)
        outcomes: list = [None] * reporters
        threads = [
            threading.Thread(
                target=open_and_save,
                args=[clients[number], url, {field: str(100 * round_ + number)}, barrier],
                kwargs={"outcomes": outcomes, "number": number},
            )
            for number in range(reporters)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        saves.append(outcomes)
        stored.append(QuarterlyCount.objects.get(metric=volunteers, area=motalavej).value)
    return {"saves": saves, "stored": stored}


def open_and_save(client, url, typed: dict, barrier, *, outcomes: list, number: int) -> None:
    """One reporter's thread: open the form, wait for the others, save what they typed; note
    the status and whether the page says someone else saved meanwhile."""
    try:
        form = form_fields(client.get(url))
        barrier.wait(timeout=60)
        response = client.post(url, form | typed | {"action": "save"})
        outcomes[number] = [response.status_code, STALE_QUARTER in response.content.decode()]
    except Exception as error:  # reported to the test, which fails on it
        outcomes[number] = [repr(error), False]
    finally:
        connection.close()


def test_concurrent_saves_of_a_quarter_wait_their_turn_and_never_meet_a_locked_database(
    tmp_path,
):
    database = tmp_path / "helhedsplan.sqlite3"
    environment = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "helhedsplan.test_settings",
    }
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPORTERS), str(ROUNDS)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr
    assert "database is locked" not in child.stderr
    result = json.loads(child.stdout.splitlines()[-1])
    for round_, (outcomes, stored) in enumerate(
        zip(result["saves"], result["stored"], strict=True)
    ):
        # One save went through; every other one was told why not, none got the 503 page.
        assert sorted(status for status, _stale in outcomes) == [200] * (REPORTERS - 1) + [302]
        assert all(stale for status, stale in outcomes if status == 200)
        (winner,) = (number for number, (status, _) in enumerate(outcomes) if status == 302)
        assert stored == 100 * round_ + winner
