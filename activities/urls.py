from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("planer/<slug:plan>/indberetning/", views.entry_start, name="entry_start"),
    # Before the quarter's pages: "overblik" is not a quarter.
    path(
        "planer/<slug:plan>/indberetning/overblik/",
        views.completeness_start,
        name="completeness_start",
    ),
    path("planer/<slug:plan>/indberetning/<str:quarter>/", views.entry, name="entry"),
    path(
        "planer/<slug:plan>/indberetning/<str:quarter>/indberetning.xlsx",
        views.entry_sheet,
        name="entry_sheet",
    ),
    path(
        "planer/<slug:plan>/indberetning/<str:quarter>/upload/",
        views.entry_upload,
        name="entry_upload",
    ),
    path(
        "planer/<slug:plan>/indberetning/<str:quarter>/overblik/",
        views.completeness,
        name="completeness",
    ),
    path(
        "planer/<slug:plan>/indberetning/<str:quarter>/paamind/<int:member>/",
        views.remind,
        name="remind",
    ),
    path(
        "planer/<slug:plan>/indberetning/<str:quarter>/godkend/",
        views.approve,
        name="approve",
    ),
    path(
        "planer/<slug:plan>/indberetninger/<int:report>/genaabn/",
        views.reopen,
        name="reopen",
    ),
]
