"""A document's HTML laid out by Typst as a tagged PDF/UA-1: for a document that is made
afresh on request, where WeasyPrint is too slow. The board's status report, 21 pages with 48
charts, takes Typst about a tenth of a second; WeasyPrint took seconds.

The HTML stays the document's one source, the same templates, translations and charts as
before. It is read here into a tree of elements (tag, classes, the attributes that matter, the
children) and handed to `typeset.typ` as JSON data, which lays each element out by its tag and
classes. Text is only ever data there, never Typst markup, so nothing a user typed can run as
code or change the layout.

The HTML is the project's own, so the reader knows only what the templates write: sections,
headings, paragraphs, lists, tables (with row and column spans), figures with the charts of
reports/charts.py as SVG images, and a few inline elements.
"""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import typst
from django.utils import translation

from lib.pdf import LANGUAGE, page_of_pages

logger = logging.getLogger(__name__)

_PROGRAM = Path(__file__).with_name("typeset.typ")

# Elements that hold text of their own as a run of lines; the rest are laid out inline.
_BLOCKS = frozenset(
    "html body article section header footer div p h1 h2 h3 h4 ul ol li table caption thead "
    "tbody tfoot tr th td figure figcaption".split()
)
_VOID = frozenset({"br", "img", "meta", "link", "hr", "input"})
_KEPT_ATTRIBUTES = ("rowspan", "colspan", "alt")
_SPACE = re.compile(r"\s+")

Node = dict[str, Any] | str

# The charts (reports/charts.py) are inline SVG in the document's HTML, the same markup as on
# the pages. They are taken out whole and laid out by Typst's SVG reader, each standing in the
# HTML as an image with the chart's <title> as its alternative text (escaped HTML, read back
# by the reader), which the tagged PDF gives its figure. The charts have no nested <svg>.
_INLINE_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
_SVG_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.DOTALL)


def html_to_pdf(html: str) -> bytes:
    """The document's HTML as tagged PDF/UA-1 bytes."""
    html, charts = _charts_as_images(html)
    document = _Reader(charts).read(html)
    with translation.override(LANGUAGE):
        document["page"] = page_of_pages()
    # PDF/UA-1: Typst tags the document (headings, paragraphs, tables, figures with their
    # alternative text), gives its title and language, and refuses to make one that breaks it.
    pdf, warnings = typst.compile_with_warnings(
        str(_PROGRAM),
        sys_inputs={"document": json.dumps(document, ensure_ascii=False)},
        pdf_standards=["ua-1"],
    )
    for warning in warnings:
        # A font that is missing, say: the PDF is made, but looks other than it should.
        logger.warning("Typst: %s", warning.message)
    return pdf


def _charts_as_images(html: str) -> tuple[str, dict[str, str]]:
    """The HTML with each inline SVG replaced by an image of it, and the charts by name."""
    charts: dict[str, str] = {}

    def image(match: re.Match[str]) -> str:
        name = f"chart:{len(charts)}"
        charts[name] = match.group(0)
        title = _SVG_TITLE.search(match.group(0))
        alt = title.group(1).replace('"', "&quot;") if title else ""
        return f'<img src="{name}" alt="{alt}">'

    return _INLINE_SVG.sub(image, html), charts


class _Reader(HTMLParser):
    """The HTML as {"title", "author", "lang", "header", "body"}, the body a tree of nodes:
    {"tag", "class", "attrs", "children"} and strings of text, its spaces as a browser would
    show them."""

    def __init__(self, charts: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self._charts = charts
        self._root: dict[str, Any] = {"tag": "body", "class": "", "attrs": {}, "children": []}
        self._open: list[dict[str, Any]] = [self._root]
        self._title: list[str] = []
        self._in_title = False
        self._meta: dict[str, str] = {}
        self._lang = LANGUAGE
        self._header = ""

    def read(self, html: str) -> dict[str, Any]:
        self.feed(html)
        self.close()
        _tidy(self._root)
        return {
            "title": _SPACE.sub(" ", "".join(self._title)).strip(),
            "author": self._meta.get("author", ""),
            "lang": self._lang,
            "header": self._header,
            "body": self._root["children"],
        }

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self._lang = values.get("lang", self._lang)
            return
        if tag in {"head", "body"}:
            return
        if tag == "title":
            self._in_title = True
            return
        if tag == "meta":
            if "name" in values:
                self._meta[values["name"]] = values.get("content", "")
            return
        if tag == "img" and values.get("src") not in self._charts:
            return  # only the document's own charts: an image from elsewhere is never fetched
        if "data-running-header" in values and not self._header:
            self._header = values["data-running-header"]
        node: dict[str, Any] = {
            "tag": tag,
            "class": values.get("class", ""),
            "attrs": {name: values[name] for name in _KEPT_ATTRIBUTES if name in values},
            "children": [],
        }
        if tag == "img":
            node["svg"] = self._charts[values["src"]]
        self._open[-1]["children"].append(node)
        if tag not in _VOID:
            self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        # Close up to the element that ends; an end tag with no open element is ignored.
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth]["tag"] == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif len(self._open) > 1 or data.strip():
            self._open[-1]["children"].append(data)


def _tidy(node: dict[str, Any]) -> None:
    """Spaces as HTML shows them: runs of white space as one space, none at the start or end
    of a block's lines, none between blocks. Tables also learn how many columns they have."""
    children: list[Node] = []
    for child in node["children"]:
        if isinstance(child, str):
            child = _SPACE.sub(" ", child)
            if children and isinstance(children[-1], str):
                children[-1] += child
                continue
        else:
            _tidy(child)
        children.append(child)
    kept: list[Node] = []
    for index, child in enumerate(children):
        if isinstance(child, str):
            before = children[index - 1] if index else None
            after = children[index + 1] if index + 1 < len(children) else None
            if before is None or _is_block(before) or _ends_line(kept):
                child = child.lstrip()
            if after is None or _is_block(after):
                child = child.rstrip()
            if not child:
                continue
        kept.append(child)
    node["children"] = kept
    if node["tag"] == "table":
        node["attrs"]["columns"] = _columns(node)


def _is_block(node: Node | None) -> bool:
    return isinstance(node, dict) and node["tag"] in _BLOCKS


def _ends_line(kept: list[Node]) -> bool:
    return bool(kept) and isinstance(kept[-1], dict) and kept[-1]["tag"] == "br"


def _columns(table: dict[str, Any]) -> int:
    """The table's number of columns: the widest row, counting the cells that reach down into
    it from the rows above (rowspan)."""
    rows = [
        row
        for part in table["children"]
        if isinstance(part, dict)
        for row in ([part] if part["tag"] == "tr" else part["children"])
        if isinstance(row, dict) and row["tag"] == "tr"
    ]
    widest = 0
    reaching: list[int] = []  # for each cell spanning down: the rows it still covers
    spans: list[int] = []  # and its columns
    for row in rows:
        width = sum(span for span, left in zip(spans, reaching, strict=True) if left > 0)
        reaching = [left - 1 for left in reaching]
        for cell in row["children"]:
            if isinstance(cell, dict) and cell["tag"] in {"th", "td"}:
                columns = int(cell["attrs"].get("colspan", 1))
                width += columns
                rowspan = int(cell["attrs"].get("rowspan", 1))
                if rowspan > 1:
                    reaching.append(rowspan - 1)
                    spans.append(columns)
        widest = max(widest, width)
    return widest
