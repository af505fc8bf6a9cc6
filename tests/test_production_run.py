"""The production run: gunicorn serving the application with production settings, static
files from whitenoise, the security headers, and the health check; started as `make
production` starts it, against a database of its own."""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The shared cache of the production run. Where no Redis answers, the run keeps its cache in
# memory and the Redis test skips, unless REQUIRE_REDIS is set (CI sets it and starts one).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CACHE_PREFIX = f"production-run-{secrets.token_hex(6)}"


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def recreate_postgresql_database(name: str, *, drop_only: bool = False) -> str:
    """Drop the database `name` beside the test database and, unless drop_only, create it
    empty; its URL."""
    import psycopg

    database = settings.DATABASES["default"]
    user, host, port = database["USER"], database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    password = database["PASSWORD"]
    with psycopg.connect(
        dbname="postgres", user=user, password=password, host=host, port=port, autocommit=True
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{host}:{port}/{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, collected_static):
    """gunicorn with production settings on a free port, over a fresh database with the real
    plan, and the static files collected as `make production` collects them."""
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    # The production database: PostgreSQL when the suite runs on it, else an SQLite file.
    postgresql_name = f"{settings.DATABASES['default']['NAME']}_production_run"
    if on_postgresql():
        database_url = recreate_postgresql_database(postgresql_name)
    else:
        database_url = f"sqlite:///{folder / 'db.sqlite3'}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helhedsplan.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(collected_static),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    if redis_answers():
        environment["CACHE_URL"] = f"{REDIS_URL}?KEY_PREFIX={CACHE_PREFIX}"
    elif os.environ.get("REQUIRE_REDIS"):
        pytest.fail(f"No Redis answers at {REDIS_URL}, and REQUIRE_REDIS is set.")
    for command in (
        ["migrate", "--verbosity", "0"],
        ["load_plan", "slagelse_2017_2021"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )
    process = subprocess.Popen(
        [GUNICORN, "helhedsplan.wsgi", "--config", "helhedsplan/gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=30)
    if on_postgresql():
        recreate_postgresql_database(postgresql_name, drop_only=True)


def get(port: int, path: str, *, over_https: bool = True):
    """A GET as the TLS proxy in front of gunicorn forwards it (or, without over_https, as a
    request that bypassed the proxy over plain HTTP)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1"}
    if over_https:
        headers["X-Forwarded-Proto"] = "https"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_the_health_check_reports_the_database(server):
    response, body = get(server, "/helbred/")
    assert response.status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_the_cache_is_the_shared_redis(server):
    """The health check's key lands in Redis under the run's prefix: the cache is the one
    every app server given the same CACHE_URL shares, not each process's memory."""
    if not redis_answers():
        pytest.skip("No Redis answers here (CI requires one).")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(f"{CACHE_PREFIX}:1:health-check")
    response, _body = get(server, "/helbred/")
    assert response.status == 200
    assert client.exists(f"{CACHE_PREFIX}:1:health-check") == 1


def test_plain_http_is_sent_to_https(server):
    response, _body = get(server, "/login/", over_https=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/login/"


def test_pages_carry_the_security_headers_and_secure_cookies(server):
    response, body = get(server, "/login/")
    assert response.status == 200
    assert "Log ind" in body.decode()
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    cookie = response.getheader("Set-Cookie")
    assert "csrftoken=" in cookie
    assert "Secure" in cookie


def test_pages_need_a_login(server):
    response, _body = get(server, "/planer/slagelse-2017-2021/status/")
    assert response.status == 302
    assert response.getheader("Location").startswith("/login/?next=")


def test_static_files_are_served_with_hashed_names_compressed_and_cached_for_good(server):
    _response, body = get(server, "/login/")
    stylesheet = re.search(r'href="(/static/css/helhedsplan\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the page does not link the hashed stylesheet"
    response, css = get(server, stylesheet.group(1))
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert "immutable" in response.getheader("Cache-Control")
    assert b".footer-links" in css
    # The design system's stylesheet finds its fonts under their hashed names too.
    dkfds = re.search(r'href="(/static/dkfds/css/dkfds\.min\.[0-9a-f]{12}\.css)"', body.decode())
    _response, dkfds_css = get(server, dkfds.group(1))
    font = re.search(rb"url\(\"?(\.\./fonts/[^)\"]+\.[0-9a-f]{12}\.woff2)", dkfds_css)
    assert font, "the fonts are not linked by hashed names"
    font_path = "/static/dkfds/" + font.group(1).decode().removeprefix("../")
    assert get(server, font_path)[0].status == 200
