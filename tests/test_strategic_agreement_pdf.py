"""The strategic cooperation agreement as PDF: its sections in the agreement's order, with the
vision and purpose, the organisation and the budget where the agreement gives them, the
attachments LBF requires, and the signatures when there are any; nothing the agreement does
not say.
"""

import datetime
import io
import re

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from agreements import pdf
from agreements.models import Organisation, PlanSection, Signatory

pytestmark = pytest.mark.django_db


def pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_agreement_shows_its_sections_in_order_with_the_plans_data_where_they_belong(
    plan, django_assert_num_queries
):
    # The plan, its sections and their tables, areas, bodies, signatories and attachments.
    with django_assert_num_queries(7):
        data = pdf.strategic_agreement_pdf(plan)
    text_by_page = pages(data)
    text = " ".join(text_by_page)
    whole = compact(text)

    assert "Strategisk samarbejdsaftale" in text_by_page[0]
    assert plan.name in text_by_page[0]
    assert (
        compact("Følgende dokumenter skal vedlægges denne strategiske samarbejdsaftale:") in whole
    )
    for attachment in plan.attachments.all():
        assert compact(attachment.title) in whole
    # Section 1 holds the vision and the purpose, section 2 the organisation, section 7 the
    # budget: after their headings and before the next section's.
    places = [
        whole.index(compact(f"{s.number}. {s.title}"))
        for s in plan.sections.filter(number__in=["1", "2", "7", "8"]).order_by("position")
    ]
    assert places == sorted(places)
    assert places[0] < whole.index(compact(plan.vision)[:80]) < places[1]
    assert places[0] < whole.index(compact(plan.purpose)[:80]) < places[1]
    assert (
        places[1]
        < whole.index(
            compact(
                "Koordinatorfunktionerne i årsværk vil være således fordelt. "
                "Motalavej 50 % Ringparken 50 % Sydbyen 30 % Skælskør 30 %"
            )
        )
        < places[2]
    )
    assert (
        compact(
            "Organisation Finansiering i hele tusinde Landsbyggefonden 25.000 "
            "Lokal medfinansiering 19.450 Samlet budget for den boligsociale indsats 44.450"
        )
        in whole
    )
    assert (
        places[2]
        < whole.index(compact("Samlet budget for den boligsociale indsats 44.450"))
        < places[3]
    )
    for section in plan.sections.all():
        assert compact(section.title) in whole
    # The four local follow-up groups are described once, with their members.
    assert text.count("Der oprettes en lokal følgegruppe for hvert af de fire områder.") == 1
    assert compact("I alle følgegrupper indgår Den lokale koordinator") in whole

    # The tables of figures, with their captions and sources.
    assert (
        compact(
            "Figur 19. Deltagere, der er trygge eller utrygge ved at bo i deres boligområde "
            "2014 og 2016"
        )
        in whole
    )
    assert compact("Procentdel, der er trygge ved at bo i området 2014 58 72 68 65 65") in whole
    assert compact("2013 55,1 19,1 28,5 42,8 11,8") in whole
    assert compact("Kilde: Tabel 16 i Danmarks Statistiks Nøgletal på Boligområder 2016.") in whole

    # Nothing of the application's in the agreement's text: no budget compared with the
    # delaftaler, no list of areas, no statement about signatures or attachments.
    assert "Ikke fordelt på en delaftale" not in text
    assert "Ikke oplyst" not in text
    assert "underskrifter" not in text.lower()

    total = len(text_by_page)
    printed = f"Dannet i Helhedsplan den {date_filter(timezone.localdate())}"
    for number, page_text in enumerate(text_by_page, start=1):
        assert f"Strategisk samarbejdsaftale · {plan.name}" in page_text
        assert printed in page_text
        assert f"Side {number} af {total}" in page_text

    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "da"
    assert catalog["/MarkInfo"]["/Marked"].value is True


def test_signatures_are_shown_once_they_are_recorded(plan):
    Signatory.objects.create(
        plan=plan,
        name="Anne Andersen",
        title="Direktør",
        organisation=Organisation.objects.get(name="Slagelse Kommune"),
        signed_on=datetime.date(2017, 9, 14),
        position=1,
    )

    text = " ".join(pages(pdf.strategic_agreement_pdf(plan)))

    assert "Underskrifter" in text
    assert "Anne Andersen Direktør Slagelse Kommune 14. september 2017" in text


def test_its_queries_stay_the_same_when_the_plan_grows(plan):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            pdf.strategic_agreement_pdf(plan)
        return len(captured)

    before = queries()
    municipality = Organisation.objects.get(name="Slagelse Kommune")
    Signatory.objects.bulk_create(
        Signatory(plan=plan, name=f"Underskriver {n}", organisation=municipality, position=n)
        for n in range(10)
    )
    PlanSection.objects.bulk_create(
        PlanSection(
            plan=plan, position=100 + n, number=f"12.{n}", title=f"Tillæg {n}", body="Tekst"
        )
        for n in range(10)
    )

    assert queries() == before
