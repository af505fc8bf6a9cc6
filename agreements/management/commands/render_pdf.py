"""Write a plan's agreements as PDF files, for scripted archiving.

    render_pdf subagreement CODE --out FILE [--version N | --draft] [--plan SLUG]
    render_pdf strategic-agreement --out FILE [--plan SLUG]
    render_pdf all-subagreements --out FILE [--plan SLUG]
    render_pdf status-report --period 2019H1 --out FILE [--plan SLUG]

A delaftale is its current approved version unless --version or --draft says otherwise. The
file is written only when the whole PDF has been rendered, so a failure leaves no half file.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from agreements import pdf
from agreements.models import SubagreementVersion
from helhedsplan.commands import (
    PlainCommand,
    choose_plan,
    output_file,
    whole_number,
    write_atomically,
)
from reports.status_report import StatusReport, status_report_pdf


class Command(PlainCommand):
    help = (
        "Write a delaftale, all current delaftaler, the strategic agreement or the board's "
        "status report as a PDF file."
    )

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
        report = documents.add_parser(
            "status-report", help="The board's status report for a half-year."
        )
        report.add_argument(
            "--period", required=True, help="The half-year: 2019H1 (January-June) or 2019H2."
        )
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
                data = pdf.subagreements_pdf(versions)
            elif document == "status-report":
                data = self.status_report(chosen, options["period"])
            else:
                data = pdf.strategic_agreement_pdf(chosen)
            write_atomically(target, data)
        self.stdout.write(f"{out}: {len(data) // 1024} kB in {time.perf_counter() - started:.1f} s")

    def status_report(self, plan, code: str) -> bytes:
        try:
            half_year = plan.half_year(code)
        except ValueError as error:
            raise CommandError(str(error)) from None
        return status_report_pdf(StatusReport.load(plan, half_year))

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
        return pdf.subagreement_pdf(version)
