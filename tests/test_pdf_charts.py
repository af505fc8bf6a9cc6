"""The charts in the status report's PDF (lib/typeset.py): drawn from the same SVG as the
pages, tagged as figures with their title as alternative text, their labels words at their
anchors."""

import io

from pypdf import PdfReader

from lib.typeset import html_to_pdf
from tests.pdf_structure import structure

CHART = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 300 120" width="100%" '
    'role="img" aria-labelledby="c-title" font-family="DejaVu Sans" fill="#1a1a1a" '
    'font-size="20"><title id="c-title">Beboere &amp; tryghed</title>'
    '<line x1="0" y1="100" x2="300" y2="100" stroke="#545454"/>'
    '<text x="150" y="30">Kvartal</text>'
    '<g text-anchor="middle"><text x="150" y="60">Kvartal</text></g>'
    '<text x="150" y="90" text-anchor="end">Kvartal</text></svg>'
)


def document(body: str) -> bytes:
    return html_to_pdf(
        f'<html lang="da"><head><title>Diagram</title></head><body>{body}</body></html>'
    )


def starts(data: bytes, letter: str) -> list[float]:
    """Where each run of text that begins with `letter` starts across the page."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip().startswith(letter):
            found.append(cm[4] + tm[4] * cm[0])

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_a_chart_is_a_figure_with_its_title_as_alternative_text():
    reader = PdfReader(io.BytesIO(document(f"<p>Før</p><figure>{CHART}</figure><p>Efter</p>")))
    figures = [element for element in structure(reader) if element["/S"] == "/Figure"]
    assert [figure["/Alt"] for figure in figures] == ["Beboere & tryghed"]
    assert "Før" in reader.pages[0].extract_text() and "Efter" in reader.pages[0].extract_text()


def test_labels_read_as_words_at_their_anchors():
    data = document(CHART)
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text().count("Kvartal") == 3
    start, middle, end = starts(data, "K")
    # Anchored at its start, middle and end on the same point: the middle one starts half a
    # word before the first, the end one a whole word before it.
    assert start - middle > 10
    assert abs((start - middle) * 2 - (start - end)) < 0.5
