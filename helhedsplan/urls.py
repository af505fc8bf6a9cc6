from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as account_views

# The project composes the apps' URLconfs, audit's history pages among them.
from activities import urls as activity_urls
from agreements import urls as agreement_urls
from audit import urls as audit_urls
from helhedsplan import faults, pages
from indicators import urls as indicator_urls
from reports import views as report_views


def with_history(app_urls, history_patterns: list) -> tuple[list, str]:
    """An app's URLconf with audit's history pages of its objects added, under the app's
    namespace, where those pages have always been named (audit/urls.py says why here)."""
    return app_urls.urlpatterns + history_patterns, app_urls.app_name


urlpatterns = [
    path("", report_views.home, name="home"),
    path("planer/", report_views.plans, name="plans"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    # The language can be chosen before logging in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("privatlivspolitik/", pages.privacy, name="privacy"),
    path("tilgaengelighed/", pages.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("helbred/", faults.health, name="health"),
    path("", include(with_history(indicator_urls, audit_urls.criterion_patterns))),
    path("", include(with_history(activity_urls, audit_urls.activity_patterns))),
    path("", include(with_history(agreement_urls, audit_urls.subagreement_patterns))),
    path("", include("economy.urls")),
    path("", include("reports.urls")),
    path("", include("onboarding.urls")),
    path("", include("members.urls")),
]

# The organisation's login exists only where it is configured (OIDC_ISSUER): without it there
# are no such pages at all (tests/test_organisation_login.py checks both).
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("accounts.urls")))

handler404 = "lib.errors.page_not_found"
handler500 = "helhedsplan.faults.server_error"
