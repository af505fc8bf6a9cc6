"""The one way the reporting pages reach a plan for a user.

Outside the plans a user has a role in, nothing exists (404). Inside, the entry page is for
those who report: coordinators and municipal staff (their assignments decide the grid) and the
plan's secretariat (every activity and area). The completeness page is the secretariat's; the
board may look at it but not approve or reopen. Everyone else gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from agreements.models import Plan, Role
from indicators.access import READ_METHODS, get_plan_with_role


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
