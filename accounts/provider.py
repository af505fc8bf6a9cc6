"""The organisation's OpenID Connect provider, as its discovery document describes it.

Only the issuer is configured (OIDC_ISSUER); the endpoints and the keys' address are read from
`<issuer>/.well-known/openid-configuration` (or OIDC_DISCOVERY_URL) the first time someone
signs in, and again after an hour, so a provider that moves an endpoint or rotates its keys
needs no change here. Nothing is fetched when the application starts: a provider that does not
answer then must not keep the application, or local logins, from working.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import resolve_url

logger = logging.getLogger(__name__)

METADATA_SECONDS = 3600
ID_TOKEN_SESSION_KEY = "oidc_id_token"


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered with a document that cannot be used."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None


def provider() -> Provider:
    """The configured provider's endpoints, from its discovery document (cached for an hour).

    The document must name the configured issuer: ID tokens are checked against it, and a
    multi-tenant document (Entra ID's `common`) would otherwise let in other organisations.
    """
    url = settings.OIDC_DISCOVERY_URL
    key = f"accounts.provider:{url}"
    found = cache.get(key)
    if found is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
            found = Provider(
                issuer=document["issuer"],
                authorization_endpoint=document["authorization_endpoint"],
                token_endpoint=document["token_endpoint"],
                jwks_uri=document["jwks_uri"],
                userinfo_endpoint=document.get("userinfo_endpoint"),
                end_session_endpoint=document.get("end_session_endpoint"),
            )
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            logger.error("The OpenID Connect discovery document %s cannot be used: %r", url, error)
            raise ProviderUnavailable(url) from error
        if found.issuer != settings.OIDC_ISSUER:
            logger.error(
                "The discovery document %s names the issuer %s, not OIDC_ISSUER %s.",
                url,
                found.issuer,
                settings.OIDC_ISSUER,
            )
            raise ProviderUnavailable(url)
        cache.set(key, found, METADATA_SECONDS)
    return found


def end_session_url(request: HttpRequest, *, id_token: str | None = None) -> str | None:
    """Where to send the browser to end its session at the provider (RP-initiated logout), and
    come back to the login page; None when the provider offers no such endpoint or does not
    answer, in which case only the local session ends."""
    if not settings.OIDC_ENABLED:
        return None
    try:
        endpoint = provider().end_session_endpoint
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    if id_token:
        params["id_token_hint"] = id_token
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}"
