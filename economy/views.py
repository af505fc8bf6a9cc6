"""The economy pages (*Økonomi*): what each delaftale has spent of its budget, year by year.

Everyone with a role in the plan reads them; the plan's secretariat enters the yearly
spending or imports it from a sheet (see `agreements.access`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.access import get_plan_for_user
from indicators.access import get_subagreement_for_user
from indicators.measurement_tables import changes
from indicators.views import sheet_import, sheet_import_confirm
from lib.concurrency import Stale
from lib.numbers import format_number
from lib.sheets import XLSX_CONTENT_TYPE, resource_workbook, sheet_filename

from .budget import BudgetUse
from .forms import SpendingForm, SpendingSheetConfirmForm, SpendingSheetUploadForm
from .models import Financing, Spending, closed_years
from .resources import SpendingResource
from .services import import_spending, save_spending


@require_safe
def plan_economy(request, plan: str):
    """Each delaftale's budget, its spending year by year, and what is left."""
    plan, access = get_plan_for_user(request, plan, need="read")
    years = closed_years(plan)
    use = BudgetUse.load(plan, years[-1] if years else None)
    return render(
        request,
        "economy/plan_economy.html",
        {"plan": plan, "access": access, "use": use, "years": years, "sources": Financing},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def subagreement_spending(request, plan: str, focus_area: str):
    """Enter or correct a delaftale's spending for the plan's ended years, with its history."""
    subagreement, _access = get_subagreement_for_user(request, plan, focus_area, need="keep")
    plan = subagreement.plan
    years = closed_years(plan)
    stored = list(Spending.objects.filter(subagreement=subagreement))
    form = SpendingForm(
        request.POST if request.method == "POST" else None,
        subagreement=subagreement,
        years=years,
        stored=stored,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            if not form.says_what_it_showed():
                raise Stale
            changed = save_spending(
                subagreement=subagreement,
                entries=form.entries(),
                reason=form.reason.cleaned_data["reason"],
            )
        except Stale:
            conflict = True
            form = SpendingForm(
                subagreement=subagreement,
                years=years,
                stored=list(Spending.objects.filter(subagreement=subagreement)),
            )
        else:
            if changed:
                messages.success(request, _("The spending is saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("economy:subagreement", plan.slug, subagreement.focus_area.code)
    history = changes(
        Spending.history.filter(subagreement_id=subagreement.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id"),
        show_spending,
    )
    return render(
        request,
        "economy/subagreement_spending.html",
        {
            "plan": plan,
            "subagreement": subagreement,
            "form": form,
            "years": years,
            "conflict": conflict,
            "history": history,
        },
        status=409 if conflict else 200,
    )


def show_spending(record) -> str:
    """A recorded figure as the history lists it: "2018, LBF: 1.234.567 kr. · note"."""
    shown = _("%(year)s, %(financing)s: %(amount)s kr.") % {
        "year": record.year,
        "financing": Financing(record.financing).label,
        "amount": format_number(record.amount),
    }
    return f"{shown} · {record.note}" if record.note else shown


@require_http_methods(["GET", "HEAD", "POST"])
def spending_import(request, plan: str):
    """Upload a sheet of spending and see what importing it would do."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return sheet_import(
        request,
        plan,
        importer=import_spending,
        upload=SpendingSheetUploadForm,
        confirm=SpendingSheetConfirmForm,
        template="economy/spending_import.html",
    )


@require_POST
def spending_import_confirm(request, plan: str):
    """Import the previewed sheet for real: read and checked again, all or nothing, with the
    reason for the figures it changes."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return sheet_import_confirm(
        request,
        plan,
        importer=import_spending,
        upload=SpendingSheetUploadForm,
        confirm=SpendingSheetConfirmForm,
        template="economy/spending_import.html",
        again="economy:import",
        done="economy:plan",
        message=_("The sheet is imported: %(new)s new and %(changed)s changed amounts."),
    )


@require_safe
def spending_sheet(request, plan: str):
    """The plan's spending as an xlsx sheet in the import's columns, to fill in and upload."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    resource = SpendingResource()
    dataset = resource.export(
        queryset=Spending.objects.of_plan(plan)
        .select_related("subagreement__plan", "subagreement__focus_area")
        .order_by("subagreement__focus_area__position", "year", "financing"),
        force_native_type=True,
    )
    response = HttpResponse(
        resource_workbook(resource, dataset, title=str(resource.sheet_title)),
        content_type=XLSX_CONTENT_TYPE,
    )
    name = sheet_filename(SpendingResource.file_stem, plan.slug)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
