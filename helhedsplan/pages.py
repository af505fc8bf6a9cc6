"""Pages that anyone may read, logged in or not: the privacy policy and the accessibility
statement, linked from every page's footer, and the page shown to a locked-out account."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control


def _contact() -> dict:
    return {
        "data_controller": settings.DATA_CONTROLLER,
        "data_controller_email": settings.DATA_CONTROLLER_EMAIL,
    }


def footer_links(request) -> dict:
    """Context processor: where every page's footer sends a reader of the accessibility
    statement, the organisation's own statement when it has one."""
    return {
        "accessibility_statement_url": settings.ACCESSIBILITY_STATEMENT_URL
        or reverse("accessibility")
    }


@login_not_required
@cache_control(public=True, max_age=3600)
def privacy(request):
    return render(
        request,
        "pages/privacy.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "organisation_login": settings.OIDC_ENABLED,
            **_contact(),
        },
    )


@login_not_required
@cache_control(public=True, max_age=3600)
def accessibility(request):
    return render(request, "pages/accessibility.html", _contact())


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login for an account that is locked for now (429)."""
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )
