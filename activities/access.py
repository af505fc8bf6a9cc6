"""The one way the reporting pages reach a plan for a user.

Outside the plans a user has a role in, nothing exists (404). Inside, the entry page is for
those who report: coordinators and municipal staff (their assignments decide the grid) and the
plan's secretariat (every activity and area). The completeness page is the secretariat's; the
board may look at it but not approve or reopen. Everyone else gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from agreements.models import Plan, Role
from indicators.access import READ_METHODS, get_plan_with_role, may_read_history

from .models import Activity


def get_plan_for_reporting(request: HttpRequest, slug: str) -> Plan:
    """The plan for the entry page; `plan.may_report_all` for the secretariat."""
    plan = get_plan_with_role(request.user, slug)
    if not (plan.may_change or plan.user_role == Role.COORDINATOR):
        raise PermissionDenied
    plan.may_report_all = plan.may_change
    return plan


def get_plan_for_follow_up(request: HttpRequest, slug: str, *, change: bool = False) -> Plan:
    """The plan for the completeness page and the approval and reopening of reports."""
    plan = get_plan_with_role(request.user, slug)
    may_look = plan.may_change or plan.user_role == Role.BOARD
    if not may_look or ((change or request.method not in READ_METHODS) and not plan.may_change):
        raise PermissionDenied
    return plan


def get_activity_for_history(request: HttpRequest, slug: str, pk: int) -> Activity:
    """An activity of the plan for its history page; 403 for those who may not read it."""
    plan = get_plan_with_role(request.user, slug)
    activity = get_object_or_404(
        Activity.objects.filter(subagreement__plan=plan).select_related("subagreement__focus_area"),
        pk=pk,
    )
    if not may_read_history(plan, request.user, activity):
        raise PermissionDenied
    activity.subagreement.plan = plan
    return activity
