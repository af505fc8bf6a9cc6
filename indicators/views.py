"""The measurements pages (*Målinger*): yearly figures and assessments of each delaftale.

Everyone with a role in a plan reads the tables; the plan's secretariat enters figures, imports
sheets and assesses qualitative criteria (see `agreements.access`).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agreements.access import get_plan_for_user
from lib.concurrency import Stale
from lib.numbers import format_figure
from lib.params import parse_int, query_value
from lib.sheets import XLSX_CONTENT_TYPE, resource_workbook, sheet_filename

from .access import (
    get_criterion_for_user,
    get_indicator_for_user,
    get_qualitative_criterion_for_user,
    get_subagreement_for_user,
)
from .evaluation import Figures, evaluate_criteria
from .forms import AssessmentForm, SheetConfirmForm, SheetUploadForm, YearFiguresForm, sign_sheet
from .measurement_tables import (
    changes,
    figure_table,
    show_assessment,
    show_measurement,
)
from .models import Measurement, QualitativeAssessment, SuccessCriterion
from .resources import MeasurementResource
from .services import (
    import_measurements,
    remove_target,
    save_assessment,
    save_target,
    save_year_figures,
)
from .target_forms import (
    CHOICES,
    QUALITATIVE,
    RemoveTargetForm,
    TargetForm,
    choice_for,
    preview_of,
)


@require_safe
def plan_measurements(request, plan: str):
    """The plan's delaftaler, each a link to its measurements."""
    plan, access = get_plan_for_user(request, plan, need="read")
    subagreements = plan.subagreements.select_related("focus_area")
    return render(
        request,
        "indicators/plan_measurements.html",
        {"plan": plan, "access": access, "subagreements": subagreements},
    )


@require_safe
def subagreement_measurements(request, plan: str, focus_area: str):
    """Each success criterion of a delaftale with its figures by year and area."""
    subagreement, access = get_subagreement_for_user(request, plan, focus_area, need="read")
    plan = subagreement.plan
    plan_areas = list(plan.plan_areas.select_related("area"))
    plan_years = plan.years()
    criteria = SuccessCriterion.objects.for_measurements_page(subagreement)
    verdicts = defaultdict(list)
    judged = SuccessCriterion.objects.for_evaluation(plan).filter(subagreement=subagreement)
    for evaluation in evaluate_criteria(judged, Figures.load(plan)):
        verdicts[evaluation.criterion.pk].append(evaluation)
    groups = []
    for activity, members in groupby(criteria, key=lambda criterion: criterion.activity):
        items = []
        for criterion in members:
            item = {"criterion": criterion, "verdicts": verdicts[criterion.pk]}
            if criterion.kind == SuccessCriterion.Kind.QUALITATIVE:
                by_year = {a.year: a for a in criterion.assessments.all()}
                item["assessments"] = [(year, by_year.get(year.year)) for year in plan_years]
            elif criterion.indicator_id:
                item["table"] = figure_table(criterion, plan, plan_areas)
            items.append(item)
        groups.append({"activity": activity, "items": items})
    return render(
        request,
        "indicators/subagreement_measurements.html",
        {"plan": plan, "access": access, "subagreement": subagreement, "groups": groups},
    )


def year_figures(request, plan: str, indicator: int, year: int):
    """Enter or correct an indicator's figures for one year, with their history."""
    indicator, _access = get_indicator_for_user(request, plan, indicator, need="keep")
    plan = indicator.plan
    # A year outside the plan and its baseline years has no figures to enter: there is no
    # such page, as for an indicator that does not exist.
    if not plan.first_measured_year <= year <= plan.end_date.year:
        raise Http404(_("There are no figures to enter for that year."))
    plan_areas = list(plan.plan_areas.select_related("area"))
    stored = list(Measurement.objects.filter(indicator=indicator, year=year))
    form = YearFiguresForm(
        request.POST if request.method == "POST" else None,
        indicator=indicator,
        year=year,
        plan_areas=plan_areas,
        stored=stored,
    )
    your_entries = None
    if request.method == "POST" and form.is_valid():
        try:
            if not form.says_what_it_showed():
                # Nothing to check against what is stored now: out of date, never applied.
                raise Stale
            changed = save_year_figures(
                indicator=indicator,
                year=year,
                entries=form.entries(),
                reason=form.reason.cleaned_data["reason"],
            )
        except Stale:
            # Show the figures as now stored, and what this user entered, to enter again.
            your_entries = [
                (
                    entry.area.label if entry.area else _("Whole plan"),
                    format_figure(entry.entered.value) if entry.entered else "",
                )
                for entry in form.entries()
                if entry.changes_something
            ]
            form = YearFiguresForm(
                indicator=indicator,
                year=year,
                plan_areas=plan_areas,
                stored=list(Measurement.objects.filter(indicator=indicator, year=year)),
            )
        else:
            if changed:
                messages.success(request, _("The figures are saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("indicators:year_figures", plan.slug, indicator.pk, year)
    history = changes(
        Measurement.history.filter(indicator_id=indicator.pk, year=year)
        .select_related("history_user", "area")
        .order_by("history_date", "history_id"),
        show_measurement,
    )
    return render(
        request,
        "indicators/year_figures.html",
        {
            "plan": plan,
            "indicator": indicator,
            "year": year,
            "years": range(plan.first_measured_year, plan.end_date.year + 1),
            "form": form,
            "conflict": your_entries is not None,
            "your_entries": your_entries,
            "history": history,
        },
        status=200 if your_entries is None else 409,
    )


def assessment(request, plan: str, criterion: int, year: int):
    """Assess a qualitative criterion for one of the plan's years."""
    criterion, _access = get_qualitative_criterion_for_user(request, plan, criterion, need="keep")
    plan = criterion.subagreement.plan
    if year not in {plan_year.year for plan_year in plan.years()}:
        raise Http404(_("Criteria are assessed only for the plan's own years."))
    current = (
        QualitativeAssessment.objects.filter(criterion=criterion, year=year)
        .select_related("assessed_by")
        .first()
    )
    form = AssessmentForm(request.POST if request.method == "POST" else None, assessment=current)
    your_justification = None
    if request.method == "POST" and form.is_valid():
        if form.entered() == form.loaded():
            messages.info(request, _("Nothing was changed."))
            return redirect("indicators:assessment", plan.slug, criterion.pk, year)
        try:
            if not form.says_what_it_showed():
                # Nothing to check against what is stored now: out of date, never applied.
                raise Stale
            save_assessment(
                criterion=criterion,
                year=year,
                loaded=form.loaded(),
                entered=form.entered(),
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except Stale:
            your_justification = form.cleaned_data["justification"]
            current = (
                QualitativeAssessment.objects.filter(criterion=criterion, year=year)
                .select_related("assessed_by")
                .first()
            )
            form = AssessmentForm(assessment=current)
        else:
            messages.success(request, _("The assessment is saved."))
            return redirect(
                "indicators:subagreement", plan.slug, criterion.subagreement.focus_area.code
            )
    history = changes(
        QualitativeAssessment.history.filter(criterion_id=criterion.pk, year=year)
        .select_related("history_user")
        .order_by("history_date", "history_id"),
        show_assessment,
    )
    return render(
        request,
        "indicators/assessment.html",
        {
            "plan": plan,
            "criterion": criterion,
            "year": year,
            "current": current,
            "form": form,
            "conflict": your_justification is not None,
            "your_justification": your_justification,
            "history": history,
        },
        status=200 if your_justification is None else 409,
    )


def measurement_import(request, plan: str):
    """Upload a sheet of measurements and see what importing it would do."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return sheet_import(
        request,
        plan,
        importer=import_measurements,
        upload=SheetUploadForm,
        confirm=SheetConfirmForm,
        template="indicators/measurement_import.html",
    )


@require_POST
def measurement_import_confirm(request, plan: str):
    """Import the previewed sheet for real: it is read and checked again, all or nothing,
    with the reason for the figures it changes."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    return sheet_import_confirm(
        request,
        plan,
        importer=import_measurements,
        upload=SheetUploadForm,
        confirm=SheetConfirmForm,
        template="indicators/measurement_import.html",
        again="indicators:import",
        done="indicators:plan",
        message=_("The sheet is imported: %(new)s new and %(changed)s changed figures."),
    )


def sheet_import(request, plan, *, importer, upload, confirm, template: str):
    """A sheet import's page: the upload form, and on POST the preview of the uploaded
    sheet with, when it can be imported, the confirmation carrying it signed. `importer` is
    the service (`import_measurements`), `upload` and `confirm` the kind's forms."""
    context = {"plan": plan, "form": upload()}
    if request.method == "POST":
        form = upload(request.POST, request.FILES)
        context["form"] = form
        context["form_errors"] = [
            (form["sheet"].auto_id, f"{form['sheet'].label}: {error}")
            for error in form.errors.get("sheet", [])
        ]
        if form.is_valid():
            content = form.cleaned_data["sheet"]
            context |= preview_context(
                *importer(plan=plan, user=request.user, content=content, dry_run=True)
            )
            if not context["failed"]:
                context["confirm"] = confirm(
                    plan=plan,
                    user=request.user,
                    initial={
                        "token": sign_sheet(
                            plan=plan, user=request.user, content=content, salt=confirm.salt
                        ),
                        "changes_figures": bool(context["totals"]["update"]),
                    },
                )
    return render(request, template, context)


def sheet_import_confirm(
    request, plan, *, importer, upload, confirm, template: str, again: str, done: str, message
):
    """The confirmation of a previewed sheet (`sheet_import`): read and checked again, then
    imported all or nothing with its reason; back to `again` when the token is bad, on to
    `done` with `message` (given the totals `new` and `changed`) when it is imported."""
    form = confirm(request.POST, plan=plan, user=request.user)
    if not form.is_valid() and "token" in form.errors:
        messages.error(request, " ".join(form.errors["token"]))
        return redirect(again, plan.slug)
    content = form.cleaned_data["token"]
    if not form.is_valid():
        # The reason is missing: the same preview again, with the error at the reason.
        context = preview_context(
            *importer(plan=plan, user=request.user, content=content, dry_run=True)
        )
        return render(
            request, template, {"plan": plan, "form": upload(), "confirm": form, **context}
        )
    dataset, result = importer(
        plan=plan,
        user=request.user,
        content=content,
        dry_run=False,
        reason=form.cleaned_data["reason"],
    )
    context = preview_context(dataset, result)
    if context["failed"]:
        return render(request, template, {"plan": plan, "form": upload(), **context})
    totals = result.totals
    messages.success(request, message % {"new": totals["new"], "changed": totals["update"]})
    return redirect(done, plan.slug)


def preview_context(dataset, result) -> dict:
    rows = result.preview
    return {
        "previewed": True,
        "headers": dataset.headers,
        "rows": [row for row in rows if row.changes_something],
        "unchanged_rows": [row for row in rows if not row.changes_something],
        "sheet_errors": [str(error.error) for error in result.base_errors],
        "failed": result.has_errors() or result.has_validation_errors(),
        "totals": result.totals,
    }


@require_safe
def measurement_sheet(request, plan: str):
    """The plan's figures as an xlsx sheet in the import's columns, to fill in and upload."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    resource = MeasurementResource()
    dataset = resource.export(
        queryset=Measurement.objects.filter(indicator__plan=plan)
        .select_related("indicator__plan", "area")
        .order_by("indicator__name", "year", "area__name"),
        force_native_type=True,
    )
    response = HttpResponse(
        resource_workbook(resource, dataset, title=str(resource.sheet_title)),
        content_type=XLSX_CONTENT_TYPE,
    )
    name = sheet_filename(MeasurementResource.file_stem, plan.slug)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def criterion_targets(request, plan: str, criterion: int):
    """A criterion's targets, each in plain words, to edit or add to."""
    criterion, access = get_criterion_for_user(request, plan, criterion, need="keep")
    targets = [
        {
            "target": target,
            "choice": CHOICES.get(choice_for(target, criterion)),
            "rule": target.describe_rule(criterion.unit),
        }
        for target in criterion.targets.select_related("area", "reference")
    ]
    return render(
        request,
        "indicators/criterion_targets.html",
        {
            "plan": criterion.subagreement.plan,
            "access": access,
            "criterion": criterion,
            "targets": targets,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def target_new(request, plan: str, criterion: int):
    """Add a target to a criterion (or say it is assessed qualitatively)."""
    criterion, access = get_criterion_for_user(request, plan, criterion, need="keep")
    return target_page(request, criterion, access, None)


@require_http_methods(["GET", "HEAD", "POST"])
def target_edit(request, plan: str, criterion: int, number: int):
    """Change or remove the criterion's target at position `number`."""
    criterion, access = get_criterion_for_user(request, plan, criterion, need="keep")
    target = get_object_or_404(criterion.targets.select_related("area"), position=number)
    return target_page(request, criterion, access, target)


def target_page(request, criterion, access, target):
    """The target form, without JavaScript too: "choose" shows the chosen kind's fields,
    "show" the sentence and the sample verdict, and neither saves; "remove" removes the
    target edited. Someone else's change meanwhile is refused (409) and shown as stored."""
    plan = criterion.subagreement.plan
    remove_form = RemoveTargetForm(criterion=criterion, target=target) if target else None
    conflict = False
    if request.method == "POST" and "choose" in request.POST:
        form = TargetForm(initial=request.POST.dict(), criterion=criterion, target=target)
    elif request.method == "POST" and "remove" in request.POST and target:
        form = TargetForm(criterion=criterion, target=target)
        remove_form = RemoveTargetForm(request.POST, criterion=criterion, target=target)
        if remove_form.is_valid():
            try:
                remove_target(
                    criterion=criterion,
                    target=target,
                    loaded=remove_form.cleaned_data["loaded"],
                    reason=remove_form.cleaned_data["reason"],
                )
            except Stale:
                conflict = True
            else:
                messages.success(request, _("The target is removed."))
                return redirect("indicators:criterion_targets", plan.slug, criterion.pk)
    elif request.method == "POST":
        showing = "show" in request.POST
        form = TargetForm(request.POST, criterion=criterion, target=target, preview=showing)
        if form.is_valid() and not showing:
            qualitative = form.cleaned_data["choice"] == QUALITATIVE
            if not form.changes_something():
                messages.info(request, _("Nothing was changed."))
                return redirect("indicators:criterion_targets", plan.slug, criterion.pk)
            try:
                save_target(
                    criterion=criterion,
                    target=target,
                    loaded=form.cleaned_data["loaded"],
                    draft=None if qualitative else form.draft(),
                    reason=form.cleaned_data["reason"],
                )
            except Stale:
                conflict = True
            else:
                messages.success(request, _("The target is saved."))
                return redirect("indicators:criterion_targets", plan.slug, criterion.pk)
    else:
        form = TargetForm(criterion=criterion, target=target)
    your_choice = None
    if conflict:
        # As stored now: the target may be gone, and the criterion's kind changed.
        if form.is_bound:
            your_choice = CHOICES.get(form.cleaned_data.get("choice") or "")
        criterion.refresh_from_db(fields=["kind"])
        target = criterion.targets.filter(pk=target.pk).first() if target else None
        form = TargetForm(criterion=criterion, target=target)
        remove_form = RemoveTargetForm(criterion=criterion, target=target) if target else None
    return render(
        request,
        "indicators/criterion_target_form.html",
        {
            "plan": plan,
            "access": access,
            "criterion": criterion,
            "target": target,
            "form": form,
            "remove_form": remove_form,
            "shown_fields": form.shown_fields(),
            "field_choices": form.field_choices(),
            "conflict": conflict,
            "your_choice": your_choice,
            **preview_of(form),
        },
        status=409 if conflict else 200,
    )


@require_safe
def target_preview(request, plan: str, criterion: int):
    """The sentence and sample verdict of a target as typed so far: an HTML fragment for the
    form's script, which asks for it as the secretariat types. Saves nothing."""
    criterion, _access = get_criterion_for_user(request, plan, criterion, need="keep")
    # The target edited, when the form is one's: its position, as the edit page's form sends it.
    number = query_value(request, "number", lambda text: parse_int(text, maximum=32767))
    target = criterion.targets.filter(position=number).first() if number is not None else None
    form = TargetForm(request.GET or None, criterion=criterion, target=target, preview=True)
    return render(request, "indicators/_criterion_target_preview.html", preview_of(form))
