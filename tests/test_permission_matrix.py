"""One permission matrix over every URL the project defines, for every kind of visitor.

Each row is a URL name with the method it is used with; each column a visitor: nobody logged
in, each role of the plan, a coordinator of another area, a logged-in user of no plan here,
a superuser, and someone holding a share link for Landsbyggefonden (who is not logged in).
The test fails when a URL exists that has no row, and for every response that differs from
its cell. The administration's pages are generated from the admin's registry, with the
secretariat's expectations from tests/test_admin_pages.py.

Only the holder of the share link has its token. Every other visitor, logged in or not, tries
the share-link pages with the same token tampered with, so the holder's column differs from
all others and would stop differing if a share-link page served a token that is not valid.

What the cells say: 200 the page; 302 a redirect after an action, or to the login page when
nobody is logged in; 403 the user may look at the plan but not do this; 404 the thing does
not exist for the user (another plan, another area, a share link that is not valid); 405 the
URL takes only POST.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from activities.models import Metric, QuarterReport
from agreements.models import HousingArea, Role, ShareLink
from indicators.models import Indicator, SuccessCriterion
from members.services import invite
from reports.models import SentReport
from tests.conftest import ROLES
from tests.test_admin_pages import admin_urls, expected_for_secretariat

pytestmark = pytest.mark.django_db

# Columns: nobody logged in, the holder of a share link for Landsbyggefonden (not logged in
# either), and every role of tests/conftest.py, among them a coordinator of another area.
VISITORS = ["anonymous", "lbf_link", *ROLES]
QUARTER = "2018K1"
PERIOD = "2019H1"
FOCUS_AREA = "tryghed"
YEAR = 2018

# name: (method, statuses in the order of VISITORS):
#   anonymous, lbf_link, secretariat, superuser, coordinator_motalavej, coordinator_sydbyen,
#   board_member, lbf_user, outsider
MATRIX: dict[str, tuple[str, str]] = {
    "home": ("get", "302 302 302 200 200 200 302 200 200"),
    "plans": ("get", "302 302 200 200 200 200 200 200 200"),
    "login": ("get", "200 200 200 200 200 200 200 200 200"),
    "privacy": ("get", "200 200 200 200 200 200 200 200 200"),
    "accessibility": ("get", "200 200 200 200 200 200 200 200 200"),
    "health": ("get", "200 200 200 200 200 200 200 200 200"),
    "indicators:plan": ("get", "302 302 200 200 200 200 200 200 404"),
    "indicators:import": ("get", "302 302 200 200 403 403 403 403 404"),
    "indicators:sheet": ("get", "302 302 200 200 403 403 403 403 404"),
    "indicators:subagreement": ("get", "302 302 200 200 200 200 200 200 404"),
    "indicators:year_figures": ("get", "302 302 200 200 403 403 403 403 404"),
    "indicators:assessment": ("get", "302 302 200 200 403 403 403 403 404"),
    "indicators:changes": ("get", "302 302 200 200 200 200 200 403 404"),
    "activities:entry_start": ("get", "302 302 302 302 302 302 403 403 404"),
    "activities:completeness_start": ("get", "302 302 302 302 403 403 302 403 404"),
    "activities:entry": ("get", "302 302 200 200 200 200 403 403 404"),
    "activities:entry_sheet": ("get", "302 302 200 200 200 200 403 403 404"),
    "activities:entry_upload": ("get", "302 302 200 200 200 200 403 403 404"),
    "activities:completeness": ("get", "302 302 200 200 403 403 200 403 404"),
    "activities:reopen": ("get", "302 302 200 200 403 403 403 403 404"),
    "activities:changes": ("get", "302 302 200 200 200 200 200 403 404"),
    "agreements:subagreements": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:all_pdf": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:strategic_agreement_pdf": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:history": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:pdf": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:version_pdf": ("get", "302 302 200 200 200 200 200 200 404"),
    "agreements:draft_pdf": ("get", "302 302 200 200 403 403 200 403 404"),
    "agreements:approve": ("get", "302 302 200 200 403 403 403 403 404"),
    "agreements:changes": ("get", "302 302 200 200 403 403 200 403 404"),
    "agreements:share_links": ("get", "302 302 200 200 403 403 403 403 404"),
    "agreements:shared": ("get", "404 200 404 404 404 404 404 404 404"),
    "agreements:shared_all_pdf": ("get", "404 200 404 404 404 404 404 404 404"),
    "agreements:shared_pdf": ("get", "404 200 404 404 404 404 404 404 404"),
    "reports:dashboard": ("get", "302 302 200 200 403 403 200 403 404"),
    "reports:status_report": ("get", "302 302 200 200 403 403 200 403 404"),
    "reports:group_evaluations_start": ("get", "302 302 302 302 403 403 302 403 404"),
    "reports:group_evaluations": ("get", "302 302 200 200 403 403 200 403 404"),
    # The board reads the reports the secretariat has sent it, exactly as they were sent.
    "reports:sent_reports": ("get", "302 302 200 200 403 403 200 403 404"),
    "reports:sent_report_pdf": ("get", "302 302 200 200 403 403 200 403 404"),
    "indicators:criterion_targets": ("get", "302 302 200 200 403 403 403 403 404"),
    "indicators:target_new": ("get", "302 302 200 200 403 403 403 403 404"),
    # The criterion of the matrix is assessed by people and has no target 1.
    "indicators:target_edit": ("get", "302 302 404 404 403 403 403 403 404"),
    "indicators:target_preview": ("get", "302 302 200 200 403 403 403 403 404"),
    "members:members": ("get", "302 302 200 200 403 403 403 403 404"),
    "members:invite": ("get", "302 302 200 200 403 403 403 403 404"),
    "members:member": ("get", "302 302 200 200 403 403 403 403 404"),
    "members:remove": ("get", "302 302 200 200 403 403 403 403 404"),
    # The invited person's page is public; whoever is logged in is told to log out first.
    "members:accept": ("get", "200 200 200 200 200 200 200 200 200"),
    # Only the installation's operator starts a plan (members/views.py says why 403).
    "members:new_plan": ("get", "302 302 403 200 403 403 403 403 403"),
    "onboarding:checklist": ("get", "302 302 200 200 403 403 403 403 404"),
    "onboarding:workbook": ("get", "302 302 200 200 403 403 403 403 404"),
    "onboarding:workbook_download": ("get", "302 302 200 200 403 403 403 403 404"),
    "onboarding:blank_workbook": ("get", "302 302 200 200 403 403 403 403 404"),
    # Everyone in the plan reads its economy; only the secretariat enters and imports it.
    "economy:plan": ("get", "302 302 200 200 200 200 200 200 404"),
    "economy:subagreement": ("get", "302 302 200 200 403 403 403 403 404"),
    "economy:import": ("get", "302 302 200 200 403 403 403 403 404"),
    "economy:sheet": ("get", "302 302 200 200 403 403 403 403 404"),
    "set_language": ("post", "302 302 302 302 302 302 302 302 302"),
    "indicators:import_confirm": ("post", "302 302 302 302 403 403 403 403 404"),
    "activities:approve": ("post", "302 302 302 302 403 403 403 403 404"),
    "agreements:revoke_share_link": ("post", "302 302 302 302 403 403 403 403 404"),
    # Only the secretariat sends a status report; the board may read it, not send it.
    "reports:send_report": ("post", "302 302 302 302 403 403 403 403 404"),
    "members:resend": ("post", "302 302 302 302 403 403 403 403 404"),
    "members:revoke": ("post", "302 302 302 302 403 403 403 403 404"),
    "onboarding:workbook_confirm": ("post", "302 302 302 302 403 403 403 403 404"),
    # Only the secretariat reminds a reporter by hand; the board may look, not send.
    "activities:remind": ("post", "302 302 302 302 403 403 403 403 404"),
    "economy:import_confirm": ("post", "302 302 302 302 403 403 403 403 404"),
    "logout": ("post", "302 302 302 302 302 302 302 302 302"),
}
ACTIONS = {name for name, (method, _statuses) in MATRIX.items() if method == "post"}


def tampered(token: str) -> str:
    """The token with the last character of its signature changed."""
    return token[:-1] + ("B" if token[-1] == "A" else "A")


def arguments(plan, objects, *, holds_the_link: bool = True) -> dict[str, object]:
    """A value for every URL parameter name the project uses, with the share link's token,
    or a tampered one for a visitor who does not hold the link."""
    token = objects["link"].token
    return {
        "plan": plan.slug,
        "focus_area": FOCUS_AREA,
        "quarter": QUARTER,
        "period": PERIOD,
        "year": YEAR,
        "number": 1,
        "indicator": objects["indicator"].pk,
        "criterion": objects["criterion"].pk,
        "activity": objects["activity"].pk,
        "report": objects["report"].pk,
        "link": objects["link"].pk,
        "sent": objects["sent"].pk,
        "token": token if holds_the_link else tampered(token),
        "member": objects["membership"].pk,
        "invitation": objects["invitation"].pk,
        "invitation_token": objects["invitation_token"],
    }


def project_urls() -> list[tuple[str, list[str]]]:
    """(name, parameter names) of every URL outside the administration."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner or None)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return found


@pytest.fixture
def objects(plan, secretariat):
    walks = Metric.objects.get(activity__subagreement__plan=plan, name="Tryghedsvandringer")
    report = QuarterReport(
        activity=walks.activity,
        area=HousingArea.objects.get(code="motalavej"),
        year=2018,
        quarter=1,
    )
    report.submit(by=secretariat)
    report.save()
    # A criterion assessed by people, so that its assessment page exists.
    criterion = (
        SuccessCriterion.objects.filter(
            subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
        )
        .order_by("pk")
        .first()
    )
    invitation = invite(plan=plan, email="ny@kommune.dk", role=Role.BOARD, by=secretariat)
    return {
        "activity": walks.activity,
        "report": report,
        "indicator": Indicator.objects.filter(plan=plan).order_by("pk").first(),
        "criterion": criterion,
        "link": ShareLink.create_for(plan, by=secretariat),
        # A report as sent; its PDF's bytes are served as stored, whatever they are.
        "sent": SentReport.objects.create(
            plan=plan,
            year=2019,
            half=1,
            sent_at=timezone.now(),
            sent_by=secretariat,
            pdf=b"%PDF-1.7 sent",
        ),
        "membership": secretariat.memberships.get(plan=plan),
        "invitation": invitation,
        "invitation_token": invitation.renew(),
    }


def visit(client, request, visitor: str):
    """Log the client in as the visitor; the share-link holder and nobody stay anonymous."""
    if visitor not in {"anonymous", "lbf_link"}:
        client.force_login(request.getfixturevalue(visitor))
        return request.getfixturevalue(visitor)
    return AnonymousUser()


def observe(client, plan, objects, visitor: str) -> dict[str, int]:
    """Every URL's status for the visitor: the pages, the administration, then the actions,
    and logging out last of all."""
    values = arguments(plan, objects, holds_the_link=visitor == "lbf_link")
    statuses = {}
    urls = project_urls()
    for name, parameters in urls:
        if name not in ACTIONS:
            url = reverse(name, kwargs={key: values[key] for key in parameters})
            statuses[name] = client.get(url).status_code
    for label, url in admin_urls():
        statuses[f"admin {label}"] = client.get(url).status_code
    for name, parameters in sorted(urls, key=lambda url: url[0] == "logout"):
        if name in ACTIONS:
            url = reverse(name, kwargs={key: values[key] for key in parameters})
            statuses[name] = client.post(url).status_code
    return statuses


def expected(visitor: str) -> dict[str, int]:
    statuses = {
        name: int(row.split()[VISITORS.index(visitor)]) for name, (_method, row) in MATRIX.items()
    }
    # The administration: the secretariat of a plan and superusers; a login page for nobody.
    for label, _url in admin_urls():
        statuses[f"admin {label}"] = {
            "anonymous": 302,
            "lbf_link": 302,
            "superuser": 200,
            "secretariat": expected_for_secretariat(label),
        }.get(visitor, 403)
    return statuses


def test_the_matrix_has_a_row_for_every_url_of_the_project():
    assert {name for name, _parameters in project_urls()} == set(MATRIX)


def test_only_the_holder_of_the_share_link_has_its_column():
    """No other visitor's column equals the share-link holder's, who would otherwise be one
    more anonymous visitor."""
    column = {
        visitor: [row.split()[VISITORS.index(visitor)] for _, row in MATRIX.values()]
        for visitor in VISITORS
    }
    assert [visitor for visitor in VISITORS if column[visitor] == column["lbf_link"]] == [
        "lbf_link"
    ]


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_visitor_gets_what_the_matrix_says(client, request, plan, objects, visitor):
    visit(client, request, visitor)
    observed = observe(client, plan, objects, visitor)
    unexpected = {
        name: (status, expected(visitor)[name])
        for name, status in observed.items()
        if status != expected(visitor)[name]
    }
    assert unexpected == {}, "URL: (got, expected)"
    assert len(observed) == len(expected(visitor))


def test_nobody_logged_in_is_sent_to_the_login_page(client, plan, objects):
    values = arguments(plan, objects, holds_the_link=False)
    for name, parameters in project_urls():
        method, row = MATRIX[name]
        if row.split()[0] != "302" or name in {"set_language", "logout"}:
            continue
        url = reverse(name, kwargs={key: values[key] for key in parameters})
        location = getattr(client, method)(url)["Location"]
        assert location.startswith(reverse("login") + "?next="), name
