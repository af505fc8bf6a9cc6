"""Two app servers behind one proxy: gunicorn started twice, as `make production` starts it,
on one PostgreSQL and one Redis. A login on one holds on the other; a figure saved through one
is on the other's entry page, dashboard and status report at once, though both had the
dashboard in the shared cache; and a bounded load spread over both answers without an error.

PostgreSQL only: that is the database several servers share in production (the suite's
PostgreSQL run has it; SQLite is for one server)."""

import importlib.util
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from io import BytesIO

import pytest
from django.conf import settings
from pypdf import PdfReader

from tests.test_production_run import (
    BASE_DIR,
    GUNICORN,
    REDIS_URL,
    free_port,
    on_postgresql,
    recreate_postgresql_database,
    redis_answers,
)

pytestmark = pytest.mark.skipif(
    not on_postgresql(), reason="Two app servers share one PostgreSQL; SQLite is for one."
)

SLUG = "slagelse-2017-2021"
DASHBOARD = f"/planer/{SLUG}/status/?periode=2019H1"
ENTRY = f"/planer/{SLUG}/oekonomi/tryghed/"
REPORT = f"/planer/{SLUG}/status/statusrapport-2019H1.pdf"
PASSWORD = secrets.token_urlsafe(16)
CREATE_USER = f"""
from django.contrib.auth import get_user_model
from agreements.models import Membership, Plan, Role
user = get_user_model().objects.create_user("sekretariat", password={PASSWORD!r})
Membership.objects.create(user=user, plan=Plan.objects.get(slug={SLUG!r}), role=Role.SECRETARIAT)
"""


def browser_class():
    """The load test's browser: a login as a person does it, cookies, and the proxy's headers."""
    spec = importlib.util.spec_from_file_location("load_test", BASE_DIR / "bench" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.Browser


def start(environment: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "helhedsplan.wsgi", "--config", "helhedsplan/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env={**environment, "BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def servers(tmp_path_factory, collected_static):
    if not redis_answers():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"No Redis answers at {REDIS_URL}, and REQUIRE_REDIS is set.")
        pytest.skip(f"No Redis answers at {REDIS_URL}.")
    name = f"{settings.DATABASES['default']['NAME']}_two_servers"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helhedsplan.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": recreate_postgresql_database(name),
        "CACHE_URL": f"{REDIS_URL}?KEY_PREFIX=two-servers-{secrets.token_hex(6)}",
        "STATIC_ROOT": str(collected_static),
        "WEB_CONCURRENCY": "2",
    }
    for command in (
        ["migrate", "--verbosity", "0"],
        ["load_plan", SLUG.replace("-", "_")],
        ["shell", "-c", CREATE_USER],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )
    ports = [free_port(), free_port()]
    processes = [start(environment, port) for port in ports]
    yield ports
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
    recreate_postgresql_database(name, drop_only=True)


def form_of(page: bytes) -> dict[str, str]:
    """The fields of the page's form as a browser submits them, the CSRF token included."""
    fields = {}
    for tag in re.findall(rb"<input[^>]*>", page):
        name = re.search(rb'name="([^"]+)"', tag)
        value = re.search(rb'value="([^"]*)"', tag)
        if name and b'type="file"' not in tag:
            fields[name.group(1).decode()] = value.group(1).decode() if value else ""
    return fields


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(content)).pages)


def test_a_change_through_one_server_is_seen_at_once_through_the_other(servers):
    Browser = browser_class()
    one = Browser(f"http://127.0.0.1:{servers[0]}", 60)
    other = Browser(f"http://127.0.0.1:{servers[1]}", 60)
    one.log_in("sekretariat", PASSWORD)
    # The session is in the database: the login holds on the other server.
    other.cookies = dict(one.cookies)
    for browser in (one, other):  # both read the dashboard, and it is in the shared cache
        status, _headers, page = browser.request("GET", DASHBOARD)
        assert status == 200
        assert "Der er ikke indtastet noget forbrug for årene til og med 2018." in page.decode()

    status, _headers, page = one.request("GET", ENTRY)
    fields = form_of(page)
    fields["amounts-2-amount"] = "1234567"  # 2018, Landsbyggefonden
    status, headers, _page = one.request("POST", ENTRY, fields)
    assert status == 302, headers

    status, _headers, page = other.request("GET", ENTRY)
    assert 'value="1234567"' in page.decode()
    status, _headers, page = other.request("GET", DASHBOARD)
    assert "Til og med 2018 er 3,0 % af delaftalernes budget brugt" in page.decode()
    status, _headers, content = other.request("GET", REPORT)
    assert status == 200
    text = pdf_text(content)
    assert "Landsbyggefonden 6.497 1.235 mangler 2017 5.262 19,0 %" in text, text[-2000:]


def test_a_load_spread_over_both_servers_has_no_error(servers):
    Browser = browser_class()
    signed_in = Browser(f"http://127.0.0.1:{servers[0]}", 60)
    signed_in.log_in("sekretariat", PASSWORD)
    results: list[int] = []
    end = time.monotonic() + 15

    def user(port: int) -> None:
        browser = Browser(f"http://127.0.0.1:{port}", 30)
        browser.cookies = dict(signed_in.cookies)
        while time.monotonic() < end:
            status, _headers, _page = browser.request("GET", DASHBOARD)
            results.append(status)

    threads = [threading.Thread(target=user, args=(servers[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    print(f"{len(results)} dashboards in 15 s over two servers: {len(results) / 15:.1f}/s")
    assert len(results) > 15
    assert set(results) == {200}
