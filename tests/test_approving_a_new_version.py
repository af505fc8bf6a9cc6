"""The secretariat records the board's approval of a delaftale's draft as a new version."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from agreements.models import ShareLink, SubagreementVersion, content_digest

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def tryghed(plan):
    return plan.subagreements.get(focus_area__code="tryghed")


def approve_url(plan):
    return reverse("agreements:approve", args=[plan.slug, "tryghed"])


def form_data(client, plan, **changes) -> dict:
    page = client.get(approve_url(plan))
    form = page.context["form"]
    data = {
        "based_on": form["based_on"].value() or "",
        "draft_digest": form["draft_digest"].value(),
        "decided_on": "12.09.2018",
        "note": "Årlig revision: LBF-budgettet hævet.",
    }
    return data | changes


def test_the_page_shows_what_changed_and_approving_makes_version_2_current(
    client, plan, secretariat, tryghed
):
    tryghed.budget_lbf = 6_797_000
    tryghed.save()
    client.force_login(secretariat)

    page = client.get(approve_url(plan))
    assert page.status_code == 200
    html = page.content.decode()
    assert "6.497" in html and "6.797" in html

    response = client.post(approve_url(plan), form_data(client, plan))
    assert response.status_code == 302
    assert response["Location"] == reverse("agreements:history", args=[plan.slug, "tryghed"])
    version = tryghed.versions.get(number=2)
    assert version.decided_on == datetime.date(2018, 9, 12)
    assert version.recorded_by == secretariat
    assert version.content["budget"]["lbf"] == 6_797_000

    history = client.get(response["Location"]).content.decode()
    assert "Version 2 er godkendt og er nu den gældende delaftale." in history
    assert "12. september 2018" in history
    assert "Årlig revision: LBF-budgettet hævet." in history


def test_landsbyggefondens_link_serves_version_2_as_soon_as_it_is_approved(
    client, plan, secretariat, tryghed
):
    link = ShareLink.create_for(plan, by=secretariat)
    before = pdf_text(
        client.get(reverse("agreements:shared_pdf", args=[link.token, "tryghed"])).content
    )
    assert "6.497" in before

    tryghed.budget_lbf = 6_797_000
    tryghed.save()
    # The draft alone changes nothing for LBF.
    unchanged = pdf_text(
        client.get(reverse("agreements:shared_pdf", args=[link.token, "tryghed"])).content
    )
    assert "6.797" not in unchanged

    client.force_login(secretariat)
    client.post(approve_url(plan), form_data(client, plan))
    client.logout()

    response = client.get(reverse("agreements:shared_pdf", args=[link.token, "tryghed"]))
    assert response["Content-Disposition"].endswith('delaftale-tryghed-version-2.pdf"')
    text = pdf_text(response.content)
    assert "6.797" in text and "version 2 · godkendt af bestyrelsen" in text
    assert list(link.downloads.order_by("downloaded_at").values_list("versions", flat=True)) == [
        {"tryghed": 1},
        {"tryghed": 1},
        {"tryghed": 2},
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"decided_on": ""}, "decided_on", "Skriv datoen for bestyrelsens beslutning."),
        ({"decided_on": "31.02.2018"}, "decided_on", "Skriv datoen som dag.måned.år"),
        ({"decided_on": "01.01.2999"}, "decided_on", "kan ikke ligge i fremtiden"),
        ({"decided_on": "01.01.2017"}, "decided_on", "1. oktober 2017"),
        ({"note": ""}, "note", "Skriv hvad bestyrelsen godkendte og hvorfor."),
    ],
)
def test_bad_input_is_shown_at_the_field_and_in_the_summary_and_nothing_is_saved(
    client, plan, secretariat, tryghed, changes, field, message
):
    tryghed.revision = "Ny tekst"
    tryghed.save()
    # A decision date recorded for version 1, which a new version cannot come before.
    tryghed.versions.filter(number=1).update(decided_on=datetime.date(2017, 10, 1))
    client.force_login(secretariat)
    response = client.post(approve_url(plan), form_data(client, plan, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert message in html
    assert 'data-module="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert not tryghed.versions.filter(number=2).exists()


def test_a_second_approval_from_a_page_opened_earlier_is_refused_with_a_clear_message(
    client, plan, secretariat, tryghed
):
    tryghed.revision = "Ny tekst"
    tryghed.save()
    client.force_login(secretariat)
    stale = form_data(client, plan)
    assert client.post(approve_url(plan), stale).status_code == 302

    tryghed.revision = "Endnu en tekst"
    tryghed.save()
    response = client.post(approve_url(plan), stale)
    assert response.status_code == 409
    assert "Version 2 blev godkendt af en anden imens" in response.content.decode()
    assert list(tryghed.versions.values_list("number", flat=True)) == [1, 2]
    # The page now offers an approval based on version 2.
    assert response.context["form"]["based_on"].value() == 2


def test_a_draft_edited_after_the_page_was_opened_is_not_approved(
    client, plan, secretariat, tryghed
):
    tryghed.revision = "Ny tekst"
    tryghed.save()
    client.force_login(secretariat)
    shown = form_data(client, plan)
    tryghed.revision = "Ændret af en kollega imens"
    tryghed.save()
    response = client.post(approve_url(plan), shown)
    assert response.status_code == 409
    assert "Kladden blev ændret, efter du åbnede siden" in response.content.decode()
    assert not tryghed.versions.filter(number=2).exists()
    assert response.context["form"]["draft_digest"].value() == content_digest(tryghed.content())


def test_the_board_may_look_at_the_draft_but_not_approve(client, plan, board_member):
    client.force_login(board_member)
    assert (
        client.get(reverse("agreements:draft_pdf", args=[plan.slug, "tryghed"])).status_code == 200
    )
    response = client.post(
        approve_url(plan), {"decided_on": "12.09.2018", "note": "x", "draft_digest": "x"}
    )
    assert response.status_code == 403
    assert SubagreementVersion.objects.filter(number=2).count() == 0


def test_an_unknown_focus_area_or_version_gets_a_clear_danish_message(client, plan, lbf_user):
    client.force_login(lbf_user)
    response = client.get(reverse("agreements:history", args=[plan.slug, "sundhed"]))
    assert response.status_code == 404
    assert "Planen har ingen delaftale for indsatsområdet &#x27;sundhed&#x27;." in (
        response.content.decode()
    )
    response = client.get(reverse("agreements:version_pdf", args=[plan.slug, "tryghed", 7]))
    assert response.status_code == 404
    assert "Delaftalen har ingen sådan version." in response.content.decode()
