"""A real OpenID Connect provider for the tests, and Helhedsplan set up to sign in through it.

`running_provider` starts tests/oidc/provider.mjs (the certified `oidc-provider` package, from
`npm ci`) on a free port of 127.0.0.1, waits until its discovery document answers and stops it
afterwards. The live server's address is its client's redirect URI, so it is started once the
live server is known. Tests are skipped only when Node.js itself is missing.

`signing_in_through` configures the settings as OIDC_ISSUER and friends would at start-up, and
registers the /oidc/ URLs for the test (they exist only where the organisation's login is
configured), removing them again afterwards.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import queue
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import clear_url_caches

SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
PACKAGE = Path(django_settings.BASE_DIR) / "node_modules" / "oidc-provider"
BACKEND = "accounts.backends.OrganisationLoginBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CLIENT_ID = "helhedsplan-test"
START_SECONDS = 30


@dataclass(frozen=True)
class Person:
    """Someone with an account at the organisation's provider."""

    login: str
    password: str
    sub: str
    claims: dict


@dataclass
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    # What the provider reported (a refused token request, a finished logout), in order.
    events: list[dict] = field(default_factory=list)

    def wait_for(self, event: str, seconds: float = 10) -> dict:
        """The first reported `event`, waiting for it a little if it has not come yet."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for reported in list(self.events):
                if reported["event"] == event:
                    return reported
            time.sleep(0.05)
        raise AssertionError(f"The provider did not report {event}; it reported {self.events}")


def node() -> str:
    found = shutil.which("node")
    if not found:
        pytest.skip("Node.js is missing: these tests run a real OpenID Connect provider on it.")
    if not PACKAGE.exists():
        pytest.fail(f"{PACKAGE} is missing: run `make install` (npm ci).", pytrace=False)
    return found


@contextmanager
def running_provider(
    *, site_url: str, people: list[Person], code_seconds: int = 60
) -> Iterator[RunningProvider]:
    """The provider, with one client whose redirect URIs are on `site_url`."""
    secret = secrets.token_urlsafe(32)
    environment = {
        **os.environ,
        "OIDC_TEST_CLIENT_ID": CLIENT_ID,
        "OIDC_TEST_CLIENT_SECRET": secret,
        "OIDC_TEST_REDIRECT_URI": f"{site_url}/oidc/callback/",
        "OIDC_TEST_POST_LOGOUT_REDIRECT_URI": f"{site_url}/login/",
        "OIDC_TEST_USERS": json.dumps([person.__dict__ for person in people]),
        "OIDC_TEST_CODE_TTL": str(code_seconds),
    }
    process = subprocess.Popen(
        [node(), str(SCRIPT)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[dict | None] = queue.Queue()
    errors: list[str] = []

    def read_events() -> None:
        for line in process.stdout:
            lines.put(json.loads(line))
        lines.put(None)

    def read_errors() -> None:
        errors.extend(process.stderr)

    threading.Thread(target=read_events, daemon=True).start()
    threading.Thread(target=read_errors, daemon=True).start()
    try:
        try:
            listening = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            listening = None
        if listening is None:
            process.kill()
            process.wait()
            raise AssertionError(f"The test provider did not start: {''.join(errors)}")
        provider = RunningProvider(listening["issuer"], CLIENT_ID, secret)
        wait_for_discovery(provider.issuer)

        def collect() -> None:
            while (event := lines.get()) is not None:
                provider.events.append(event)

        threading.Thread(target=collect, daemon=True).start()
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_discovery(issuer: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"The test provider at {issuer} never answered.")
        time.sleep(0.1)


def reload_urls() -> None:
    import helhedsplan.urls

    importlib.reload(helhedsplan.urls)
    clear_url_caches()


@contextmanager
def signing_in_through(
    settings,
    issuer: str,
    *,
    client_secret: str = "test-secret-not-secret",
    local_login: bool = True,
    **overrides,
) -> Iterator[None]:
    """The settings helhedsplan/settings.py makes from OIDC_ISSUER=issuer (and LOCAL_LOGIN),
    with the /oidc/ URLs registered, for the length of the block. `overrides` are further
    settings, such as OIDC_REQUIRE_EMAIL_VERIFIED=False."""
    enabled_before = settings.OIDC_ENABLED
    settings.OIDC_ISSUER = issuer
    settings.OIDC_ENABLED = True
    settings.OIDC_DISCOVERY_URL = f"{issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = client_secret
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_EMAIL_CLAIM = "email"
    settings.OIDC_SUBJECT_CLAIM = "sub"
    settings.OIDC_REQUIRE_EMAIL_VERIFIED = True
    settings.OIDC_USE_PKCE = True
    settings.OIDC_TIMEOUT = 10
    settings.LOCAL_LOGIN = local_login
    backends = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    settings.AUTHENTICATION_BACKENDS = [
        backend for backend in backends if local_login or backend != MODEL_BACKEND
    ]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    address = urlsplit(issuer)
    policy["DIRECTIVES"]["form-action"].append(f"{address.scheme}://{address.netloc}")
    settings.CONTENT_SECURITY_POLICY = policy
    for name, value in overrides.items():
        setattr(settings, name, value)
    cache.clear()
    reload_urls()
    try:
        yield
    finally:
        settings.OIDC_ENABLED = enabled_before
        reload_urls()
        cache.clear()
