"""Demo users exist only in development, one per role and a coordinator per area."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from activities.models import ReportingAssignment
from agreements.models import Membership
from demo.management.commands.create_demo_users import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_refuses_to_create_demo_users_with_debug_off(settings, plan):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="oprettes kun med DEBUG slået til"):
        call_command("create_demo_users")
    assert not Membership.objects.exists()


def test_it_creates_one_user_per_role_and_a_coordinator_per_area(settings, plan, capsys):
    settings.DEBUG = True
    call_command("create_demo_users")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "sekretariat": "secretariat",
        "bestyrelse": "board",
        "lbf": "lbf",
        "koordinator-motalavej": "coordinator",
        "koordinator-ringparken": "coordinator",
        "koordinator-sydbyen": "coordinator",
        "koordinator-skaelskoer": "coordinator",
        "kommune": "coordinator",
    }
    assert User.objects.get(username="sekretariat").check_password(DEMO_PASSWORD)
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "koordinator-sydbyen" in out
    assigned_areas = ReportingAssignment.objects.filter(
        membership__user__username="koordinator-sydbyen"
    )
    assert [a.area.code for a in assigned_areas] == ["sydbyen"]
    municipal = ReportingAssignment.objects.filter(membership__user__username="kommune")
    assert municipal.count() == 5
    assert all(a.activity.municipality_responsible for a in municipal)


def test_running_it_twice_changes_nothing(settings, plan):
    settings.DEBUG = True
    call_command("create_demo_users")
    counts = (Membership.objects.count(), ReportingAssignment.objects.count())
    call_command("create_demo_users")
    assert (Membership.objects.count(), ReportingAssignment.objects.count()) == counts
