"""The charts in the PDFs (lib/pdf.py, lib/svg_labels.py): drawn from the same SVG as the
pages, tagged as figures with their title as alternative text, their labels whole words at
their anchors."""

import io

from pypdf import PdfReader

from lib.pdf import html_to_pdf
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


def runs(data: bytes) -> list[tuple[str, float]]:
    """Each run of text with where it starts across the page."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            found.append((text, cm[4] + tm[4] * cm[0]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return found


def test_a_chart_is_a_figure_with_its_title_as_alternative_text():
    reader = PdfReader(io.BytesIO(document(f"<p>Før</p>{CHART}<p>Efter</p>")))
    figures = [element for element in structure(reader) if element["/S"] == "/Figure"]
    assert [figure["/Alt"] for figure in figures] == ["Beboere & tryghed"]
    assert "Før" in reader.pages[0].extract_text() and "Efter" in reader.pages[0].extract_text()


def test_labels_are_whole_words_at_their_anchors():
    labels = [(text, x) for text, x in runs(document(CHART)) if text == "Kvartal"]
    assert len(labels) == 3, labels  # one run each, not a letter at a time
    start, middle, end = (x for _text, x in labels)
    # Anchored at its start, middle and end on the same point: the middle one starts half a
    # word before the first, the end one a whole word before it.
    assert start - middle > 10
    assert abs((start - middle) * 2 - (start - end)) < 0.5


def test_a_text_with_per_letter_positions_is_left_to_weasyprint():
    # One x per letter: WeasyPrint places each letter, so the word is not one run.
    spread = CHART.replace('<text x="150" y="30">', '<text x="10 40 70 100 130 160 190" y="30">')
    texts = [text for text, _x in runs(document(spread))]
    assert texts.count("Kvartal") == 2
    assert any(text != "Kvartal" and text.replace(" ", "") == "Kvartal" for text in texts)
