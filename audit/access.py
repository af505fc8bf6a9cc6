"""Who reads a history page, and what it shows them.

Each page reaches its object through its plan with `agreements.access.get_plan_for_user`, so
outside the plans a user has a role in nothing exists (404). A delaftale's history is its
draft's, for those who oversee the plan; an activity's and a criterion's are for them too, and
for the coordinators who report the activity, who read the counts of their own areas only.
Landsbyggefonden reads none (403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from activities.models import Activity
from agreements.access import PlanAccess, get_plan_for_user
from agreements.models import Plan, Role
from indicators.models import SuccessCriterion


def history_areas(access: PlanAccess, user, activity: Activity | None) -> list[int] | None:
    """The housing areas whose counts the user reads in a history page: all (None) for the
    secretariat and the board, a coordinator's own areas of the activity otherwise."""
    if access.oversees or activity is None:
        return None
    return activity.areas_reported_by(user)


def may_read_history(plan: Plan, access: PlanAccess, user, activity: Activity | None) -> bool:
    """Whether the user may read a history page of the plan's data: the secretariat and the
    board read every one, a coordinator those of the activities they report (`activity`);
    Landsbyggefonden none."""
    if access.oversees:
        return True
    return (
        activity is not None
        and access.role == Role.COORDINATOR
        and Activity.objects.reported_by(plan, user).filter(pk=activity.pk).exists()
    )


def get_activity_for_history(
    request: HttpRequest, slug: str, pk: int
) -> tuple[Activity, PlanAccess]:
    """An activity of the plan for its history page; 403 for those who may not read it."""
    plan, access = get_plan_for_user(request, slug, need="read")
    activity = get_object_or_404(
        Activity.objects.filter(subagreement__plan=plan).select_related("subagreement__focus_area"),
        pk=pk,
    )
    if not may_read_history(plan, access, request.user, activity):
        raise PermissionDenied
    activity.subagreement.plan = plan
    return activity, access


def get_criterion_for_history(
    request: HttpRequest, slug: str, pk: int
) -> tuple[SuccessCriterion, PlanAccess]:
    """A criterion of the plan for its history page; 403 for those who may not read it (a
    coordinator may, for a criterion of an activity they report)."""
    plan, access = get_plan_for_user(request, slug, need="read")
    criterion = get_object_or_404(
        SuccessCriterion.objects.filter(subagreement__plan=plan).select_related(
            "subagreement__focus_area", "activity"
        ),
        pk=pk,
    )
    if not may_read_history(plan, access, request.user, criterion.activity):
        raise PermissionDenied
    criterion.subagreement.plan = plan
    return criterion, access
