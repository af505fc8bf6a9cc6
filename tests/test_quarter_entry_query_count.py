"""Showing and saving the entry form take a fixed number of queries, however many numbers the
form holds: a coordinator's one area costs what the secretariat's whole plan costs, and ten
times the metrics cost the same again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, Metric, QuarterlyCount
from agreements.models import HousingArea, Role
from lib.periods import Quarter

from .test_quarter_entry import entry_url, filled, loaded_form

# Session, user, plan with role, activities, metrics, areas, assignments, reports, counts,
# targets, shares, change history; the quarter picker's progress of each quarter (activities,
# metrics, areas, assignments and the plan's reports: activities.todo); and the savepoints of
# the atomic request.
SHOW_QUERIES = {"coordinator": 19, "secretariat": 17}  # the secretariat has no assignments
# A coordinator's save reads their assignments once more. On SQLite, Django splits a bulk
# insert into batches of at most 999 parameters, so the secretariat's history rows of the
# whole seed plan take two INSERTs there; PostgreSQL needs one.
SAVE_QUERIES = {
    ("sqlite", "coordinator"): 24,
    ("sqlite", "secretariat"): 24,
    ("postgresql", "coordinator"): 24,
    ("postgresql", "secretariat"): 23,
}


def queries_to_show(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(entry_url()).status_code == 200
    return len(captured)


def queries_to_save(client, quarter: Quarter) -> tuple[int, int]:
    """Submit a quarter nobody has reported yet with every number filled in."""
    data = filled(loaded_form(client, entry_url(quarter)), value="2")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(entry_url(quarter), {**data, "action": "submit"})
    assert response.status_code == 302, response.context["error_summary"]
    return len(captured), sum(name.startswith("c_") for name in data)


def ten_times_the_metrics():
    for activity in Activity.objects.filter(subagreement__plan__slug="slagelse-2017-2021"):
        Metric.objects.bulk_create(
            Metric(activity=activity, name=f"Ekstra måling {n}", position=100 + n)
            for n in range(9 * activity.metrics.count())
        )


def history_for_every_number(quarters=((2017, 4), (2018, 3), (2018, 4))):
    QuarterlyCount.objects.bulk_create(
        QuarterlyCount(metric=metric, area=area, year=year, quarter=number, value=3)
        for metric in Metric.objects.select_related("activity")
        for area in metric.activity.areas.all()
        for year, number in quarters
    )


def test_showing_the_form_does_not_grow_with_its_fields(client, coordinator_motalavej, secretariat):
    client.force_login(coordinator_motalavej)
    assert queries_to_show(client) == SHOW_QUERIES["coordinator"]
    client.force_login(secretariat)
    assert queries_to_show(client) == SHOW_QUERIES["secretariat"]
    ten_times_the_metrics()
    history_for_every_number()
    # Submitted reports name who submitted them, and changes after submission are listed.
    queries_to_save(client, Quarter(2018, 1))
    data = {**loaded_form(client), "reason": "Rettelse"}
    data = {name: "4" if name.startswith("c_") else value for name, value in data.items()}
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    assert queries_to_show(client) == SHOW_QUERIES["secretariat"]
    client.force_login(coordinator_motalavej)
    assert queries_to_show(client) == SHOW_QUERIES["coordinator"]


def test_saving_the_whole_plan_costs_what_one_area_costs(
    client, coordinator_motalavej, secretariat
):
    client.force_login(coordinator_motalavej)
    few, few_fields = queries_to_save(client, Quarter(2018, 1))
    client.force_login(secretariat)
    many, many_fields = queries_to_save(client, Quarter(2018, 2))
    assert many_fields > 3 * few_fields
    assert few == SAVE_QUERIES[connection.vendor, "coordinator"]
    assert many == SAVE_QUERIES[connection.vendor, "secretariat"]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="Django writes bulk inserts on SQLite in batches of at most 999 parameters, so "
    "ten times the rows take a few more INSERTs there; PostgreSQL has no such limit.",
)
def test_saving_ten_times_the_numbers_costs_the_same(client, coordinator_motalavej, secretariat):
    client.force_login(secretariat)
    few, few_fields = queries_to_save(client, Quarter(2018, 1))
    ten_times_the_metrics()
    history_for_every_number()
    many, many_fields = queries_to_save(client, Quarter(2018, 2))
    assert many_fields > 9 * few_fields
    assert few == many == SAVE_QUERIES["postgresql", "secretariat"]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_overview_and_the_sheet_do_not_grow_with_the_reports(
    client, secretariat, make_user, plan
):
    overview = reverse("activities:completeness", args=[plan.slug, "2018K2"])
    sheet = reverse("activities:entry_sheet", args=[plan.slug, "2018K2"])
    client.force_login(secretariat)
    before = (count_queries(client, overview), count_queries(client, sheet))
    # Every pair reported and submitted, and a reporter for every area.
    for area in HousingArea.objects.filter(plan_areas__plan=plan):
        make_user(f"koordinator-{area.code}-2", Role.COORDINATOR, plan, areas=[area])
    ten_times_the_metrics()
    history_for_every_number()
    queries_to_save(client, Quarter(2018, 2))
    # The overview also reads the plan's secretariat and the quarter's reminders, for its
    # list of reporters who are not done (activities.reminders.quarter_completeness).
    assert (count_queries(client, overview), count_queries(client, sheet)) == before == (13, 13)
