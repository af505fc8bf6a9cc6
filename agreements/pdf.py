"""The agreements as PDF documents, for Landsbyggefonden and the board.

LBF may ask for the current delaftaler at any time, and gets them as PDF without anyone having
to assemble a document: each approved version is rendered from its frozen content, so the PDF
of version 1 reads the same however the live delaftale has moved on since. The live draft can be
printed too, for the board's meeting, but it says on every page that it is not approved.

The documents are HTML rendered with Django templates (templates/agreements/pdf/) and laid out
as tagged PDF/UA-1, always in Danish (lib.pdf).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from lib.pdf import render_pdf

from .models import (
    Body,
    Plan,
    PlanArea,
    PlanParty,
    Signatory,
    Subagreement,
    SubagreementVersion,
)


@dataclass(frozen=True)
class _SubagreementDocument:
    """One delaftale as a PDF shows it: the content (frozen or live) and what its first page
    and running header say about which text this is."""

    content: dict
    plan_name: str
    number: int | None
    decided_on: datetime.date | None
    printed_on: datetime.date | None = None

    @classmethod
    def of_version(cls, version: SubagreementVersion) -> _SubagreementDocument:
        return cls(
            content=version.content,
            plan_name=version.subagreement.plan.name,
            number=version.number,
            decided_on=version.decided_on,
        )

    @classmethod
    def of_draft(cls, subagreement: Subagreement) -> _SubagreementDocument:
        return cls(
            content=subagreement.content(),
            plan_name=subagreement.plan.name,
            number=None,
            decided_on=None,
            printed_on=timezone.localdate(),
        )

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def anchor(self) -> str:
        """The id the combined PDF's contents page links to."""
        return f"delaftale-{self.content['focus_area']['code']}"

    @property
    def valid_from(self) -> datetime.date | None:
        return _date(self.content.get("valid_from"))

    @property
    def valid_to(self) -> datetime.date | None:
        return _date(self.content.get("valid_to"))


def _date(value: str | None) -> datetime.date | None:
    # The frozen content keeps dates as ISO strings (plain JSON, see Subagreement.content).
    return datetime.date.fromisoformat(value) if value else None


def subagreement_pdf(version: SubagreementVersion) -> bytes:
    """The PDF of an approved version of a delaftale, as the board approved it.

    Rendered from the version's frozen content only, so it costs no query beyond what
    `SubagreementVersion.objects.for_rendering()` loaded.
    """
    document = _SubagreementDocument.of_version(version)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def draft_pdf(subagreement: Subagreement) -> bytes:
    """The PDF of the live delaftale, the draft of its next version.

    Marked "Kladde – ikke godkendt" on every page, so a printed draft is never taken for what
    the board approved.
    """
    document = _SubagreementDocument.of_draft(subagreement)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def subagreements_pdf(versions: Sequence[SubagreementVersion]) -> bytes:
    """Several delaftaler in one PDF, each from its own page, after a contents page.

    LBF asks for "all current ones" at once. The versions are shown in the order given
    (`for_rendering()` orders them by focus area). Raises ValueError for no versions: an empty
    document would look like a plan without delaftaler.
    """
    if not versions:
        raise ValueError("There are no versions to put in the PDF.")
    documents = [_SubagreementDocument.of_version(version) for version in versions]
    return render_pdf(
        "agreements/pdf/subagreements.html",
        {"documents": documents, "plan_name": documents[0].plan_name},
    )


def strategic_agreement_pdf(plan: Plan) -> bytes:
    """The PDF of the strategic cooperation agreement (strategisk samarbejdsaftale).

    The plan is read again with everything the document shows, in a fixed number of queries
    whatever the size of the plan.
    """
    plan = (
        Plan.objects.select_related("funding_period")
        .prefetch_related(
            "sections",
            Prefetch("plan_parties", queryset=PlanParty.objects.select_related("organisation")),
            Prefetch("plan_areas", queryset=PlanArea.objects.select_related("area")),
            Prefetch("bodies", queryset=Body.objects.select_related("area")),
            Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
            "attachments",
        )
        .get(pk=plan.pk)
    )
    return render_pdf(
        "agreements/pdf/strategic_agreement.html",
        {"plan": plan, "budget": plan.budget_overview()},
    )
