"""While the database cannot be reached, every page answers a Danish 503 page without a stack
trace, and pages work again by themselves as soon as the database is back.

On PostgreSQL the outage is real: the live server reaches the database through a small TCP
proxy in this module, and stopping the proxy closes its listening socket and every connection
it forwards, as a database server that goes away does. Starting it again on the same port is the
database coming back; the server is not restarted in between. A restart between two requests
is also tried with a persistent connection (CONN_MAX_AGE), which CONN_HEALTH_CHECKS replaces
unnoticed. On SQLite the connection is pointed at a file that cannot be opened.
"""

from __future__ import annotations

import io
import json
import logging
import selectors
import socket
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse

from helhedsplan.faults import server_error

DANISH_503 = "Helhedsplan er midlertidigt utilgængelig"
TRY_AGAIN = "Prøv igen om lidt."
SECONDS = 5  # every connection attempt and request here gives up after this

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the proxy stands between Django and PostgreSQL"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="an SQLite file path")


class DatabaseProxy:
    """Forwards 127.0.0.1:<port> to the database server, until it is stopped."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.threads: list[threading.Thread] = []
        self.listener: socket.socket | None = None
        self.accepted = 0

    def start(self) -> None:
        self.running = True
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.05)
        self.spawn(self.accept, self.listener)

    def stop(self) -> None:
        """The database goes away: refuse new connections and cut every open one."""
        self.running = False
        while self.threads:  # the listener's thread first: it starts no more after that
            thread = self.threads.pop(0)
            thread.join(SECONDS)
            assert not thread.is_alive()
        assert not self.sockets

    def spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def accept(self, listener: socket.socket) -> None:
        with listener:
            while self.running:
                try:
                    client, _address = listener.accept()
                except TimeoutError:
                    continue
                self.accepted += 1
                self.spawn(self.forward, client)

    def forward(self, client: socket.socket) -> None:
        client.setblocking(True)
        try:
            upstream = socket.create_connection(self.target, timeout=SECONDS)
        except OSError:
            client.close()
            return
        pair = {client: upstream, upstream: client}
        with self.lock:
            self.sockets.update(pair)
        with selectors.DefaultSelector() as selector:
            for sock in pair:
                selector.register(sock, selectors.EVENT_READ)
            try:
                while self.running:
                    for key, _events in selector.select(timeout=0.05):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        pair[key.fileobj].sendall(data)
            except OSError:
                return
            finally:
                with self.lock:
                    for sock in pair:
                        self.sockets.discard(sock)
                        sock.close()


@pytest.fixture
def proxy(monkeypatch):
    """The database reached through a proxy, with short timeouts, for the live server.

    The live server's threads open their connections from this same settings dictionary; the
    test's own connection is opened first and keeps going straight to the database.
    """
    connection.ensure_connection()
    settings_dict = connections["default"].settings_dict
    proxy = DatabaseProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"])))
    proxy.start()
    monkeypatch.setitem(settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(settings_dict, "PORT", str(proxy.port))
    monkeypatch.setitem(
        settings_dict, "OPTIONS", {**settings_dict["OPTIONS"], "connect_timeout": SECONDS}
    )
    yield proxy
    proxy.stop()


@dataclass
class Page:
    status: int
    headers: dict
    text: str


def fetch(url: str, session: str | None = None) -> Page:
    request = urllib.request.Request(url)
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    try:
        with urllib.request.urlopen(request, timeout=SECONDS) as response:
            return Page(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, dict(error.headers), error.read().decode())


def logged_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def database_errors_logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


def assert_the_danish_503_page(page: Page) -> None:
    assert page.status == 503
    assert page.headers["Retry-After"] == "30"
    assert "no-cache" in page.headers["Cache-Control"]
    assert DANISH_503 in page.text
    assert TRY_AGAIN in page.text
    assert "Traceback" not in page.text
    assert "OperationalError" not in page.text


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_answer_503_while_postgresql_is_away_and_recover_when_it_is_back(
    live_server, proxy, django_user_model, caplog
):
    user = django_user_model.objects.create_user("koordinator", password="a-long-password")
    session = logged_in_session(user)
    home, health = live_server.url + reverse("home"), live_server.url + reverse("health")

    before = fetch(home, session)
    assert before.status == 200
    assert "Logget ind som koordinator" in before.text
    assert proxy.accepted >= 1  # the live server does go through the proxy

    proxy.stop()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        away = fetch(home, session)
        plans_page = fetch(live_server.url + reverse("plans"), session)
    assert_the_danish_503_page(away)
    assert_the_danish_503_page(plans_page)
    logged = database_errors_logged(caplog)
    assert len(logged) == 2  # one line per failed request, no more
    assert all(record.exc_info is None for record in logged)
    assert "Database unavailable: GET /" in logged[0].getMessage()
    down = fetch(health)
    assert (down.status, json.loads(down.text)) == (
        503,
        {"status": "error", "database": "unavailable"},
    )

    proxy.start()
    back = fetch(home, session)
    assert back.status == 200
    assert "Logget ind som koordinator" in back.text
    up = fetch(health)
    assert (up.status, json.loads(up.text)) == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok"},
    )


class PersistentWorker:
    """One thread serving requests one after the other through Django's WSGI handler, with
    the request signals a WSGI server sends, so its connection lives on between requests as
    in production with CONN_MAX_AGE (the live server closes it after every request)."""

    def __init__(self):
        self.thread = ThreadPoolExecutor(max_workers=1)
        self.handler = WSGIHandler()

    def request(self, method: str, path: str, body: str = "", **headers) -> Page:
        return self.thread.submit(self.serve, method, path, body, headers).result(SECONDS * 2)

    def serve(self, method: str, path: str, body: str, headers: dict) -> Page:
        data = body.encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(data),
            "CONTENT_LENGTH": str(len(data)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            **{"HTTP_" + name.upper(): value for name, value in headers.items()},
        }
        started = {}

        def start_response(status, response_headers):
            started["status"], started["headers"] = int(status.split()[0]), dict(response_headers)

        response = self.handler(environ, start_response)
        try:
            text = b"".join(response).decode()
        finally:
            response.close()  # as a WSGI server does: the end of the request
        return Page(started["status"], started["headers"], text)

    def close(self) -> None:
        self.thread.submit(connections.close_all).result(SECONDS)
        self.thread.shutdown()


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_restart_between_two_requests_goes_unnoticed_with_persistent_connections(
    proxy, monkeypatch, django_user_model
):
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 600)
    user = django_user_model.objects.create_user("koordinator", password="a-long-password")
    session = logged_in_session(user)
    worker = PersistentWorker()
    # Logging in queries the users inside the request's transaction; the front page
    # loads the session before it.
    login = "username=koordinator&password=a-long-password&csrfmiddlewaretoken=" + "a" * 32
    csrf = {"cookie": "csrftoken=" + "a" * 32}
    try:
        assert worker.request("GET", "/", cookie=f"sessionid={session}").status == 200
        assert worker.request("POST", "/login/", login, **csrf).status == 302
        assert proxy.accepted == 1  # one connection, kept

        proxy.stop()
        proxy.start()
        assert worker.request("POST", "/login/", login, **csrf).status == 302
        assert proxy.accepted == 2

        proxy.stop()
        proxy.start()
        assert worker.request("GET", "/", cookie=f"sessionid={session}").status == 200
        assert proxy.accepted == 3
    finally:
        worker.close()


@pytest.fixture
def unreachable_sqlite(tmp_path):
    """Swap the connection for one to a file in a folder that does not exist, then back."""
    working = connections["default"]
    settings_dict = {**working.settings_dict, "NAME": str(tmp_path / "missing" / "db.sqlite3")}
    broken = type(working)(settings_dict, "default")

    class Outage:
        def begin(self):
            connections["default"] = broken

        def end(self):
            connections["default"] = working

    yield Outage()
    connections["default"] = working
    broken.close()


@sqlite_only
@pytest.mark.django_db
def test_pages_answer_503_while_sqlite_cannot_be_opened_and_recover_after(
    unreachable_sqlite, django_user_model, caplog
):
    user = django_user_model.objects.create_user("koordinator", password="a-long-password")
    client = Client(raise_request_exception=False)
    client.force_login(user)

    unreachable_sqlite.begin()
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("home"))
    page = Page(response.status_code, dict(response.headers), response.content.decode())
    assert_the_danish_503_page(page)
    assert [record.exc_info for record in database_errors_logged(caplog)] == [None]
    for asking in (client, Client()):  # with and without a session cookie
        down = asking.get(reverse("health"))
        assert (down.status_code, down.json()) == (
            503,
            {"status": "error", "database": "unavailable"},
        )

    unreachable_sqlite.end()
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Logget ind som koordinator" in response.content.decode()


@pytest.mark.django_db
def test_the_health_check_answers_ok_public_and_uncached(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post(reverse("health")).status_code == 405


def test_an_error_raised_while_handling_a_database_error_is_still_503():
    request = RequestFactory().get("/planer/")
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise RuntimeError("the rollback failed too")  # noqa: B904
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 503
    assert DANISH_503 in response.content.decode()


def test_any_other_error_is_still_the_500_page():
    request = RequestFactory().get("/planer/")
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Der gik noget galt" in response.content.decode()


@pytest.mark.django_db
def test_the_health_check_answers_503_while_the_shared_cache_is_down(client, settings, caplog):
    """A server whose Redis is gone would serve pages that forget what the other servers
    cached: the balancer is told to stop sending it requests."""
    from django.core.cache import caches

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    try:
        with caplog.at_level(logging.ERROR, logger="helhedsplan.faults"):
            response = client.get(reverse("health"))
    finally:
        caches["default"].close()
    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "cache": "unavailable"},
    )
    assert "The cache does not answer." in caplog.text
