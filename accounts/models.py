"""Who a person signing in through their organisation's login is in Helhedsplan.

The organisation's OpenID Connect provider (Entra ID, AD FS, Keycloak in front of NemLog-in)
names a person by a subject that never changes, while their e-mail address may. The first time
someone signs in, they are found by e-mail among the users a plan has invited, and the subject
is kept here; from then on the subject alone finds them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OidcIdentity(models.Model):
    """A person at an OpenID Connect provider (issuer and subject), and the user they are.

    A user has at most one subject per provider, and a subject is at most one user: once a
    user is linked, another person at the provider who is later given the same e-mail address
    is not let in as them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity at the organisation's login")
        verbose_name_plural = _("identities at the organisation's login")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="oidcidentity_one_user_per_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="oidcidentity_one_subject_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.issuer} {self.subject}"
