"""The plan's members, kept by its own secretariat: who has which role, invitations by e-mail,
changing a role and its assignments, removing someone. The pages show only this plan's members
and invitations; whether an address has a user elsewhere is never shown. The invited person's
page behind the link is public; the operator's page for starting a plan is for superusers.
"""

from __future__ import annotations

import logging
import smtplib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities.models import ReportingAssignment
from agreements.access import get_plan_for_user
from agreements.models import Membership, Plan, Role
from lib.errors import NotFound

from . import services
from .forms import AcceptForm, InviteForm, MemberForm, NewPlanForm
from .models import Invitation

logger = logging.getLogger(__name__)

GET_AND_POST = ["GET", "HEAD", "POST"]


def plan_members(plan: Plan):
    """The plan's memberships with their users and assignments, in three queries."""
    assignments = ReportingAssignment.objects.select_related("area", "activity").order_by(
        "area__name", "activity__name"
    )
    return (
        plan.memberships.select_related("user")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("role", "user__first_name", "user__last_name", "user__username")
    )


def get_member(request: HttpRequest, slug: str, pk: int) -> Membership:
    """A membership of a plan the user keeps; 404 for one of another plan."""
    plan, _access = get_plan_for_user(request, slug, need="keep")
    membership = get_object_or_404(plan_members(plan), pk=pk)
    membership.plan = plan
    return membership


def get_invitation(request: HttpRequest, slug: str, pk: int) -> Invitation:
    """A pending invitation of a plan the user keeps; 404 for any other."""
    plan, _access = get_plan_for_user(request, slug, need="keep")
    invitation = get_object_or_404(plan.invitations.pending(), pk=pk)
    invitation.plan = plan
    return invitation


def not_sent(request: HttpRequest, error: Exception) -> None:
    logger.error("An invitation could not be sent: %s", error)
    messages.error(
        request,
        _("The e-mail could not be sent, so nothing was saved. Try again later."),
    )


@require_safe
def members(request, plan: str):
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return render(
        request,
        "members/members.html",
        {
            "plan": plan,
            "members": plan_members(plan),
            "invitations": plan.invitations.for_members_page(),
        },
    )


@require_http_methods(GET_AND_POST)
def invite(request, plan: str):
    plan, _access = get_plan_for_user(request, plan, need="keep")
    form = InviteForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite(
                plan=plan,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                areas=form.cleaned_data["areas"],
                activities=form.cleaned_data["activities"],
            )
        except (smtplib.SMTPException, OSError) as error:
            not_sent(request, error)
        else:
            messages.success(
                request,
                _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("members:members", plan.slug)
    return render(
        request,
        "members/invite.html",
        {"plan": plan, "form": form, "valid_days": Invitation.VALID_DAYS},
        status=400 if form.errors else 200,
    )


@require_http_methods(GET_AND_POST)
def member(request, plan: str, member: int):
    membership = get_member(request, plan, member)
    form = MemberForm(
        request.POST or None, plan=membership.plan, initial=MemberForm.initial_for(membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_member(
                membership,
                role=form.cleaned_data["role"],
                areas=form.cleaned_data["areas"],
                activities=form.cleaned_data["activities"],
            )
        except services.LastSecretariat:
            form.add_error("role", _("The plan's last secretariat member keeps that role."))
        else:
            messages.success(request, _("The changes are saved."))
            if not still_keeps(request, membership.plan):
                return redirect("plans")
            return redirect("members:members", membership.plan.slug)
    return render(
        request,
        "members/member.html",
        {"plan": membership.plan, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


def still_keeps(request: HttpRequest, plan: Plan) -> bool:
    """Whether the user still keeps the plan, after changing or removing themselves."""
    if request.user.is_superuser:
        return True
    return plan.memberships.filter(user=request.user, role=Role.SECRETARIAT).exists()


@require_http_methods(GET_AND_POST)
def remove(request, plan: str, member: int):
    """Ask first, then remove: a GET shows whom, the POST removes them."""
    membership = get_member(request, plan, member)
    if request.method == "POST":
        try:
            services.remove_member(membership)
        except services.LastSecretariat:
            messages.error(
                request,
                _("%(name)s is the plan's last secretariat member and cannot be removed.")
                % {"name": display_name(membership.user)},
            )
            return redirect("members:members", membership.plan.slug)
        messages.success(
            request,
            _("%(name)s no longer has a role in the plan.")
            % {"name": display_name(membership.user)},
        )
        if not still_keeps(request, membership.plan):
            return redirect("plans")
        return redirect("members:members", membership.plan.slug)
    return render(
        request, "members/remove.html", {"plan": membership.plan, "membership": membership}
    )


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


@require_POST
def resend(request, plan: str, invitation: int):
    invitation = get_invitation(request, plan, invitation)
    try:
        services.resend(invitation)
    except (smtplib.SMTPException, OSError) as error:
        not_sent(request, error)
    else:
        messages.success(
            request,
            _("The invitation is sent again to %(email)s; the earlier link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("members:members", invitation.plan.slug)


@require_POST
def revoke(request, plan: str, invitation: int):
    invitation = get_invitation(request, plan, invitation)
    invitation.revoke()
    messages.success(
        request,
        _("The invitation to %(email)s is revoked; its link no longer works.")
        % {"email": invitation.email},
    )
    return redirect("members:members", invitation.plan.slug)


def usable_invitation(token: str) -> Invitation:
    """The invitation of a link: 404 for a link that was never sent (or was replaced by a
    newer one); an invitation that is used, revoked or expired is returned for its page."""
    try:
        return Invitation.objects.from_token(token)
    except Invitation.DoesNotExist:
        raise NotFound(
            _(
                "The invitation link is not valid. Check that it was copied in full, or use the "
                "link in the newest e-mail."
            )
        ) from None


@login_not_required
@require_http_methods(GET_AND_POST)
def accept(request, invitation_token: str):
    """The invited person's page: a new user chooses a name and password; someone with a user
    already logs in as it and accepts. Accepting logs them in and sends them to the plan."""
    invitation = usable_invitation(invitation_token)
    if not invitation.is_usable:
        return gone(request, invitation)
    existing = list(services.users_with_address(invitation.email))
    if existing:
        return accept_as_existing_user(request, invitation, existing)
    if request.user.is_authenticated:
        # The link makes a new user for its address; it never adds a role to whoever
        # happens to be logged in on this browser.
        return render(
            request,
            "members/accept.html",
            {"invitation": invitation, "log_out_first": True},
            status=403 if request.method == "POST" else 200,
        )
    form = AcceptForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(
                invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data.get("password1"),
            )
        except services.InvitationGone:
            return gone(request, Invitation.objects.get(pk=invitation.pk))
        if not settings.LOCAL_LOGIN:
            messages.success(request, _("Welcome. Log in with your organisation's login."))
            return redirect("login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return welcome(request, invitation)
    return render(
        request,
        "members/accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def accept_as_existing_user(request, invitation: Invitation, existing: list) -> HttpResponse:
    if request.user not in existing:
        if request.method == "POST":
            raise PermissionDenied
        login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(
            request,
            "members/accept.html",
            {"invitation": invitation, "log_in_first": True, "login_url": login_url},
        )
    if request.method == "POST":
        try:
            services.accept(invitation, user=request.user)
        except services.InvitationGone:
            return gone(request, Invitation.objects.get(pk=invitation.pk))
        return welcome(request, invitation)
    return render(request, "members/accept.html", {"invitation": invitation, "confirm": True})


def gone(request, invitation: Invitation) -> HttpResponse:
    """410: the link was real, but is used, revoked or expired; the page says which."""
    return render(request, "members/invitation_gone.html", {"invitation": invitation}, status=410)


def welcome(request, invitation: Invitation) -> HttpResponse:
    messages.success(
        request,
        _("Welcome to %(plan)s. You have the role %(role)s.")
        % {"plan": invitation.plan.name, "role": invitation.get_role_display()},
    )
    return redirect("home")


@require_http_methods(GET_AND_POST)
def new_plan(request):
    """The operator's page for a new plan and its first secretariat member.

    Only superusers; anyone else logged in gets 403, not 404: the page is the same on every
    installation and hides nothing about any plan, and a secretariat member who finds it should
    be told plainly that this is the operator's work.
    """
    if not request.user.is_superuser:
        raise PermissionDenied
    form = NewPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan, _invitation = services.start_plan(
                name=data["name"],
                slug=data["slug"],
                funding_period=data["funding_period"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                email=data["email"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except (smtplib.SMTPException, OSError) as error:
            not_sent(request, error)
        else:
            messages.success(
                request,
                _("The plan is created, and %(email)s is invited to its secretariat.")
                % {"email": data["email"]},
            )
            return redirect("members:members", plan.slug)
    return render(
        request, "members/new_plan.html", {"form": form}, status=400 if form.errors else 200
    )
