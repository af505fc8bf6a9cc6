"""The structure tree of a tagged PDF (PDF/UA): the headings, paragraphs, lists and tables a
screen reader moves through, read with pypdf."""

from __future__ import annotations

from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


def _elements(node) -> Iterator[DictionaryObject]:
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _elements(kid)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from _elements(node["/K"])


def structure(reader: PdfReader) -> list[DictionaryObject]:
    """Every element of the structure tree, in document order."""
    return list(_elements(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]))


def count(element: DictionaryObject, tag: str) -> int:
    """How many elements below `element` have the tag (e.g. "/TR")."""
    return sum(1 for kid in _elements(element.get("/K", ArrayObject())) if kid["/S"] == tag)


def tags(reader: PdfReader) -> dict[str, int]:
    """How many elements of each tag the document has."""
    found: dict[str, int] = {}
    for element in structure(reader):
        found[element["/S"]] = found.get(element["/S"], 0) + 1
    return found
