"""Write a plan's agreements as PDF files, for scripted archiving.

    render_pdf subagreement CODE --out FILE [--version N | --draft] [--plan SLUG]
    render_pdf strategic-agreement --out FILE [--plan SLUG]
    render_pdf all-subagreements --out FILE [--plan SLUG]

A delaftale is its current approved version unless --version or --draft says otherwise. The
file is written only when the whole PDF has been rendered, so a failure leaves no half file.
An approved document is the one the site serves, stored in the database when it was first
rendered (`agreements.pdf`); a draft is rendered afresh.
The board's status report is written by `render_status_report` (reports).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from agreements import pdf
from agreements.commands import choose_plan
from agreements.models import SubagreementVersion
from lib.commands import PlainCommand, output_file, whole_number, write_atomically


class Command(PlainCommand):
    help = "Write a delaftale, all current delaftaler or the strategic agreement as a PDF file."

    def add_arguments(self, parser):
        documents = parser.add_subparsers(dest="document", required=True, title="documents")
        subagreement = documents.add_parser(
            "subagreement", help="One delaftale, by its focus area's code (e.g. tryghed)."
        )
        subagreement.add_argument("code", help="The focus area's code, e.g. tryghed.")
        which = subagreement.add_mutually_exclusive_group()
        which.add_argument("--version", help="An earlier approved version, e.g. 1.")
        which.add_argument("--draft", action="store_true", help="The unapproved draft.")
        documents.add_parser("strategic-agreement", help="The strategic cooperation agreement.")
        documents.add_parser("all-subagreements", help="Every current delaftale in one PDF.")
        for document in documents.choices.values():
            document.add_argument("--out", required=True, help="The PDF file to write.")
            document.add_argument(
                "--plan", help="The plan's short name; needed only when there is more than one."
            )

    def handle(self, *args, document: str, out: str, plan: str | None, **options):
        started = time.perf_counter()
        with translation.override(settings.LANGUAGE_CODE):
            target = output_file(out)
            number = whole_number(options.get("version"), "--version")
            chosen = choose_plan(plan)
            if document == "subagreement":
                data = self.subagreement(chosen, options["code"], number, options["draft"])
            elif document == "all-subagreements":
                versions = list(
                    SubagreementVersion.objects.current()
                    .for_rendering()
                    .filter(subagreement__plan=chosen)
                )
                if not versions:
                    raise CommandError(_("The plan has no approved sub-agreements yet."))
                data = pdf.stored_subagreements_pdf(versions)
            else:
                data = pdf.stored_strategic_agreement_pdf(chosen)
            write_atomically(target, data)
        self.stdout.write(f"{out}: {len(data) // 1024} kB in {time.perf_counter() - started:.1f} s")

    def subagreement(self, plan, code: str, number: int | None, draft: bool) -> bytes:
        subagreement = (
            plan.subagreements.select_related("focus_area").filter(focus_area__code=code).first()
        )
        if subagreement is None:
            codes = ", ".join(plan.subagreements.values_list("focus_area__code", flat=True))
            raise CommandError(
                _(
                    "The plan has no sub-agreement with the code '%(code)s'. "
                    "The codes are: %(codes)s"
                )
                % {"code": code, "codes": codes}
            )
        if draft:
            return pdf.draft_pdf(subagreement)
        versions = SubagreementVersion.objects.for_rendering().filter(subagreement=subagreement)
        version = (
            versions.filter(number=number).first()
            if number is not None
            else versions.current().first()
        )
        if version is None:
            numbers = ", ".join(str(n) for n in versions.values_list("number", flat=True))
            raise CommandError(
                _(
                    "The sub-agreement '%(code)s' has no version %(number)s. "
                    "Its versions are: %(numbers)s"
                )
                % {"code": code, "number": number, "numbers": numbers or "-"}
                if number is not None
                else _("The sub-agreement '%(code)s' has no approved version yet; use --draft.")
                % {"code": code}
            )
        return pdf.stored_subagreement_pdf(version)
