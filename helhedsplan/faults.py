"""What the application does while its database cannot be reached.

A database that is down, restarting or refusing connections is a passing state, not a bug in
the page that met it. Every page then answers 503 (Service Unavailable) with a Danish page that
asks the user to try again, and a Retry-After header for machines; the error is logged once, as
one line, and no stack trace is shown. Nothing is half-saved: each request is one transaction
(ATOMIC_REQUESTS), rolled back with the request that failed.

The error can come from any layer of the request. The session and the user are loaded by
middleware (LoginRequiredMiddleware asks for request.user before any view runs), and Django
turns an exception inside each middleware layer into a response right there, with the 500
handler; an outer middleware never sees the exception, only a finished 500 page. The 500
handler is the one place every such exception reaches while it is still being handled (in
sys.exc_info()), so that is where a database error becomes a 503. (With DEBUG on, Django shows
its technical error page instead, as for any error.)

Nothing here may touch the database: the page is rendered without the request's context (no
user, no messages, no session), and the health check catches its own error.

Recovery needs nothing from here. Django opens a new connection for the next request once the
broken one is closed at the end of the request, and checks a persistent connection before
reusing it (CONN_HEALTH_CHECKS).
"""

from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import Error, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# The key the health check writes and reads back, to know the shared cache answers.
HEALTH_KEY = "health-check"

# The database cannot be reached or the connection broke; not a bad query (ProgrammingError)
# or a refused row (IntegrityError, DataError), which are bugs and stay 500.
UNAVAILABLE = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 30


def database_error(error: BaseException | None) -> Error | None:
    """The database error behind `error`, also when another exception was raised while
    handling it (a rollback on a broken connection, say)."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UNAVAILABLE):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """The 500 handler: a 503 page when the database is unavailable, otherwise Django's own
    500 page (templates/500.html)."""
    error = database_error(sys.exc_info()[1])
    if error is None:
        return defaults.server_error(request, template_name)
    return database_unavailable(request, error)


def database_unavailable(request: HttpRequest, error: Error) -> HttpResponse:
    """The answer to any request that met an unavailable database, logged as one line."""
    # Without the traceback: during an outage every request fails the same way.
    message = str(error).strip()
    logger.error(
        "Database unavailable: %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        message.splitlines()[0] if message else "",
    )
    match = getattr(request, "resolver_match", None)
    if match is not None and match.func is health:
        # Also when a session cookie sent along made the middleware fail before the check.
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged above; Django would log it again, with the traceback, as a 5xx response.
    response._has_been_logged = True
    return response


@login_not_required  # for the load balancer and monitoring, which have no login
@never_cache
@require_safe
@transaction.non_atomic_requests  # the request's transaction would connect before the view runs
def health(request: HttpRequest) -> HttpResponse:
    """Whether the application can answer: 200 when a trivial query works and the cache keeps
    what is put in it, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except UNAVAILABLE as error:
        return database_unavailable(request, error)
    try:
        cache.set(HEALTH_KEY, "ok", timeout=10)
        cache_answer = cache.get(HEALTH_KEY)
    # Each backend fails in its own way (redis.ConnectionError, OSError, …): any failure of
    # the shared cache makes this server unfit to serve, and the balancer should know.
    except Exception:
        logger.exception("The cache does not answer.")
        cache_answer = None
    if cache_answer != "ok":
        return JsonResponse({"status": "error", "cache": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})
