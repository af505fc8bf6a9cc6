"""Limits on what may be uploaded, whoever reads it.

Sheets are read into memory, so a request body is capped before Django reads it, and a
workbook, which is a zip archive, is refused when it would unpack to much more than any real
sheet (a "zip bomb"). XML bombs inside a workbook are refused by openpyxl itself, which reads
through defusedxml when that is installed (it is a dependency for that reason).
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


class UploadTooLarge(ValueError):
    """The upload, or what it unpacks to, is larger than any real sheet; the message says so
    in the user's words."""


def check_workbook(content: bytes) -> None:
    """Raise UploadTooLarge when an xlsx would unpack to more than MAX_UNPACKED_UPLOAD_BYTES.

    The sizes are read from the archive's directory, without unpacking anything. A file that is
    no zip archive at all is left to the reader, which says that it is not a workbook.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    # NotImplementedError: a damaged directory can claim a zip version zipfile does not read.
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return
    if unpacked > settings.MAX_UNPACKED_UPLOAD_BYTES:
        raise UploadTooLarge(
            _("The workbook unpacks to more than %(limit)s MB, far more than a real sheet.")
            % {"limit": settings.MAX_UNPACKED_UPLOAD_BYTES // (1024 * 1024)}
        )


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose body is larger than MAX_REQUEST_BYTES, before reading it.

    Django limits the size of form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not of uploaded
    files; every upload of this application is a sheet of a few hundred kilobytes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
