"""The agreements' text as HTML, for the PDFs.

Delaftaler and the strategic agreement are stored as plain text in the agreement's own words:
paragraphs separated by blank lines, lines starting with "- " as list items, and a line
"[tabel: KEY]" where one of the text's tables of figures stands. These filters turn that into
real paragraphs, lists and tables, so the tagged PDF has P, L, LI, Table, TH and TD elements a
screen reader can move through. Stored text is always escaped, never trusted as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from lib.numbers import format_figure

register = template.Library()

# "- " is the bullet the agreements are written with; "•" and "–" come from pasted Word text.
BULLET = re.compile(r"^[-•–]\s+")
# A list whose items carry their own numbers ("6) Øget lokalt engagement", "a) At være ...")
# is printed without bullets: the agreement's numbers are the items' marks.
NUMBERED_ITEM = re.compile(r"^(?:\d{1,2}|[a-zæøå])[.)]\s", re.IGNORECASE)
TABLE_MARKER = re.compile(r"^\[tabel:\s*([-\w]+)\s*\]$", re.IGNORECASE)
# A cell that is a figure ("55,1", "19,88%", "2.266") is set right-aligned.
FIGURE_CELL = re.compile(r"^[-−+]?[\d.,]+\s?%?$")


def _paragraph(lines: list[str]) -> SafeString:
    # A single line break inside a paragraph is the author's own (a heading above its text, a
    # name above a title), so it is kept rather than run together.
    return format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in lines)))


def _bullet_list(items: list[str]) -> SafeString:
    numbered = all(NUMBERED_ITEM.match(item) for item in items)
    return format_html(
        "<ul{}>{}</ul>",
        mark_safe(' class="numbered"') if numbered else "",
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
    )


def _render(text: str | None, tables: Mapping[str, Mapping] | None = None) -> SafeString:
    """Text as paragraphs, lists and tables; tables the text does not place come last."""
    parts: list[SafeString] = []
    paragraph: list[str] = []
    items: list[str] = []
    placed: set[str] = set()
    tables = tables or {}

    def close_paragraph() -> None:
        if paragraph:
            parts.append(_paragraph(paragraph))
            paragraph.clear()

    def close_list() -> None:
        if items:
            parts.append(_bullet_list(items))
            items.clear()

    for raw in (text or "").splitlines():
        line = raw.strip()
        marker = TABLE_MARKER.match(line)
        if not line:
            close_paragraph()
        elif marker and marker.group(1) in tables:
            close_paragraph()
            close_list()
            placed.add(marker.group(1))
            parts.append(figure_table(tables[marker.group(1)]))
        elif BULLET.match(line):
            close_paragraph()
            items.append(BULLET.sub("", line))
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    parts.extend(figure_table(table) for key, table in tables.items() if key not in placed)
    return mark_safe("".join(parts))


@register.filter
def paragraphs(text: str | None) -> SafeString:
    """Plain text as paragraphs and bullet lists.

    A blank line ends a paragraph; consecutive "- " lines make one list, also across blank
    lines, so a list the author spaced out stays one list.
    """
    return _render(text)


@register.simple_tag
def agreement_text(
    text: str | None, tables: Iterable[Mapping] = (), section: str | None = None
) -> SafeString:
    """An agreement's text with its tables of figures where the text places them.

    `tables` are the tables as `FigureTable.as_dict` gives them (a version's frozen content
    holds them so); with `section`, only those of that section of a delaftale.
    """
    chosen = {
        table["key"]: table
        for table in tables
        if section is None or table.get("section") == section
    }
    return _render(text, chosen)


def _cell_text(text: str) -> SafeString:
    # A cell of one line is its text; a cell with paragraphs or a list gets them.
    if "\n" in text.strip() or BULLET.match(text.strip()):
        return _render(text)
    return escape(text.strip())


def _cell(tag: str, text: str, scope: str | None = None, span: int = 1) -> SafeString:
    classes = "num" if scope != "row" and FIGURE_CELL.match(text.strip()) else ""
    if not text.strip():
        return mark_safe("<td></td>")
    return format_html(
        "<{tag}{scope}{span}{classes}>{text}</{tag}>",
        tag=tag,
        scope=mark_safe(f' scope="{scope}"') if scope else "",
        span=mark_safe(f' colspan="{span}"') if span > 1 else "",
        classes=mark_safe(f' class="{classes}"') if classes else "",
        text=_cell_text(text),
    )


def _head_row(cells: Sequence[str], width: int) -> SafeString:
    if len(cells) == 1 and width > 1:
        return format_html('<tr class="head">{}</tr>', _cell("th", cells[0], "colgroup", width))
    return format_html(
        '<tr class="head">{}</tr>', mark_safe("".join(_cell("th", cell, "col") for cell in cells))
    )


def _body_row(cells: Sequence[str], width: int, row_headers: bool) -> SafeString:
    if len(cells) == 1 and width > 1:
        return format_html('<tr class="group">{}</tr>', _cell("th", cells[0], "colgroup", width))
    first, *rest = cells
    head = _cell("th", first, "row") if row_headers else _cell("td", first)
    return format_html(
        "<tr>{}{}</tr>", head, mark_safe("".join(_cell("td", cell) for cell in rest))
    )


def figure_table(table: Mapping) -> SafeString:
    """A table of figures with its caption, head rows, rows and source.

    Head rows at the top are the table's head; a head row further down (a table of several
    housing areas, each with its years) starts a new body with its own column headings.
    """
    rows = table.get("rows") or []
    width = max((len(row["cells"]) for row in rows), default=1)
    row_headers = table.get("row_headers", True)
    parts: list[SafeString] = []
    caption = [line.strip() for line in (table.get("caption") or "").splitlines() if line.strip()]
    if caption:
        parts.append(
            format_html("<caption>{}</caption>", mark_safe("<br>".join(escape(c) for c in caption)))
        )
    index = 0
    head: list[SafeString] = []
    while index < len(rows) and rows[index].get("head"):
        head.append(_head_row(rows[index]["cells"], width))
        index += 1
    if head:
        parts.append(format_html("<thead>{}</thead>", mark_safe("".join(head))))
    body: list[SafeString] = []
    for row in rows[index:]:
        if row.get("head") and body:
            parts.append(format_html("<tbody>{}</tbody>", mark_safe("".join(body))))
            body = []
        body.append(
            _head_row(row["cells"], width)
            if row.get("head")
            else _body_row(row["cells"], width, row_headers)
        )
    if body:
        parts.append(format_html("<tbody>{}</tbody>", mark_safe("".join(body))))
    html = format_html(
        '<table class="figures{}">{}</table>',
        "" if row_headers else " text-table",
        mark_safe("".join(parts)),
    )
    if table.get("source"):
        html += format_html(
            '<p class="table-source">{}</p>',
            gettext("Source: %(source)s") % {"source": table["source"]},
        )
    return mark_safe(html)


@register.filter
def lines(text: str | None) -> SafeString:
    """Text written one item per line (a body's composition) as a bullet list."""
    items = [BULLET.sub("", line.strip()) for line in (text or "").splitlines() if line.strip()]
    return _bullet_list(items) if items else mark_safe("")


@register.filter
def fte_percent(fte: str | Decimal | None) -> str:
    """A share of a full-time post as the agreements write it: "0.500" -> "50 %"."""
    if fte in (None, ""):
        return ""
    try:
        share = Decimal(fte) * 100
    except InvalidOperation:
        return str(fte)
    return f"{format_figure(share)}\N{NO-BREAK SPACE}%"


@register.filter
def staff_share(line: Mapping) -> str:
    """A staff line's share as the agreement writes it ("1", "0,75", "¼ årsværk,"), or as a
    percentage ("30 %")."""
    return line.get("fte_as_written") or fte_percent(line.get("fte"))
