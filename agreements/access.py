"""The one way the agreement pages reach a plan's delaftaler for a user.

Everyone with a role in a plan may read the approved versions of its delaftaler and download
them, Landsbyggefonden first of all. The unapproved draft is for the secretariat, which keeps
it, and the board, which approves it. Only the secretariat (and superusers) approve versions
and hand out share links; others with a role get 403, people outside the plan 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from indicators.access import get_plan_for_user
from lib.errors import NotFound

from .models import Plan, Role, ShareLink, Subagreement


def get_plan_for_agreements(request: HttpRequest, slug: str, *, change: bool = False) -> Plan:
    """The plan, with `plan.may_change` (approve, share) and `plan.may_see_drafts`."""
    plan = get_plan_for_user(request, slug, change=change)
    plan.may_see_drafts = plan.may_change or plan.user_role == Role.BOARD
    return plan


def get_subagreement_for_agreements(
    request: HttpRequest, slug: str, code: str, *, change: bool = False, draft: bool = False
) -> Subagreement:
    """The plan's delaftale for the focus area `code`, with its versions (`version_list`).

    `draft` marks a page that shows the unapproved draft: 403 for those who may not see it.
    """
    plan = get_plan_for_agreements(request, slug, change=change)
    if draft and not plan.may_see_drafts:
        raise PermissionDenied
    subagreement = plan.subagreements.with_versions().filter(focus_area__code=code).first()
    if subagreement is None:
        raise NotFound(
            _("The plan has no sub-agreement for the focus area '%(code)s'.") % {"code": code}
        )
    subagreement.plan = plan
    return subagreement


def get_share_link_for_user(request: HttpRequest, slug: str, pk: int) -> ShareLink:
    plan = get_plan_for_agreements(request, slug, change=True)
    link = get_object_or_404(plan.share_links.all(), pk=pk)
    link.plan = plan
    return link
