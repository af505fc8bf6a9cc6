"""HTML laid out by Typst (lib/typeset.py), as the status report is: text shown as written
whatever it holds, spaces as a browser shows them, tables with their spans and header rows,
and a tagged PDF/UA-1 document with its title and language."""

import io
import re

from pypdf import PdfReader

from lib.typeset import html_to_pdf
from tests.pdf_structure import count, structure, tags


def document(body: str, *, title: str = "Statusrapport") -> bytes:
    return html_to_pdf(
        f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta name="author" content="Helhedsplanen"></head>'
        f'<body><article data-running-header="Statusrapport · Planen">{body}</article>'
        "</body></html>"
    )


def text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_text_that_looks_like_typst_is_shown_as_written_and_never_run():
    # What a coordinator may type in a note, escaped by the template as any text is.
    typed = (
        '#read("/etc/passwd") #panic("stop") *fed* _kursiv_ $x^2$ &lt;etiket&gt; @henvisning '
        "= Overskrift // kommentar /* blok */ `kode` \\ #set page(width: 1cm) ]}) {["
    )
    shown = text(document(f"<p>{typed}</p>"))
    assert (
        '#read("/etc/passwd") #panic("stop") *fed* _kursiv_ $x^2$ <etiket> @henvisning '
        "= Overskrift // kommentar /* blok */ `kode` \\ #set page(width: 1cm) ]}) {["
    ) in shown
    assert "root:" not in shown


def test_spaces_are_those_a_browser_shows():
    shown = text(
        document(
            "<p>\n   Før   <strong>fed</strong>, og <span>efter</span>\n\n  tekst.  </p>"
            "<p>Linje<br>\n  næste</p>"
        )
    )
    assert "Før fed, og efter tekst." in shown
    assert "Linje næste" in shown


def test_a_table_keeps_its_spans_header_rows_and_footer():
    data = document(
        "<table><caption>Forbrug i tusinde kroner</caption>"
        '<thead><tr><th scope="col" rowspan="2">Aktivitet</th>'
        '<th scope="colgroup" colspan="2">Motalavej</th>'
        '<th scope="colgroup" colspan="2">Ringparken</th></tr>'
        "<tr><th>1. kvt.</th><th>2. kvt.</th><th>1. kvt.</th><th>2. kvt.</th></tr></thead>"
        '<tbody><tr><th scope="rowgroup" rowspan="2">Lektiecafé</th>'
        '<td class="num">11.559</td><td class="num">7</td><td class="num">&lt;5</td></tr>'
        '<tr><td class="num">1</td><td class="num">2</td><td class="num">3</td>'
        '<td class="num">4</td></tr></tbody>'
        '<tfoot><tr class="total"><th scope="row">I alt</th><td class="num" colspan="4">'
        "72,4 %</td></tr></tfoot></table>"
    )
    shown = text(data)
    for cell in ["Forbrug i tusinde kroner", "Aktivitet", "Motalavej", "Ringparken"]:
        assert cell in shown
    for cell in ["Lektiecafé", "11.559", "<5", "I alt", "72,4 %"]:
        assert cell in shown
    reader = PdfReader(io.BytesIO(data))
    (table,) = [element for element in structure(reader) if element["/S"] == "/Table"]
    assert count(table, "/TR") == 5
    assert count(table, "/TH") == 7  # the column heads
    assert count(table, "/THead") == 1 and count(table, "/TFoot") == 1


def test_the_document_is_tagged_pdf_ua_with_its_title_language_and_headings():
    data = document(
        "<section><h1>Planen</h1><p>Indledning.</p><h2>Del 1</h2><h3>Tryghed</h3>"
        "<h4>Tryghedsvandringer</h4><p>Tekst.</p><ul><li>Et punkt</li><li>Et andet</li></ul>"
        "</section>",
        title="Statusrapport 1. halvår 2019 – Planen",
    )
    reader = PdfReader(io.BytesIO(data))
    found = tags(reader)
    assert {found[tag] for tag in ["/H1", "/H2", "/H3", "/H4"]} == {1}
    assert found["/P"] >= 2 and found["/L"] == 1 and found["/LI"] == 2
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "da" and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Statusrapport 1. halvår 2019 – Planen"
    assert reader.metadata.author == "Helhedsplanen"
    assert "<pdfuaid:part>1</pdfuaid:part>" in root["/Metadata"].get_object().get_data().decode()
    # The running header and the page numbers in Danish, on every page.
    assert "Statusrapport · Planen" in text(data) and "Side 1 af 1" in text(data)


def test_an_image_that_is_not_one_of_the_documents_charts_is_left_out():
    data = document(
        '<p>Før</p><img src="file:///etc/passwd" alt="fil">'
        '<img src="https://example.com/billede.svg" alt="fjern"><p>Efter</p>'
    )
    shown = text(data)
    assert "Før" in shown and "Efter" in shown
    assert "/Figure" not in tags(PdfReader(io.BytesIO(data)))
