from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("planer/<slug:plan>/status/", views.dashboard, name="dashboard"),
    path(
        "planer/<slug:plan>/status/statusrapport-<str:period>.pdf",
        views.status_report,
        name="status_report",
    ),
    path(
        "planer/<slug:plan>/status/send-<str:period>/",
        views.send_report,
        name="send_report",
    ),
    path("planer/<slug:plan>/status/sendte/", views.sent_reports, name="sent_reports"),
    path(
        "planer/<slug:plan>/status/sendte/<int:sent>.pdf",
        views.sent_report_pdf,
        name="sent_report_pdf",
    ),
    path(
        "planer/<slug:plan>/evalueringer/",
        views.group_evaluations_start,
        name="group_evaluations_start",
    ),
    path(
        "planer/<slug:plan>/evalueringer/<str:period>/",
        views.group_evaluations,
        name="group_evaluations",
    ),
]
