"""Who may do what on the agreement pages: every URL of the agreements app x every role.

Everyone with a role in the plan reads the approved versions and downloads them. The draft is
for the secretariat and the board; approving and share links are the secretariat's (403 for
the others). Outside the plan nothing exists (404). A share link needs no login.
"""

import pytest
from django.urls import reverse

from agreements import urls as agreement_urls
from agreements.models import ShareLink

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


@pytest.fixture
def link(plan, secretariat):
    return ShareLink.create_for(plan, by=secretariat)


def addresses(plan, link) -> dict[str, tuple[str, str]]:
    """name -> (method, url), in an order where revoking comes last."""
    slug, code, token = plan.slug, "tryghed", link.token
    return {
        "subagreements": ("get", reverse("agreements:subagreements", args=[slug])),
        "history": ("get", reverse("agreements:history", args=[slug, code])),
        "pdf": ("get", reverse("agreements:pdf", args=[slug, code])),
        "version_pdf": ("get", reverse("agreements:version_pdf", args=[slug, code, 1])),
        "all_pdf": ("get", reverse("agreements:all_pdf", args=[slug])),
        "strategic_agreement_pdf": (
            "get",
            reverse("agreements:strategic_agreement_pdf", args=[slug]),
        ),
        "draft_pdf": ("get", reverse("agreements:draft_pdf", args=[slug, code])),
        "approve": ("get", reverse("agreements:approve", args=[slug, code])),
        "share_links": ("get", reverse("agreements:share_links", args=[slug])),
        "shared": ("get", reverse("agreements:shared", args=[token])),
        "shared_pdf": ("get", reverse("agreements:shared_pdf", args=[token, code])),
        "shared_all_pdf": ("get", reverse("agreements:shared_all_pdf", args=[token])),
        "revoke_share_link": (
            "post",
            reverse("agreements:revoke_share_link", args=[slug, link.pk]),
        ),
    }


READ = {"subagreements", "history", "pdf", "version_pdf", "all_pdf", "strategic_agreement_pdf"}
DRAFT = {"draft_pdf"}
SECRETARIAT = {"approve", "share_links", "revoke_share_link"}
PUBLIC = {"shared", "shared_pdf", "shared_all_pdf"}
EXPECTED = {
    # role: (read, draft, secretariat's pages)
    "secretariat": (200, 200, 200),
    "superuser": (200, 200, 200),
    "coordinator_motalavej": (200, 403, 403),
    "coordinator_sydbyen": (200, 403, 403),
    "board_member": (200, 200, 403),
    "lbf_user": (200, 403, 403),
    "outsider": (404, 404, 404),
}


def expected(role: str, name: str) -> int:
    if name in PUBLIC:
        return 200
    read, draft, secretariat = EXPECTED[role]
    status = read if name in READ else draft if name in DRAFT else secretariat
    return 302 if status == 200 and name == "revoke_share_link" else status


def test_the_matrix_covers_every_url_of_the_app(plan, link):
    names = {pattern.name for pattern in agreement_urls.urlpatterns}
    assert names == set(addresses(plan, link)) == READ | DRAFT | SECRETARIAT | PUBLIC


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may(client, request, plan, link, role):
    client.force_login(request.getfixturevalue(role))
    failures = [
        (name, status, expected(role, name))
        for name, (method, address) in addresses(plan, link).items()
        if (status := getattr(client, method)(address).status_code) != expected(role, name)
    ]
    assert failures == []
    link.refresh_from_db()
    assert (link.revoked_at is not None) == (EXPECTED[role][2] == 200)


def test_without_a_login_only_the_share_link_answers(client, plan, link):
    for name, (method, address) in addresses(plan, link).items():
        response = getattr(client, method)(address)
        if name in PUBLIC:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("login"))
