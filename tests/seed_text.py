"""The seed's sentences, and how many of them a PDF holds.

`tests/seed/slagelse_2017_2021.txt` is a copy of the seed the real plan was written from: the
strategic cooperation agreement and its four delaftaler, converted from Word with some markup
(`**bold**`, `*italic*`, `<p>`, `<ul>`, `<i>`, `<u>`; table cells separated by tabs). This module
cuts it into the five documents, each into *units* (a sentence, a list, a table cell, or a row
of figures), and looks for each unit in the text a PDF gives back.

Text is compared, not layout: a unit is found when its characters appear in the PDF's text in
the same order, with whitespace, dashes, bullets and quotation marks left out and letters
compared without case (PDF line breaks, hyphens at line ends, list markers and typographic
quotes differ from the Word text, not the words). The running header and footer (the
application's own lines) are left out of the PDF's text, so the agreement's words are found only
in its body.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

SEED = Path(__file__).parent / "seed" / "slagelse_2017_2021.txt"

# Where each document starts in the seed: the strategic agreement from the top, each delaftale
# from its title line. Each ends where the next starts.
STARTS = {
    "strategic": "Aftaledokumenter",
    "tryghed": "**Delaftale for indsatsområdet Tryghed og trivsel**",
    "kriminalitet": "**Delaftale for indsatsområdet Kriminalpræventiv indsats**",
    "uddannelse": "Delaftale for indsatsområdet Uddannelse & Beskæftigelse",
    "forebyggelse": "Delaftale for indsatsområdet Forebyggelse og forældre-ansvar",
}
SUBAGREEMENTS = ["tryghed", "kriminalitet", "uddannelse", "forebyggelse"]

# A unit shorter than this (normalised) is a list number or a stray mark, not text.
MIN_UNIT = 4
# A table row whose cells after the first are all this short is read as one unit.
SHORT_CELL = 40
# A footnote of the Word document ("¹ Inspirations- og videnskatalog ..."), printed at the foot
# of its page: the paragraph it interrupts goes on after it.
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*\S")
_TAGS = re.compile(r"</?(?:p|i|u|b|ul|li)\b[^>]*>")
_BLOCK_TAGS = re.compile(r"</?(?:p|ul|li)\b[^>]*>")
_LINK = re.compile(r"<(https?://[^>]+)>")
# A sentence ends at ".", "!", "?" or a closing parenthesis before a capital letter.
_SENTENCE = re.compile(r"(?<=[.!?)])\s+(?=[A-ZÆØÅ\"“(])")
# The items of a Word list pasted into one cell ("<ul>- for Motalavej ... under 30- for
# Skælskør ..."): a bullet after the end of the item before it.
_LIST = re.compile(r"<ul\b[^>]*>(.*?)(?:</ul>|$)", re.S)
_ITEM = re.compile(r"(?:^|(?<=[.)\d\"”])|(?<=\s))\s*[-•]\s+")
_LEFT_OUT = re.compile(r"[\s\-‐‑–—−•·*\"“”„'‘’´`]+")


def normalise(text: str) -> str:
    """Text as it is compared: compatibility forms folded (ligatures, superscripts), no case,
    no whitespace, dashes, bullets or quotation marks."""
    return _LEFT_OUT.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Unit:
    line: int
    text: str

    @property
    def key(self) -> str:
        return normalise(self.text)


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def spans() -> dict[str, tuple[int, int]]:
    """The 0-based [first, end) line range of each document in the seed."""
    lines = seed_lines()
    firsts = {name: lines.index(start) for name, start in STARTS.items()}
    ordered = sorted(firsts.items(), key=lambda item: item[1])
    ends = [first for _, first in ordered[1:]] + [len(lines)]
    return {name: (first, end) for (name, first), end in zip(ordered, ends, strict=True)}


def _clean(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return _TAGS.sub("", text).replace("**", "").replace("*", "").strip()


def _sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE.split(_clean(text)) if piece.strip()]


def _pieces(line: str) -> list[str]:
    """A seed line as the pieces a reader sees: a table row of short cells (figures, a label
    and its figure, a criterion and its data source) as one piece, the cells of other rows
    apart, and the paragraphs and lists of a cell apart."""
    if "\t" in line:
        cells = line.split("\t")
        if not _BLOCK_TAGS.search(line) and all(
            len(_clean(cell)) <= SHORT_CELL for cell in cells[1:]
        ):
            return [" ".join(_clean(cell) for cell in cells)]
        return [piece for cell in cells for piece in _pieces(cell)]
    pieces: list[str] = []
    at = 0
    for match in _LIST.finditer(line):
        pieces += _BLOCK_TAGS.split(line[at : match.start()])
        pieces += _ITEM.split(match.group(1))
        at = match.end()
    pieces += _BLOCK_TAGS.split(line[at:])
    return [piece for piece in pieces if _clean(piece)]


def units(name: str) -> list[Unit]:
    """The units of one document, in the seed's order. A paragraph cut by a page break of the
    Word document (it goes on in lower case after blank lines) is joined again."""
    first, end = spans()[name]
    lines = seed_lines()
    joined: list[tuple[int, str]] = []
    blank_before = 0
    for number in range(first, end):
        line = lines[number].rstrip(" ")
        if not line.strip():
            blank_before += 1
            continue
        # The paragraph a page break cut, skipping a footnote at the foot of the page.
        before = next(
            (
                index
                for index in range(len(joined) - 1, -1, -1)
                if not _FOOTNOTE.match(joined[index][1])
            ),
            None,
        )
        continues = (
            before is not None
            and blank_before >= 2
            and ("\t" in line) == ("\t" in joined[before][1])
            and _clean(line)[:1].islower()
            and not _clean(joined[before][1].split("\t")[0]).endswith((".", ":", "!", "?"))
        )
        if continues and "\t" in line:
            # A table row the page break cut: each cell goes on in the row after the break.
            cells = joined[before][1].split("\t")
            more = line.split("\t")
            merged = [
                " ".join(part for part in (a.strip(), b.strip()) if part)
                for a, b in zip(cells, more + [""] * (len(cells) - len(more)), strict=False)
            ]
            joined[before] = (joined[before][0], "\t".join(merged))
        elif continues:
            joined[before] = (joined[before][0], joined[before][1].rstrip() + " " + line.strip())
        else:
            joined.append((number + 1, line))
        blank_before = 0
    found = []
    for number, line in joined:
        for piece in _pieces(line):
            for sentence in _sentences(piece):
                unit = Unit(number, sentence)
                if len(unit.key) >= MIN_UNIT:
                    found.append(unit)
    return found


def pdf_body_text(data: bytes) -> str:
    """The text of a PDF's pages without the running header and footer: only what lies
    between the page's top and bottom margins (templates/agreements/pdf, static/css/pdf.css)."""
    parts: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        top = float(page.mediabox.top)

        def visit(text, cm, tm, font, size, top=top):
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            # Newlines come with the page's full height; they are kept.
            if text == "\n" or 60 < y < top - 60:
                parts.append(text)

        page.extract_text(visitor_text=visit)
        parts.append("\n")
    return "".join(parts)


@dataclass
class Coverage:
    """Which of a document's units a PDF's text holds, and whether in the seed's order."""

    units: list[Unit]
    in_order: list[Unit] = field(default_factory=list)
    out_of_order: list[Unit] = field(default_factory=list)
    missing: list[Unit] = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.in_order) + len(self.out_of_order)

    @property
    def share(self) -> float:
        return self.found / len(self.units)

    @property
    def share_in_order(self) -> float:
        return len(self.in_order) / len(self.units)

    def report(self, label: str) -> str:
        lines = [
            f"{label}: {self.found} of {len(self.units)} seed units found "
            f"({100 * self.share:.1f} %), {len(self.in_order)} in the seed's order "
            f"({100 * self.share_in_order:.1f} %)"
        ]
        lines += [f"  missing (seed l. {u.line}): {u.text}" for u in self.missing]
        lines += [f"  out of order (seed l. {u.line}): {u.text}" for u in self.out_of_order]
        return "\n".join(lines)


def coverage(seed_units: list[Unit], text: str) -> Coverage:
    """Which units the text holds, and the most of them that it holds in the seed's order
    (the longest chain of found units whose places in the text rise with the seed's order)."""
    haystack = normalise(text)
    result = Coverage(seed_units)
    places: list[list[int]] = []
    for unit in seed_units:
        key, found, start = unit.key, [], 0
        while (at := haystack.find(key, start)) != -1:
            found.append(at)
            start = at + 1
        places.append(found)
    # Patience sorting over the (unit, place) pairs: each unit's places are tried from the
    # last, so a unit never follows itself in a chain.
    tails: list[int] = []  # the smallest place that ends a chain of each length
    ends: list[int] = []  # the pair that ends it
    pairs: list[tuple[int, int | None]] = []  # (unit, the pair before it in its chain)
    for index, found in enumerate(places):
        for at in reversed(found):
            length = bisect.bisect_left(tails, at)
            pairs.append((index, ends[length - 1] if length else None))
            if length == len(tails):
                tails.append(at)
                ends.append(len(pairs) - 1)
            else:
                tails[length] = at
                ends[length] = len(pairs) - 1
    chain: set[int] = set()
    pair = ends[-1] if ends else None
    while pair is not None:
        chain.add(pairs[pair][0])
        pair = pairs[pair][1]
    for index, (unit, found) in enumerate(zip(seed_units, places, strict=True)):
        if not found:
            result.missing.append(unit)
        elif index in chain:
            result.in_order.append(unit)
        else:
            result.out_of_order.append(unit)
    return result
