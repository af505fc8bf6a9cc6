"""Invitations: how a person gets a role in a plan without a superuser.

The secretariat (or, for a new plan's first secretariat member, the installation's operator)
invites an e-mail address to a role. The link in the e-mail carries a random token; only its
SHA-256 digest is stored, so the link cannot be read back from the database, a backup or the
secretariat's page, and sending an invitation again makes the earlier link worthless. A link
works once, until it expires or is revoked.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from agreements.models import HousingArea, Plan, Role


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted nor revoked, expired or not: the secretariat may send these again."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def for_members_page(self) -> InvitationQuerySet:
        """Pending invitations with who sent them and what a coordinator will report, in
        three queries however many there are."""
        return (
            self.pending()
            .select_related("invited_by")
            .prefetch_related("areas", "activities")
            .order_by("-sent_at")
        )

    def from_token(self, token: str) -> Invitation:
        """The invitation a link's token belongs to, whatever its state; DoesNotExist for a
        token that was never issued, or was replaced when the invitation was sent again."""
        return self.select_related("plan").get(token_digest=digest(token))


class Invitation(models.Model):
    """An e-mail address invited to a role in a plan, with the housing areas and activities a
    coordinator will report. Accepting it creates the role (`members.services.accept`)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("plan")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    areas = models.ManyToManyField(
        HousingArea, blank=True, related_name="+", verbose_name=_("housing areas")
    )
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="+", verbose_name=_("activities")
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    # Long enough for someone back from a week's holiday; short enough that a forgotten
    # e-mail in an inbox does not stay a way in.
    VALID_DAYS = 14

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["plan", "-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("sent_at")),
                name="invitation_expires_after_sending",
                violation_error_message=_("An invitation must expire after it is sent."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
                violation_error_message=_("An accepted invitation cannot be revoked."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                "plan",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_address_and_plan",
                violation_error_message=_(
                    "This address already has an invitation to the plan; send it again instead."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()}, {self.plan})"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        """A token for a link and the digest kept of it."""
        token = secrets.token_urlsafe(32)
        return token, digest(token)

    @classmethod
    def expiry(cls, sent_at: datetime.datetime) -> datetime.datetime:
        return sent_at + datetime.timedelta(days=cls.VALID_DAYS)

    @property
    def state(self) -> str:
        """accepted, revoked, expired or pending: what the link does when it is opened."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if timezone.now() >= self.expires_at:
            return "expired"
        return "pending"

    @property
    def inviter_name(self) -> str:
        """Who sent it; the operator, who sends a new plan's first one from the command line,
        has no user here."""
        if self.invited_by is None:
            return "–"
        return self.invited_by.get_full_name() or self.invited_by.get_username()

    @property
    def is_usable(self) -> bool:
        return self.state == "pending"

    def renew(self) -> str:
        """A new link valid from now, for sending the invitation again; the earlier link stops
        working, so that only the latest e-mail's link can be used. Returns the new token."""
        token, self.token_digest = self.new_token()
        self.sent_at = timezone.now()
        self.expires_at = self.expiry(self.sent_at)
        self.save(update_fields=["token_digest", "sent_at", "expires_at"])
        return token

    def revoke(self) -> None:
        """Stop the link from working; the invitation stays, as a record of it."""
        if self.accepted_at is None and self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
