"""The strategic cooperation agreement as PDF: its sections, parties, organisation, budget
against the delaftaler, signatures and the attachments LBF requires, with whether each is there.
"""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from agreements import pdf
from agreements.models import Organisation, PlanSection, Signatory

pytestmark = pytest.mark.django_db


def pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_agreement_shows_its_sections_budget_signatures_and_the_state_of_each_attachment(
    plan, django_assert_num_queries
):
    attachments = list(plan.attachments.all())
    attachments[0].is_present = True
    attachments[0].save()
    attachments[1].is_present = False
    attachments[1].save()
    Signatory.objects.create(
        plan=plan,
        name="Anne Andersen",
        title="Direktør",
        organisation=Organisation.objects.get(name="Slagelse Kommune"),
        signed_on=datetime.date(2017, 9, 14),
        position=1,
    )

    with django_assert_num_queries(8):
        data = pdf.strategic_agreement_pdf(plan)
    text_by_page = pages(data)
    text = " ".join(text_by_page)
    whole = compact(text)

    assert "Strategisk samarbejdsaftale" in text_by_page[0]
    assert plan.name in text_by_page[0]
    assert "1. oktober 2017 til 30. september 2021" in text_by_page[0]
    assert compact(plan.vision)[:80] in whole
    assert compact(plan.purpose)[:80] in whole
    for section in plan.sections.all():
        assert compact(section.title) in whole
        assert compact(section.body)[:60] in whole
    for party in plan.plan_parties.select_related("organisation"):
        assert party.organisation.name in text
    for plan_area in plan.plan_areas.select_related("area"):
        assert plan_area.area.name in text
    for body in plan.bodies.all():
        assert body.name in text

    states = ["Vedlagt", "Mangler"] + ["Ikke oplyst"] * (len(attachments) - 2)
    for attachment, state in zip(attachments, states, strict=True):
        assert compact(attachment.title + state) in whole, attachment.title
    assert "Anne Andersen Direktør Slagelse Kommune 14. september 2017" in text

    assert "Planens budget 25.000 19.450 44.450" in text
    assert "Tryghed og trivsel 6.497 5.062 11.559" in text
    assert "Delaftalerne i alt 22.734 18.549 41.283" in text
    assert "Ikke fordelt på en delaftale 2.266 901 3.167" in text

    total = len(text_by_page)
    for number, page_text in enumerate(text_by_page, start=1):
        assert plan.name in page_text
        assert f"Side {number} af {total}" in page_text

    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "da"
    assert catalog["/MarkInfo"]["/Marked"].value is True


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
