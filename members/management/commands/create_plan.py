"""Start a new, empty plan and invite its first secretariat member by e-mail.

    create_plan --name NAME --slug SHORT-NAME --funding-period 2019-26
                --start 2019-01-01 --end 2022-12-31 --invite person@example.dk

The same as the superuser's page "Start a new plan" (members:new_plan), for an operator with a
shell and no superuser yet. Nothing is created when anything is refused, the e-mail included.
"""

from __future__ import annotations

import smtplib

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from lib.commands import PlainCommand
from members import services
from members.forms import NewPlanForm


class Command(PlainCommand):
    help = "Create an empty plan and send its first secretariat member an invitation by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The plan's name.")
        parser.add_argument("--slug", required=True, help="Its short name in addresses.")
        parser.add_argument(
            "--funding-period", required=True, help="The funding period's code, e.g. 2019-26."
        )
        parser.add_argument("--start", required=True, help="The start date, e.g. 2019-01-01.")
        parser.add_argument("--end", required=True, help="The end date, e.g. 2022-12-31.")
        parser.add_argument(
            "--invite", required=True, help="The e-mail address of the first secretariat member."
        )

    def handle(self, *args, name, slug, funding_period, start, end, invite, **options):
        form = NewPlanForm(
            {
                "name": name,
                "slug": slug,
                "funding_period": funding_period,
                "start_date": start,
                "end_date": end,
                "email": invite,
            }
        )
        if not form.is_valid():
            raise CommandError(" ".join(form.error_lines()))
        try:
            plan, invitation = services.start_plan(**form.cleaned_data, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(
                _("The e-mail could not be sent, so nothing was created: %(error)s")
                % {"error": error}
            ) from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                _("Created %(plan)s (%(slug)s); the invitation is sent to %(email)s.")
                % {"plan": plan.name, "slug": plan.slug, "email": invitation.email}
            )
