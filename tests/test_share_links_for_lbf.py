"""Links for Landsbyggefonden: no login, signed, expiring, revocable, approved versions only,
every download logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(plan, secretariat):
    return ShareLink.create_for(plan, by=secretariat, note="LBF's sagsbehandler")


def test_the_secretariat_creates_a_link_valid_for_30_days_by_default(client, plan, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("agreements:share_links", args=[plan.slug]))
    assert page.context["form"]["days"].value() == 30
    response = client.post(
        reverse("agreements:share_links", args=[plan.slug]), {"note": "Til LBF", "days": "30"}
    )
    assert response.status_code == 302
    link = plan.share_links.get()
    assert link.note == "Til LBF" and link.created_by == secretariat
    assert link.expires_at - link.created_at == datetime.timedelta(days=30)
    html = client.get(response["Location"]).content.decode()
    assert reverse("agreements:shared", args=[link.token]) in html
    assert "Ikke hentet endnu." in html


@pytest.mark.parametrize(
    ("days", "message"),
    [("0", "mindst 1 dag"), ("", "Skriv hvor mange dage"), ("tre", "et helt antal dage")],
)
def test_a_bad_validity_is_refused_at_the_field_and_no_link_is_made(
    client, plan, secretariat, days, message
):
    client.force_login(secretariat)
    response = client.post(reverse("agreements:share_links", args=[plan.slug]), {"days": days})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'href="#id_days"' in html and 'id="id_days-error"' in html
    assert not plan.share_links.exists()


def test_the_link_lists_the_current_versions_without_a_login(client, link):
    response = client.get(reverse("agreements:shared", args=[link.token]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["Tryghed og trivsel", "Kriminalpræventiv indsats", "Uddannelse og beskæftigelse"]:
        assert name in html
    assert html.count("Version 1") == 4
    assert reverse("agreements:shared_all_pdf", args=[link.token]) in html
    assert link.downloads.count() == 0  # looking is not downloading


def test_every_download_is_logged_with_the_versions_it_served(client, link):
    response = client.get(reverse("agreements:shared_all_pdf", args=[link.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    download = link.downloads.get()
    assert download.versions == {
        "tryghed": 1,
        "kriminalitet": 1,
        "uddannelse": 1,
        "forebyggelse": 1,
    }


def test_an_expired_link_says_so_and_serves_nothing(client, link):
    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.created_at = link.expires_at - datetime.timedelta(days=30)
    link.save()
    for address in [
        reverse("agreements:shared", args=[link.token]),
        reverse("agreements:shared_pdf", args=[link.token, "tryghed"]),
        reverse("agreements:shared_all_pdf", args=[link.token]),
    ]:
        response = client.get(address)
        assert response.status_code == 410
        assert "Linket virker ikke længere" in response.content.decode()
        assert "Linket udløb" in response.content.decode()
    assert link.downloads.count() == 0


def test_a_revoked_link_stops_working_at_once(client, plan, secretariat, link):
    client.force_login(secretariat)
    response = client.post(reverse("agreements:revoke_share_link", args=[plan.slug, link.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("agreements:shared_pdf", args=[link.token, "tryghed"]))
    assert response.status_code == 410
    assert "Sekretariatet har tilbagekaldt linket." in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_by == secretariat
    assert link.downloads.count() == 0


def test_an_altered_or_guessed_token_finds_nothing(client, plan, secretariat, link):
    other = ShareLink.create_for(plan, by=secretariat)
    tampered = link.token[:-2] + ("AA" if not link.token.endswith("AA") else "BB")
    for token in [tampered, str(link.pk), f"{other.pk}:{link.token.split(':', 1)[1]}"]:
        response = client.get(reverse("agreements:shared", args=[token]))
        assert response.status_code == 404
        assert "Linket er ikke gyldigt." in response.content.decode()


def test_a_draft_has_no_address_behind_a_link(client, plan, link):
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.revision = "Kladde, ikke godkendt"
    tryghed.save()
    assert client.get(f"/lbf/{link.token}/tryghed/kladde.pdf").status_code == 404
    response = client.get(reverse("agreements:shared_pdf", args=[link.token, "kladde"]))
    assert response.status_code == 404
    assert link.downloads.count() == 0


def test_a_link_of_one_plan_serves_nothing_of_another(client, make_plan, secretariat, link):
    other = make_plan(slug="anden-plan")
    foreign = ShareLink.create_for(other, by=secretariat)
    response = client.get(reverse("agreements:shared", args=[foreign.token]))
    assert response.status_code == 200
    assert "Tryghed og trivsel" not in response.content.decode()
    assert (
        client.get(reverse("agreements:shared_pdf", args=[foreign.token, "tryghed"])).status_code
        == 404
    )


def test_comparing_with_a_version_that_does_not_exist_says_so(client, plan, lbf_user):
    client.force_login(lbf_user)
    response = client.get(
        reverse("agreements:history", args=[plan.slug, "tryghed"]), {"fra": "1", "til": "9"}
    )
    assert response.status_code == 400
    assert "Delaftalen har ingen version 9." in response.content.decode()
    # LBF is not offered the draft.
    response = client.get(
        reverse("agreements:history", args=[plan.slug, "tryghed"]), {"fra": "1", "til": "kladde"}
    )
    assert response.status_code == 400
