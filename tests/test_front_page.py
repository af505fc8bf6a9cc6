"""The front page lists the plans a user has a role in, in Danish, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_it_shows_the_users_plan_with_its_subagreements_and_budget(client, board_member):
    client.force_login(board_member)
    page = client.get(reverse("plans")).content.decode()
    assert "Boligsocial Helhedsplan for Skælskør, Korsør og Slagelse 2017-2021" in page
    assert "1. oktober 2017" in page and "30. september 2021" in page
    assert "Din rolle: Bestyrelse." in page
    for figure in ("11.559", "10.153", "15.492", "4.079", "44.450"):
        assert figure in page
    assert "Kriminalpræventiv indsats" in page
    assert "administrationen" not in page  # the board does not keep the data


def test_the_secretariat_is_shown_the_way_to_the_administration(client, secretariat):
    client.force_login(secretariat)
    assert "administrationen" in client.get(reverse("plans")).content.decode()


def test_a_user_without_a_role_sees_no_plan(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("plans")).content.decode()
    assert "Skælskør" not in page
    assert "Du har endnu ingen rolle i en plan" in page


def test_a_user_sees_only_the_plans_they_have_a_role_in(client, board_member, make_plan):
    make_plan("en-anden-plan")
    client.force_login(board_member)
    assert "Helhedsplan en-anden-plan" not in client.get(reverse("plans")).content.decode()


def queries_for_front_page(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("plans")).status_code == 200
    return len(queries)


def test_the_front_page_query_count_does_not_grow_with_the_plans(
    client, make_user, make_plan, plan
):
    user = make_user("tilskuer", Role.BOARD, plan)
    one_plan = queries_for_front_page(client, user)
    for number in range(10):
        other = make_plan(f"plan-{number}", area_code=f"omraade-{number}")
        Membership.objects.create(user=user, plan=other, role=Role.BOARD)
    # Four queries (session, user, plans, their delaftaler) inside the request's savepoint.
    assert queries_for_front_page(client, user) == one_plan == 6


@pytest.mark.parametrize("user", ["board_member", "secretariat"])
def test_the_board_and_the_secretariat_start_on_the_dashboard(client, plan, request, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard", args=[plan.slug])
    dashboard = client.get(response["Location"]).content.decode()
    # The ways into the plan are on it, and the list of plans is a click away.
    assert reverse("agreements:subagreements", args=[plan.slug]) in dashboard
    assert f'href="{reverse("plans")}"' in dashboard


def test_coordinators_and_members_of_several_plans_start_on_the_list(
    client, coordinator_motalavej, board_member, make_plan
):
    client.force_login(coordinator_motalavej)
    assert client.get(reverse("home")).status_code == 200
    other = make_plan("en-anden-plan")
    Membership.objects.create(user=board_member, plan=other, role=Role.BOARD)
    client.force_login(board_member)
    assert client.get(reverse("home")).status_code == 200


# What each role gets on the front page and the list of plans: the board and the
# secretariat of one plan are sent on to its dashboard (302), everyone else sees their list
# (an outsider an empty one, a superuser all plans); without a login both send to the login.
FRONT_PAGES = {
    # role: (front page, list of plans)
    "secretariat": (302, 200),
    "board_member": (302, 200),
    "superuser": (200, 200),
    "coordinator_motalavej": (200, 200),
    "coordinator_sydbyen": (200, 200),
    "lbf_user": (200, 200),
    "outsider": (200, 200),
}
