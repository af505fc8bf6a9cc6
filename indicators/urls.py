from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("planer/<slug:plan>/maalinger/", views.plan_measurements, name="plan"),
    path("planer/<slug:plan>/maalinger/import/", views.measurement_import, name="import"),
    path(
        "planer/<slug:plan>/maalinger/import/bekraeft/",
        views.measurement_import_confirm,
        name="import_confirm",
    ),
    path("planer/<slug:plan>/maalinger/maalinger.xlsx", views.measurement_sheet, name="sheet"),
    path(
        "planer/<slug:plan>/delaftaler/<slug:focus_area>/maalinger/",
        views.subagreement_measurements,
        name="subagreement",
    ),
    path(
        "planer/<slug:plan>/indikatorer/<int:indicator>/<int:year>/",
        views.year_figures,
        name="year_figures",
    ),
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/vurdering/<int:year>/",
        views.assessment,
        name="assessment",
    ),
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/maal/",
        views.criterion_targets,
        name="criterion_targets",
    ),
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/maal/nyt/",
        views.target_new,
        name="target_new",
    ),
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/maal/<int:number>/",
        views.target_edit,
        name="target_edit",
    ),
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/maal/saetning/",
        views.target_preview,
        name="target_preview",
    ),
]
