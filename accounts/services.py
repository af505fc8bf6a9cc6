"""Who gets in through the organisation's login: only someone a plan has invited.

A user is invited when they are active and hold a role in a plan (`agreements.Membership`);
invitations create such users beforehand, and roles come only from memberships. Being a
superuser is not a role: a superuser without one is refused here, like anyone else, so that
whoever controls an e-mail address at the provider cannot become the most powerful account.
Nobody is ever created here.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.models import OidcIdentity

logger = logging.getLogger(__name__)


def is_invited(user: AbstractBaseUser) -> bool:
    return user.is_active and user.memberships.exists()  # type: ignore[attr-defined]


@transaction.atomic
def invited_user(*, issuer: str, subject: str, email: str | None) -> AbstractBaseUser | None:
    """The user the person `subject` at `issuer` is, or None when no plan has invited them.

    A person seen before is found by their subject alone. Otherwise `email`, which the caller
    passes only when the provider vouches for it, must name exactly one invited user, and that
    user is linked to the subject from now on. A user already linked to another subject at this
    provider is not linked again: the address now belongs to someone else there.
    """
    identity = (
        OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is not None:
        user = identity.user
    else:
        if not email:
            return None
        candidates = list(
            get_user_model()
            .objects.filter(email__iexact=email, is_active=True, memberships__isnull=False)
            .distinct()[:2]
        )
        if len(candidates) != 1:
            if candidates:
                logger.warning("Two invited users share an e-mail address; neither is signed in.")
            return None
        user = candidates[0]
        if OidcIdentity.objects.filter(user=user, issuer=issuer).exists():
            logger.warning(
                "User %s is linked to another subject at %s; %s is not signed in as them.",
                user.pk,
                issuer,
                subject,
            )
            return None
        OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    return user if is_invited(user) else None
