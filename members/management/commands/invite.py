"""Invite someone to a plan from the command line, as its secretariat does on the members page.

    invite SLUG person@example.dk [--role secretariat]

For the operator when a plan has lost its secretariat, or the first invitation went astray and
nobody can send it again from the page.
"""

from __future__ import annotations

import smtplib

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from agreements.commands import choose_plan
from agreements.models import Role
from lib.commands import PlainCommand
from members import services
from members.forms import InviteForm


class Command(PlainCommand):
    help = "Invite an e-mail address to a role in a plan; the invitation is sent by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The plan's short name.")
        parser.add_argument("email", help="The address to invite.")
        parser.add_argument(
            "--role", default=Role.SECRETARIAT, choices=Role.values, help="The role to give."
        )

    def handle(self, *args, slug, email, role, **options):
        plan = choose_plan(slug)
        form = InviteForm({"email": email, "role": role}, plan=plan)
        if not form.is_valid():
            raise CommandError(" ".join(message for _id, message in form.error_summary()))
        try:
            invitation = services.invite(
                plan=plan, email=form.cleaned_data["email"], role=role, by=None
            )
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(
                _("The e-mail could not be sent, so nothing was created: %(error)s")
                % {"error": error}
            ) from None
        if options["verbosity"] >= 1:
            self.stdout.write(
                _("The invitation to %(plan)s is sent to %(email)s.")
                % {"plan": plan.name, "email": invitation.email}
            )
