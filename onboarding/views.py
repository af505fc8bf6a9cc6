"""Putting a plan in: the plan workbook's page (download the plan filled in or blank, upload
it, see what it would do, and confirm) and the set-up checklist. Only the plan's secretariat
keeps the plan this way."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.access import get_plan_for_user
from lib.sheets import XLSX_CONTENT_TYPE, sheet_filename

from .checklist import checklist as setup_checklist
from .forms import WorkbookConfirmForm, WorkbookUploadForm, sign_workbook
from .workbook import export_workbook
from .workbook_import import Outcome, import_workbook


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def workbook_download(request, plan):
    """The whole plan as its workbook, to keep, edit and upload again."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return xlsx_response(export_workbook(plan), sheet_filename("projektmappe", plan.slug))


@require_safe
def blank_workbook(request, plan):
    """The blank workbook, with instructions and an example row in each sheet, for a plan of
    this plan's funding period."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return xlsx_response(
        export_workbook(None, period=plan.funding_period), sheet_filename("projektmappe-tom")
    )


@require_http_methods(["GET", "HEAD", "POST"])
def workbook(request, plan):
    """The page: the downloads, the upload and, after an upload, the preview of what
    importing it would do, with the confirmation when it would do it without errors."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form}
    if request.method == "POST":
        context["form_errors"] = [
            (form["workbook"].auto_id, f"{form['workbook'].label}: {error}")
            for error in form.errors.get("workbook", [])
        ]
        if form.is_valid():
            content = form.cleaned_data["workbook"]
            outcome = import_workbook(content, user=request.user, plan=plan, dry_run=True)
            context |= preview_context(outcome)
            if outcome.ok:
                context["confirm"] = WorkbookConfirmForm(
                    plan=plan,
                    user=request.user,
                    initial={
                        "token": sign_workbook(plan=plan, user=request.user, content=content),
                        "changes_stored_rows": outcome.changes_stored_rows,
                    },
                )
    return render(request, "onboarding/workbook.html", context)


@require_POST
def workbook_confirm(request, plan):
    """Import the previewed workbook for real: read and checked again, all or nothing."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    confirm = WorkbookConfirmForm(request.POST, plan=plan, user=request.user)
    if not confirm.is_valid() and "token" in confirm.errors:
        messages.error(request, " ".join(confirm.errors["token"]))
        return redirect("onboarding:workbook", plan.slug)
    content = confirm.cleaned_data["token"]
    context = {"plan": plan, "form": WorkbookUploadForm()}
    if not confirm.is_valid():
        # The reason is missing: the same preview again, with the error at the reason.
        outcome = import_workbook(content, user=request.user, plan=plan, dry_run=True)
        context |= preview_context(outcome) | {"confirm": confirm}
        return render(request, "onboarding/workbook.html", context)
    outcome = import_workbook(
        content,
        user=request.user,
        plan=plan,
        dry_run=False,
        reason=confirm.cleaned_data["reason"] or _("Imported from the plan workbook"),
    )
    if not outcome.ok:
        # Changed by someone else since the preview: the errors as they are now.
        context |= preview_context(outcome)
        return render(request, "onboarding/workbook.html", context)
    messages.success(
        request,
        _(
            "The workbook is imported: %(new)s new, %(changed)s changed and %(removed)s "
            "removed rows."
        )
        % {
            "new": outcome.total("new"),
            "changed": outcome.total("changed"),
            "removed": outcome.total("removed"),
        },
    )
    return redirect("onboarding:workbook", plan.slug)


def preview_context(outcome: Outcome) -> dict:
    return {
        "previewed": True,
        "outcome": outcome,
        "counts": outcome.counts(),
        "changed_rows": [row for row in outcome.rows if row.action != "unchanged"],
    }


@require_safe
def checklist(request, plan: str):
    """The plan's set-up checklist, for the secretariat putting the plan in."""
    found, access = get_plan_for_user(request, plan, need="keep")
    return render(
        request,
        "onboarding/checklist.html",
        {"plan": found, "access": access, "steps": setup_checklist(found)},
    )
