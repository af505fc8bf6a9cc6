"""The workflows of a plan's members that span models: starting a plan with its first
secretariat member, inviting, accepting (a user, a role and reporting assignments at once),
changing a member's role and removing them, which must never leave a plan without a
secretariat."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import Activity, ReportingAssignment
from agreements.models import FundingPeriod, HousingArea, Membership, Plan, Role

from .models import Invitation

# The e-mail is read by people of a Danish plan, whatever language the sender's page is in.
EMAIL_LANGUAGE = "da"


class InvitationGone(Exception):
    """The invitation was used, revoked or expired while the page was open, or a second
    click raced the first."""


class LastSecretariat(Exception):
    """The change would leave the plan with nobody to keep it and invite others."""


def users_with_address(email: str) -> QuerySet:
    """The users an invited address names: by their e-mail, or by a user name that is it."""
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def send_invitation(invitation: Invitation, token: str) -> None:
    """The invitation e-mail, in Danish, with the link that carries `token`."""
    with translation.override(EMAIL_LANGUAGE):
        context = {
            "plan": invitation.plan.name,
            "role": invitation.get_role_display(),
            "inviter": invitation.inviter_name if invitation.invited_by else "",
            "url": settings.SITE_URL
            + reverse("members:accept", kwargs={"invitation_token": token}),
            "expires": date_format(timezone.localtime(invitation.expires_at), "j. F Y"),
        }
        subject = _("Invitation to %(plan)s in Helhedsplan") % {"plan": invitation.plan.name}
        body = render_to_string("members/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invite(
    *,
    plan: Plan,
    email: str,
    role: str,
    by: AbstractBaseUser | None,
    areas: Iterable[HousingArea] = (),
    activities: Iterable[Activity] = (),
) -> Invitation:
    """Invite `email` to `role` in the plan and send the e-mail. Nothing is kept when the
    e-mail cannot be sent (the error is raised), so the list never shows an invitation that
    nobody received."""
    token, token_digest = Invitation.new_token()
    now = timezone.now()
    invitation = Invitation(
        plan=plan,
        email=email.strip().lower(),
        role=role,
        token_digest=token_digest,
        invited_by=by,
        created_at=now,
        sent_at=now,
        expires_at=Invitation.expiry(now),
    )
    invitation.validate_constraints()
    invitation.save()
    if role == Role.COORDINATOR:
        invitation.areas.set(areas)
        invitation.activities.set(activities)
    send_invitation(invitation, token)
    return invitation


@transaction.atomic
def resend(invitation: Invitation) -> None:
    """Send the invitation again with a new link valid from now; the old link stops working."""
    send_invitation(invitation, invitation.renew())


@transaction.atomic
def accept(
    invitation: Invitation,
    *,
    user: AbstractBaseUser | None = None,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> AbstractBaseUser:
    """Give the invited person their role in the plan, once.

    `user` is the person's existing user, logged in to prove it is theirs; without one a user
    is created, named by the invited address, with `password` (or none usable, where people
    log in through their organisation). A role they already hold in the plan is kept.
    """
    invitation = Invitation.objects.select_for_update().select_related("plan").get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationGone
    if user is None:
        user = get_user_model()(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name,
            last_name=last_name,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, created = Membership.objects.get_or_create(
        user=user, plan=invitation.plan, defaults={"role": invitation.role}
    )
    if created and membership.role == Role.COORDINATOR:
        set_assignments(membership, invitation.areas.all(), invitation.activities.all())
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def set_assignments(
    membership: Membership, areas: Iterable[HousingArea], activities: Iterable[Activity]
) -> None:
    """Make a coordinator's assignments of one housing area or one activity exactly these.
    Assignments of one activity in one area, which only the administration makes, are kept."""
    singles = membership.assignments.filter(Q(area__isnull=True) | Q(activity__isnull=True))
    wanted = {(area.pk, None) for area in areas} | {(None, act.pk) for act in activities}
    kept = set()
    for assignment in singles:
        key = (assignment.area_id, assignment.activity_id)
        if key in wanted:
            kept.add(key)
        else:
            assignment.delete()
    ReportingAssignment.objects.bulk_create(
        ReportingAssignment(membership=membership, area_id=area_id, activity_id=activity_id)
        for area_id, activity_id in sorted(wanted - kept, key=str)
    )


def _lock_secretariat(membership: Membership) -> None:
    """Refuse to take `membership` out of the secretariat when it is the last one. The plan's
    row is locked first, so that two secretariat members removing each other at the same
    moment cannot both succeed."""
    list(Plan.objects.select_for_update().filter(pk=membership.plan_id).values_list("pk"))
    if membership.role != Role.SECRETARIAT:
        return
    others = Membership.objects.filter(plan_id=membership.plan_id, role=Role.SECRETARIAT)
    if not others.exclude(pk=membership.pk).exists():
        raise LastSecretariat


@transaction.atomic
def change_member(
    membership: Membership,
    *,
    role: str,
    areas: Iterable[HousingArea] = (),
    activities: Iterable[Activity] = (),
) -> None:
    """Give a member another role, and a coordinator their housing areas and activities; only
    coordinators are assigned, so another role has its assignments removed."""
    if role != membership.role:
        _lock_secretariat(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    if role == Role.COORDINATOR:
        set_assignments(membership, areas, activities)
    else:
        membership.assignments.all().delete()


@transaction.atomic
def remove_member(membership: Membership) -> None:
    """Take the person out of the plan, with their assignments. Their user stays: it may have
    roles in other plans, and it is named in the plan's history."""
    _lock_secretariat(membership)
    membership.delete()


@transaction.atomic
def start_plan(
    *,
    name: str,
    slug: str,
    funding_period: FundingPeriod,
    start_date: datetime.date,
    end_date: datetime.date,
    email: str,
    by: AbstractBaseUser | None,
) -> tuple[Plan, Invitation]:
    """A new, empty plan and the invitation of its first secretariat member, who invites the
    rest. ValidationError, naming the fields, for a plan the database would refuse."""
    plan = Plan(
        name=name,
        slug=slug,
        funding_period=funding_period,
        start_date=start_date,
        end_date=end_date,
    )
    plan.full_clean()
    plan.save()
    return plan, invite(plan=plan, email=email, role=Role.SECRETARIAT, by=by)
