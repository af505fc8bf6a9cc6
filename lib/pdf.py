"""HTML documents as PDF files: rendered with Django templates, always in Danish, and laid out
by WeasyPrint as tagged PDF/UA-1.

Tagged means that headings, paragraphs, lists and tables with their header cells are in the
structure tree, with the document's title and language, so that they can be read with a screen
reader. The documents are written in Danish whatever language the person who asks reads the
site in: an agreement or a report to the board is a Danish document. The documents themselves
(the agreements, the status report) are built by their apps.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

LANGUAGE = "da"
_STATIC_DIR = Path(settings.BASE_DIR) / "static"
_STYLESHEET = _STATIC_DIR / "css" / "pdf.css"

# PDF/UA-1 makes WeasyPrint tag the document (a structure tree, MarkInfo, the title shown
# instead of the file name) and declare the conformance in the XMP metadata.
_PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A rendered PDF as a download named `filename`."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def render_html(template_name: str, context: dict) -> str:
    """A document's HTML, always in Danish: the source of its PDF."""
    with translation.override(LANGUAGE):
        return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_html(template_name, context))


def html_to_pdf(html: str) -> bytes:
    with translation.override(LANGUAGE):
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


def page_of_pages() -> list[str]:
    """The footer's "Side X af Y" in the active language, cut at its placeholders: text,
    "page", text, "pages", text. The page numbers exist only while the pages are laid out, so
    the layout puts the sentence together again around them."""
    return re.split(r"%\((pages?)\)s", gettext("Page %(page)s of %(pages)s"))


def _page_number_css() -> str:
    """The footer's "Side X af Y" as a CSS rule, the page numbers as WeasyPrint's counters."""
    content = " ".join(
        f"counter({piece})" if index % 2 else _css_string(piece)
        for index, piece in enumerate(page_of_pages())
        if piece or index % 2
    )
    return f"@page {{ @bottom-right {{ content: {content}; }} }}"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'
