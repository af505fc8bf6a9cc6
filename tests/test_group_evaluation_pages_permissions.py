"""Who may do what on the report pages: every URL of the reports app x every role.

The dashboard and the status report are the board's and the secretariat's. The groups'
evaluations are the board's reading and the secretariat's to keep: the secretariat
and superusers read and save, the board reads (a save is refused with 403), coordinators and
LBF get 403 for everything. Outside the user's plans nothing exists (404); without a login
every page sends to the login page.
"""

import pytest
from django.urls import reverse

from agreements.models import Body, Role
from reports.models import GroupEvaluation
from tests.conftest import ROLES
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db


def addresses(plan) -> dict[str, tuple[str, str]]:
    """name -> (method, url); each page is asked the way it is used."""
    slug = plan.slug
    return {
        "dashboard": ("get", reverse("reports:dashboard", args=[slug]) + "?periode=2019H1"),
        "status_report": ("get", reverse("reports:status_report", args=[slug, "2019H1"])),
        "group_evaluations_start": (
            "get",
            reverse("reports:group_evaluations_start", args=[slug]),
        ),
        "group_evaluations": ("get", reverse("reports:group_evaluations", args=[slug, "2019H1"])),
    }


EXPECTED = {
    # role: (read, save)
    "secretariat": (200, 302),
    "superuser": (200, 302),
    "coordinator_motalavej": (403, 403),
    "coordinator_sydbyen": (403, 403),
    "board_member": (200, 403),
    "lbf_user": (403, 403),
    "outsider": (404, 404),
}
REDIRECTS = {"group_evaluations_start"}


def expected(role: str, name: str) -> int:
    status = EXPECTED[role][0]
    return 302 if status == 200 and name in REDIRECTS else status


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_keep_the_plan_save_evaluations(client, request, plan, secretariat, role):
    # A form as the secretariat is shown it, posted by each role.
    client.force_login(secretariat)
    address = reverse("reports:group_evaluations", args=[plan.slug, "2019H1"])
    group = Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP)
    fields = form_fields(client.get(address)) | {
        f"group-{group.pk}-meeting_date": "12.06.2019",
        f"group-{group.pk}-text": "Godt møde.",
    }
    client.force_login(request.getfixturevalue(role))
    assert client.post(address, fields).status_code == EXPECTED[role][1]
    assert GroupEvaluation.objects.exists() == (EXPECTED[role][1] == 302)


def test_another_plans_secretariat_finds_no_such_plan(client, make_user, make_plan, plan):
    other = make_plan("en-anden-plan")
    client.force_login(make_user("andet-sekretariat", Role.SECRETARIAT, other))
    for name, (method, address) in addresses(plan).items():
        assert getattr(client, method)(address).status_code == 404, name
