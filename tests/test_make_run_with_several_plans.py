"""`make run` serves whatever else the database holds: with a second plan beside the real one,
every command the Makefile runs before the server succeeds and acts on the real plan only."""

import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from activities.models import QuarterlyCount
from agreements.models import Membership, Plan

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def commands_before_the_server() -> list[list[str]]:
    """The manage.py commands of the Makefile's `run` target, in order, without runserver."""
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    commands = [
        shlex.split(line.strip().removeprefix("$(MANAGE)"))
        for line in recipe.splitlines()[1:]
        if line.strip().startswith("$(MANAGE)")
    ]
    assert commands[-1][0] == "runserver"
    return commands[:-1]


def test_the_run_target_prepares_the_real_plan_beside_another(settings, plan, make_plan):
    settings.DEBUG = True
    other = make_plan("anden-plan")
    commands = commands_before_the_server()
    assert [command[0] for command in commands] == [
        "migrate",
        "load_plan",
        "load_demo_data",
        "create_demo_users",
    ]

    for command in commands:
        call_command(*command, stdout=StringIO())

    assert Plan.objects.get(pk=plan.pk).has_demo_data
    assert not Plan.objects.get(pk=other.pk).has_demo_data
    assert QuarterlyCount.objects.filter(metric__activity__subagreement__plan=plan).exists()
    assert not QuarterlyCount.objects.filter(metric__activity__subagreement__plan=other).exists()
    assert set(Membership.objects.values_list("plan__slug", flat=True)) == {plan.slug}


def test_a_demo_command_names_the_plans_when_the_real_one_is_missing(settings, plan, make_plan):
    settings.DEBUG = True
    Plan.objects.filter(pk=plan.pk).update(slug="gammel-plan")
    make_plan("anden-plan")
    for command in ("load_demo_data", "create_demo_users"):
        with pytest.raises(CommandError) as refusal:
            call_command(command, stdout=StringIO())
        assert "\n" not in str(refusal.value)
        assert "anden-plan, gammel-plan" in str(refusal.value)


def test_a_demo_command_still_takes_the_plan_it_is_given(settings, plan, make_plan):
    settings.DEBUG = True
    other = make_plan("anden-plan")
    call_command("create_demo_users", plan="anden-plan", stdout=StringIO())
    assert set(Membership.objects.values_list("plan__slug", flat=True)) == {other.slug}
