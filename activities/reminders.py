"""Who has not finished a quarter's reports, and the e-mails that remind them.

A reporter (a coordinator membership) gets one reminder per quarter listing what is still
missing or only saved as a draft; the plan's secretariat gets one summary per quarter. Both are
logged as QuarterReminder rows, so the command can run every day and still send each e-mail
once. E-mails are always in Danish: they are read outside the application, where nobody has
chosen a language.
"""

from __future__ import annotations

import datetime
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from activities.completeness import Completeness
from activities.models import Activity, PairStatus, QuarterReminder
from agreements.models import HousingArea, Membership, Plan, Role
from lib.periods import Quarter

EMAIL_LANGUAGE = "da"


@dataclass(frozen=True)
class PairState:
    activity: Activity
    area: HousingArea
    status: PairStatus

    @property
    def is_finished(self) -> bool:
        return self.status.is_finished

    @property
    def status_label(self) -> str:
        return str(self.status.label)


def group_by_area(pairs: list[PairState], areas: list[HousingArea]) -> list[tuple]:
    """[(area, [pair, ...]), ...] in the plan's order of areas, leaving out empty areas."""
    by_area = defaultdict(list)
    for pair in pairs:
        by_area[pair.area.pk].append(pair)
    return [(area, by_area[area.pk]) for area in areas if by_area[area.pk]]


@dataclass
class ReporterProgress:
    """One reporter's pairs for the quarter and where each stands."""

    membership: Membership
    pairs: list[PairState]

    @property
    def unfinished(self) -> list[PairState]:
        return [pair for pair in self.pairs if not pair.is_finished]

    @property
    def is_finished(self) -> bool:
        return not self.unfinished


@dataclass
class QuarterCompleteness:
    """How far a plan's reports for a quarter have come: every pair of the plan, and the
    pairs of each reporter. A pair nobody is assigned counts for the plan but for no
    reporter: the secretariat reports it itself."""

    plan: Plan
    quarter: Quarter
    areas: list[HousingArea]
    pairs: list[PairState]
    reporters: list[ReporterProgress]
    secretariat: list[Membership]
    unassigned: list[PairState] = field(default_factory=list)
    # The secretariat's overview the reporters' shares were read from, for its page.
    overview: Completeness | None = None

    @cached_property
    def counts(self) -> dict[PairStatus, int]:
        counts = dict.fromkeys(PairStatus, 0)
        for pair in self.pairs:
            counts[pair.status] += 1
        return counts

    @property
    def is_complete(self) -> bool:
        return all(pair.is_finished for pair in self.pairs)

    @property
    def unfinished_reporters(self) -> list[ReporterProgress]:
        return [reporter for reporter in self.reporters if not reporter.is_finished]

    @property
    def unassigned_unfinished(self) -> list[PairState]:
        return [pair for pair in self.unassigned if not pair.is_finished]


def quarter_completeness(plan: Plan, quarter: Quarter) -> QuarterCompleteness:
    """Every pair of the plan for the quarter and each active reporter's share of them, from
    the secretariat's overview (Completeness) and the plan's secretariat: seven queries
    however many reporters, assignments and reports there are."""
    overview = Completeness.load(plan, quarter)
    pairs, unassigned = [], []
    by_reporter: dict[Membership, list[PairState]] = defaultdict(list)
    for cell in overview.cells:
        pair = PairState(cell.activity, cell.area, cell.status)
        pairs.append(pair)
        for membership in cell.reporters:
            by_reporter[membership].append(pair)
        if not cell.reporters:
            unassigned.append(pair)
    secretariat = plan.memberships.filter(
        role=Role.SECRETARIAT, user__is_active=True
    ).select_related("user")
    return QuarterCompleteness(
        plan=plan,
        quarter=quarter,
        areas=overview.areas,
        pairs=pairs,
        reporters=[
            ReporterProgress(membership, covered)
            for membership, covered in sorted(
                by_reporter.items(), key=lambda item: item[0].user.get_username()
            )
        ],
        secretariat=list(secretariat.order_by("user__username")),
        unassigned=unassigned,
        overview=overview,
    )


def quarter_to_remind(plan: Plan, today: datetime.date) -> Quarter | None:
    """The last quarter that has ended by `today`, if it is one of the plan's."""
    quarter = Quarter.containing(today).previous()
    return quarter if quarter in plan.quarters() else None


def due_date(quarter: Quarter, days: int) -> datetime.date:
    """The day the quarter's reports are due, and reminders start."""
    return quarter.last_day + datetime.timedelta(days=days)


def absolute_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _deadline_context(completeness: QuarterCompleteness, deadline: datetime.date) -> dict:
    return {
        "plan": completeness.plan.name,
        "quarter": str(completeness.quarter),
        "quarter_end": date_format(completeness.quarter.last_day, "j. F Y"),
        "deadline": date_format(deadline, "j. F Y"),
    }


def reminder_message(
    reporter: ReporterProgress, completeness: QuarterCompleteness, *, deadline: datetime.date
) -> EmailMessage:
    """The reporter's e-mail listing their unfinished pairs per housing area."""
    plan, quarter = completeness.plan, completeness.quarter
    with translation.override(EMAIL_LANGUAGE):
        context = {
            **_deadline_context(completeness, deadline),
            "name": display_name(reporter.membership.user),
            "areas": group_by_area(reporter.unfinished, completeness.areas),
            "entry_url": absolute_url("activities:entry", plan=plan.slug, quarter=quarter.code),
        }
        subject = _("Reminder: your quarterly reports for %(quarter)s") % {"quarter": quarter}
        body = render_to_string("activities/email/reminder.txt", context)
    return EmailMessage(subject, body, to=[reporter.membership.user.email])


def summary_message(
    membership: Membership, completeness: QuarterCompleteness, *, deadline: datetime.date
) -> EmailMessage:
    """The secretariat's overview of the quarter: counts by status and who is not done."""
    plan, quarter = completeness.plan, completeness.quarter
    with translation.override(EMAIL_LANGUAGE):
        context = {
            **_deadline_context(completeness, deadline),
            "name": display_name(membership.user),
            "counts": [
                (capfirst(str(status.label)), completeness.counts[status]) for status in PairStatus
            ],
            "total": len(completeness.pairs),
            "reporters": [
                {
                    "name": display_name(reporter.membership.user),
                    "has_email": bool(reporter.membership.user.email),
                    "unfinished": len(reporter.unfinished),
                    "total": len(reporter.pairs),
                }
                for reporter in completeness.unfinished_reporters
            ],
            "unassigned": len(completeness.unassigned_unfinished),
            "completeness_url": absolute_url(
                "activities:completeness", plan=plan.slug, quarter=quarter.code
            ),
        }
        subject = _("Quarterly reports for %(quarter)s are not complete") % {"quarter": quarter}
        body = render_to_string("activities/email/secretariat_summary.txt", context)
    return EmailMessage(subject, body, to=[membership.user.email])


@dataclass
class Reminder:
    """One e-mail the run sent, would send (dry run) or could not send."""

    membership: Membership
    message: EmailMessage
    error: str = ""

    @property
    def is_summary(self) -> bool:
        return self.membership.role == Role.SECRETARIAT


@dataclass
class ReminderRun:
    plan: Plan
    quarter: Quarter
    sent: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)
    without_email: list[Membership] = field(default_factory=list)
    already_reminded: list[Membership] = field(default_factory=list)


def send_quarter_reminders(
    plan: Plan, quarter: Quarter, *, deadline: datetime.date, dry_run: bool = False
) -> ReminderRun:
    """Remind every reporter who has not finished the quarter, and send the secretariat a
    summary unless everything is in; each membership at most once per quarter.

    Each e-mail is sent inside the transaction that logs it: if sending fails, nothing is
    logged and the next run tries again; if another run logged it first, it is not sent.
    """
    completeness = quarter_completeness(plan, quarter)
    run = ReminderRun(plan, quarter)
    recipients = [
        (reporter.membership, reminder_message, reporter)
        for reporter in completeness.unfinished_reporters
    ]
    if not completeness.is_complete:
        recipients += [
            (membership, summary_message, membership) for membership in completeness.secretariat
        ]
    # A reminder the secretariat sent by hand does not stand in for the daily one, which
    # comes when the reports are due.
    reminded = set(
        QuarterReminder.objects.filter(
            membership__plan=plan, year=quarter.year, quarter=quarter.number, sent_by=None
        ).values_list("membership_id", flat=True)
    )
    for membership, build, about in recipients:
        if membership.pk in reminded:
            run.already_reminded.append(membership)
            continue
        if not membership.user.email:
            run.without_email.append(membership)
            continue
        reminder = Reminder(membership, build(about, completeness, deadline=deadline))
        if dry_run:
            run.sent.append(reminder)
            continue
        try:
            with transaction.atomic():
                QuarterReminder.objects.create(
                    membership=membership, year=quarter.year, quarter=quarter.number
                )
                reminder.message.send()
        except IntegrityError:
            run.already_reminded.append(membership)
        except (smtplib.SMTPException, OSError) as error:
            reminder.error = str(error)
            run.failed.append(reminder)
        else:
            run.sent.append(reminder)
    return run


class NothingToRemind(Exception):
    """A reminder that cannot be sent; the message says why, in Danish."""


def remind_now(
    plan: Plan, quarter: Quarter, membership: Membership, *, by, deadline: datetime.date
) -> QuarterReminder:
    """Send one reporter their reminder of the quarter now, from the secretariat's overview,
    and log it as the daily run logs its own, with who sent it. The e-mail is sent inside the
    transaction that logs it, so a failed send logs nothing."""
    completeness = quarter_completeness(plan, quarter)
    reporter = next(
        (each for each in completeness.reporters if each.membership.pk == membership.pk), None
    )
    if reporter is None or reporter.is_finished:
        raise NothingToRemind(
            _("%(name)s has nothing left to report for %(quarter)s.")
            % {"name": display_name(membership.user), "quarter": quarter}
        )
    if not membership.user.email:
        raise NothingToRemind(
            _("%(name)s has no e-mail address.") % {"name": display_name(membership.user)}
        )
    message = reminder_message(reporter, completeness, deadline=deadline)
    try:
        with transaction.atomic():
            reminder = QuarterReminder.objects.create(
                membership=membership, year=quarter.year, quarter=quarter.number, sent_by=by
            )
            message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise NothingToRemind(
            _("The e-mail could not be sent: %(error)s") % {"error": error}
        ) from error
    return reminder
