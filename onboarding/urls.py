from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns: list = [
    path("planer/<slug:plan>/opstart/", views.checklist, name="checklist"),
    path("planer/<slug:plan>/projektmappe/", views.workbook, name="workbook"),
    path(
        "planer/<slug:plan>/projektmappe/projektmappe.xlsx",
        views.workbook_download,
        name="workbook_download",
    ),
    path("planer/<slug:plan>/projektmappe/tom.xlsx", views.blank_workbook, name="blank_workbook"),
    path(
        "planer/<slug:plan>/projektmappe/bekraeft/",
        views.workbook_confirm,
        name="workbook_confirm",
    ),
]
