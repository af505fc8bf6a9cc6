"""An approved document is rendered once, stored in the database, and served from there; a new
approval, or an edit of what the document shows, gives a new one; a draft is always fresh."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from agreements import pdf
from agreements.models import (
    HousingArea,
    PlanSection,
    ShareLink,
    StoredDocument,
    content_digest,
)

pytestmark = pytest.mark.django_db

ALL = StoredDocument.Kind.ALL_SUBAGREEMENTS
ONE = StoredDocument.Kind.SUBAGREEMENT
STRATEGIC = StoredDocument.Kind.STRATEGIC_AGREEMENT


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def get(client, name, *args):
    response = client.get(reverse(f"agreements:{name}", args=args))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def queries(client, name, *args) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, name, *args)
    return len(captured)


def approve_new_tryghed(plan, secretariat):
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.budget_lbf = 6_797_000
    tryghed.save()
    return tryghed.approve_version(
        decided_on="2018-09-12",
        note="Årlig revision.",
        by=secretariat,
        based_on=1,
        draft_digest=content_digest(tryghed.content()),
    )


@pytest.mark.parametrize(
    ("name", "args", "kind"),
    [
        ("all_pdf", [], ALL),
        ("pdf", ["tryghed"], ONE),
        ("strategic_agreement_pdf", [], STRATEGIC),
    ],
)
def test_the_first_request_stores_the_pdf_and_the_next_serves_the_same_bytes(
    client, plan, board_member, monkeypatch, name, args, kind
):
    client.force_login(board_member)
    first = get(client, name, plan.slug, *args)
    stored = StoredDocument.objects.get()
    assert stored.kind == kind and stored.plan == plan and bytes(stored.pdf) == first
    assert "Boligsocial Helhedsplan for Skælskør" in pdf_text(first)

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf, "render_pdf", refuse)
    assert get(client, name, plan.slug, *args) == first
    assert StoredDocument.objects.get().created_at == stored.created_at


def test_a_stored_document_is_served_unchanged_the_next_days_with_the_day_it_was_made(
    client, plan, board_member, monkeypatch
):
    client.force_login(board_member)
    made_on = timezone.localdate()
    first = get(client, "all_pdf", plan.slug)
    assert f"Dannet i Helhedsplan den {date_format(made_on)}" in pdf_text(first)

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf, "render_pdf", refuse)
    later = made_on + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    with CaptureQueriesContext(connection) as captured:
        assert get(client, "all_pdf", plan.slug) == first
    assert not [query for query in captured if "INSERT" in query["sql"]]


def test_the_lbf_link_serves_the_bytes_the_plan_pages_stored(client, plan, board_member):
    client.force_login(board_member)
    every = get(client, "all_pdf", plan.slug)
    tryghed = get(client, "pdf", plan.slug, "tryghed")
    client.logout()
    link = ShareLink.create_for(plan, by=board_member, note="LBF")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "render_pdf", lambda *a, **k: pytest.fail("rendered again"))
        assert get(client, "shared_all_pdf", link.token) == every
        assert get(client, "shared_pdf", link.token, "tryghed") == tryghed
    assert StoredDocument.objects.count() == 2
    assert link.downloads.count() == 2


def test_the_command_and_the_site_serve_one_stored_document(client, plan, board_member, tmp_path):
    client.force_login(board_member)
    served = get(client, "strategic_agreement_pdf", plan.slug)
    target = tmp_path / "aftale.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "render_pdf", lambda *a, **k: pytest.fail("rendered again"))
        call_command(
            "render_pdf", "strategic-agreement", "--out", str(target), stdout=io.StringIO()
        )
    assert target.read_bytes() == served


def test_a_new_approval_gives_a_new_document_with_the_new_content(
    client, plan, board_member, secretariat
):
    client.force_login(board_member)
    old_one = get(client, "pdf", plan.slug, "tryghed")
    old_all = get(client, "all_pdf", plan.slug)
    assert "6.497" in pdf_text(old_one)

    approve_new_tryghed(plan, secretariat)

    new_one = get(client, "pdf", plan.slug, "tryghed")
    new_all = get(client, "all_pdf", plan.slug)
    assert "version 2" in pdf_text(new_one) and "6.797" in pdf_text(new_one)
    assert "6.797" in pdf_text(new_all) and new_all != old_all
    # Version 1 is still an approved document of its own; the old set of current ones is gone.
    assert get(client, "version_pdf", plan.slug, "tryghed", 1) == old_one
    assert StoredDocument.objects.filter(kind=ALL).count() == 1
    assert StoredDocument.objects.filter(kind=ONE).count() == 2


def test_a_draft_is_always_rendered_fresh(client, plan, secretariat):
    client.force_login(secretariat)
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    first = pdf_text(get(client, "draft_pdf", plan.slug, "tryghed"))
    assert "Kladde" in first and "hvert halve år" not in first
    tryghed.revision = "Bestyrelsen reviderer delaftalen hvert halve år."
    tryghed.save()
    assert "hvert halve år" in pdf_text(get(client, "draft_pdf", plan.slug, "tryghed"))
    assert not StoredDocument.objects.exists()


def test_editing_the_plan_anywhere_gives_a_new_strategic_agreement(client, plan, board_member):
    """The strategic agreement is the plan's live text, edited without an approval: any write,
    through the administration (save) or past it (update), must change what is served."""
    client.force_login(board_member)
    get(client, "strategic_agreement_pdf", plan.slug)

    plan.vision = "En helt ny vision for boligområderne."
    plan.save()
    assert "En helt ny vision" in pdf_text(get(client, "strategic_agreement_pdf", plan.slug))

    section = plan.sections.exclude(body="").first()
    PlanSection.objects.filter(pk=section.pk).update(body="Et afsnit skrevet om.")
    assert "Et afsnit skrevet om." in pdf_text(get(client, "strategic_agreement_pdf", plan.slug))

    area = plan.plan_areas.first().area
    HousingArea.objects.filter(pk=area.pk).update(name="Nyt Navn Boligområde")
    text = pdf_text(get(client, "strategic_agreement_pdf", plan.slug))
    assert "Nyt Navn Boligområde" in text or "Nyt Navn" in text
    assert StoredDocument.objects.filter(kind=STRATEGIC).count() == 1


def test_the_strategic_agreement_shows_only_rows_its_digest_covers(plan):
    """Its digest is made from the rows `_strategic_agreement_plan` reads; rendering must read
    nothing else, or an edit of that other row would leave a stale stored PDF."""
    loaded = pdf._strategic_agreement_plan(plan)
    with CaptureQueriesContext(connection) as captured:
        pdf._render_strategic_agreement(loaded, plan.start_date)
    assert [query["sql"] for query in captured] == []


def test_renaming_the_plan_gives_new_delaftaler(client, plan, board_member):
    client.force_login(board_member)
    get(client, "all_pdf", plan.slug)
    plan.name = "Helhedsplan med et nyt navn"
    plan.save()
    assert "Helhedsplan med et nyt navn" in pdf_text(get(client, "all_pdf", plan.slug))


def test_two_first_requests_at_once_both_get_the_document(plan):
    """The other server stores the same document between this one's look-up and its insert."""
    digest = "d" * 64

    def render_while_another_stores():
        StoredDocument.objects.create(
            plan=plan, kind=STRATEGIC, versions="", digest=digest, pdf=b"%PDF theirs"
        )
        return b"%PDF ours"

    served = StoredDocument.objects.serve(
        plan=plan, kind=STRATEGIC, versions="", digest=digest, render=render_while_another_stores
    )
    assert served == b"%PDF theirs"
    assert StoredDocument.objects.count() == 1


def test_stored_documents_stay_out_of_backups(client, plan, board_member, tmp_path):
    client.force_login(board_member)
    get(client, "all_pdf", plan.slug)
    backup = tmp_path / "plan.json"
    call_command("export_plan", plan.slug, "--out", str(backup), verbosity=0)
    assert "storeddocument" not in backup.read_text()
    call_command("import_plan", str(backup), "--replace", verbosity=0)
    assert not StoredDocument.objects.exists()
    assert get(client, "all_pdf", plan.slug).startswith(b"%PDF")


def test_the_pdf_pages_cost_a_fixed_number_of_queries(client, plan, board_member, secretariat):
    client.force_login(board_member)
    link = ShareLink.create_for(plan, by=secretariat, note="LBF")
    # The first request renders and stores (look up, then in a transaction delete the old
    # row, look up again and insert: 7 more); the next ones look up only. The links serve what
    # the plan's pages stored.
    pages = {
        "all_pdf": [plan.slug],
        "pdf": [plan.slug, "tryghed"],
        "strategic_agreement_pdf": [plan.slug],
    }
    counts = {
        name: (queries(client, name, *args), queries(client, name, *args))
        for name, args in pages.items()
    }
    client.logout()
    counts["shared_all_pdf"] = queries(client, "shared_all_pdf", link.token)
    counts["shared_pdf"] = queries(client, "shared_pdf", link.token, "tryghed")
    assert counts == {
        "all_pdf": (14, 7),
        "pdf": (16, 9),
        "strategic_agreement_pdf": (20, 13),
        "shared_all_pdf": 6,
        "shared_pdf": 6,
    }
