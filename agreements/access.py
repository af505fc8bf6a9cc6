"""Who may do what in a plan, and the one way every page reaches a plan for a user.

Outside the plans a user has a role in, nothing exists (404). Inside, the role decides
(`PlanAccess`), and a page that needs more than the role gives answers 403:

- everyone with a role reads the plan: its approved delaftaler and their PDFs, Landsbyggefonden
  first of all, and the measurement tables;
- the plan's secretariat (and superusers) keep it: they change its data, approve versions,
  hand out share links, approve and reopen reports and record the groups' evaluations;
- the secretariat and the board oversee it: the unapproved drafts, the dashboard, who has
  reported a quarter, and the groups' evaluations, written for the board;
- coordinators report the quarter's delivery of what their assignments name; the secretariat
  reports for every activity in every area.

Any request that could change something (every POST) to a page for reading or overseeing is a
request to keep the plan: reporting is the only change anyone else makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lib.errors import NotFound

from .models import Plan, Role, ShareLink, Subagreement

Need = Literal["read", "keep", "oversee", "report"]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class PlanAccess:
    """What a user may do in one plan: their role in it (None for a superuser without one)."""

    role: str | None
    is_superuser: bool = False

    @property
    def keeps(self) -> bool:
        """The plan's secretariat, and superusers, keep the plan: they may change it."""
        return self.is_superuser or self.role == Role.SECRETARIAT

    @property
    def oversees(self) -> bool:
        """Those who keep the plan and the board, which approves it and assesses it."""
        return self.keeps or self.role == Role.BOARD

    @property
    def reports(self) -> bool:
        """Coordinators, who report their assignments' delivery each quarter, and those who
        keep the plan, who report for every activity in every area."""
        return self.keeps or self.role == Role.COORDINATOR

    @property
    def role_label(self) -> str | None:
        return Role(self.role).label if self.role else None

    def allows(self, need: Need) -> bool:
        return {
            "read": True,
            "keep": self.keeps,
            "oversee": self.oversees,
            "report": self.reports,
        }[need]


def get_plan_for_user(request: HttpRequest, slug: str, *, need: Need) -> tuple[Plan, PlanAccess]:
    """The plan and what the user may do in it: 404 when they have no role in it, 403 when
    their role does not give them `need`. One query."""
    user = request.user
    plan = get_object_or_404(Plan.objects.for_user(user).with_role_of(user), slug=slug)
    access = PlanAccess(plan.user_role, user.is_superuser)
    if request.method not in SAFE_METHODS and need in ("read", "oversee"):
        need = "keep"
    if not access.allows(need):
        raise PermissionDenied
    return plan, access


def plans_for_user(user) -> list[tuple[Plan, PlanAccess]]:
    """The plans the user has a role in, for the list of plans: each with its delaftaler
    counted (`PlanQuerySet.for_overview`) and what the user may do in it."""
    plans = Plan.objects.for_user(user).with_role_of(user).for_overview()
    return [(plan, PlanAccess(plan.user_role, user.is_superuser)) for plan in plans]


def get_subagreement_for_agreements(
    request: HttpRequest, slug: str, code: str, *, need: Need
) -> tuple[Subagreement, PlanAccess]:
    """The plan's delaftale for the focus area `code`, with its versions (`version_list`).
    A page that shows the unapproved draft needs to oversee the plan."""
    plan, access = get_plan_for_user(request, slug, need=need)
    subagreement = plan.subagreements.with_versions().filter(focus_area__code=code).first()
    if subagreement is None:
        raise NotFound(
            _("The plan has no sub-agreement for the focus area '%(code)s'.") % {"code": code}
        )
    subagreement.plan = plan
    return subagreement, access


def get_share_link_for_user(
    request: HttpRequest, slug: str, pk: int
) -> tuple[ShareLink, PlanAccess]:
    plan, access = get_plan_for_user(request, slug, need="keep")
    link = get_object_or_404(plan.share_links.all(), pk=pk)
    link.plan = plan
    return link, access
