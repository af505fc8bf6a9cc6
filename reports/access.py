"""The one way the report pages reach a plan for a user.

The groups' evaluations are written for the board, which assesses the plan on them twice a
year (seed section 6), and are kept by the plan's secretariat. So the secretariat (and
superusers) read and record them, the board reads them, and everyone else with a role in the
plan, coordinators and Landsbyggefonden, gets 403: they are not the board's audience for this.
Outside the plans a user has a role in, nothing exists (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from agreements.models import Plan, Role
from indicators.access import READ_METHODS, get_plan_with_role


def get_plan_for_board_reports(request: HttpRequest, slug: str) -> Plan:
    """The plan, with `plan.may_change` for those who record; any request that could change
    something (every POST) is refused with 403 to the board."""
    plan = get_plan_with_role(request.user, slug)
    may_read = plan.may_change or plan.user_role == Role.BOARD
    if not may_read or (request.method not in READ_METHODS and not plan.may_change):
        raise PermissionDenied
    return plan
