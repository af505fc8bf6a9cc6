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
from tests.pdf_structure import count, structure

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
    headings = content["headings"]

    assert content["title"] in text_by_page[0]
    assert "Kladde" not in text
    for party in content["parties"]:
        assert compact(party["written_as"] or party["name"]) in whole
    criteria = content["criteria"] + [c for a in content["activities"] for c in a["criteria"]]
    assert criteria
    for criterion in criteria:
        assert starts(criterion["text"]) in whole, criterion["text"]
        assert starts(criterion["method"] or criterion["data_source"]) in whole, criterion
    assert content["activities"]
    for activity in content["activities"]:
        assert compact(f"Aktivitetsnavn: {activity['name']}") in whole
        for line in activity["staff"]:
            assert (
                compact(f"{line['fte_as_written'] or fte_percent(line['fte'])} {line['role']}")
                in whole
            )
    for line in content["staff"]:
        share = line["fte_as_written"] or fte_percent(line["fte"])
        assert compact(share + line["role"] + line["note"]) in whole
    budget = content["budget"]
    written = budget["as_written"]
    lbf, local = budget["lbf"], budget["local"]
    assert (
        compact(
            f"Landsbyggefonden {written['lbf'] or format_thousand_dkk(lbf)} "
            f"Lokal medfinansiering {written['local'] or format_thousand_dkk(local)} "
            f"Samlet budget for indsatsområdet "
            f"{written['total'] or format_thousand_dkk(lbf + local)}"
        )
        in whole
    )
    # LBF's template, in its own words: no heading of ours in their place.
    for key in (
        "initiative_name",
        "parties",
        "problem_complex",
        "purpose_section",
        "purpose",
        "criteria_text",
        "activities_overview",
        "municipal_interplay",
        "budget",
        "conflict_handling",
        "revision",
        "validity",
        "activities",
    ):
        assert compact(headings[key]) in whole, headings[key]
    for reworded in (
        "Indhold og praksis (aktivitetsbeskrivelse):",
        "Forventet medarbejderressourceforbrug:",
    ):
        assert reworded not in text or reworded in headings.values()
    total = len(text_by_page)
    for number, page_text in enumerate(text_by_page, start=1):
        assert f"Delaftale: {name} · version 1 · godkendelsesdato ikke oplyst" in page_text
        assert f"Side {number} af {total}" in page_text
        assert "Dannet i Helhedsplan den " in page_text


def test_tryghed_prints_its_budget_staff_and_period_the_danish_way(plan):
    text = " ".join(pages(version_1_pdf(plan, "tryghed")))

    assert "Landsbyggefonden 6.497" in text
    assert "Lokal medfinansiering 5.062" in text
    assert "Samlet budget for indsatsområdet 11.559" in text
    assert "50 % Koordinator Motalavej" in text
    assert "30 % kompetencechef" in text
    assert "1. oktober 2017 til 30. september 2021" in text
    assert "Side 1 af " in text


@pytest.mark.parametrize("code", CODES)
def test_nothing_is_said_that_the_agreement_does_not_say(plan, code):
    text = " ".join(pages(version_1_pdf(plan, code)))

    # No approval date is made up, no validity beyond what was agreed, no sentence of ours in
    # the agreement's text, and never that there is no staff when there is.
    assert "godkendt af bestyrelsen 1. oktober 2017" not in text
    assert "indtil videre" not in text
    assert "Kommunen driver aktiviteten" not in text
    assert "Der er ikke registreret" not in text
    assert "Anbefalet af CFBU" not in text
    assert "kvalitativt" not in text


def test_the_validity_reads_as_each_delaftale_writes_it(plan):
    texts = {code: compact(" ".join(pages(version_1_pdf(plan, code)))) for code in CODES}

    assert (
        compact("Delaftalen gælder fra - til: 1. oktober 2017 til 30. september 2021")
        in (texts["tryghed"])
    )
    assert compact("Delaftalen gælder fra - til: 2017- 2021") in texts["kriminalitet"]
    assert compact("Delaftalen gælder fra: 1.10.2017") in texts["uddannelse"]
    assert compact("Delaftalen gælder fra: 1.10.2017") in texts["forebyggelse"]


def test_staff_listed_in_the_activity_schemas_is_shown_there(plan):
    """Uddannelse og beskæftigelse and Forebyggelse og forældreansvar list their staff inside
    the activity schemas (seed), not under a section of the delaftale's own."""
    uddannelse = compact(" ".join(pages(version_1_pdf(plan, "uddannelse"))))
    forebyggelse = compact(" ".join(pages(version_1_pdf(plan, "forebyggelse"))))

    assert (
        compact(
            "Forventet ressourceforbrug 0,5 årsværk over to år uddannelsesleder i multihuset "
            "Sydbyen 12,5 % Koordinator med stedfortræder funktion "
            "1 Konsulent 1 (Tværgående brobygning)"
        )
        in uddannelse
    )
    assert (
        compact(
            "Forventet medarbejderressourceforbrug: 12,5 % Koordinator med stedfortræder funktion "
            "1 medarbejder (Forebyggelse, sundhedspleje og koordination)"
        )
        in forebyggelse
    )
    assert compact("¼ årsværk, sundhedsplejerske-stilling") in forebyggelse
    assert compact("Medarbejderressourcer for indsatsområdet") not in uddannelse + forebyggelse


def test_the_parties_of_a_delaftale_are_one_table(plan):
    reader = PdfReader(io.BytesIO(version_1_pdf(plan, "uddannelse")))
    text = compact(" ".join(pages(version_1_pdf(plan, "uddannelse"))))

    assert (
        compact(
            "Aftalens parter: Part Aftalepartnere vedr. Tværgående brobygningsteam til "
            "opsporing og forebyggelse Center for Skole Ungdommens Uddannelsesvejledning (UU)"
        )
        in text
    )
    assert "RolleRepræsenteretved" not in text
    # The parties' table is the first in the document.
    first_table = next(element for element in structure(reader) if element["/S"] == "/Table")
    assert count(first_table, "/TR") == 1 + 2 + 18  # the head, two groups, 18 parties


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
        assert (
            "Kladde – ikke godkendt af bestyrelsen · udskrevet fra Helhedsplan "
            f"{date_filter(timezone.localdate())}"
        ) in page_text
    assert "version 1" not in draft
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
        name, title = version.content["focus_area"]["name"], version.content["title"]
        first = next(number for number, page_text in enumerate(text_by_page) if title in page_text)
        starts_on.append(first)
        assert f"{name} 1 godkendelsesdato ikke oplyst {first + 1}" in contents
    assert starts_on == sorted(starts_on) and len(starts_on) == len(CODES)
    for version, first, end in zip(versions, starts_on, starts_on[1:] + [total], strict=True):
        name, title = version.content["focus_area"]["name"], version.content["title"]
        # The delaftale's heading opens its first page: nothing of the one before is on it.
        assert text_by_page[first].index(title) < 200
        for page_text in text_by_page[first:end]:
            assert f"Delaftale: {name} · version 1 · godkendelsesdato ikke oplyst" in page_text
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
