"""The one way the measurement pages reach a plan's data for a user.

Every lookup starts from the plans the user has a role in, so a plan, delaftale, indicator or
criterion outside them does not exist for the user (404). Inside them, everyone with a role
may read the tables; only the plan's secretariat (and superusers) may change anything, and
any request that could change something (edit pages, and every POST) is refused with 403 to
the others.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from activities.models import Activity
from agreements.models import Membership, Plan, Role, Subagreement

from .models import Indicator, SuccessCriterion

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_plan_with_role(user, slug: str) -> Plan:
    """The plan, if the user has a role in it (404 otherwise), with `plan.user_role` and
    `plan.may_change` (the plan's secretariat and superusers keep the plan's data)."""
    role = Membership.objects.filter(plan=OuterRef("pk"), user=user.pk).values("role")[:1]
    plan = get_object_or_404(
        Plan.objects.for_user(user).annotate(user_role=Subquery(role)), slug=slug
    )
    plan.may_change = user.is_superuser or plan.user_role == Role.SECRETARIAT
    return plan


def get_plan_for_user(request: HttpRequest, slug: str, *, change: bool = False) -> Plan:
    """The plan, if the user has a role in it; `plan.may_change` says whether they keep it.

    `change` marks a page that exists only to change data; a POST always counts as one.
    """
    plan = get_plan_with_role(request.user, slug)
    if (change or request.method not in READ_METHODS) and not plan.may_change:
        raise PermissionDenied
    return plan


def get_subagreement_for_user(
    request: HttpRequest, slug: str, code: str, *, change: bool = False
) -> Subagreement:
    """The plan's delaftale for the focus area with this code."""
    plan = get_plan_for_user(request, slug, change=change)
    subagreement = get_object_or_404(
        plan.subagreements.select_related("focus_area"), focus_area__code=code
    )
    subagreement.plan = plan
    return subagreement


def get_indicator_for_user(
    request: HttpRequest, slug: str, pk: int, *, change: bool = False
) -> Indicator:
    plan = get_plan_for_user(request, slug, change=change)
    indicator = get_object_or_404(plan.indicators.all(), pk=pk)
    indicator.plan = plan
    return indicator


def get_qualitative_criterion_for_user(
    request: HttpRequest, slug: str, pk: int, *, change: bool = False
) -> SuccessCriterion:
    """A criterion of the plan assessed by people; a measured criterion has no such page."""
    plan = get_plan_for_user(request, slug, change=change)
    criterion = get_object_or_404(
        SuccessCriterion.objects.filter(
            subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
        ).select_related("subagreement__focus_area", "activity"),
        pk=pk,
    )
    criterion.subagreement.plan = plan
    return criterion


def history_areas(plan: Plan, user, activity: Activity | None) -> list[int] | None:
    """The housing areas whose counts the user reads in a history page: all (None) for the
    secretariat and the board, a coordinator's own areas of the activity otherwise."""
    if plan.may_change or plan.user_role == Role.BOARD or activity is None:
        return None
    return activity.areas_reported_by(user)


def may_read_history(plan: Plan, user, activity: Activity | None) -> bool:
    """Whether the user may read a history page of the plan's data: the secretariat and the
    board read every one, a coordinator those of the activities they report (`activity`);
    Landsbyggefonden none."""
    if plan.may_change or plan.user_role == Role.BOARD:
        return True
    return (
        activity is not None
        and plan.user_role == Role.COORDINATOR
        and Activity.objects.reported_by(plan, user).filter(pk=activity.pk).exists()
    )


def get_criterion_for_history(request: HttpRequest, slug: str, pk: int) -> SuccessCriterion:
    """A criterion of the plan for its history page; 403 for those who may not read it (a
    coordinator may, for a criterion of an activity they report)."""
    plan = get_plan_with_role(request.user, slug)
    criterion = get_object_or_404(
        SuccessCriterion.objects.filter(subagreement__plan=plan).select_related(
            "subagreement__focus_area", "activity"
        ),
        pk=pk,
    )
    if not may_read_history(plan, request.user, criterion.activity):
        raise PermissionDenied
    criterion.subagreement.plan = plan
    return criterion
