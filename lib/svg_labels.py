"""SVG labels drawn whole in the PDFs.

WeasyPrint (70) draws every SVG <text> a letter at a time, each letter a text layout of its
own, and an anchored text ("middle", "end") inside a group of its own, so that it can honour
positions, rotations and spacing given per letter. The charts (reports/charts.py) use none of
that: each label is one run of text at one point. Laid out a letter at a time their 3,000-odd
letters took a tenth of the status report's making and half the size of its file.

A label with a single x and y, no per-letter positions, rotation, spacing, transform, stroke,
opacity or clipping, and no child elements, is therefore laid out once and drawn at its anchor
here, with the same font, size, weight and fill WeasyPrint gives it. Any other <text> is left
to WeasyPrint.
"""

from __future__ import annotations

import sys
from math import inf
from typing import Any

from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.draw.text import draw_emojis, draw_first_line
from weasyprint.matrix import Matrix
from weasyprint.svg import SVG, Node
from weasyprint.svg.utils import normalize, size
from weasyprint.text.line_break import split_first_line

# weasyprint.svg imports the function `text` over the name of its module.
_svg_text = sys.modules["weasyprint.svg.text"]

# Attributes that make a text more than one run at one point, or draw it otherwise.
_NOT_PLAIN = frozenset(
    {
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "letter-spacing",
        "transform",
        "opacity",
        "clip-path",
        "mask",
        "filter",
        "style",
        "direction",
        "display-anchor",
        "dominant-baseline",
        "alignment-baseline",
    }
)

_ORIGINAL = SVG.draw_node


def install() -> None:
    """Draw plain labels whole from now on (once per process)."""
    SVG.draw_node = _draw_node


def uninstall() -> None:
    SVG.draw_node = _ORIGINAL


def _draw_node(
    svg: SVG, node: Node, font_size: float, fill_stroke: bool = True, context: Any = None
) -> None:
    if fill_stroke and is_plain_label(node):
        if node.visible:
            _draw_label(svg, node, size(node.get("font-size", "1em"), font_size, font_size))
    else:
        _ORIGINAL(svg, node, font_size, fill_stroke, context)


def is_plain_label(node: Node) -> bool:
    return (
        node.tag == "text"
        and bool(node.text)
        and next(iter(node), None) is None
        and not _NOT_PLAIN.intersection(node.attrib)
        and node.get("stroke", "none") == "none"
        and _single(node.get("x", "0"))
        and _single(node.get("y", "0"))
    )


def _single(value: str) -> bool:
    return len(normalize(value).split()) == 1


def _draw_label(svg: SVG, node: Node, font_size: float) -> None:
    style = _svg_text.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_weight"] = _weight(node.get("font-weight", 400))
    style["font_size"] = font_size

    layout, _, _, width, _height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x = size(node.get("x", "0"), font_size, svg.inner_width)
    y = size(node.get("y", "0"), font_size, svg.inner_height)
    anchor = node.get("text-anchor", "start")
    if anchor == "middle":
        x -= width / 2
    elif anchor == "end":
        x -= width

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = _svg_text.TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none", Matrix(d=-1, e=x, f=y))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def _weight(value: str | int) -> int:
    if value == "normal":
        return 400
    if value == "bold":
        return 700
    try:
        return int(value)
    except ValueError:
        return 400
