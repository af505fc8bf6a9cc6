"""Sending a status report to the board: the one workflow of the reports that writes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agreements.models import Plan
from lib.periods import HalfYear

from .changes import verdict_rows
from .models import SentReport
from .status_report import Sending, StatusReport, status_report_pdf


def send_status_report(*, plan: Plan, half_year: HalfYear, by, note: str = "") -> SentReport:
    """Record that the half-year's status report is sent to the board now, by `by`: the PDF
    as it reads at this moment (saying who sent it and when) and the verdicts behind it,
    kept unchanged from now on.

    The PDF is drawn before anything is written, and the report is stored in one statement
    inside one transaction, so a failure, or two people sending at once, never leaves a
    half-saved report: each sending is a whole row of its own.
    """
    sending = Sending(at=timezone.now(), by=by, note=note.strip())
    report = StatusReport.load(plan, half_year, sending=sending)
    pdf = status_report_pdf(report)
    with transaction.atomic():
        return SentReport.objects.create(
            plan=plan,
            year=half_year.year,
            half=half_year.number,
            sent_at=sending.at,
            sent_by=by,
            note=sending.note,
            pdf=pdf,
            verdicts=verdict_rows(report.evaluated),
        )
