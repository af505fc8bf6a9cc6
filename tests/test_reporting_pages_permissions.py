"""Who may do what on the reporting pages: every URL of the activities app x every role.

Reporters (coordinators and the secretariat) open the entry page, its sheet and its upload;
the board and LBF may not (403). The overview is the secretariat's; the board may look but
not approve or reopen. Outside the user's plans nothing exists (404); without a login every
page sends to the login page.
"""

import pytest
from django.urls import reverse

from activities import urls as activity_urls
from activities.models import Metric, QuarterReport
from agreements.models import HousingArea

pytestmark = pytest.mark.django_db

ROLES = [
    "secretariat",
    "superuser",
    "coordinator_motalavej",
    "coordinator_sydbyen",
    "board_member",
    "lbf_user",
    "outsider",
]


def addresses(plan, report) -> dict[str, tuple[str, str]]:
    """name -> (method, url); each page is asked the way it is used."""
    slug, quarter = plan.slug, "2018K1"
    return {
        "entry_start": ("get", reverse("activities:entry_start", args=[slug])),
        "entry": ("get", reverse("activities:entry", args=[slug, quarter])),
        "entry_sheet": ("get", reverse("activities:entry_sheet", args=[slug, quarter])),
        "entry_upload": ("get", reverse("activities:entry_upload", args=[slug, quarter])),
        "completeness_start": ("get", reverse("activities:completeness_start", args=[slug])),
        "completeness": ("get", reverse("activities:completeness", args=[slug, quarter])),
        "approve": ("post", reverse("activities:approve", args=[slug, quarter])),
        "reopen": ("get", reverse("activities:reopen", args=[slug, report.pk])),
    }


REPORTING = {"entry_start", "entry", "entry_sheet", "entry_upload"}
EXPECTED = {
    # role: (reporting pages, overview read, approve and reopen)
    "secretariat": (200, 200, 200),
    "superuser": (200, 200, 200),
    "coordinator_motalavej": (200, 403, 403),
    "coordinator_sydbyen": (200, 403, 403),
    "board_member": (403, 200, 403),
    "lbf_user": (403, 403, 403),
    "outsider": (404, 404, 404),
}
REDIRECTS = {"entry_start", "completeness_start", "approve"}


@pytest.fixture
def report(plan, secretariat):
    walks = Metric.objects.get(name="Tryghedsvandringer")
    report = QuarterReport(
        activity=walks.activity,
        area=HousingArea.objects.get(code="motalavej"),
        year=2018,
        quarter=1,
    )
    report.submit(by=secretariat)
    report.save()
    return report


def expected(role: str, name: str) -> int:
    reporting, overview, change = EXPECTED[role]
    status = (
        reporting if name in REPORTING else change if name in ("approve", "reopen") else overview
    )
    return 302 if status == 200 and name in REDIRECTS else status


def test_the_matrix_covers_every_url_of_the_app(plan, report):
    assert {pattern.name for pattern in activity_urls.urlpatterns} == set(addresses(plan, report))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may(client, request, plan, report, role):
    client.force_login(request.getfixturevalue(role))
    failures = [
        (name, status, expected(role, name))
        for name, (method, address) in addresses(plan, report).items()
        if (status := getattr(client, method)(address).status_code) != expected(role, name)
    ]
    assert failures == []
    report.refresh_from_db()
    assert report.status == "submitted"  # an approve without a choice approves nothing


def test_without_a_login_every_page_sends_to_the_login(client, plan, report):
    for _name, (method, address) in addresses(plan, report).items():
        response = getattr(client, method)(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
