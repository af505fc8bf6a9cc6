"""The agreements' plain text as HTML, for the PDFs.

Delaftaler and the strategic agreement are stored as plain text in the agreement's own words:
paragraphs separated by blank lines, and lines starting with "- " as bullet items. These filters
turn that into real paragraphs and lists, so the tagged PDF has P, L and LI elements a screen
reader can move through. Stored text is always escaped, never trusted as markup.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from lib.numbers import format_figure

register = template.Library()

# "- " is the bullet the agreements are written with; "•" and "–" come from pasted Word text.
BULLET = re.compile(r"^[-•–]\s+")


def _paragraph(lines: list[str]) -> SafeString:
    # A single line break inside a paragraph is the author's own (a heading above its text, a
    # name above a title), so it is kept rather than run together.
    return format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in lines)))


def _bullet_list(items: list[str]) -> SafeString:
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


@register.filter
def paragraphs(text: str | None) -> SafeString:
    """Plain text as paragraphs and bullet lists.

    A blank line ends a paragraph; consecutive "- " lines make one list, also across blank
    lines, so a list the author spaced out stays one list.
    """
    parts: list[SafeString] = []
    paragraph: list[str] = []
    items: list[str] = []

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
        if not line:
            close_paragraph()
        elif BULLET.match(line):
            close_paragraph()
            items.append(BULLET.sub("", line))
        else:
            close_list()
            paragraph.append(line)
    close_paragraph()
    close_list()
    return mark_safe("".join(parts))


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
