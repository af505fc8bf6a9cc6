"""The board's dashboard: verdicts with their sentences, charts, delivery, completeness and
budget for a year or half-year, for the whole plan or one area, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Plan
from demo.data import load_demo_data
from demo.national_dataset import PlanShape, by_old_pk, clone, generate_plan
from indicators.models import CriterionTarget, SuccessCriterion
from tests.conftest import PLAN_SLUG

pytestmark = pytest.mark.django_db

# Session, user, plan with role and savepoints; the figures (3), the criteria with their
# targets, activities and metrics; the yearly targets and counts so far; four quarters of
# completeness (4 each); the areas of the filter and the budget. Served
# from the cache, the page takes CACHED_QUERIES (tests/test_dashboard_cache.py).
DASHBOARD_QUERIES = 42


def dashboard(plan, **params) -> str:
    return reverse("reports:dashboard", args=[plan.slug]) + (
        "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    )


def report_walks(*, value: int, by=None, year: int = 2019) -> QuarterReport:
    """Walks on Motalavej in the first quarter of `year`: a draft, or submitted by `by`."""
    walks = Metric.objects.get(
        activity__subagreement__plan__slug=PLAN_SLUG, name="Tryghedsvandringer"
    )
    motalavej = HousingArea.objects.get(code="motalavej")
    QuarterlyCount.objects.create(metric=walks, area=motalavej, year=year, quarter=1, value=value)
    report = QuarterReport(activity=walks.activity, area=motalavej, year=year, quarter=1)
    if by:
        report.submit(by=by)
    report.save()
    return report


def test_the_board_reads_the_plans_criteria_budget_and_reports_for_a_half_year(
    client, plan, board_member
):
    client.force_login(board_member)
    response = client.get(dashboard(plan, periode="2019H1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status 1. halvår 2019" in html
    assert "Antallet af kriminalretlige afgørelser" in html
    assert "Leverancer i året til og med 2. kvartal 2019" in html
    assert "1. kvartal 2019" in html and "2. kvartal 2019" in html
    assert "Ikke fordelt på en delaftale" in html
    assert 'role="img"' in html  # the charts are drawn on the server


def test_only_submitted_quarters_count_for_the_board(client, plan, board_member, secretariat):
    report = report_walks(value=3)
    client.force_login(board_member)
    html = client.get(dashboard(plan, periode="2019H1", omraade="motalavej")).content.decode()
    assert "3, målet på 1 er nået" not in html
    report.submit(by=secretariat)
    report.save()
    html = client.get(dashboard(plan, periode="2019H1", omraade="motalavej")).content.decode()
    # Past the target the bar says so, rather than a share ("3 af 1 (300 %)") of no meaning.
    assert "3, målet på 1 er nået" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"periode": "2030"}, "Planen har ingen periode &#x27;2030&#x27;."),
        ({"periode": "2019H3"}, "Planen har ingen periode &#x27;2019H3&#x27;."),
        ({"omraade": "vollsmose"}, "Planen har intet boligområde &#x27;vollsmose&#x27;."),
    ],
)
def test_an_unknown_period_or_area_says_so(client, plan, board_member, params, message):
    client.force_login(board_member)
    response = client.get(dashboard(plan, **params))
    assert response.status_code == 404
    assert message in response.content.decode()


def queries(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def ten_times_the_activities_and_criteria(plan) -> None:
    """Nine more of each of the plan's activities, with its metrics and housing areas, and of
    each of its criteria with their targets, each copy reading its own activity's metrics."""
    activities = list(Activity.objects.filter(subagreement__plan=plan).prefetch_related("areas"))
    metrics = list(Metric.objects.filter(activity__in=activities))
    criteria = list(SuccessCriterion.objects.filter(subagreement__plan=plan))
    targets = list(CriterionTarget.objects.filter(criterion__in=criteria))
    step = max(criterion.position for criterion in criteria) + 1
    for n in range(1, 10):
        copies = Activity.objects.bulk_create(
            clone(Activity, row, position=100 * n + row.position, name=f"{row.name} ({n})")
            for row in activities
        )
        for original, copy in zip(activities, copies, strict=True):
            copy.areas.set(original.areas.all())
        new_activity = by_old_pk(activities, copies)
        new_metric = by_old_pk(
            metrics,
            Metric.objects.bulk_create(
                clone(Metric, row, activity_id=new_activity[row.activity_id]) for row in metrics
            ),
        )
        new_criterion = by_old_pk(
            criteria,
            SuccessCriterion.objects.bulk_create(
                clone(
                    SuccessCriterion,
                    row,
                    position=step * n + row.position,
                    activity_id=new_activity.get(row.activity_id),
                    metric_id=new_metric.get(row.metric_id),
                    denominator_metric_id=new_metric.get(row.denominator_metric_id),
                )
                for row in criteria
            ),
        )
        CriterionTarget.objects.bulk_create(
            clone(CriterionTarget, row, criterion_id=new_criterion[row.criterion_id])
            for row in targets
        )


def test_the_dashboard_takes_the_same_queries_with_ten_plans_and_ten_times_the_data(
    client, plan, board_member, secretariat
):
    """Nine more plans as full as the national dataset makes them (activities, criteria with
    targets, counts, reports and measurements), ten times this plan's activities and
    criteria, and every quarter of it counted and reported: an N+1 over criteria, targets,
    activities, metrics, counts, reports or plans would show."""
    client.force_login(board_member)
    address = dashboard(plan, periode="2019")
    report_walks(value=2, by=secretariat)
    before = queries(client, address)
    assert before == DASHBOARD_QUERIES
    criteria = SuccessCriterion.objects.filter(subagreement__plan=plan)
    activities = Activity.objects.filter(subagreement__plan=plan)
    sizes = (criteria.count(), activities.count())

    shape = PlanShape.of(plan)
    for number in range(1, 10):
        generate_plan(shape, number=number, password_hash="!")
    for year in (2018, 2020, 2021):
        report_walks(value=3, by=secretariat, year=year)
    ten_times_the_activities_and_criteria(plan)
    load_demo_data(plan=plan)
    assert Plan.objects.count() == 10
    assert (criteria.count(), activities.count()) == (10 * sizes[0], 10 * sizes[1])
    assert QuarterReport.objects.filter(activity__subagreement__plan=plan).count() > 5000
    assert queries(client, address) == before
    # The copies are on the page, not only in the database.
    assert "Strategisk kommunikation (at forbedre medieomtalen om ansøgningsområderne) (9)" in (
        client.get(address).content.decode()
    )
