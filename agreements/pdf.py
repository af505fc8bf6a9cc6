"""The agreements as PDF documents, for Landsbyggefonden and the board.

LBF may ask for the current delaftaler at any time, and gets them as PDF without anyone having
to assemble a document: each approved version is rendered from its frozen content, so the PDF
of version 1 reads the same however the live delaftale has moved on since. The live draft can be
printed too, for the board's meeting, but it says on every page that it is not approved.

The documents are HTML rendered with Django templates (templates/agreements/pdf/) and laid out
by WeasyPrint as tagged PDF/UA-1: headings, paragraphs, lists and tables with their header cells
are in the structure tree, with the document's title and language, so that they can be read
with a screen reader. They are always written in Danish, whatever language the person who asks
reads the site in, because the agreement is a Danish document.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from .models import (
    Body,
    Plan,
    PlanArea,
    PlanParty,
    Signatory,
    Subagreement,
    SubagreementVersion,
)

_LANGUAGE = "da"
_STATIC_DIR = Path(settings.BASE_DIR) / "static"
_STYLESHEET = _STATIC_DIR / "css" / "pdf.css"

# PDF/UA-1 makes WeasyPrint tag the document (a structure tree, MarkInfo, the title shown
# instead of the file name) and declare the conformance in the XMP metadata.
_PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class _SubagreementDocument:
    """One delaftale as a PDF shows it: the content (frozen or live) and what its first page
    and running header say about which text this is."""

    content: dict
    plan_name: str
    number: int | None
    decided_on: datetime.date | None
    printed_on: datetime.date | None = None

    @classmethod
    def of_version(cls, version: SubagreementVersion) -> _SubagreementDocument:
        return cls(
            content=version.content,
            plan_name=version.subagreement.plan.name,
            number=version.number,
            decided_on=version.decided_on,
        )

    @classmethod
    def of_draft(cls, subagreement: Subagreement) -> _SubagreementDocument:
        return cls(
            content=subagreement.content(),
            plan_name=subagreement.plan.name,
            number=None,
            decided_on=None,
            printed_on=timezone.localdate(),
        )

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def anchor(self) -> str:
        """The id the combined PDF's contents page links to."""
        return f"delaftale-{self.content['focus_area']['code']}"

    @property
    def valid_from(self) -> datetime.date | None:
        return _date(self.content.get("valid_from"))

    @property
    def valid_to(self) -> datetime.date | None:
        return _date(self.content.get("valid_to"))


def _date(value: str | None) -> datetime.date | None:
    # The frozen content keeps dates as ISO strings (plain JSON, see Subagreement.content).
    return datetime.date.fromisoformat(value) if value else None


def subagreement_pdf(version: SubagreementVersion) -> bytes:
    """The PDF of an approved version of a delaftale, as the board approved it.

    Rendered from the version's frozen content only, so it costs no query beyond what
    `SubagreementVersion.objects.for_rendering()` loaded.
    """
    document = _SubagreementDocument.of_version(version)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def draft_pdf(subagreement: Subagreement) -> bytes:
    """The PDF of the live delaftale, the draft of its next version.

    Marked "Kladde – ikke godkendt" on every page, so a printed draft is never taken for what
    the board approved.
    """
    document = _SubagreementDocument.of_draft(subagreement)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def subagreements_pdf(versions: Sequence[SubagreementVersion]) -> bytes:
    """Several delaftaler in one PDF, each from its own page, after a contents page.

    LBF asks for "all current ones" at once. The versions are shown in the order given
    (`for_rendering()` orders them by focus area). Raises ValueError for no versions: an empty
    document would look like a plan without delaftaler.
    """
    if not versions:
        raise ValueError("There are no versions to put in the PDF.")
    documents = [_SubagreementDocument.of_version(version) for version in versions]
    return render_pdf(
        "agreements/pdf/subagreements.html",
        {"documents": documents, "plan_name": documents[0].plan_name},
    )


def strategic_agreement_pdf(plan: Plan) -> bytes:
    """The PDF of the strategic cooperation agreement (strategisk samarbejdsaftale).

    The plan is read again with everything the document shows, in a fixed number of queries
    whatever the size of the plan.
    """
    plan = (
        Plan.objects.select_related("funding_period")
        .prefetch_related(
            "sections",
            Prefetch("plan_parties", queryset=PlanParty.objects.select_related("organisation")),
            Prefetch("plan_areas", queryset=PlanArea.objects.select_related("area")),
            Prefetch("bodies", queryset=Body.objects.select_related("area")),
            Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
            "attachments",
        )
        .get(pk=plan.pk)
    )
    return render_pdf(
        "agreements/pdf/strategic_agreement.html",
        {"plan": plan, "budget": plan.budget_overview()},
    )


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A rendered PDF as a download named `filename`."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def render_html(template_name: str, context: dict) -> str:
    """A document's HTML, always in Danish: the source of its PDF."""
    with translation.override(_LANGUAGE):
        return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))


def html_to_pdf(html: str) -> bytes:
    with translation.override(_LANGUAGE):
        page_numbers = CSS(string=_page_number_css())
    document = HTML(
        string=html,
        base_url=str(_STATIC_DIR),
        # Everything the documents use is on disk; a stored text can never make the server
        # fetch a remote address (they are escaped anyway).
        url_fetcher=URLFetcher(allowed_protocols={"file"}),
    )
    return document.write_pdf(stylesheets=[_stylesheet(), page_numbers], **_PDF_OPTIONS)


@cache
def _stylesheet() -> CSS:
    """The print stylesheet, parsed once per process."""
    return CSS(filename=str(_STYLESHEET))


def _page_number_css() -> str:
    """The footer's "Side X af Y" as a CSS rule, in the active language.

    The page numbers exist only while WeasyPrint lays out the pages, as counters, so the
    translated sentence is cut at its placeholders and put together again around them.
    """
    sentence = gettext("Page %(page)s of %(pages)s")
    pieces = re.split(r"%\((pages?)\)s", sentence)
    content = " ".join(
        f"counter({piece})" if index % 2 else _css_string(piece)
        for index, piece in enumerate(pieces)
        if piece or index % 2
    )
    return f"@page {{ @bottom-right {{ content: {content}; }} }}"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'
