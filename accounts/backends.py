"""Signing in through the organisation's OpenID Connect provider (mozilla-django-oidc).

The library runs the authorization code flow: the request view sends the browser to the
provider with a state, a nonce and a PKCE code challenge kept in the session, and the callback
view checks the state and hands the code here. This backend exchanges the code (with the PKCE
verifier), verifies the ID token against the provider's published keys, its issuer, audience,
expiry and nonce, and then lets in only a user a plan has invited (accounts/services.py).
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import services
from accounts.provider import ID_TOKEN_SESSION_KEY, provider

logger = logging.getLogger(__name__)

# Set on the request when the provider vouched for the person but no plan has invited them,
# so that the callback can say so rather than report a failed login.
NOT_INVITED = "organisation_login_not_invited"
# Clocks of the provider and this server may differ a little.
CLOCK_SKEW_SECONDS = 60


class OrganisationLoginBackend(OIDCAuthenticationBackend):
    def __init__(self) -> None:
        # Django builds its backends for every request that has a session; the provider's
        # endpoints are looked up only when someone actually signs in (authenticate).
        self.UserModel = get_user_model()

    def authenticate(
        self, request: HttpRequest, nonce: str | None, code_verifier: str | None
    ) -> AbstractBaseUser | None:
        """The invited user the provider's answer names, or None.

        Only the library's callback view passes a nonce and a code verifier, so a password
        login never reaches this backend.
        """
        self.request = request
        code, state = request.GET.get("code"), request.GET.get("state")
        if not code or not state or not nonce or not code_verifier:
            return None
        found = provider()
        self.OIDC_OP_TOKEN_ENDPOINT = found.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = found.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            tokens = self.get_token(
                {
                    "client_id": self.OIDC_RP_CLIENT_ID,
                    "client_secret": self.OIDC_RP_CLIENT_SECRET,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": request.build_absolute_uri(
                        reverse("oidc_authentication_callback")
                    ),
                    "code_verifier": code_verifier,
                }
            )
            id_token = tokens["id_token"]
            claims = self.verify_token(id_token, nonce=nonce)
            claims = {**self.userinfo(tokens.get("access_token"), claims), **claims}
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation, KeyError) as error:
            # A code that is expired, used before or not this browser's (PKCE), a token that
            # does not verify: the sign-in fails, and the log says why.
            logger.warning("Signing in through the organisation's login failed: %s", error)
            return None
        subject = claims.get(settings.OIDC_SUBJECT_CLAIM)
        if not isinstance(subject, str) or not subject:
            logger.warning("The provider sent no %s claim.", settings.OIDC_SUBJECT_CLAIM)
            return None
        user = services.invited_user(
            issuer=found.issuer, subject=subject, email=self.vouched_email(claims)
        )
        if user is None:
            setattr(request, NOT_INVITED, claims.get(settings.OIDC_EMAIL_CLAIM) or subject)
            logger.info("%s at %s has not been invited to any plan.", subject, found.issuer)
            return None
        # For the provider's logout (id_token_hint); the callback keeps the session's contents
        # when it logs the user in.
        request.session[ID_TOKEN_SESSION_KEY] = id_token
        return user

    def get_payload_data(self, token: str, key: Any) -> dict[str, Any]:
        """The ID token's claims, once its signature, algorithm, issuer, audience and expiry
        are verified. (The library checks neither issuer nor audience.)"""
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"The token is signed with {algorithm}, not the expected.")
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_ISSUER,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1:
            if claims.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SuspiciousOperation("The token was issued to another party (azp).")
        return claims

    def userinfo(self, access_token: str | None, claims: dict[str, Any]) -> dict[str, Any]:
        """The claims the userinfo endpoint adds (some providers put the e-mail only there).

        They must be about the same person as the ID token; the ID token's own claims win.
        """
        if not self.OIDC_OP_USER_ENDPOINT or not access_token:
            return {}
        info: dict[str, Any] = self.get_userinfo(access_token, None, claims)
        if info.get("sub") != claims["sub"]:
            raise SuspiciousOperation("The userinfo is about someone else than the ID token.")
        return info

    @staticmethod
    def vouched_email(claims: dict[str, Any]) -> str | None:
        """The e-mail address to find a user by, when the provider vouches for it: when it says
        whether the address is verified (email_verified), it must say yes, unless the
        installation has chosen otherwise (OIDC_REQUIRE_EMAIL_VERIFIED=off)."""
        email = claims.get(settings.OIDC_EMAIL_CLAIM)
        if not isinstance(email, str) or "@" not in email:
            return None
        verified = claims.get("email_verified")
        if settings.OIDC_REQUIRE_EMAIL_VERIFIED and verified is not None:
            if verified not in (True, "true"):
                return None
        return email
