"""`render_pdf` writes the agreements as PDF files for scripted archiving."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

pytestmark = pytest.mark.django_db


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def render(*args) -> str:
    out = io.StringIO()
    call_command("render_pdf", *args, stdout=out)
    return out.getvalue()


def test_a_delaftale_is_written_in_its_current_approved_version(plan, tmp_path):
    target = tmp_path / "tryghed.pdf"
    output = render("subagreement", "tryghed", "--out", str(target))
    assert str(target) in output
    text = pdf_text(target)
    assert "Delaftale for indsatsområdet Tryghed og trivsel" in text
    assert "version 1 · godkendelsesdato ikke oplyst" in text
    assert "1. oktober 2017 til 30. september 2021" in text


def test_an_older_version_and_the_draft_can_be_asked_for(plan, secretariat, tmp_path):
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.revision = "Bestyrelsen reviderer delaftalen hvert halve år."
    tryghed.save()
    render("subagreement", "tryghed", "--draft", "--out", str(tmp_path / "draft.pdf"))
    render("subagreement", "tryghed", "--version", "1", "--out", str(tmp_path / "v1.pdf"))
    draft, first = pdf_text(tmp_path / "draft.pdf"), pdf_text(tmp_path / "v1.pdf")
    assert "Kladde" in draft and "hvert halve år" in draft
    assert "hvert halve år" not in first


def test_all_delaftaler_and_the_strategic_agreement_are_written(plan, tmp_path):
    render("all-subagreements", "--out", str(tmp_path / "alle.pdf"), "--plan", plan.slug)
    render("strategic-agreement", "--out", str(tmp_path / "aftale.pdf"))
    every = pdf_text(tmp_path / "alle.pdf")
    # Each delaftale under its own title, as the agreement writes it.
    for name in [
        "Tryghed og trivsel",
        "Kriminalpræventiv indsats",
        "Uddannelse & Beskæftigelse",
        "Forebyggelse og forældre-ansvar",
    ]:
        assert f"Delaftale for indsatsområdet {name}" in every
    assert "Boligsocial Helhedsplan for Skælskør, Korsør og Slagelse 2017-2021" in pdf_text(
        tmp_path / "aftale.pdf"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["subagreement", "sundhed"], "Planen har ingen delaftale med koden 'sundhed'."),
        (["subagreement", "tryghed", "--version", "7"], "ingen version 7. Dens versioner er: 1"),
        (["all-subagreements", "--plan", "ingen"], "Der er ingen plan med kortnavnet 'ingen'."),
    ],
)
def test_unknown_codes_versions_and_plans_are_refused_plainly_and_nothing_is_written(
    plan, tmp_path, args, message
):
    target = tmp_path / "ud.pdf"
    with pytest.raises(CommandError, match=re.escape(message)):
        render(*args, "--out", str(target))
    assert list(tmp_path.iterdir()) == []


def test_with_two_plans_the_plan_must_be_named(plan, make_plan, tmp_path):
    make_plan("anden-plan")
    with pytest.raises(CommandError, match="vælg en med --plan"):
        render("strategic-agreement", "--out", str(tmp_path / "x.pdf"))


def test_a_missing_folder_is_refused(plan, tmp_path):
    with pytest.raises(CommandError, match="findes ikke"):
        render("strategic-agreement", "--out", str(tmp_path / "mangler" / "x.pdf"))
