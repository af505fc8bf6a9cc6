"""The agreements as PDF documents, for Landsbyggefonden and the board.

LBF may ask for the current delaftaler at any time, and gets them as PDF without anyone having
to assemble a document: each approved version is rendered from its frozen content, so the PDF
of version 1 reads the same however the live delaftale has moved on since. The live draft can be
printed too, for the board's meeting, but it says on every page that it is not approved.

A document holds the agreement, whole, and nothing that it does not say: every section in the
agreement's order, under the headings of LBF's template (agreements/lbf_template.py), with its
tables and lists. What the application adds (which version, when the board approved it, that a
draft is not approved, when the document was made) stands in the running header and footer,
never in the agreement's text.

The documents are HTML rendered with Django templates (templates/agreements/pdf/) and laid out
as tagged PDF/UA-1, always in Danish (lib.pdf).

An approved document is rendered once and then served from the database (`StoredDocument`,
the `stored_*` functions here): it is found by the SHA-256 digest of everything it shows (the
versions' frozen content, the plan's name, for the strategic agreement every row it reads) and
the templates, stylesheet and translations it is made with. A new approval, an edit of the
plan's text in the administration or a new release therefore gives another digest, and a stale
PDF is never served; nothing has to remember to invalidate it. Its footer gives the day it was
made, which stays true however long it is served. A draft is always rendered fresh, and says
the day it is printed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from lib.numbers import format_thousand_dkk
from lib.pdf import render_pdf

from .lbf_template import STRATEGIC, TITLE, Edition, headings
from .models import (
    Body,
    Plan,
    PlanArea,
    PlanSection,
    Signatory,
    StoredDocument,
    Subagreement,
    SubagreementVersion,
    decided_on_text,
)
from .templatetags.agreement_text import fte_percent


@dataclass(frozen=True)
class _SubagreementDocument:
    """One delaftale as a PDF shows it: the content (frozen or live) and what its running
    header says about which text this is."""

    content: dict
    plan_name: str
    number: int | None
    decided_on: datetime.date | None
    printed_on: datetime.date

    @classmethod
    def of_version(
        cls, version: SubagreementVersion, printed_on: datetime.date | None = None
    ) -> _SubagreementDocument:
        return cls(
            content=version.content,
            plan_name=version.subagreement.plan.name,
            number=version.number,
            decided_on=version.decided_on,
            printed_on=printed_on or timezone.localdate(),
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
    def title(self) -> str:
        # Versions frozen before titles and headings were kept get LBF's.
        return self.content.get("title") or TITLE.format(name=self.content["focus_area"]["name"])

    @property
    def headings(self) -> dict[str, str]:
        return self.content.get("headings") or headings(Edition.GOALS_AND_CRITERIA)

    @property
    def activities(self) -> list[dict]:
        """The activities, each with the headings of its schema: the delaftale's, where the
        activity does not word one its own way."""
        shared = self.headings
        return [
            {**activity, "headings": shared | activity.get("headings", {})}
            for activity in self.content.get("activities", [])
        ]

    @property
    def budget(self) -> dict[str, str]:
        """The budget's three figures as the agreement writes them, or in thousands."""
        budget = self.content.get("budget", {})
        written = budget.get("as_written", {})
        amounts = {
            "lbf": budget.get("lbf", 0),
            "local": budget.get("local", 0),
            "total": budget.get("lbf", 0) + budget.get("local", 0),
        }
        return {
            key: written.get(key) or format_thousand_dkk(amount) for key, amount in amounts.items()
        }

    @property
    def tables(self) -> list[dict]:
        return self.content.get("tables", [])

    @property
    def decided_on_text(self) -> str:
        return decided_on_text(self.decided_on)

    @property
    def valid_from(self) -> datetime.date | None:
        return _date(self.content.get("valid_from"))

    @property
    def valid_to(self) -> datetime.date | None:
        return _date(self.content.get("valid_to"))

    @property
    def parties(self) -> list[dict]:
        """The parties as the table lists them, each marked when others are part of it."""
        parties = self.content.get("parties", [])
        heads = {party.get("part_of") for party in parties if party.get("part_of")}
        return [{**party, "has_members": party["name"] in heads} for party in parties]

    @property
    def parties_have_columns(self) -> bool:
        """Whether the parties need columns for role and representative: only when a party
        has one that its written form does not already say."""
        return any(
            (party.get("role") or party.get("representative")) and not party.get("written_as")
            for party in self.content.get("parties", [])
        )


def _date(value: str | None) -> datetime.date | None:
    # The frozen content keeps dates as ISO strings (plain JSON, see Subagreement.content).
    return datetime.date.fromisoformat(value) if value else None


def subagreement_pdf(
    version: SubagreementVersion, *, printed_on: datetime.date | None = None
) -> bytes:
    """The PDF of an approved version of a delaftale, as the board approved it.

    Rendered from the version's frozen content only, so it costs no query beyond what
    `SubagreementVersion.objects.for_rendering()` loaded.
    """
    document = _SubagreementDocument.of_version(version, printed_on)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def draft_pdf(subagreement: Subagreement) -> bytes:
    """The PDF of the live delaftale, the draft of its next version.

    Marked "Kladde – ikke godkendt" on every page, so a printed draft is never taken for what
    the board approved.
    """
    document = _SubagreementDocument.of_draft(subagreement)
    return render_pdf("agreements/pdf/subagreement.html", {"document": document})


def subagreements_pdf(
    versions: Sequence[SubagreementVersion], *, printed_on: datetime.date | None = None
) -> bytes:
    """Several delaftaler in one PDF, each from its own page, after a contents page.

    LBF asks for "all current ones" at once. The versions are shown in the order given
    (`for_rendering()` orders them by focus area). Raises ValueError for no versions: an empty
    document would look like a plan without delaftaler.
    """
    if not versions:
        raise ValueError("There are no versions to put in the PDF.")
    documents = [_SubagreementDocument.of_version(version, printed_on) for version in versions]
    return render_pdf(
        "agreements/pdf/subagreements.html",
        {
            "documents": documents,
            "plan_name": documents[0].plan_name,
            "printed_on": documents[0].printed_on,
        },
    )


@dataclass(frozen=True)
class OrganisationPart:
    """A part of the organisation as section 2 of the strategic agreement writes it: its
    heading, the text, who takes part, and the text after that."""

    heading: str
    description: str
    composition: tuple[str, ...]
    closing: str

    @property
    def is_empty(self) -> bool:
        return not (self.description or self.composition or self.closing)


def organisation(bodies: Iterable[Body], plan_areas: Iterable[PlanArea]) -> list[OrganisationPart]:
    """The plan's bodies as the agreement describes them, in order.

    The coordinators' composition is their share of a post in each housing area (the plan's
    figures, so the document cannot say another share than the plan holds). Bodies that follow
    each other with the same heading and text, such as the four local follow-up groups the
    agreement describes together, are written once; a body with no text of its own (the
    secretariat, which section 2's own text describes) is left out.
    """
    parts: list[OrganisationPart] = []
    for body in bodies:
        composition = tuple(
            line.strip().removeprefix("- ")
            for line in body.composition.splitlines()
            if line.strip()
        )
        if body.kind == Body.Kind.COORDINATORS and not composition:
            composition = tuple(
                f"{plan_area.area.label} {fte_percent(plan_area.coordinator_fte)}"
                for plan_area in plan_areas
                if plan_area.coordinator_fte is not None
            )
        part = OrganisationPart(
            heading=body.heading or body.name,
            description=body.description,
            composition=composition,
            closing=body.closing,
        )
        if part.is_empty or (parts and parts[-1] == part):
            continue
        parts.append(part)
    return parts


def strategic_agreement_pdf(plan: Plan) -> bytes:
    """The PDF of the strategic cooperation agreement (strategisk samarbejdsaftale).

    The plan is read again with everything the document shows, in a fixed number of queries
    whatever the size of the plan.
    """
    return _render_strategic_agreement(_strategic_agreement_plan(plan), timezone.localdate())


def _strategic_agreement_plan(plan: Plan) -> Plan:
    """The plan with every row the strategic agreement shows (and nothing else it reads)."""
    return (
        Plan.objects.select_related("funding_period")
        .prefetch_related(
            Prefetch("sections", queryset=PlanSection.objects.prefetch_related("tables")),
            Prefetch("plan_areas", queryset=PlanArea.objects.select_related("area")),
            "bodies",
            Prefetch("signatories", queryset=Signatory.objects.select_related("organisation")),
            "attachments",
        )
        .get(pk=plan.pk)
    )


def _render_strategic_agreement(plan: Plan, printed_on: datetime.date) -> bytes:
    sections = [
        (section, [table.as_dict() for table in section.tables.all()])
        for section in plan.sections.all()
    ]
    return render_pdf(
        "agreements/pdf/strategic_agreement.html",
        {
            "plan": plan,
            "sections": sections,
            "organisation": organisation(plan.bodies.all(), plan.plan_areas.all()),
            "template": STRATEGIC,
            "printed_on": printed_on,
        },
    )


# What the documents are made with besides their data: a change to any of these files (a new
# release) must not serve a PDF rendered by the old ones.
_RENDERED_WITH = (
    "templates/agreements/pdf",
    "static/css/pdf.css",
    "locale/da/LC_MESSAGES/django.mo",
    "agreements/lbf_template.py",
    "agreements/pdf.py",
    "lib/pdf.py",
)


@cache
def _renderer_digest() -> str:
    """The digest of the templates, stylesheet, translations and code the PDFs are made with,
    read once per process."""
    digest = hashlib.sha256()
    for name in _RENDERED_WITH:
        path = Path(settings.BASE_DIR) / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(str(file.relative_to(settings.BASE_DIR)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def _digest(kind: str, plan: Plan, versions: str, shown: object) -> str:
    # Not the day: the footer says the day the PDF was made, so it is served unchanged for as
    # long as what it shows stands, not made again every day.
    document = [kind, plan.pk, versions, _renderer_digest(), shown]
    encoded = json.dumps(document, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _rows(*objects: models.Model) -> list:
    """Every stored field of each object, as what a document made from them depends on."""
    return [
        [
            obj._meta.label,
            obj.pk,
            [field.value_from_object(obj) for field in obj._meta.concrete_fields],
        ]
        for obj in objects
    ]


def _version_ids(versions: Sequence[SubagreementVersion]) -> str:
    return ",".join(str(version.pk) for version in versions)


def _shown(versions: Sequence[SubagreementVersion]) -> list:
    """What a delaftale document shows of its versions (`_SubagreementDocument.of_version`)."""
    return [
        [version.pk, version.number, version.decided_on, version.content] for version in versions
    ] + [versions[0].subagreement.plan.name]


def _stored(kind: str, plan: Plan, versions: str, shown: object, render: Callable) -> bytes:
    return StoredDocument.objects.serve(
        plan=plan,
        kind=kind,
        versions=versions,
        digest=_digest(kind, plan, versions, shown),
        render=lambda: render(timezone.localdate()),
    )


def stored_subagreement_pdf(version: SubagreementVersion) -> bytes:
    """`subagreement_pdf`, rendered once and then served from the database."""
    return _stored(
        StoredDocument.Kind.SUBAGREEMENT,
        version.subagreement.plan,
        _version_ids([version]),
        _shown([version]),
        lambda printed_on: subagreement_pdf(version, printed_on=printed_on),
    )


def stored_subagreements_pdf(versions: Sequence[SubagreementVersion]) -> bytes:
    """`subagreements_pdf`, rendered once and then served from the database."""
    if not versions:
        raise ValueError("There are no versions to put in the PDF.")
    return _stored(
        StoredDocument.Kind.ALL_SUBAGREEMENTS,
        versions[0].subagreement.plan,
        _version_ids(versions),
        _shown(versions),
        lambda printed_on: subagreements_pdf(versions, printed_on=printed_on),
    )


def stored_strategic_agreement_pdf(plan: Plan) -> bytes:
    """`strategic_agreement_pdf`, rendered once and then served from the database.

    Its text is the plan's live rows, edited in the administration without an approval, so
    its digest is made from every field of every row the document reads (the plan is read
    with them, in a fixed number of queries, as for a fresh render).
    """
    plan = _strategic_agreement_plan(plan)
    shown = _rows(
        plan,
        plan.funding_period,
        *plan.sections.all(),
        *(table for section in plan.sections.all() for table in section.tables.all()),
        *plan.plan_areas.all(),
        *(plan_area.area for plan_area in plan.plan_areas.all()),
        *plan.bodies.all(),
        *plan.signatories.all(),
        *(signatory.organisation for signatory in plan.signatories.all() if signatory.organisation),
        *plan.attachments.all(),
    )
    return _stored(
        StoredDocument.Kind.STRATEGIC_AGREEMENT,
        plan,
        "",
        shown,
        lambda printed_on: _render_strategic_agreement(plan, printed_on),
    )
