"""Logging in through the organisation's OpenID Connect provider, without a browser: who gets
in, what the login page offers, what is refused, and the settings that switch it on. The whole
login in a browser against a real provider is tests/test_browser_organisation_login.py."""

import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from accounts.backends import OrganisationLoginBackend
from accounts.models import OidcIdentity
from accounts.services import invited_user
from agreements.models import Membership
from tests.conftest import PASSWORD
from tests.oidc import CLIENT_ID, running_provider, signing_in_through

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
ISSUER = "https://login.microsoftonline.com/3f1a2b4c-tenant/v2.0"
# Nothing listens here: a provider that does not answer.
SILENT = "http://127.0.0.1:9"
EMAIL = "mette.bestyrelse@slagelse.example"
BUTTON = "Log ind med din organisation"


@pytest.fixture
def configured(settings):
    with signing_in_through(settings, ISSUER):
        yield


def log_in_with(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


# Without an issuer nothing changes


def test_without_an_issuer_the_login_page_and_the_urls_are_as_before(client, settings):
    assert not settings.OIDC_ENABLED
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    page = client.get("/login/").content.decode()
    assert BUTTON not in page
    assert "/oidc/" not in page
    assert '<button type="submit" class="button button-primary">Log ind</button>' in page
    for path in ("/oidc/authenticate/", "/oidc/callback/"):
        with pytest.raises(Resolver404):
            resolve(path)
    assert "organisations login" not in client.get("/privatlivspolitik/").content.decode()


def test_the_privacy_policy_names_the_id_kept_from_the_organisations_login(client, configured):
    assert "Dit id i din organisations login" in client.get("/privatlivspolitik/").content.decode()


# The login page


def test_the_login_page_offers_the_organisation_and_keeps_where_the_user_was_going(
    client, configured
):
    page = client.get("/login/?next=/planer/").content.decode()
    link = '<a class="button button-primary" href="/oidc/authenticate/?next=%2Fplaner%2F">'
    assert f"{link}{BUTTON}</a>" in page
    assert "Eller med brugernavn og adgangskode" in page
    assert 'id="id_username"' in page
    assert '<button type="submit" class="button button-secondary">Log ind</button>' in page


def test_with_local_logins_off_there_is_no_password_form_and_a_posted_password_is_refused(
    client, settings, board_member
):
    with signing_in_through(settings, ISSUER, local_login=False):
        page = client.get("/login/").content.decode()
        assert BUTTON in page
        assert 'id="id_username"' not in page
        assert "Eller med brugernavn" not in page

        refused = log_in_with(client, "bestyrelse", PASSWORD)
        assert refused.status_code == 403
        assert "Log ind med brugernavn og adgangskode er slået fra her" in refused.content.decode()
        assert "_auth_user_id" not in client.session
        # Nor does a password work anywhere else: no backend checks one.
        request = RequestFactory().post("/admin/login/")
        assert authenticate(request, username="bestyrelse", password=PASSWORD) is None


def test_local_logins_still_lock_after_repeated_failures(client, configured, board_member):
    for _ in range(5):
        log_in_with(client, "bestyrelse", "forkert-adgangskode")
    assert log_in_with(client, "bestyrelse", PASSWORD).status_code == 429


def test_a_provider_that_does_not_answer_leaves_local_logins_working(
    client, settings, board_member
):
    with signing_in_through(settings, SILENT):
        down = client.get("/oidc/authenticate/")
        assert down.status_code == 503
        assert "Din organisations login svarer ikke lige nu" in down.content.decode()

        assert log_in_with(client, "bestyrelse", PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(board_member.pk)
        # Logging out of a local login ends the local session only, without asking the provider.
        response = client.post("/logout/")
        assert response.status_code == 302
        assert response["Location"] == "/login/"
        assert "_auth_user_id" not in client.session


# Answers from the provider that are refused before it is asked anything


def test_an_answer_this_browser_did_not_ask_for_is_refused(client, configured):
    response = client.get("/oidc/callback/?code=a-code&state=a-state")
    assert response.status_code == 400
    assert "Du kunne ikke logges ind" in response.content.decode()

    session = client.session
    session["oidc_states"] = {"the-real-state": {"nonce": "n", "code_verifier": "v", "added_on": 0}}
    session.save()
    forged = client.get("/oidc/callback/?code=a-code&state=a-forged-state")
    assert forged.status_code == 400
    assert "Du kunne ikke logges ind" in forged.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_login_the_user_cancelled_at_the_provider_is_not_a_login(client, configured):
    response = client.get("/oidc/callback/?error=access_denied&state=a-state")
    assert response.status_code == 400
    assert "blev afbrudt" in response.content.decode()


# Against the real provider


@pytest.fixture(scope="module")
def organisation():
    # The test client's requests come from http://testserver.
    with running_provider(site_url="http://testserver", people=[]) as provider:
        yield provider


def test_the_login_goes_to_the_provider_with_a_state_a_nonce_and_an_s256_code_challenge(
    client, settings, organisation
):
    with signing_in_through(settings, organisation.issuer):
        response = client.get("/oidc/authenticate/?next=/planer/")

    assert response.status_code == 302
    address = urlsplit(response["Location"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{organisation.issuer}/auth"
    params = {key: value for key, [value] in parse_qs(address.query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert params["scope"] == "openid email profile"
    assert params["code_challenge_method"] == "S256"
    kept = client.session["oidc_states"][params["state"]]
    assert kept["nonce"] == params["nonce"]
    digest = hashlib.sha256(kept["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == params["code_challenge"]
    assert client.session["oidc_login_next"] == "/planer/"
    # The provider takes the request: it shows its login form rather than an error.
    answer = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 303
    assert "/interaction/" in answer.headers["Location"]


def test_a_discovery_document_that_names_another_issuer_is_not_trusted(
    client, settings, organisation
):
    with signing_in_through(
        settings,
        organisation.issuer + "/another-tenant",
        OIDC_DISCOVERY_URL=organisation.issuer + "/.well-known/openid-configuration",
    ):
        assert client.get("/oidc/authenticate/").status_code == 503


# Who gets in


def test_an_invited_member_is_found_by_e_mail_once_and_by_subject_ever_after(board_member):
    board_member.email = EMAIL
    board_member.save()

    assert invited_user(issuer=ISSUER, subject="s-1", email=EMAIL.upper()) == board_member
    assert OidcIdentity.objects.get(issuer=ISSUER, subject="s-1").user == board_member

    board_member.email = "mette@ny-kommune.example"
    board_member.save()
    assert invited_user(issuer=ISSUER, subject="s-1", email="mette@et-andet-sted.example") == (
        board_member
    )
    assert invited_user(issuer=ISSUER, subject="s-1", email=None) == board_member


def test_an_e_mail_given_to_another_person_does_not_let_them_in_as_the_linked_user(
    board_member,
):
    board_member.email = EMAIL
    board_member.save()
    invited_user(issuer=ISSUER, subject="s-1", email=EMAIL)

    assert invited_user(issuer=ISSUER, subject="s-2", email=EMAIL) is None
    assert OidcIdentity.objects.count() == 1


def test_nobody_without_a_role_gets_in_and_nobody_is_created(outsider, superuser):
    for user in (outsider, superuser):
        user.email = f"{user.username}@slagelse.example"
        user.save()
    users = get_user_model().objects.count()

    for subject, email in [("s-1", outsider.email), ("s-2", superuser.email), ("s-3", "ny@x.dk")]:
        assert invited_user(issuer=ISSUER, subject=subject, email=email) is None
    assert get_user_model().objects.count() == users
    assert not OidcIdentity.objects.exists()


def test_a_member_who_lost_their_role_or_was_deactivated_is_refused(board_member, secretariat):
    board_member.email = EMAIL
    board_member.save()
    invited_user(issuer=ISSUER, subject="s-1", email=EMAIL)
    Membership.objects.filter(user=board_member).delete()
    assert invited_user(issuer=ISSUER, subject="s-1", email=EMAIL) is None

    secretariat.email = "sekretariat@slagelse.example"
    secretariat.is_active = False
    secretariat.save()
    assert invited_user(issuer=ISSUER, subject="s-2", email=secretariat.email) is None


def test_two_invited_users_with_one_e_mail_are_both_refused(board_member, secretariat):
    for user in (board_member, secretariat):
        user.email = EMAIL
        user.save()
    assert invited_user(issuer=ISSUER, subject="s-1", email=EMAIL) is None
    assert not OidcIdentity.objects.exists()


def test_one_subject_is_one_user_and_one_user_has_one_subject_per_provider(
    board_member, secretariat
):
    OidcIdentity.objects.create(user=board_member, issuer=ISSUER, subject="s-1")
    for user, subject in ((secretariat, "s-1"), (board_member, "s-2")):
        with pytest.raises(IntegrityError), transaction.atomic():
            OidcIdentity.objects.create(user=user, issuer=ISSUER, subject=subject)
    OidcIdentity.objects.create(user=board_member, issuer=ISSUER + "/other", subject="s-1")


@pytest.mark.parametrize(
    ("claims", "required", "used"),
    [
        ({"email": EMAIL, "email_verified": True}, True, EMAIL),
        ({"email": EMAIL}, True, EMAIL),
        ({"email": EMAIL, "email_verified": "true"}, True, EMAIL),
        ({"email": EMAIL, "email_verified": False}, True, None),
        ({"email": EMAIL, "email_verified": False}, False, EMAIL),
        ({"email": "not an address"}, True, None),
        ({}, True, None),
    ],
)
def test_an_e_mail_is_used_only_when_the_provider_vouches_for_it(settings, claims, required, used):
    settings.OIDC_EMAIL_CLAIM = "email"
    settings.OIDC_REQUIRE_EMAIL_VERIFIED = required
    assert OrganisationLoginBackend.vouched_email(claims) == used


def test_the_e_mail_can_come_from_another_claim(settings):
    settings.OIDC_EMAIL_CLAIM = "preferred_username"
    settings.OIDC_REQUIRE_EMAIL_VERIFIED = True
    assert OrganisationLoginBackend.vouched_email({"preferred_username": EMAIL}) == EMAIL


# The ID token


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def id_token(signing_key, **changes) -> str:
    now = datetime.datetime.now(tz=datetime.UTC)
    claims = {
        "iss": ISSUER,
        "sub": "s-1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + datetime.timedelta(minutes=5),
        "nonce": "n",
    }
    claims.update(changes)
    return jwt.encode(
        {key: value for key, value in claims.items() if value is not None},
        signing_key,
        algorithm="RS256",
    )


@pytest.fixture
def backend(settings):
    settings.OIDC_ISSUER = ISSUER
    backend = OrganisationLoginBackend()
    backend.OIDC_RP_CLIENT_ID = CLIENT_ID
    backend.OIDC_RP_SIGN_ALGO = "RS256"
    return backend


def test_a_token_from_the_provider_for_this_client_is_accepted(backend, signing_key):
    claims = backend.get_payload_data(id_token(signing_key), signing_key.public_key())
    assert claims["sub"] == "s-1"
    many = id_token(signing_key, aud=[CLIENT_ID, "another"], azp=CLIENT_ID)
    assert backend.get_payload_data(many, signing_key.public_key())["azp"] == CLIENT_ID


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://login.microsoftonline.com/another-tenant/v2.0"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"]},
        {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
        {"exp": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        {"iat": None},
        {"sub": None},
    ],
    ids=["issuer", "audience", "no-azp", "azp", "expired", "no-iat", "no-sub"],
)
def test_a_token_for_someone_else_or_out_of_date_is_refused(backend, signing_key, changes):
    token = id_token(signing_key, **changes)
    with pytest.raises((jwt.PyJWTError, SuspiciousOperation)):
        backend.get_payload_data(token, signing_key.public_key())


def test_a_token_signed_with_another_key_or_algorithm_is_refused(backend, signing_key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        backend.get_payload_data(id_token(other), signing_key.public_key())
    symmetric = jwt.encode({"iss": ISSUER, "sub": "s-1", "aud": CLIENT_ID}, "k" * 32, "HS256")
    with pytest.raises(SuspiciousOperation):
        backend.get_payload_data(symmetric, "k" * 32)


# Settings from the environment


def start(env: dict) -> subprocess.CompletedProcess:
    """The real settings, in a fresh interpreter, printing what the organisation's login set."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("OIDC_")}
    clean.update({"DEBUG": "on", "DATABASE_URL": "sqlite://", **env})
    clean["DJANGO_SETTINGS_MODULE"] = "helhedsplan.settings"
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.AUTHENTICATION_BACKENDS, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'], s.OIDC_DISCOVERY_URL]))"
    )
    return subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


CLIENT = {"OIDC_CLIENT_ID": "helhedsplan", "OIDC_CLIENT_SECRET": "from-the-environment"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_ISSUER": ISSUER}, "OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"LOCAL_LOGIN": "off"}, "LOCAL_LOGIN=off needs OIDC_ISSUER"),
        ({"OIDC_ISSUER": "http://login.example.dk", **CLIENT}, "must be an https:// address"),
        ({"OIDC_ISSUER": ISSUER, "OIDC_SCOPES": "email", **CLIENT}, "must include openid"),
    ],
)
def test_a_half_configured_organisation_login_stops_the_start(env, message):
    result = start(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_an_issuer_switches_the_organisation_login_on_and_local_login_can_be_switched_off():
    result = start({"OIDC_ISSUER": ISSUER + "/", "LOCAL_LOGIN": "off", **CLIENT})
    assert result.returncode == 0, result.stderr
    backends, form_action, discovery = json.loads(result.stdout)
    assert backends == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.backends.OrganisationLoginBackend",
    ]
    assert form_action == ["'self'", "https://login.microsoftonline.com"]
    assert discovery == ISSUER + "/.well-known/openid-configuration"
