"""The front page, and the pages the board reads: the dashboard, and for its half-yearly
assessment the coordination group's and the local follow-up groups' evaluations.

The groups' evaluations are written for the board, which assesses the plan on them twice a
year (seed section 6), and are kept by the plan's secretariat: these pages are for those who
oversee the plan (`agreements.access`), and the secretariat records the evaluations."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities.todo import reporter_todo
from agreements.access import PlanAccess, get_plan_for_user, plans_for_user
from agreements.models import HousingArea, Plan, Role
from lib.concurrency import Stale
from lib.errors import NotFound
from lib.params import parse_slug, query_value
from lib.pdf import pdf_response
from lib.periods import HalfYear

from .dashboard import Period, rendered
from .forms import GroupEvaluationsForm, SendReportForm
from .models import GroupEvaluation, SentReport, evaluating_groups
from .services import send_status_report
from .status_report import current_status_report_pdf
from .todo import secretariat_todo


def home(request):
    """The front page. The board and the secretariat of a single plan start on its dashboard,
    the overview they work from; everyone else on the list of their plans."""
    plans = plans_for_user(request.user)
    if len(plans) == 1:
        plan, access = plans[0]
        if access.role in (Role.BOARD, Role.SECRETARIAT):
            return redirect("reports:dashboard", plan=plan.slug)
    return render_plans(request, plans)


def plans(request):
    """The plans the user has a role in, with their delaftaler and the ways into each."""
    return render_plans(request, plans_for_user(request.user))


def render_plans(request, plans: list[tuple[Plan, PlanAccess]]):
    # `plans` alone for the base template, which looks for demo data among them.
    return render(
        request,
        "reports/home.html",
        {
            "plans": [plan for plan, _access in plans],
            "plans_with_access": [
                (plan, access, todo_for(request.user, plan, access)) for plan, access in plans
            ],
        },
    )


def todo_for(user, plan: Plan, access: PlanAccess) -> dict:
    """What waits for the user in the plan: the secretariat's tasks, or the quarters a
    coordinator has not finished."""
    today = timezone.localdate()
    if access.keeps:
        return {"tasks": secretariat_todo(plan, today)}
    if access.role == Role.COORDINATOR:
        return {"quarters": reporter_todo(plan, user, today)}
    return {}


def plan_half_year(plan: Plan, code: str) -> HalfYear:
    """The half-year a link names; 404, saying why, for anything else or one outside the plan."""
    try:
        return plan.half_year(code)
    except ValueError as error:
        raise NotFound(str(error)) from None


@require_safe
def group_evaluations_start(request, plan: str):
    """Open the evaluations of the half-year picked in the menu, or of the one just ended."""
    plan, _access = get_plan_for_user(request, plan, need="oversee")
    code = request.GET.get("halvaar")
    half_year = (
        plan_half_year(plan, code) if code else plan.reporting_half_year(timezone.localdate())
    )
    return redirect("reports:group_evaluations", plan=plan.slug, period=half_year.code)


@require_http_methods(["GET", "HEAD", "POST"])
def group_evaluations(request, plan: str, period: str):
    """The groups' evaluations of a half-year; the secretariat records them all on one form,
    saved all or nothing."""
    plan, access = get_plan_for_user(request, plan, need="oversee")
    half_year = plan_half_year(plan, period)
    groups = list(evaluating_groups(plan))
    stored = stored_evaluations(plan, half_year)
    form = conflict = None
    if access.keeps:
        form = GroupEvaluationsForm(
            request.POST if request.method == "POST" else None,
            groups=groups,
            half_year=half_year,
            stored=stored,
        )
    if request.method == "POST" and form.is_valid():
        try:
            saved = GroupEvaluation.record(
                half_year=half_year, entries=form.entries(), by=request.user
            )
        except Stale as error:
            # Show the evaluations as now stored, and what this user entered for the groups
            # someone else saved meanwhile, to enter again.
            conflict = [entry for entry in form.entries() if entry.body in error.what]
            stored = stored_evaluations(plan, half_year)
            form = form.after_conflict(stored, error.what)
        else:
            if saved:
                messages.success(
                    request,
                    _("The groups' evaluations of %(half_year)s are saved.")
                    % {"half_year": half_year},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("reports:group_evaluations", plan=plan.slug, period=half_year.code)
    return render(
        request,
        "reports/group_evaluations.html",
        {
            "plan": plan,
            "half_year": half_year,
            "half_years": plan.half_years(),
            "groups": [(body, stored.get(body.pk)) for body in groups],
            "form": form,
            "conflict": conflict,
            "breadcrumbs": [
                (reverse("plans"), plan.name),
                ("", _("The groups' evaluations of %(half_year)s") % {"half_year": half_year}),
            ],
        },
        status=409 if conflict else 400 if form and form.has_errors() else 200,
    )


def stored_evaluations(plan: Plan, half_year: HalfYear) -> dict[int, GroupEvaluation]:
    """The half-year's evaluations by group id."""
    return {
        evaluation.body_id: evaluation
        for evaluation in GroupEvaluation.objects.for_half_year(plan, half_year)
    }


@require_safe
def dashboard(request, plan: str):
    """Where the plan stands in a year or half-year (?periode=2019H1), for the whole plan or
    one housing area (?omraade=motalavej): the board's and the secretariat's overview."""
    plan, access = get_plan_for_user(request, plan, need="oversee")
    periods = Period.choices(plan)
    code = request.GET.get("periode")
    try:
        period = Period.parse(code) if code else Period.latest(plan, timezone.localdate())
    except ValueError:
        period = None
    if period not in periods:
        raise NotFound(_("The plan has no period '%(code)s'.") % {"code": code})
    area = None
    if area_code := query_value(request, "omraade", parse_slug):
        area = plan.areas.filter(code=area_code).first()
        if area is None:
            raise NotFound(_("The plan has no housing area '%(code)s'.") % {"code": area_code})
    # The secretariat sees every count; the board's view hides small sensitive ones.
    summary, details = rendered(plan, period, area, mask=not access.keeps)
    return render(
        request,
        "reports/dashboard.html",
        {
            "plan": plan,
            "access": access,
            "period": period,
            "area": area,
            "areas": HousingArea.objects.filter(plan_areas__plan=plan).order_by(
                "plan_areas__position"
            ),
            "periods": periods,
            "summary": mark_safe(summary),  # rendered by the templates, escaped there
            "details": mark_safe(details),
            "reports": [h for h in plan.half_years() if h.year == period.year],
            # The secretariat sends a half-year's report to the board from its dashboard.
            "send_form": SendReportForm() if access.keeps and period.half else None,
            "todo": todo_for(request.user, plan, access),
        },
    )


@require_safe
def status_report(request, plan: str, period: str):
    """The semi-annual status report for the half-year `period` (2019H1) as a PDF."""
    plan, _access = get_plan_for_user(request, plan, need="oversee")
    half_year = plan_half_year(plan, period)
    return pdf_response(
        current_status_report_pdf(plan, half_year),
        f"statusrapport-{plan.slug}-{half_year.code}.pdf",
    )


@require_POST
def send_report(request, plan: str, period: str):
    """The secretariat sends the half-year's status report to the board: it is stored as it
    reads now, PDF and verdicts, and the board reads it under the sent reports."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    half_year = plan_half_year(plan, period)
    form = SendReportForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, error)
        return redirect(
            reverse("reports:dashboard", args=[plan.slug]) + f"?periode={half_year.code}"
        )
    sent = send_status_report(
        plan=plan, half_year=half_year, by=request.user, note=form.cleaned_data["note"]
    )
    messages.success(
        request,
        _("The status report for %(half_year)s is sent to the board and kept as sent.")
        % {"half_year": sent.half_year},
    )
    return redirect("reports:sent_reports", plan=plan.slug)


@require_safe
def sent_reports(request, plan: str):
    """Every status report sent to the board, newest first, each as it was sent."""
    plan, access = get_plan_for_user(request, plan, need="oversee")
    return render(
        request,
        "reports/sent_reports.html",
        {
            "plan": plan,
            "access": access,
            "sent_reports": SentReport.objects.listed(plan),
            "breadcrumbs": [(reverse("plans"), plan.name), ("", _("Status reports sent"))],
        },
    )


@require_safe
def sent_report_pdf(request, plan: str, sent: int):
    """A sent status report's PDF: the very bytes that were sent."""
    plan, _access = get_plan_for_user(request, plan, need="oversee")
    report = SentReport.objects.filter(plan=plan, pk=sent).first()
    if report is None:
        raise NotFound(_("The plan has no such sent status report."))
    return pdf_response(
        bytes(report.pdf),
        f"statusrapport-{plan.slug}-{report.half_year.code}-sendt-"
        f"{timezone.localtime(report.sent_at):%Y-%m-%d-%H%M}.pdf",
    )
