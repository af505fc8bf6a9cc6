from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from helhedsplan import faults, pages
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("planer/", report_views.plans, name="plans"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language can be chosen before logging in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("privatlivspolitik/", pages.privacy, name="privacy"),
    path("tilgaengelighed/", pages.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("helbred/", faults.health, name="health"),
    path("", include("indicators.urls")),
    path("", include("activities.urls")),
    path("", include("agreements.urls")),
    path("", include("reports.urls")),
]

handler404 = "lib.errors.page_not_found"
handler500 = "helhedsplan.faults.server_error"
