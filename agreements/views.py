"""The delaftaler as approved versions and PDFs: what Landsbyggefonden may ask for at any time.

The live delaftale is the draft the secretariat keeps (in the administration); the board's
approval freezes it as a version. Pages here list the versions, compare them, record an
approval, and serve PDFs, to members of the plan and, through a share link, to LBF without a
login (see `agreements.access` for who may do what).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lib.errors import NotFound
from lib.pdf import pdf_response

from . import pdf
from .access import get_plan_for_user, get_share_link_for_user, get_subagreement_for_agreements
from .diff import compare
from .forms import DRAFT, ApproveVersionForm, CompareForm, ShareLinkForm
from .models import (
    ShareLink,
    SubagreementVersion,
    VersionConflict,
    content_digest,
)


@require_safe
def subagreements(request, plan: str):
    """The plan's delaftaler in their current approved versions, with downloads."""
    plan, access = get_plan_for_user(request, plan, need="read")
    subagreements = plan.subagreements.with_versions()
    if access.oversees:
        # The secretariat's and the board's "not yet approved" mark.
        changed = subagreements.changed_since_approved()
        for subagreement in subagreements:
            subagreement.draft_differs = subagreement.pk in changed
    items = list(subagreements)
    return render(
        request,
        "agreements/subagreements.html",
        {"plan": plan, "access": access, "subagreements": items},
    )


@require_safe
def history(request, plan: str, focus_area: str):
    """A delaftale's versions, and the differences between any two of them."""
    subagreement, access = get_subagreement_for_agreements(request, plan, focus_area, need="read")
    plan = subagreement.plan
    numbers = sorted(version.number for version in subagreement.version_list)
    form = CompareForm(request.GET or None, numbers=numbers, with_draft=access.oversees)
    comparison = labels = None
    if form.is_bound and form.is_valid():
        old, new = form.cleaned_data["fra"], form.cleaned_data["til"]
        comparison = compare(version_content(subagreement, old), version_content(subagreement, new))
        labels = (version_label(old), version_label(new))
    elif not form.is_bound and len(numbers) > 1:
        form = CompareForm(
            initial={"fra": numbers[-2], "til": numbers[-1]},
            numbers=numbers,
            with_draft=access.oversees,
        )
    return render(
        request,
        "agreements/history.html",
        {
            "plan": plan,
            "access": access,
            "subagreement": subagreement,
            "form": form,
            "comparison": comparison,
            "old_label": labels and labels[0],
            "new_label": labels and labels[1],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def version_content(subagreement, choice: str) -> dict:
    if choice == DRAFT:
        return subagreement.content()
    return subagreement.versions.get(number=int(choice)).content


def version_label(choice: str) -> str:
    if choice == DRAFT:
        return _("Draft")
    return _("Version %(number)s") % {"number": choice}


@require_http_methods(["GET", "HEAD", "POST"])
def approve(request, plan: str, focus_area: str):
    """Record the board's approval of the draft as the next version, after seeing what
    changed since the current version."""
    subagreement, _access = get_subagreement_for_agreements(request, plan, focus_area, need="keep")
    current = subagreement.current_version
    content = subagreement.content()
    form = ApproveVersionForm(
        request.POST or None,
        latest_decided_on=current.decided_on if current else None,
        initial={
            "based_on": current.number if current else None,
            "draft_digest": content_digest(content),
        },
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            version = subagreement.approve_version(
                decided_on=form.cleaned_data["decided_on"],
                note=form.cleaned_data["note"],
                by=request.user,
                based_on=form.cleaned_data["based_on"],
                draft_digest=form.cleaned_data["draft_digest"],
            )
        except VersionConflict as error:
            conflict = str(error)
        else:
            messages.success(
                request,
                _("Version %(number)s is approved and is now the current sub-agreement.")
                % {"number": version.number},
            )
            return redirect("agreements:history", subagreement.plan.slug, focus_area)
    if conflict:
        # Show what is there now, and ask for the approval again on that.
        subagreement, _access = get_subagreement_for_agreements(
            request, plan, focus_area, need="keep"
        )
        current = subagreement.current_version
        content = subagreement.content()
        form = ApproveVersionForm(
            initial={
                "decided_on": form.cleaned_data["decided_on"],
                "note": form.cleaned_data["note"],
                "based_on": current.number if current else None,
                "draft_digest": content_digest(content),
            }
        )
    comparison = compare(current.content if current else {}, content)
    return render(
        request,
        "agreements/approve.html",
        {
            "plan": subagreement.plan,
            "subagreement": subagreement,
            "current": current,
            "form": form,
            "conflict": conflict,
            "comparison": comparison,
            "old_label": version_label(str(current.number)) if current else "",
            "new_label": _("Draft"),
        },
        status=409 if conflict else 400 if form.errors else 200,
    )


@require_safe
def subagreement_pdf(request, plan: str, focus_area: str, number: int | None = None):
    """A delaftale's PDF: the current approved version, or version `number`."""
    subagreement, _access = get_subagreement_for_agreements(request, plan, focus_area, need="read")
    versions = SubagreementVersion.objects.for_rendering().filter(subagreement=subagreement)
    if number is None:
        version = versions.current().first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("The sub-agreement has no such version."))
    return pdf_response(
        pdf.stored_subagreement_pdf(version),
        f"delaftale-{focus_area}-version-{version.number}.pdf",
    )


@require_safe
def draft_pdf(request, plan: str, focus_area: str):
    subagreement, _access = get_subagreement_for_agreements(
        request, plan, focus_area, need="oversee"
    )
    return pdf_response(pdf.draft_pdf(subagreement), f"delaftale-{focus_area}-kladde.pdf")


@require_safe
def all_subagreements_pdf(request, plan: str):
    plan, _access = get_plan_for_user(request, plan, need="read")
    versions = list(
        SubagreementVersion.objects.current().for_rendering().filter(subagreement__plan=plan)
    )
    if not versions:
        raise NotFound(_("The plan has no approved sub-agreements yet."))
    return pdf_response(pdf.stored_subagreements_pdf(versions), f"delaftaler-{plan.slug}.pdf")


@require_safe
def strategic_agreement_pdf(request, plan: str):
    plan, _access = get_plan_for_user(request, plan, need="read")
    return pdf_response(
        pdf.stored_strategic_agreement_pdf(plan), f"samarbejdsaftale-{plan.slug}.pdf"
    )


@require_http_methods(["GET", "HEAD", "POST"])
def share_links(request, plan: str):
    """The secretariat's links for Landsbyggefonden: create one, see them and their
    downloads, revoke one."""
    plan, _access = get_plan_for_user(request, plan, need="keep")
    form = ShareLinkForm(request.POST or None, initial={"days": settings.SHARE_LINK_DAYS})
    if request.method == "POST" and form.is_valid():
        link = ShareLink.create_for(
            plan, by=request.user, note=form.cleaned_data["note"], days=form.cleaned_data["days"]
        )
        messages.success(
            request, _("The link is created. Copy it and send it to Landsbyggefonden.")
        )
        return redirect(f"{request.path}#link-{link.pk}")
    links = plan.share_links.select_related("created_by", "revoked_by").prefetch_related(
        "downloads"
    )
    return render(
        request,
        "agreements/share_links.html",
        {"plan": plan, "form": form, "links": links},
        status=400 if form.errors else 200,
    )


@require_POST
def revoke_share_link(request, plan: str, link: int):
    link, _access = get_share_link_for_user(request, plan, link)
    link.revoke(by=request.user)
    messages.success(request, _("The link is revoked; it no longer works."))
    return redirect("agreements:share_links", link.plan.slug)


def usable_share_link(request, token: str) -> ShareLink:
    """The link of a token: 404 when it was never signed here, 410 when it has expired or
    been revoked (rendered as a page that says so and whom to ask)."""
    try:
        link = ShareLink.objects.from_token(token)
    except ShareLink.DoesNotExist:
        raise NotFound(_("The link is not valid. Check that it was copied in full.")) from None
    if not link.is_usable():
        raise ShareLinkGone(link)
    return link


class ShareLinkGone(Exception):
    def __init__(self, link: ShareLink):
        self.link = link


def gone(request, link: ShareLink) -> HttpResponse:
    return render(request, "agreements/share_link_gone.html", {"link": link}, status=410)


@login_not_required
@require_safe
def shared(request, token: str):
    """Landsbyggefonden's page behind a share link: the current delaftaler, no login."""
    try:
        link = usable_share_link(request, token)
    except ShareLinkGone as error:
        return gone(request, error.link)
    versions = list(
        SubagreementVersion.objects.current()
        .for_rendering()
        .filter(subagreement__plan=link.plan)
        .defer("content")
    )
    return render(
        request,
        "agreements/shared.html",
        {"link": link, "token": token, "versions": versions},
    )


@login_not_required
@require_safe
def shared_pdf(request, token: str, focus_area: str | None = None):
    """A current delaftale, or all of them, through a share link; every download is logged.
    Only approved versions exist here: a draft has no address behind a link."""
    try:
        link = usable_share_link(request, token)
    except ShareLinkGone as error:
        return gone(request, error.link)
    versions = (
        SubagreementVersion.objects.current().for_rendering().filter(subagreement__plan=link.plan)
    )
    if focus_area is not None:
        versions = versions.filter(subagreement__focus_area__code=focus_area)
    versions = list(versions)
    if not versions:
        raise NotFound(_("There is no approved sub-agreement for this focus area."))
    if focus_area is None:
        data, filename = pdf.stored_subagreements_pdf(versions), f"delaftaler-{link.plan.slug}.pdf"
    else:
        version = versions[0]
        data = pdf.stored_subagreement_pdf(version)
        filename = f"delaftale-{focus_area}-version-{version.number}.pdf"
    link.log_download(versions)
    return pdf_response(data, filename)
