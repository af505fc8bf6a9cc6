"""The quarterly reporting pages (*Indberetning*): the reporter's entry form, its xlsx twin,
and the secretariat's completeness overview where reports are approved and reopened."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signing import BadSignature
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from agreements.access import get_plan_for_user
from lib.concurrency import Stale
from lib.params import parse_int, parse_quarter, query_value
from lib.periods import Quarter
from lib.sheets import XLSX_CONTENT_TYPE, sheet_filename

from .forms import (
    QuarterEntryForm,
    ReopenForm,
    SheetUploadForm,
    sign_sheet_data,
    unsign_sheet_data,
)
from .grid import EntryGrid
from .models import QuarterReminder, QuarterReport
from .presentation import (
    entry_sections,
    sheet_changes,
    sheet_errors,
    sheet_report_changes,
    stale_errors,
)
from .reminders import (
    NothingToRemind,
    display_name,
    due_date,
    quarter_completeness,
    remind_now,
)
from .services import approve_reports, reopen_report, save_quarter
from .sheets import SheetError, build_workbook, read_workbook
from .todo import quarter_progress


def entry_crumbs(plan, period: Quarter | None, *more) -> list[tuple[str, str]]:
    crumbs = [(reverse("plans"), plan.name)]
    if period is not None:
        url = reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": period.code})
        crumbs.append((url, _("Quarterly report: %(quarter)s") % {"quarter": period}))
    return crumbs + list(more)


def picked_quarter(request, plan) -> Quarter:
    """The quarter picked in the menu (?kvartal=), or the one just ended. A quarter outside
    the plan is shown as such by the page it opens; one that is no quarter at all is a 400."""
    picked = query_value(request, "kvartal", parse_quarter)
    return picked or plan.reporting_quarter(timezone.localdate())


def plan_quarter(plan, code: str) -> Quarter | None:
    """The quarter a link names, or None when it lies outside the plan. A code that is not
    a quarter at all is no page (404)."""
    try:
        quarter = Quarter.parse(code)
    except ValueError:
        raise Http404(_("There is no such quarter.")) from None
    return quarter if quarter in plan.quarters() else None


@require_safe
def entry_start(request, plan: str):
    """Open the entry form for the quarter picked in the menu, or the one just ended."""
    plan, _access = get_plan_for_user(request, plan, need="report")
    quarter = picked_quarter(request, plan)
    url = reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": quarter.code})
    if request.GET.get("omraade"):
        url += "?" + urlencode({"omraade": request.GET["omraade"]})
    return redirect(url)


def entry(request, plan: str, quarter: str):
    """A reporter's whole quarter on one form: save a draft, or save and submit."""
    plan, access = get_plan_for_user(request, plan, need="report")
    period = plan_quarter(plan, quarter)
    if period is None:
        message = outside_plan_message(plan)
        return render(
            request,
            "activities/entry.html",
            {
                "plan": plan,
                "access": access,
                "quarters": picker_quarters(request, plan, access),
                "quarter_error": message,
                "quarter_errors": [("kvartal", message)],
                "breadcrumbs": entry_crumbs(plan, None),
            },
            status=404,
        )
    grid, areas, area = load_grid(request, plan, access, period)
    form = QuarterEntryForm(request.POST if request.method == "POST" else None, grid=grid)
    extra_errors, conflict = {}, None
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        try:
            saved = save_quarter(
                grid=grid,
                entries=form.entries,
                submit=form.submitting,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except Stale as error:
            # Show the numbers as they are now stored, each changed one with what this user
            # entered, so they can enter again what still applies.
            conflict = "locked" if error.locked else "stale"
            posted = request.POST
            grid, _areas, area = load_grid(request, plan, access, period)
            form = QuarterEntryForm(grid=grid)
            extra_errors = stale_errors(grid, error.what, posted, locked=conflict == "locked")
        else:
            if form.submitting:
                messages.success(
                    request,
                    _("%(quarter)s is submitted to the secretariat. Thank you.")
                    % {"quarter": period},
                )
            elif saved:
                messages.success(request, _("Your draft is saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(request.get_full_path())
    sections, summary = entry_sections(form, grid, extra_errors)
    return render(
        request,
        "activities/entry.html",
        {
            "plan": plan,
            "access": access,
            "breadcrumbs": entry_crumbs(plan, period),
            "quarter": period,
            "quarters": picker_quarters(request, plan, access),
            "areas": areas,
            "area": area,
            "grid": grid,
            "form": form,
            "sections": sections,
            "error_summary": summary,
            "conflict": conflict,
            "warnings": form.warnings if form.is_bound else {},
        },
    )


def picker_quarters(request, plan, access) -> list:
    """The plan's quarters for the quarter picker, each named with where the user's reports
    stand (activities.todo)."""
    return quarter_progress(plan, request.user, timezone.localdate(), report_all=access.keeps)


def load_grid(request, plan, access, period) -> tuple[EntryGrid, list, object]:
    """The user's grid for the quarter, narrowed to the area chosen with ?omraade=, and the
    areas the user reports for."""
    grid = EntryGrid.load(plan, period, user=request.user, may_report_all=access.keeps)
    areas = sorted({pair.area for pair in grid.pairs}, key=lambda a: grid_area_order(grid, a))
    area = next((a for a in areas if a.code == request.GET.get("omraade")), None)
    if area is not None:
        grid.pairs = [pair for pair in grid.pairs if pair.area == area]
    return grid, areas, area


@require_safe
def entry_sheet(request, plan: str, quarter: str):
    """The entry form as an xlsx file, prefilled with the user's grid for the quarter."""
    plan, access = get_plan_for_user(request, plan, need="report")
    period = plan_quarter(plan, quarter)
    if period is None:
        raise Http404(outside_plan_message(plan))
    grid, _areas, area = load_grid(request, plan, access, period)
    name = sheet_filename("indberetning", plan.slug, period.code, area.code if area else "")
    response = HttpResponse(build_workbook(grid), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def entry_upload(request, plan: str, quarter: str):
    """Upload a filled-in sheet: check it as the entry form would, show what it changes, and
    save only when the user confirms the preview."""
    plan, access = get_plan_for_user(request, plan, need="report")
    period = plan_quarter(plan, quarter)
    if period is None:
        raise Http404(outside_plan_message(plan))
    grid, _areas, area = load_grid(request, plan, access, period)
    upload = SheetUploadForm(request.POST or None, request.FILES or None)
    context = {
        "plan": plan,
        "quarter": period,
        "area": area,
        "upload": upload,
        "breadcrumbs": entry_crumbs(plan, period, ("", _("Upload sheet"))),
    }
    if request.method != "POST":
        return render(request, "activities/entry_upload.html", context)
    confirming = "sheet_data" in request.POST
    if confirming:
        try:
            sheet = unsign_sheet_data(request.POST["sheet_data"], grid=grid, user=request.user)
        except BadSignature:
            raise PermissionDenied from None
        rows = {}
    elif upload.is_valid():
        try:
            sheet, rows = read_workbook(upload.cleaned_data["sheet"].read(), grid)
        except SheetError as error:
            upload.add_error("sheet", str(error))
            return render(request, "activities/entry_upload.html", context)
    else:
        return render(request, "activities/entry_upload.html", context)
    # The sheet holds the numbers; the reason, the choice to submit and the confirmation of
    # unusual numbers are given on the preview.
    data = dict(sheet)
    if confirming:
        for name in ("reason", "action", "confirm"):
            if name in request.POST:
                data[name] = request.POST[name]
    form = QuarterEntryForm(data, grid=grid)
    form.is_valid()
    blocking = [name for name in form.errors if confirming or name != "reason"]
    if confirming and not blocking and not form.needs_confirmation:
        try:
            save_quarter(
                grid=grid,
                entries=form.entries,
                submit=form.submitting,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except Stale:
            context["conflict"] = True
            return render(request, "activities/entry_upload.html", context)
        messages.success(request, _("The sheet is saved."))
        url = reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": period.code})
        return redirect(url + (f"?omraade={area.code}" if area else ""))
    context.update(
        {
            "form": form,
            "sheet_errors": sheet_errors(form, grid, rows, skip_reason=not confirming),
            "changes": sheet_changes(form),
            "report_changes": sheet_report_changes(form),
            "sheet_data": sign_sheet_data(sheet, grid=grid, user=request.user),
            "blocking": bool(blocking),
            "warnings": form.warnings,
            "needs_reason": form.changes_submitted_numbers,
        }
    )
    return render(request, "activities/entry_upload.html", context)


def grid_area_order(grid: EntryGrid, area) -> int:
    return next(i for i, pair in enumerate(grid.pairs) if pair.area == area)


def outside_plan_message(plan) -> str:
    quarters = plan.quarters()
    return _("The quarter is outside the plan period (%(first)s to %(last)s).") % {
        "first": quarters[0],
        "last": quarters[-1],
    }


@require_safe
def completeness_start(request, plan: str):
    """Open the overview for the quarter picked in the menu, or the one just ended."""
    plan, _access = get_plan_for_user(request, plan, need="oversee")
    quarter = picked_quarter(request, plan)
    return redirect("activities:completeness", plan=plan.slug, quarter=quarter.code)


@require_safe
def completeness(request, plan: str, quarter: str):
    """Who has reported the quarter: each activity in each area missing, draft, submitted or
    approved, with its reporters; the secretariat approves and reopens from here."""
    plan, access = get_plan_for_user(request, plan, need="oversee")
    period = plan_quarter(plan, quarter)
    if period is None:
        raise Http404(outside_plan_message(plan))
    progress = quarter_completeness(plan, period)
    return render(
        request,
        "activities/completeness.html",
        {
            "plan": plan,
            "access": access,
            "quarter": period,
            "quarters": plan.quarters(),
            "completeness": progress.overview,
            # Those who may send reminders see who is not done, and when each was reminded.
            "unfinished": reminder_state(plan, period, progress) if access.keeps else [],
            "breadcrumbs": [
                (reverse("plans"), plan.name),
                ("", _("Who has reported %(quarter)s") % {"quarter": period}),
            ],
        },
    )


def reminder_state(plan, period: Quarter, progress) -> list[tuple]:
    """Each reporter who is not done with the quarter, and the last reminder they got."""
    reminded = QuarterReminder.objects.sent_for(plan, period)
    return [
        (reporter, reminded.get(reporter.membership.pk))
        for reporter in progress.unfinished_reporters
    ]


@require_POST
def remind(request, plan: str, quarter: str, member: int):
    """Send one reporter the reminder of the quarter now, from the overview."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    period = plan_quarter(plan, quarter)
    if period is None:
        raise Http404(outside_plan_message(plan))
    membership = get_object_or_404(plan.memberships.select_related("user"), pk=member)
    deadline = due_date(period, settings.QUARTER_REMINDER_DAYS)
    try:
        remind_now(plan, period, membership, by=request.user, deadline=deadline)
    except NothingToRemind as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("A reminder is sent to %(name)s.") % {"name": display_name(membership.user)},
        )
    return redirect("activities:completeness", plan=plan.slug, quarter=period.code)


@require_POST
def approve(request, plan: str, quarter: str):
    """Approve the chosen submitted reports, or all of them; approval locks them."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    period = plan_quarter(plan, quarter)
    if period is None:
        raise Http404(outside_plan_message(plan))
    everything = request.POST.get("action") == "all"
    chosen, damaged = {}, False
    # Each box says "<report id>:<its revision on the page>", so that a report changed since
    # the page was loaded is not approved unseen; "approve all" sends those of every report
    # the page showed as submitted, so a report submitted since is not approved either.
    for value in request.POST.getlist("shown" if everything else "report"):
        pk, _sep, revision = value.partition(":")
        pk, revision = parse_int(pk), parse_int(revision)
        if pk is None or revision is None:
            damaged = True
        else:
            chosen[pk] = revision
    if damaged or (everything and not chosen):
        messages.error(request, _("The form is damaged; load the page again."))
    elif not chosen:
        messages.error(request, _("Choose the reports to approve."))
    else:
        approved, conflicts = approve_reports(
            plan=plan, quarter=period, chosen=chosen, by=request.user
        )
        if approved:
            messages.success(
                request,
                _("%(count)s reports approved and locked.") % {"count": approved},
            )
        if conflicts:
            messages.error(
                request,
                _(
                    "%(count)s reports changed after you opened the page and were not "
                    "approved; look at them again."
                )
                % {"count": conflicts},
            )
    return redirect("activities:completeness", plan=plan.slug, quarter=period.code)


def reopen(request, plan: str, report: int):
    """Reopen a submitted or approved report with a reason the reporter will read."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    report = get_object_or_404(
        QuarterReport.objects.filter(activity__subagreement__plan=plan).select_related(
            "activity", "area"
        ),
        pk=report,
    )
    form = ReopenForm(request.POST or None, initial={"revision": report.revision})
    if request.method == "POST" and form.is_valid():
        try:
            reopened = reopen_report(
                report=report,
                seen_revision=form.cleaned_data["revision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except Stale as error:
            form.add_error(None, _("The report changed after you opened this page; look again."))
            (report,) = error.what
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The report for %(activity)s in %(area)s is reopened.")
                % {"activity": reopened.activity, "area": reopened.area.label},
            )
            return redirect("activities:completeness", plan=plan.slug, quarter=reopened.period.code)
    overview = reverse(
        "activities:completeness", kwargs={"plan": plan.slug, "quarter": report.period.code}
    )
    crumbs = [
        (reverse("plans"), plan.name),
        (overview, _("Who has reported %(quarter)s") % {"quarter": report.period}),
        ("", _("Reopen report")),
    ]
    return render(
        request,
        "activities/reopen.html",
        {"plan": plan, "report": report, "form": form, "breadcrumbs": crumbs},
    )
