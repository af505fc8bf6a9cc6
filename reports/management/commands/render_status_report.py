"""Write the board's status report for a half-year as a PDF file, for scripted archiving.

    render_status_report --period 2019H1 --out FILE [--plan SLUG]

The file is written only when the whole PDF has been rendered, so a failure leaves no half file.
The agreements' PDFs are written by `render_pdf`.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation

# Every app's commands pick their plan the same way (--plan, or the only one).
from agreements.commands import choose_plan
from lib.commands import PlainCommand, output_file, write_atomically
from reports.status_report import StatusReport, status_report_pdf


class Command(PlainCommand):
    help = "Write the board's status report for a half-year as a PDF file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="The half-year: 2019H1 (January-June) or 2019H2."
        )
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--plan", help="The plan's short name; needed only when there is more than one."
        )

    def handle(self, *args, period: str, out: str, plan: str | None, **options):
        started = time.perf_counter()
        with translation.override(settings.LANGUAGE_CODE):
            target = output_file(out)
            chosen = choose_plan(plan)
            try:
                half_year = chosen.half_year(period)
            except ValueError as error:
                raise CommandError(str(error)) from None
            data = status_report_pdf(StatusReport.load(chosen, half_year))
            write_atomically(target, data)
        self.stdout.write(f"{out}: {len(data) // 1024} kB in {time.perf_counter() - started:.1f} s")
