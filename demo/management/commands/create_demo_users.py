"""Demo users for trying Helhedsplan on a laptop: one per role and a coordinator per area.

They share one well-known password, so the command refuses to run with DEBUG off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

# The demo users' roles and reporting assignments are the apps' own rows (demo is above them).
from activities.models import Activity, ReportingAssignment

# Every app's commands pick their plan the same way (--plan, or the only one).
from agreements.commands import REAL_PLAN, choose_plan
from agreements.models import Membership, Plan, Role
from lib.commands import PlainCommand

DEMO_PASSWORD = "helhedsplan-demo"


class Command(PlainCommand):
    help = "Create demo users for a plan (development only: refuses to run with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", help=f"The plan's short name (default: the only plan, else {REAL_PLAN})."
        )

    def handle(self, *args, plan=None, **options):
        if not settings.DEBUG:
            raise CommandError(
                _("Demo users share a known password and are only created with DEBUG on.")
            )
        plan = choose_plan(plan, default=REAL_PLAN)
        with transaction.atomic():
            created = self.create_users(plan)
        self.stdout.write(f"Demo users for {plan} (password for all: {DEMO_PASSWORD}):")
        for username, description in created:
            self.stdout.write(f"  {username:<26} {description}")

    def create_users(self, plan: Plan) -> list[tuple[str, str]]:
        created = []

        def user(username: str, first_name: str, role: str, description: str) -> Membership:
            account, _ = get_user_model().objects.update_or_create(
                username=username,
                defaults={"first_name": first_name, "last_name": "(demo)", "is_active": True},
            )
            account.set_password(DEMO_PASSWORD)
            account.save()
            membership, _ = Membership.objects.update_or_create(
                user=account, plan=plan, defaults={"role": role}
            )
            created.append((username, description))
            return membership

        user("sekretariat", "Sekretariatet", Role.SECRETARIAT, "Sekretariat")
        user("bestyrelse", "Bestyrelsesmedlem", Role.BOARD, "Bestyrelse")
        user("lbf", "Landsbyggefonden", Role.LBF, "Landsbyggefonden")
        for plan_area in plan.plan_areas.select_related("area"):
            area = plan_area.area
            membership = user(
                f"koordinator-{area.code}",
                f"Koordinator {area.label}",
                Role.COORDINATOR,
                f"Koordinator for {area.name}",
            )
            ReportingAssignment.objects.get_or_create(membership=membership, area=area)
        municipal = user(
            "kommune",
            "Kommunal medarbejder",
            Role.COORDINATOR,
            "Indberetter kommunens aktiviteter",
        )
        for activity in Activity.objects.filter(
            subagreement__plan=plan, municipality_responsible=True
        ):
            ReportingAssignment.objects.get_or_create(membership=municipal, activity=activity)
        return created
