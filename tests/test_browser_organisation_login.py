"""In a real browser, against a real OpenID Connect provider (tests/oidc/provider.mjs): an
invited member logs in through their organisation and lands on the plan; someone not invited
gets a Danish page and no account; a forged, replayed, stolen or expired answer is refused; and
logging out ends the session here and at the organisation."""

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.models import OidcIdentity
from agreements.models import Membership, Role
from tests.browser import axe_violations, format_violations
from tests.conftest import PLAN_SLUG
from tests.oidc import Person, running_provider, signing_in_through

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANNA = Person(
    login="anna",
    password="anna-at-the-municipality",
    sub="5d1c0f3e-anna",
    claims={"email": "Anna.Andersen@slagelse.example", "email_verified": True, "name": "Anna"},
)
# Known to the organisation, but invited to no plan.
BO = Person(
    login="bo",
    password="bo-at-the-municipality",
    sub="77a2b9c4-bo",
    claims={"email": "bo.berg@slagelse.example", "email_verified": True, "name": "Bo"},
)
DASHBOARD = f"/planer/{PLAN_SLUG}/status/"
BUTTON = "Log ind med din organisation"


@pytest.fixture(scope="module")
def organisation(live_server):
    with running_provider(site_url=live_server.url, people=[ANNA, BO]) as provider:
        yield provider


@pytest.fixture
def sso(settings, organisation):
    with signing_in_through(
        settings, organisation.issuer, client_secret=organisation.client_secret
    ):
        yield organisation


@pytest.fixture
def anna(make_user, plan):
    """A board member the plan has invited: known by her e-mail, with no password here."""
    user = make_user(
        "anna", Role.BOARD, plan, email="anna.andersen@slagelse.example", first_name="Anna"
    )
    user.set_unusable_password()
    user.save()
    return user


def sign_in_at_the_organisation(page, person: Person) -> None:
    """On the provider's own login form, as a person would."""
    page.wait_for_url(re.compile(r".*/interaction/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Test organisation: sign in"
    page.get_by_label("User name").fill(person.login)
    page.get_by_label("Password").fill(person.password)
    # Not waiting for the navigation: a test may be holding it (HeldCallback).
    page.get_by_role("button", name="Sign in").click(no_wait_after=True)


class HeldCallback:
    """The browser's way back from the provider, held before it reaches the site, so that a
    test can wait or change it as an attacker would (Chrome's DevTools protocol: Playwright's
    own routing does not see a request the browser was redirected to)."""

    def __init__(self, page):
        self.page = page
        self.session = page.context.new_cdp_session(page)
        self.paused: list[dict] = []
        self.session.on("Fetch.requestPaused", lambda event: self.paused.append(event))
        self.session.send(
            "Fetch.enable",
            {"patterns": [{"urlPattern": "*/oidc/callback/*", "requestStage": "Request"}]},
        )

    def url(self) -> str:
        for _ in range(200):
            if self.paused:
                return self.paused[0]["request"]["url"]
            self.page.wait_for_timeout(50)
        raise AssertionError("The browser never came back from the provider.")

    def release(self, url: str | None = None) -> None:
        self.session.send(
            "Fetch.continueRequest",
            {"requestId": self.paused[0]["requestId"], **({"url": url} if url else {})},
        )
        self.session.send("Fetch.disable")


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def assert_logged_out(page, live_server) -> None:
    page.goto(live_server.url + DASHBOARD)
    assert page.url.startswith(live_server.url + "/login/")


def test_an_invited_member_logs_in_through_the_organisation_and_lands_on_the_plan(
    page, live_server, sso, anna
):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server.url + DASHBOARD)

    # Sent to the login page, which offers the organisation's login beside the password form.
    assert page.url.startswith(live_server.url + "/login/")
    assert page.get_by_role("link", name=BUTTON).is_visible()
    assert page.locator("#id_username").is_visible()
    assert not (found := axe_violations(page)), format_violations(found)

    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)

    page.wait_for_url(live_server.url + DASHBOARD)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Status")
    assert page.get_by_text("Logget ind som Anna").is_visible()
    # The request to the provider carried a state, a nonce and an S256 code challenge (the
    # provider refuses one without), and the subject is kept for next time.
    authorization = next(url for url in asked if url.startswith(sso.issuer + "/auth?"))
    params = parse_qs(urlsplit(authorization).query)
    assert {"state", "nonce", "code_challenge"} <= params.keys()
    assert params["code_challenge_method"] == ["S256"]
    assert OidcIdentity.objects.get(user=anna).subject == ANNA.sub
    assert [event["event"] for event in sso.events if "error" in event["event"]] == []


def test_someone_the_plan_has_not_invited_gets_a_danish_page_and_no_account(
    page, live_server, sso, anna
):
    users_before = get_user_model().objects.count()
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name=BUTTON).click()
    with page.expect_response(lambda response: "/oidc/callback/" in response.url) as answer:
        sign_in_at_the_organisation(page, BO)

    assert answer.value.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Du har ikke adgang til Helhedsplan"
    assert "kender dig som bo.berg@slagelse.example" in page.locator("#main-content").inner_text()
    assert not (found := axe_violations(page)), format_violations(found)
    assert get_user_model().objects.count() == users_before
    assert not OidcIdentity.objects.exists()
    assert Membership.objects.filter(user__email__iexact=BO.claims["email"]).count() == 0
    assert_logged_out(page, live_server)


def test_an_answer_with_a_tampered_state_is_refused(page, live_server, sso, anna):
    page.goto(live_server.url + "/login/")
    held = HeldCallback(page)
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)

    held.release(with_param(held.url(), state="forged-state"))

    page.wait_for_url(re.compile(r".*/oidc/callback/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Du kunne ikke logges ind"
    assert not OidcIdentity.objects.exists()
    assert_logged_out(page, live_server)


def test_a_replayed_answer_is_refused(page, live_server, sso, anna, browser):
    page.goto(live_server.url + "/login/")
    held = HeldCallback(page)
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)
    answer = held.url()
    held.release()
    page.wait_for_url(live_server.url + DASHBOARD)

    # Someone who copied the address from the browser's history, in another browser...
    other = browser.new_context()
    stranger = other.new_page()
    stranger.goto(answer)
    assert stranger.get_by_role("heading", level=1).inner_text() == "Du kunne ikke logges ind"
    assert_logged_out(stranger, live_server)
    other.close()

    # ...and the same browser, once the session has ended: the state was used up.
    page.context.clear_cookies()
    page.goto(answer)
    assert page.get_by_role("heading", level=1).inner_text() == "Du kunne ikke logges ind"
    assert_logged_out(page, live_server)


def test_a_code_from_another_login_is_refused_by_the_provider(page, live_server, sso, anna):
    # A code the attacker got hold of from Anna's login, slipped into their own.
    page.goto(live_server.url + "/login/")
    held = HeldCallback(page)
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)
    stolen = parse_qs(urlsplit(held.url()).query)["code"][0]
    held.release(with_param(held.url(), code="not-the-real-code"))
    page.wait_for_url(re.compile(r".*/oidc/callback/.*"))
    page.context.clear_cookies()

    page.goto(live_server.url + "/login/")
    held = HeldCallback(page)
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, BO)
    held.release(with_param(held.url(), code=stolen))

    page.wait_for_url(re.compile(r".*/oidc/callback/.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Du kunne ikke logges ind"
    refusals = [event for event in sso.events if event["event"] == "grant.error"]
    assert [event["error"] for event in refusals] == ["invalid_grant", "invalid_grant"]
    assert refusals[0]["detail"] == "authorization code not found"
    assert refusals[1]["detail"] == "PKCE verification failed"
    assert not OidcIdentity.objects.exists()
    assert_logged_out(page, live_server)


def test_an_expired_code_is_refused(page, live_server, settings, anna):
    with (
        running_provider(site_url=live_server.url, people=[ANNA], code_seconds=1) as quick,
        signing_in_through(settings, quick.issuer, client_secret=quick.client_secret),
    ):
        page.goto(live_server.url + "/login/")
        held = HeldCallback(page)
        page.get_by_role("link", name=BUTTON).click()
        sign_in_at_the_organisation(page, ANNA)
        answer = held.url()
        time.sleep(2.5)
        held.release()

        page.wait_for_url(answer)
        assert page.get_by_role("heading", level=1).inner_text() == "Du kunne ikke logges ind"
        refusal = quick.wait_for("grant.error")
        assert refusal["detail"] == "authorization code is expired"
        assert_logged_out(page, live_server)


def test_logging_out_ends_the_session_here_and_at_the_organisation(page, live_server, sso, anna):
    page.goto(live_server.url + "/login/")
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)
    page.wait_for_url(live_server.url + DASHBOARD)

    page.get_by_role("button", name="Log ud").click()

    # The provider asks, with the ID token as hint, and sends the browser back to the login.
    page.wait_for_url(re.compile(re.escape(sso.issuer) + r"/session/end.*"))
    assert page.get_by_role("heading", level=1).inner_text() == "Test organisation: sign out"
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/login/.*"))
    assert sso.wait_for("end_session.success")["client"] == sso.client_id
    assert_logged_out(page, live_server)

    # The organisation has forgotten the session too: it asks for the password again.
    page.get_by_role("link", name=BUTTON).click()
    sign_in_at_the_organisation(page, ANNA)
    page.wait_for_url(live_server.url + DASHBOARD)
