"""The measurement pages' objects for a user, each reached through its plan with
`agreements.access.get_plan_for_user`: a delaftale, indicator or criterion outside the plans
the user has a role in does not exist for them (404). Everyone with a role reads the tables;
the plan's secretariat (and superusers) enter and import figures and assess criteria.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from agreements.access import Need, PlanAccess, get_plan_for_user
from agreements.models import Subagreement

from .models import Indicator, SuccessCriterion


def get_subagreement_for_user(
    request: HttpRequest, slug: str, code: str, *, need: Need
) -> tuple[Subagreement, PlanAccess]:
    """The plan's delaftale for the focus area with this code."""
    plan, access = get_plan_for_user(request, slug, need=need)
    subagreement = get_object_or_404(
        plan.subagreements.select_related("focus_area"), focus_area__code=code
    )
    subagreement.plan = plan
    return subagreement, access


def get_indicator_for_user(
    request: HttpRequest, slug: str, pk: int, *, need: Need
) -> tuple[Indicator, PlanAccess]:
    plan, access = get_plan_for_user(request, slug, need=need)
    indicator = get_object_or_404(plan.indicators.all(), pk=pk)
    indicator.plan = plan
    return indicator, access


def get_qualitative_criterion_for_user(
    request: HttpRequest, slug: str, pk: int, *, need: Need
) -> tuple[SuccessCriterion, PlanAccess]:
    """A criterion of the plan assessed by people; a measured criterion has no such page."""
    plan, access = get_plan_for_user(request, slug, need=need)
    criterion = get_object_or_404(
        SuccessCriterion.objects.filter(
            subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
        ).select_related("subagreement__focus_area", "activity"),
        pk=pk,
    )
    criterion.subagreement.plan = plan
    return criterion, access


def get_criterion_for_user(
    request: HttpRequest, slug: str, pk: int, *, need: Need
) -> tuple[SuccessCriterion, PlanAccess]:
    """A criterion of the plan, measured or assessed by people, with what its page shows."""
    plan, access = get_plan_for_user(request, slug, need=need)
    criterion = get_object_or_404(
        SuccessCriterion.objects.filter(subagreement__plan=plan).select_related(
            "subagreement__focus_area", "activity", "indicator", "metric", "denominator_metric"
        ),
        pk=pk,
    )
    criterion.subagreement.plan = plan
    return criterion, access
