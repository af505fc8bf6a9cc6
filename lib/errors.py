"""Error pages that tell the user what went wrong, where that helps and reveals nothing.

Django's own 404 messages are English and technical ("No Subagreement matches the given
query."); only a `NotFound` raised with a message written for users is shown on the page.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseNotFound
from django.template import loader


class NotFound(Http404):
    """A 404 whose message is written for the user (translated)."""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponseNotFound:
    message = str(exception) if isinstance(exception, NotFound) else None
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render({"message": message}, request))
