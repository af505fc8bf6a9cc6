"""Who has reported a quarter: the secretariat's overview, read in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from agreements.models import HousingArea, Membership, Plan
from lib.periods import Quarter

from .models import Activity, PairStatus, QuarterReport, ReportingAssignment, assignment_covers


@dataclass
class CompletenessCell:
    activity: Activity
    area: HousingArea
    report: QuarterReport | None
    # The memberships of the active users assigned to report the pair.
    reporters: list[Membership]

    @property
    def status(self) -> PairStatus:
        return PairStatus.of(self.report)


@dataclass
class Completeness:
    plan: Plan
    quarter: Quarter
    areas: list[HousingArea]
    # One row per activity: (activity, [cell or None for each area, None where it does not run]).
    rows: list[tuple[Activity, list[CompletenessCell | None]]]

    @classmethod
    def load(cls, plan: Plan, quarter: Quarter) -> Completeness:
        pairs = Activity.objects.in_plan(plan).pairs()
        areas = list(
            HousingArea.objects.filter(plan_areas__plan=plan).order_by("plan_areas__position")
        )
        reports = QuarterReport.objects.by_pair(plan, quarter)
        assignments = list(
            ReportingAssignment.objects.filter(
                membership__plan=plan, membership__user__is_active=True
            )
            .select_related("membership__user")
            .order_by("membership__user__username")
        )
        rows: list = []
        for activity, area in pairs:
            if not rows or rows[-1][0] != activity:
                rows.append((activity, {}))
            rows[-1][1][area.pk] = CompletenessCell(
                activity,
                area,
                reports.get((activity.pk, area.pk)),
                list(
                    {
                        assignment.membership: None
                        for assignment in assignments
                        if assignment_covers(
                            (assignment.activity_id, assignment.area_id), activity, area
                        )
                    }
                ),
            )
        rows = [(activity, [cells.get(area.pk) for area in areas]) for activity, cells in rows]
        return cls(plan, quarter, areas, rows)

    @property
    def cells(self) -> list[CompletenessCell]:
        return [cell for _activity, cells in self.rows for cell in cells if cell is not None]

    @property
    def totals(self) -> list[tuple[PairStatus, int]]:
        """How many activity-area pairs are in each state, in workflow order."""
        counted = Counter(cell.status for cell in self.cells)
        return [(status, counted[status]) for status in PairStatus]

    @property
    def submitted(self) -> list[CompletenessCell]:
        return [cell for cell in self.cells if cell.status == PairStatus.SUBMITTED]
