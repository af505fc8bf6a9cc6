"""The delaftaler as PDF: every approved version, the live draft, and all of them in one file.

The text is read back out of the real PDF bytes and compared with the content the version froze,
so a section that goes missing from the template, or a figure printed the wrong way, fails here.
Lines wrap differently from the stored text, so long texts are compared without whitespace.
"""

import io
import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from pypdf import PdfReader

from agreements import pdf
from agreements.models import Subagreement, SubagreementVersion
from agreements.templatetags.agreement_text import fte_percent, paragraphs
from lib.numbers import format_thousand_dkk

pytestmark = pytest.mark.django_db

CODES = ["tryghed", "kriminalitet", "uddannelse", "forebyggelse"]
PREFIX = 60

# Each version's PDF is rendered once for the whole module: the loaded plan is the same in every
# test (each test's changes are rolled back), and a render takes most of a second.
_rendered: dict[str, bytes] = {}


def version_1(plan, code: str) -> SubagreementVersion:
    return SubagreementVersion.objects.for_rendering().get(
        subagreement__plan=plan, subagreement__focus_area__code=code, number=1
    )


def version_1_pdf(plan, code: str) -> bytes:
    if code not in _rendered:
        _rendered[code] = pdf.subagreement_pdf(version_1(plan, code))
    return _rendered[code]


def pages(data: bytes) -> list[str]:
    """The text of each page, whitespace normalised."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def starts(text: str) -> str:
    """A distinctive prefix of a stored text, as it can be found in the PDF's compact text."""
    return compact(text)[:PREFIX]


@pytest.mark.parametrize("code", CODES)
def test_each_delaftale_shows_what_its_version_1_froze(plan, code, django_assert_num_queries):
    version = version_1(plan, code)
    content = version.content
    # Whatever language the person reads the site in, the agreement is Danish; and the version
    # is rendered from what for_rendering() loaded, without another query.
    with translation.override("en"), django_assert_num_queries(0):
        data = _rendered[code] = pdf.subagreement_pdf(version)
    text_by_page = pages(data)
    text = " ".join(text_by_page)
    whole = compact(text)
    name = content["focus_area"]["name"]

    assert f"Delaftale for indsatsområdet {name}" in text_by_page[0]
    assert "Version 1 – godkendt af bestyrelsen 1. oktober 2017" in text_by_page[0]
    assert "Kladde" not in text
    for party in content["parties"]:
        assert compact(party["name"]) in whole
    criteria = content["criteria"] + [c for a in content["activities"] for c in a["criteria"]]
    assert criteria
    for criterion in criteria:
        assert starts(criterion["text"]) in whole, criterion["text"]
        assert starts(criterion["data_source"]) in whole, criterion["data_source"]
    assert content["activities"]
    for activity in content["activities"]:
        assert compact(f"Aktivitetsnavn: {activity['name']}") in whole
    for line in content["staff"]:
        assert compact(line["role"] + line["note"] + fte_percent(line["fte"])) in whole
    lbf, local = content["budget"]["lbf"], content["budget"]["local"]
    assert (
        compact(
            f"Landsbyggefonden {format_thousand_dkk(lbf)} "
            f"Lokal medfinansiering {format_thousand_dkk(local)} "
            f"Samlet budget for indsatsområdet {format_thousand_dkk(lbf + local)}"
        )
        in whole
    )
    for heading in (
        "Aftalens parter",
        "Problemkompleks for indsatsområdet",
        "Formål og mål",
        "Succeskriterier (lokalt opstillede målinger)",
        "Aktiviteter, som skal bidrage til indfrielsen af mål for indsatsområdet",
        "Medarbejderressourcer for indsatsområdet",
        "Indsatsområdets økonomi",
        "Delaftalen gælder fra – til",
    ):
        assert heading in text
    total = len(text_by_page)
    for number, page_text in enumerate(text_by_page, start=1):
        assert f"Delaftale: {name} · version 1" in page_text
        assert f"Side {number} af {total}" in page_text


def test_tryghed_prints_its_budget_staff_and_period_the_danish_way(plan):
    text = " ".join(pages(version_1_pdf(plan, "tryghed")))

    assert "Landsbyggefonden 6.497" in text
    assert "Lokal medfinansiering 5.062" in text
    assert "Samlet budget for indsatsområdet 11.559" in text
    assert "Koordinator Motalavej 50 %" in text
    assert "kompetencechef 30 %" in text
    assert "1. oktober 2017 til 30. september 2021" in text
    assert "Side 1 af " in text


def test_the_pdfs_are_tagged_for_pdf_ua_in_danish_with_a_title(plan):
    reader = PdfReader(io.BytesIO(version_1_pdf(plan, "tryghed")))
    catalog = reader.trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "da"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == "Delaftale for indsatsområdet Tryghed og trivsel – version 1"
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_the_draft_is_marked_on_every_page_and_shows_edits_that_version_1_does_not(plan):
    subagreement = Subagreement.objects.select_related("plan", "focus_area").get(
        plan=plan, focus_area__code="tryghed"
    )
    subagreement.conflict_handling = "Uenighed om tryghedsvandringerne afgøres af formandskabet."
    subagreement.save()
    activity = subagreement.activities.get(name="Bydelsforældre")
    activity.name = "Bydelsforældre og fædregrupper"
    activity.save()

    draft_pages = pages(pdf.draft_pdf(subagreement))
    draft = " ".join(draft_pages)
    approved = " ".join(pages(version_1_pdf(plan, "tryghed")))

    assert "Kladde – ikke godkendt" in draft_pages[0]
    for page_text in draft_pages:
        assert "Kladde – ikke godkendt" in page_text
    assert "Version 1 – godkendt" not in draft
    assert f"Udskrevet {date_filter(timezone.localdate())}." in draft
    assert "Uenighed om tryghedsvandringerne afgøres af formandskabet." in draft
    assert "Aktivitetsnavn: Bydelsforældre og fædregrupper" in draft
    assert "Uenighed om tryghedsvandringerne" not in approved
    assert "Bydelsforældre og fædregrupper" not in approved
    assert "Aktivitetsnavn: Bydelsforældre" in approved


def test_all_current_delaftaler_in_one_pdf_each_from_its_own_page_under_its_own_header(plan):
    versions = list(
        SubagreementVersion.objects.current().for_rendering().filter(subagreement__plan=plan)
    )
    text_by_page = pages(pdf.subagreements_pdf(versions))
    total = len(text_by_page)

    contents = text_by_page[0]
    assert "Delaftaler" in contents
    assert "Dokumentet indeholder 4 delaftaler" in contents
    starts_on = []
    for version in versions:
        name = version.content["focus_area"]["name"]
        first = next(
            number
            for number, page_text in enumerate(text_by_page)
            if f"Delaftale for indsatsområdet {name}" in page_text
        )
        starts_on.append(first)
        assert f"{name} 1 1. oktober 2017 {first + 1}" in contents
        assert "Version 1 – godkendt af bestyrelsen 1. oktober 2017" in text_by_page[first]
    assert starts_on == sorted(starts_on) and len(starts_on) == len(CODES)
    for version, first, end in zip(versions, starts_on, starts_on[1:] + [total], strict=True):
        name = version.content["focus_area"]["name"]
        # The delaftale's heading opens its first page: nothing of the one before is on it.
        assert text_by_page[first].index(f"Delaftale for indsatsområdet {name}") < 200
        for page_text in text_by_page[first:end]:
            assert f"Delaftale: {name} · version 1" in page_text
    for number, page_text in enumerate(text_by_page, start=1):
        assert f"Side {number} af {total}" in page_text


def test_subagreements_pdf_refuses_an_empty_list():
    with pytest.raises(ValueError):
        pdf.subagreements_pdf([])


def test_stored_text_becomes_escaped_paragraphs_and_bullet_lists():
    html = paragraphs(
        "Formålet er:\n\n- Øget tryghed\n- <b>Styrket</b> civilsamfund\n\nLinje et\nlinje to & mere"
    )

    assert html == (
        "<p>Formålet er:</p>"
        "<ul><li>Øget tryghed</li><li>&lt;b&gt;Styrket&lt;/b&gt; civilsamfund</li></ul>"
        "<p>Linje et<br>linje to &amp; mere</p>"
    )
    assert paragraphs("") == ""
    assert fte_percent("0.500") == "50\N{NO-BREAK SPACE}%"
    assert fte_percent("0.125") == "12,5\N{NO-BREAK SPACE}%"
