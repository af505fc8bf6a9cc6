"""The login page, logging out, and the two steps of signing in through the organisation's
login: sending the browser to the provider, and receiving it back (mozilla-django-oidc's views,
with the provider's endpoints from its discovery document and Danish pages for what fails)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db.transaction import non_atomic_requests
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.backends import NOT_INVITED
from accounts.provider import ID_TOKEN_SESSION_KEY, ProviderUnavailable, end_session_url, provider

logger = logging.getLogger(__name__)


def login_failed(request: HttpRequest, *, status: int) -> HttpResponse:
    """The Danish page for a sign-in through the organisation that did not go through."""
    return render(
        request, "accounts/login_failed.html", {"provider_down": status == 503}, status=status
    )


class LoginView(auth_views.LoginView):
    """Django's login page, offering the organisation's login where it is configured
    (OIDC_ISSUER), and without the password form where local logins are off (LOCAL_LOGIN)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_LOGIN:
            # No password is checked, whoever sends one; the form itself is not drawn.
            context = self.get_context_data(form=None, local_login_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.OIDC_ENABLED:
            url = reverse("oidc_authentication_init")
            if next_url := self.get_redirect_url():
                url = f"{url}?{urlencode({'next': next_url})}"
            context["organisation_login_url"] = url
        if not settings.LOCAL_LOGIN:
            context["local_login_disabled"] = True
        return context


class LogoutView(auth_views.LogoutView):
    """Ends the local session and, for someone who signed in through the organisation's login,
    sends the browser on to end the provider's session too (RP-initiated logout), from where it
    comes back to the login page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        provider_logout = end_session_url(request, id_token=id_token) if id_token else None
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_logout) if provider_logout else response


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE code challenge."""

    def __init__(self, **kwargs: Any) -> None:
        # The library looks the endpoint up here; it is looked up in get() instead, where a
        # provider that does not answer can be reported on a page.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderUnavailable:
            return login_failed(request, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Receives the browser back from the provider: checks the state against this session,
    signs the user in (accounts/backends.py) or says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A state this browser was not given, or has used already: a forged or replayed
            # answer from the provider. Nobody is signed in.
            logger.warning("Refused an answer from the organisation's login: %s", error)
            return login_failed(request, status=400)
        except ProviderUnavailable:
            return login_failed(request, status=503)

    def login_failure(self) -> HttpResponse:
        identity = getattr(self.request, NOT_INVITED, None)
        if identity is None:
            return login_failed(self.request, status=400)
        return render(
            self.request,
            "accounts/not_invited.html",
            {"identity": identity, "provider_logout_url": end_session_url(self.request)},
            status=403,
        )


# Both talk to the provider while the browser waits: no database transaction is held open for
# that (ATOMIC_REQUESTS); what they write is written in transactions of their own.
start = non_atomic_requests(login_not_required(StartView.as_view()))
callback = non_atomic_requests(login_not_required(CallbackView.as_view()))
