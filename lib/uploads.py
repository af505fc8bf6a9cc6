"""Limits on what may be uploaded, whoever reads it.

Sheets are read into memory, so a request body is capped before Django reads it, and a
workbook, which is a zip archive, is refused when it would unpack to much more than any real
sheet (a "zip bomb"). XML bombs inside a workbook are refused by the XML parser: openpyxl and
the check below both read through defusedxml (a dependency for that reason).

A small workbook can still stand for a huge sheet: openpyxl pads every row to the width the
sheet declares, and creates every cell up to the last row that holds one. So every upload is
read by `read_sheets`, which refuses a sheet larger than its caller expects before a single
row is built, and then reads no further than that.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries


class UploadTooLarge(ValueError):
    """The upload, or what it unpacks to, is larger than any real sheet; the message says so
    in the user's words."""


# A workbook is a few dozen parts (sheets, styles, a theme, images); looking through tens of
# thousands of empty ones would take seconds.
MAX_WORKBOOK_PARTS = 1000


def check_workbook(content: bytes) -> None:
    """Raise UploadTooLarge when an xlsx would unpack to more than MAX_UNPACKED_UPLOAD_BYTES,
    or has more than MAX_WORKBOOK_PARTS parts.

    The sizes are read from the archive's directory, without unpacking anything. A file that is
    no zip archive at all is left to the reader, which says that it is not a workbook.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    # NotImplementedError: a damaged directory can claim a zip version zipfile does not read.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return
    if sum(member.file_size for member in members) > settings.MAX_UNPACKED_UPLOAD_BYTES:
        raise UploadTooLarge(
            _("The workbook unpacks to more than %(limit)s MB, far more than a real sheet.")
            % {"limit": settings.MAX_UNPACKED_UPLOAD_BYTES // (1024 * 1024)}
        )
    if len(members) > MAX_WORKBOOK_PARTS:
        raise UploadTooLarge(
            _("The workbook has more than %(limit)s parts, far more than a real sheet.")
            % {"limit": MAX_WORKBOOK_PARTS}
        )


def read_sheets(
    content: bytes, *, max_rows: int, max_columns: int, names: Iterable[str] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """The cell values of the named worksheets (those the workbook has), or else of the active
    one, by title: a list of rows of exactly `max_columns` values each.

    Raises UploadTooLarge, before any row is read, when the workbook would unpack to far too
    much, when any of its worksheets declares or holds a cell beyond `max_rows` and
    `max_columns`, or when its parts together hold more XML than such a sheet is written
    with. A file that is no workbook, a damaged one or an XML bomb raises whatever the reader
    raised: callers say in their own words that the file could not be read.
    """
    check_workbook(content)
    # A cell is written with up to four elements (<c><v> in its sheet, <si><t> among the
    # shared strings); styles, theme and the rest take a few thousand. openpyxl parses every
    # part it reads whole, so this bounds its work on all of them, not only on the sheets.
    budget = 5 * max_rows * max_columns + 20_000
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # Every part, not only those named like sheets: the workbook's relations may point a
        # sheet anywhere in the archive.
        for member in archive.infolist():
            with archive.open(member) as stream:
                budget -= check_part(
                    stream, max_rows=max_rows, max_columns=max_columns, budget=budget
                )
            if budget < 0:
                raise sheet_too_large(max_rows, max_columns)
    # Read-only: rows are parsed as they are asked for, and merged cells are not expanded.
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        chosen = [workbook.active.title] if names is None else names
        return {
            name: list(
                workbook[name].iter_rows(max_row=max_rows, max_col=max_columns, values_only=True)
            )
            for name in chosen
            if name in workbook.sheetnames
        }
    finally:
        workbook.close()


def check_part(stream: IO[bytes], *, max_rows: int, max_columns: int, budget: int) -> int:
    """The number of XML elements in a part of a workbook, counted up to one more than
    `budget`; raise UploadTooLarge when the part is a worksheet that declares (in its
    `<dimension>`) or holds a cell beyond `max_rows` and `max_columns`.

    The XML is streamed and each element dropped once it ends, so nothing is built. A part
    that is not XML, or stops being XML, is left to openpyxl, which fails on it if it is a
    part it reads.
    """
    too_large = sheet_too_large(max_rows, max_columns)
    elements = row = column = 0
    worksheet = False
    open_elements: list[Any] = []
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            if event == "end":
                open_elements.pop()
                if open_elements:
                    del open_elements[-1][-1]  # the element that ended, its parent's last child
                continue
            open_elements.append(element)
            elements += 1
            if elements > budget:
                return elements
            name = local_name(element.tag)
            if elements == 1:
                worksheet = name == "worksheet"
            if not worksheet:
                continue
            if name == "dimension":
                _first_column, _first_row, last_column, last_row = range_boundaries(
                    element.get("ref") or "A1"
                )
                if (last_row or 0) > max_rows or (last_column or 0) > max_columns:
                    raise too_large
            elif name == "row":
                # Numbered as openpyxl numbers them: by "r" (which may be written "5.0"), or
                # on from the row before.
                row = int(float(element.get("r") or row + 1))
                column = 0
                if row > max_rows:
                    raise too_large
            elif name == "c":
                reference = element.get("r")
                if reference:
                    letters, cell_row = coordinate_from_string(reference)
                    column = column_index_from_string(letters)
                    if cell_row > max_rows:
                        raise too_large
                else:
                    column += 1
                if column > max_columns:
                    raise too_large
    except ParseError:
        pass
    return elements


def sheet_too_large(max_rows: int, max_columns: int) -> UploadTooLarge:
    return UploadTooLarge(
        _(
            "The sheet is larger than %(rows)s rows and %(columns)s columns, the most that "
            "is read here."
        )
        % {"rows": max_rows, "columns": max_columns}
    )


def local_name(tag: str) -> str:
    """An XML tag without its namespace: sheets may be written with any prefix."""
    return tag.rpartition("}")[2]


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than MAX_REQUEST_BYTES, before reading it.

    Django limits the size of form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not of uploaded
    files; every upload of this application is a sheet of a few hundred kilobytes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return render(
                request,
                "413.html",
                {"limit": settings.MAX_REQUEST_BYTES // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
