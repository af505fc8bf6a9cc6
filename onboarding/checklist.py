"""The set-up checklist: what a plan has and what it still lacks, in the order it is put in.

A criterion that reads a count can only be made once the activity counts it, and a coordinator
can only be given an activity that exists, so the steps follow the order the work must be done
in. Each step says what is there, names what is missing, and links to where it is done. The
whole list is read in a fixed number of queries, however large the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import Activity, ReportingAssignment, assignment_covers, plan_area_order
from agreements.models import Membership, Plan, Role
from indicators.models import SuccessCriterion


@dataclass(frozen=True)
class Step:
    """One line of the checklist: done when nothing is missing."""

    title: str
    have: str
    missing: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, address)

    @property
    def done(self) -> bool:
        return not self.missing


def checklist(plan: Plan) -> list[Step]:
    """The plan's set-up steps in the order they must be done. Ten queries."""
    workbook = (
        _("Put it in with the plan workbook"),
        reverse("onboarding:workbook", args=[plan.slug]),
    )
    members = (_("Invite and assign people"), reverse("members:members", args=[plan.slug]))
    admin_plan = (
        _("Keep the plan's data in the administration"),
        reverse("admin:agreements_plan_change", args=[plan.pk]),
    )
    areas = list(plan_area_order(plan))
    subagreements = list(plan.subagreements.select_related("focus_area"))
    period_areas = list(plan.funding_period.focus_areas.all())
    activities = list(Activity.objects.in_plan(plan))
    criteria = list(
        SuccessCriterion.objects.filter(subagreement__plan=plan)
        .select_related("subagreement__focus_area", "activity")
        .annotate(target_total=Count("targets"))
        .order_by("subagreement__focus_area__position", "position")
    )
    assignments = list(
        ReportingAssignment.objects.filter(membership__plan=plan).values_list(
            "activity_id", "area_id"
        )
    )
    roles = dict(
        Membership.objects.filter(plan=plan)
        .values_list("role")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return [
        _areas_step(areas, [workbook, admin_plan]),
        _subagreements_step(subagreements, period_areas, [workbook, admin_plan]),
        _activities_step(subagreements, activities, [workbook, _admin("activities_activity")]),
        _criteria_step(subagreements, criteria, [workbook, _admin("indicators_successcriterion")]),
        _reporters_step(activities, assignments, roles, [members]),
        _readers_step(roles, [members]),
    ]


def _admin(model: str) -> tuple[str, str]:
    return _("Open the list in the administration"), reverse(f"admin:{model}_changelist")


def _areas_step(areas, links) -> Step:
    return Step(
        title=_("Housing areas"),
        have=ngettext("%(count)d housing area", "%(count)d housing areas", len(areas))
        % {"count": len(areas)},
        missing=[] if areas else [_("The plan has no housing areas yet.")],
        links=links,
    )


def _subagreements_step(subagreements, period_areas, links) -> Step:
    # A plan may take only some of its funding period's focus areas, so the areas without a
    # delaftale are named as a fact, never as something missing.
    taken = {subagreement.focus_area_id for subagreement in subagreements}
    untaken = [area.name for area in period_areas if area.pk not in taken]
    have = ngettext("%(count)d sub-agreement", "%(count)d sub-agreements", len(subagreements)) % {
        "count": len(subagreements)
    }
    if subagreements and untaken:
        have += " " + _("(no sub-agreement for %(areas)s)") % {"areas": ", ".join(untaken)}
    return Step(
        title=_("Sub-agreements"),
        have=have,
        missing=[] if subagreements else [_("The plan has no sub-agreements yet.")],
        links=links,
    )


def _activities_step(subagreements, activities, links) -> Step:
    missing = []
    with_activities = {activity.subagreement_id for activity in activities}
    for subagreement in subagreements:
        if subagreement.pk not in with_activities:
            missing.append(
                _("The sub-agreement for %(area)s has no activities.")
                % {"area": subagreement.focus_area}
            )
    for activity in activities:
        if not activity.metrics.all():
            missing.append(
                _("%(activity)s counts nothing each quarter.") % {"activity": activity.name}
            )
        if not activity.areas.all():
            missing.append(_("%(activity)s runs in no housing area.") % {"activity": activity.name})
    metrics = sum(len(activity.metrics.all()) for activity in activities)
    return Step(
        title=_("Activities and what they count"),
        have=_("%(activities)s, counting %(metrics)s")
        % {
            "activities": ngettext("%(count)d activity", "%(count)d activities", len(activities))
            % {"count": len(activities)},
            "metrics": ngettext("%(count)d thing", "%(count)d things", metrics)
            % {"count": metrics},
        },
        missing=missing if subagreements else [_("Make the sub-agreements first.")],
        links=links,
    )


def _criteria_step(subagreements, criteria, links) -> Step:
    missing = []
    with_criteria = {criterion.subagreement_id for criterion in criteria}
    for subagreement in subagreements:
        if subagreement.pk not in with_criteria:
            missing.append(
                _("The sub-agreement for %(area)s has no success criteria.")
                % {"area": subagreement.focus_area}
            )
    for criterion in criteria:
        if criterion.kind == SuccessCriterion.Kind.QUALITATIVE:
            continue
        where = _("%(area)s, criterion %(number)d") % {
            "area": criterion.subagreement.focus_area,
            "number": criterion.position,
        }
        if not (criterion.indicator_id or criterion.metric_id):
            missing.append(
                _("%(where)s reads no figure: choose an indicator or a count.") % {"where": where}
            )
        if not criterion.target_total:
            missing.append(_("%(where)s has no target.") % {"where": where})
    return Step(
        title=_("Success criteria with targets"),
        have=ngettext("%(count)d success criterion", "%(count)d success criteria", len(criteria))
        % {"count": len(criteria)},
        missing=missing if subagreements else [_("Make the sub-agreements first.")],
        links=links,
    )


def _reporters_step(activities, assignments, roles, links) -> Step:
    # The secretariat may report anything, but a pair nobody is assigned to is a quarter that
    # waits for the secretariat to remember it: each pair should have its coordinator.
    pairs = [(activity, area) for activity in activities for area in activity.areas.all()]
    uncovered = [
        (activity, area)
        for activity, area in pairs
        if not any(assignment_covers(assignment, activity, area) for assignment in assignments)
    ]
    missing = [
        _("Nobody reports %(activity)s in %(area)s.")
        % {"activity": activity.name, "area": area.short_name or area.name}
        for activity, area in uncovered
    ]
    if not roles.get(Role.COORDINATOR):
        missing.insert(0, _("The plan has no coordinators yet."))
    return Step(
        title=_("Reporters for every activity and area"),
        have=_("%(covered)d of %(total)d activities in an area have someone to report them")
        % {"covered": len(pairs) - len(uncovered), "total": len(pairs)},
        missing=missing if pairs else [_("Make the activities and their areas first.")],
        links=links,
    )


def _readers_step(roles, links) -> Step:
    missing = []
    if not roles.get(Role.BOARD):
        missing.append(_("The plan has no board members yet."))
    if not roles.get(Role.LBF):
        missing.append(_("Nobody from Landsbyggefonden is a member yet."))
    return Step(
        title=_("Board and Landsbyggefonden"),
        have=_("Board: %(board)d, Landsbyggefonden: %(lbf)d")
        % {"board": roles.get(Role.BOARD, 0), "lbf": roles.get(Role.LBF, 0)},
        missing=missing,
        links=links,
    )
