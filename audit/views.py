"""The history pages: who changed what in a delaftale, an activity or a success criterion, and
everything they hold, when, from what to what, and why; newest first, a page at a time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities.views import entry_crumbs
from agreements.access import get_subagreement_for_agreements

from .access import get_activity_for_history, get_criterion_for_history, history_areas
from .change_logs import activity_change_log, criterion_change_log, subagreement_change_log


@require_safe
def subagreement_changes(request: HttpRequest, plan: str, focus_area: str) -> HttpResponse:
    """Who changed what in the delaftale and everything it holds, when, and why."""
    # The changes are those of the draft, so they are for those who see drafts: the
    # secretariat and the board.
    subagreement, _access = get_subagreement_for_agreements(
        request, plan, focus_area, need="oversee"
    )
    return render(
        request,
        "audit/subagreement_changes.html",
        {
            "plan": subagreement.plan,
            "subagreement": subagreement,
            "page": subagreement_change_log(subagreement).page(request.GET.get("side")),
        },
    )


@require_safe
def activity_changes(request: HttpRequest, plan: str, activity: int) -> HttpResponse:
    """Who changed what in the activity, its metrics and its quarterly counts, when, and why."""
    subject, access = get_activity_for_history(request, plan, activity)
    title = _("Changes to %(activity)s") % {"activity": subject.name}
    areas = history_areas(access, request.user, subject)
    return render(
        request,
        "audit/activity_changes.html",
        {
            "plan": subject.subagreement.plan,
            "activity": subject,
            "breadcrumbs": entry_crumbs(subject.subagreement.plan, None, ("", title)),
            "page": activity_change_log(subject, areas).page(request.GET.get("side")),
        },
    )


@require_safe
def criterion_changes(request: HttpRequest, plan: str, criterion: int) -> HttpResponse:
    """Who changed what in the criterion, its targets and the figures it is judged on,
    when, and why."""
    subject, access = get_criterion_for_history(request, plan, criterion)
    areas = history_areas(access, request.user, subject.activity)
    return render(
        request,
        "audit/criterion_changes.html",
        {
            "plan": subject.subagreement.plan,
            "subagreement": subject.subagreement,
            "criterion": subject,
            "page": criterion_change_log(subject, areas).page(request.GET.get("side")),
        },
    )
