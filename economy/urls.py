from django.urls import path

from . import views

app_name = "economy"

urlpatterns = [
    path("planer/<slug:plan>/oekonomi/", views.plan_economy, name="plan"),
    path("planer/<slug:plan>/oekonomi/import/", views.spending_import, name="import"),
    path(
        "planer/<slug:plan>/oekonomi/import/bekraeft/",
        views.spending_import_confirm,
        name="import_confirm",
    ),
    path("planer/<slug:plan>/oekonomi/forbrug.xlsx", views.spending_sheet, name="sheet"),
    path(
        "planer/<slug:plan>/oekonomi/<slug:focus_area>/",
        views.subagreement_spending,
        name="subagreement",
    ),
]
