"""Who may do what on the measurement pages: every URL of the indicators app x every role.

Everyone with a role in the plan reads the tables; only its secretariat (and superusers)
reach the pages that change data, and any POST from anyone else is refused. Outside the
user's plans nothing exists (404); without a login every page sends to the login page.
"""

import pytest
from django.urls import reverse

from indicators.models import Indicator, SuccessCriterion

pytestmark = pytest.mark.django_db

READERS = ["board_member", "lbf_user", "coordinator_motalavej", "coordinator_sydbyen"]
KEEPERS = ["secretariat", "superuser"]


def addresses(plan) -> dict[str, tuple[str, str, str]]:
    """name -> (method, url, kind); kind is "read" or "change"."""
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    criterion = SuccessCriterion.objects.get(
        subagreement__plan=plan, text="Trygheden vurderes styrket."
    )
    slug = plan.slug
    return {
        "plan": ("get", reverse("indicators:plan", args=[slug]), "read"),
        "subagreement": (
            "get",
            reverse("indicators:subagreement", args=[slug, "kriminalitet"]),
            "read",
        ),
        "year_figures": (
            "get",
            reverse("indicators:year_figures", args=[slug, indicator.pk, 2018]),
            "change",
        ),
        "assessment": (
            "get",
            reverse("indicators:assessment", args=[slug, criterion.pk, 2018]),
            "change",
        ),
        "import": ("get", reverse("indicators:import", args=[slug]), "change"),
        "sheet": ("get", reverse("indicators:sheet", args=[slug]), "change"),
        "import_confirm": ("post", reverse("indicators:import_confirm", args=[slug]), "change"),
        # The history of a criterion of tryghedsvandringer, which both coordinators report;
        # Landsbyggefonden does not read histories.
        "changes": ("get", reverse("indicators:changes", args=[slug, criterion.pk]), "history"),
    }


def expected(role: str, method: str, kind: str) -> int:
    if role == "outsider":
        return 404
    if role in READERS:
        return 200 if kind == "read" or (kind == "history" and role != "lbf_user") else 403
    # A confirmation without a valid token goes back to the upload form.
    return 302 if method == "post" else 200


@pytest.mark.parametrize("role", [*READERS, "outsider"])
def test_nobody_but_the_secretariat_may_post_to_a_page_that_changes_data(
    client, request, plan, role
):
    client.force_login(request.getfixturevalue(role))
    for name, (_method, address, kind) in addresses(plan).items():
        if kind == "change" and name != "sheet":
            status = client.post(address, {"figures-0-value": "1"}).status_code
            assert status == (404 if role == "outsider" else 403), name


@pytest.mark.parametrize("role", [*READERS, *KEEPERS])
def test_the_read_pages_take_no_post(client, request, plan, role):
    client.force_login(request.getfixturevalue(role))
    for _name, (_method, address, kind) in addresses(plan).items():
        if kind == "read":
            assert client.post(address).status_code == 405


def test_a_plan_the_user_has_no_role_in_does_not_exist(client, secretariat, make_plan):
    other = make_plan("en-anden-plan")
    client.force_login(secretariat)
    assert client.get(reverse("indicators:plan", args=[other.slug])).status_code == 404
    assert client.get(reverse("indicators:import", args=[other.slug])).status_code == 404
