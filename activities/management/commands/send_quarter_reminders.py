"""Remind reporters of a quarter's unfinished reports and send the secretariat a summary.

Meant to run once a day from cron. Each reporter and each secretariat member gets at most one
e-mail per quarter, so running it again, or every day, sends nothing twice.
"""

import datetime

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.reminders import (
    ReminderRun,
    due_date,
    quarter_to_remind,
    send_quarter_reminders,
)

# The plans whose reporters are reminded, each in turn.
from agreements.models import Plan
from lib.commands import PlainCommand, whole_number
from lib.periods import Quarter


class Command(PlainCommand):
    help = (
        "E-mail each reporter who has not submitted the last ended quarter's reports, once "
        "the reports are due, and send the plan's secretariat a summary. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Only this plan (its short name); default all plans.")
        parser.add_argument(
            "--quarter",
            help="Remind about this quarter, e.g. 2018K1, instead of the last ended one.",
        )
        parser.add_argument(
            "--today", help="Act as if today were this date (YYYY-MM-DD); for backfills."
        )
        parser.add_argument(
            "--days",
            help="Days after the quarter's end before reports are due and reminders go out "
            "(default: the QUARTER_REMINDER_DAYS setting).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent (with -v 2, the e-mails too); send and record nothing.",
        )

    def handle(self, *args, plan, quarter, today, days, dry_run, **options):
        self.verbosity = options["verbosity"]
        with translation.override(settings.LANGUAGE_CODE):
            today = self.parse_today(today)
            days = whole_number(days, "--days")
            days = settings.QUARTER_REMINDER_DAYS if days is None else days
            if days < 0:
                raise CommandError(_("--days must be 0 or more."))
            chosen = self.parse_quarter(quarter)
            plans = self.choose_plans(plan, chosen)

            sent = failed = 0
            for each in plans:
                period = chosen or quarter_to_remind(each, today)
                if period is None:
                    self.note(
                        _("%(plan)s: no ended quarter of the plan to remind about.")
                        % {"plan": each.slug}
                    )
                    continue
                deadline = due_date(period, days)
                if today < deadline:
                    self.note(
                        _("%(plan)s: the reports for %(quarter)s are not due until %(date)s.")
                        % {"plan": each.slug, "quarter": period.code, "date": deadline.isoformat()}
                    )
                    continue
                run = send_quarter_reminders(each, period, deadline=deadline, dry_run=dry_run)
                self.report(run, dry_run=dry_run)
                sent += len(run.sent)
                failed += len(run.failed)

            if dry_run:
                total = ngettext(
                    "%(count)s e-mail would be sent.", "%(count)s e-mails would be sent.", sent
                )
            else:
                total = ngettext("%(count)s e-mail sent.", "%(count)s e-mails sent.", sent)
            self.stdout.write(total % {"count": sent})
            if failed:
                raise CommandError(
                    ngettext(
                        "%(count)s e-mail could not be sent; it will be tried again next run.",
                        "%(count)s e-mails could not be sent; they will be tried again next run.",
                        failed,
                    )
                    % {"count": failed}
                )

    def note(self, line: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(line)

    def report(self, run: ReminderRun, *, dry_run: bool) -> None:
        where = {"plan": run.plan.slug, "quarter": run.quarter.code}
        for reminder in run.sent:
            user = reminder.membership.user
            values = {**where, "user": user.get_username(), "email": user.email}
            if reminder.is_summary and dry_run:
                line = _("%(plan)s %(quarter)s: would send the summary to %(user)s <%(email)s>")
            elif reminder.is_summary:
                line = _("%(plan)s %(quarter)s: sent the summary to %(user)s <%(email)s>")
            elif dry_run:
                line = _("%(plan)s %(quarter)s: would remind %(user)s <%(email)s>")
            else:
                line = _("%(plan)s %(quarter)s: reminded %(user)s <%(email)s>")
            self.stdout.write(line % values)
            if dry_run and self.verbosity >= 2:
                self.stdout.write(f"{reminder.message.subject}\n\n{reminder.message.body}")
        for reminder in run.failed:
            user = reminder.membership.user
            self.stderr.write(
                _("%(plan)s %(quarter)s: could not e-mail %(user)s <%(email)s>: %(error)s")
                % {
                    **where,
                    "user": user.get_username(),
                    "email": user.email,
                    "error": reminder.error,
                }
            )
        for membership in run.without_email:
            self.stdout.write(
                _("%(plan)s %(quarter)s: %(user)s has no e-mail address and was not reminded.")
                % {**where, "user": membership.user.get_username()}
            )
        for membership in run.already_reminded:
            self.note(
                _("%(plan)s %(quarter)s: %(user)s was already reminded.")
                % {**where, "user": membership.user.get_username()}
            )

    def parse_today(self, value: str | None) -> datetime.date:
        if value is None:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("'%(value)s' is not a date; write it as YYYY-MM-DD.") % {"value": value}
            ) from None

    def parse_quarter(self, value: str | None) -> Quarter | None:
        if value is None:
            return None
        try:
            return Quarter.parse(value)
        except ValueError:
            raise CommandError(
                _("'%(value)s' is not a quarter; write it as 2018K1.") % {"value": value}
            ) from None

    def choose_plans(self, slug: str | None, quarter: Quarter | None) -> list[Plan]:
        """The plan named, or every plan; with a quarter given, the plans it belongs to."""
        if slug:
            try:
                plans = [Plan.objects.get(slug=slug)]
            except Plan.DoesNotExist:
                raise CommandError(
                    _("There is no plan with the short name '%(slug)s'.") % {"slug": slug}
                ) from None
        else:
            plans = list(Plan.objects.order_by("slug"))
        if quarter is None:
            return plans
        inside = [plan for plan in plans if quarter in plan.quarters()]
        if plans and not inside:
            raise CommandError(
                _("%(quarter)s is outside the plan period of %(plans)s.")
                % {"quarter": quarter.code, "plans": ", ".join(plan.slug for plan in plans)}
            )
        return inside
