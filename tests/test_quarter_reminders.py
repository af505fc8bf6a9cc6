"""`manage.py send_quarter_reminders` reminds reporters of unfinished quarterly reports once,
in Danish, and sends the secretariat a summary."""

import re
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from activities.models import Activity, PairStatus, QuarterReminder, QuarterReport
from activities.reminders import quarter_completeness
from agreements.models import HousingArea, Role
from lib.periods import Quarter

pytestmark = pytest.mark.django_db

Q1_2018 = Quarter(2018, 1)
# 14 days (the default) after 31 March 2018.
DUE = "2018-04-14"
SITE = "https://helhedsplan.example.dk"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.QUARTER_REMINDER_DAYS = 14


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_quarter_reminders", *args, stdout=out)
    return out.getvalue()


def area(code: str) -> HousingArea:
    return HousingArea.objects.get(code=code)


def secretariat_pairs(plan, area_code: str) -> list[Activity]:
    """The activities a coordinator for this area reports: those the secretariat runs there."""
    return list(
        Activity.objects.filter(
            subagreement__plan=plan, areas__code=area_code, municipality_responsible=False
        )
    )


def report(activity, area, status, quarter=Q1_2018) -> QuarterReport:
    now = timezone.now()
    return QuarterReport.objects.create(
        activity=activity,
        area=area,
        year=quarter.year,
        quarter=quarter.number,
        status=status,
        submitted_at=now if status != "draft" else None,
        approved_at=now if status == "approved" else None,
    )


@pytest.fixture
def motalavej(make_user, plan):
    return make_user(
        "koordinator-motalavej",
        Role.COORDINATOR,
        plan,
        areas=[area("motalavej")],
        email="motalavej@example.dk",
        first_name="Mette",
        last_name="Madsen",
    )


@pytest.fixture
def kompetencechef(make_user, plan):
    return make_user("kompetencechef", Role.SECRETARIAT, plan, email="chef@example.dk")


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_a_reporter_with_missing_reports_gets_one_email_in_danish(plan, motalavej):
    activities = secretariat_pairs(plan, "motalavej")
    draft = activities[0]
    report(draft, area("motalavej"), "draft")

    with translation.override("en"):
        run("--today", DUE)

    [message] = mail.outbox
    assert message.to == ["motalavej@example.dk"]
    assert "1. kvartal 2018" in message.subject
    body = message.body
    assert "Mette Madsen" in body
    assert "Motalavej:" in body
    assert "31. marts 2018" in body
    assert "14. april 2018" in body
    for activity in activities:
        assert f"  - {activity.name} (" in body
    with translation.override("da"):
        assert f"{draft.name} ({PairStatus.DRAFT.label})" in body
    assert "Værested og klub" not in body  # run by the municipality, not by this coordinator
    entry = reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": "2018K1"})
    assert f"{SITE}{entry}" in body
    assert QuarterReminder.objects.filter(membership__user=motalavej, year=2018, quarter=1).exists()


def test_a_reporter_whose_reports_are_all_submitted_or_approved_gets_none(plan, motalavej):
    for position, activity in enumerate(secretariat_pairs(plan, "motalavej")):
        report(activity, area("motalavej"), "approved" if position % 2 else "submitted")

    run("--today", DUE)

    assert sent_to("motalavej@example.dk") == []
    assert not QuarterReminder.objects.filter(membership__user=motalavej).exists()


def test_running_twice_sends_nothing_the_second_time(plan, motalavej, kompetencechef):
    run("--today", DUE)
    assert len(mail.outbox) == 2
    assert QuarterReminder.objects.count() == 2

    run("--today", "2018-04-15")

    assert len(mail.outbox) == 2
    assert QuarterReminder.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "sends"),
    [
        (["--today", "2018-04-13"], False),
        (["--today", "2018-04-14"], True),
        (["--today", "2018-04-01", "--days", "0"], True),
        (["--today", "2018-04-20", "--days", "30"], False),
    ],
)
def test_nothing_is_sent_before_the_reports_are_due(plan, motalavej, args, sends):
    run(*args)

    assert bool(mail.outbox) == sends
    assert QuarterReminder.objects.exists() == sends


def test_the_setting_decides_when_reports_are_due(plan, motalavej, settings):
    settings.QUARTER_REMINDER_DAYS = 30

    run("--today", DUE)
    assert mail.outbox == []

    run("--today", "2018-04-30")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("today", "quarter"),
    [("2018-07-14", "2. kvartal 2018"), ("2021-10-14", "3. kvartal 2021")],
)
def test_it_reminds_about_the_last_ended_quarter(plan, motalavej, today, quarter):
    run("--today", today)

    [message] = mail.outbox
    assert quarter in message.subject


@pytest.mark.parametrize("today", ["2017-10-20", "2022-01-20"])
def test_nothing_is_sent_when_the_last_ended_quarter_is_outside_the_plan(plan, motalavej, today):
    run("--today", today)

    assert mail.outbox == []


def test_a_quarter_can_be_chosen(plan, motalavej):
    run("--quarter", "2019K3", "--plan", plan.slug, "--today", "2020-06-01")

    [message] = mail.outbox
    assert "3. kvartal 2019" in message.subject
    assert QuarterReminder.objects.get().quarter == 3


def test_the_secretariat_gets_a_summary_with_the_counts(
    plan, motalavej, coordinator_sydbyen, kompetencechef
):
    motalavej_activities = secretariat_pairs(plan, "motalavej")
    report(motalavej_activities[0], area("motalavej"), "draft")
    report(motalavej_activities[1], area("motalavej"), "submitted")
    for activity in secretariat_pairs(plan, "sydbyen"):
        report(activity, area("sydbyen"), "approved")
    ringparken = secretariat_pairs(plan, "ringparken")[0]
    report(ringparken, area("ringparken"), "submitted")
    completeness = quarter_completeness(plan, Q1_2018)
    total = len(completeness.pairs)
    approved = len(secretariat_pairs(plan, "sydbyen"))

    run("--today", DUE)

    [summary] = sent_to("chef@example.dk")
    assert "1. kvartal 2018" in summary.subject
    expected = {
        PairStatus.MISSING: total - 1 - 2 - approved,
        PairStatus.DRAFT: 1,
        PairStatus.SUBMITTED: 2,
        PairStatus.APPROVED: approved,
    }
    with translation.override("da"):
        for status, count in expected.items():
            assert f"\n{capfirst(str(status.label))}: {count}\n" in summary.body
    assert re.search(rf"\b{total}\b", summary.body)
    assert "Mette Madsen" in summary.body  # not finished
    assert "koordinator-sydbyen" not in summary.body  # finished
    overview = reverse("activities:completeness", kwargs={"plan": plan.slug, "quarter": "2018K1"})
    assert f"{SITE}{overview}" in summary.body
    assert QuarterReminder.objects.filter(membership__user=kompetencechef).exists()


def test_the_summary_marks_reporters_without_an_email_address(
    plan, motalavej, coordinator_sydbyen, kompetencechef
):
    run("--today", DUE)

    [summary] = sent_to("chef@example.dk")
    lines = summary.body.splitlines()
    # Both have six pairs, none submitted; only the one without an address is marked.
    [with_address] = [line for line in lines if line.startswith("  - Mette Madsen: ")]
    [without_address] = [line for line in lines if line.startswith("  - koordinator-sydbyen: ")]
    counts = with_address.removeprefix("  - Mette Madsen")
    marked = without_address.removeprefix("  - koordinator-sydbyen")
    assert marked.startswith(counts + " ")
    assert "motalavej@example.dk" in [address for m in mail.outbox for address in m.to]


def test_no_summary_is_sent_when_every_report_is_in(plan, kompetencechef):
    for activity, housing_area in Activity.objects.in_plan(plan).pairs():
        report(activity, housing_area, "submitted")

    run("--today", DUE)

    assert mail.outbox == []
    assert not QuarterReminder.objects.exists()


def test_a_dry_run_sends_and_records_nothing(plan, motalavej, kompetencechef):
    out = run("--today", DUE, "--dry-run")

    assert mail.outbox == []
    assert not QuarterReminder.objects.exists()
    assert "motalavej@example.dk" in out
    assert "chef@example.dk" in out
    assert re.search(r"\b2\b", out.splitlines()[-1])


def test_it_prints_a_line_per_email_and_a_count(plan, motalavej, kompetencechef):
    out = run("--today", DUE)

    lines = out.splitlines()
    assert len(lines) == 3
    assert any("motalavej@example.dk" in line for line in lines)
    assert any("chef@example.dk" in line for line in lines)
    assert re.search(r"\b2\b", lines[-1])


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server hung up")


def test_an_email_that_cannot_be_sent_is_not_recorded_and_is_tried_again(plan, motalavej, settings):
    settings.EMAIL_BACKEND = "tests.test_quarter_reminders.FailingBackend"

    with pytest.raises(CommandError):
        run("--today", DUE)
    assert not QuarterReminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run("--today", "2018-04-15")
    assert [message.to for message in mail.outbox] == [["motalavej@example.dk"]]
    assert QuarterReminder.objects.count() == 1


def test_a_user_without_an_email_address_is_reported_not_crashed_on(
    plan, motalavej, coordinator_sydbyen
):
    out = run("--today", DUE)

    assert [message.to for message in mail.outbox] == [["motalavej@example.dk"]]
    assert "koordinator-sydbyen" in out
    assert not QuarterReminder.objects.filter(membership__user=coordinator_sydbyen).exists()


def test_inactive_users_are_not_reminded(plan, motalavej):
    motalavej.is_active = False
    motalavej.save()

    run("--today", DUE)

    assert mail.outbox == []


@pytest.mark.parametrize(
    "args",
    [
        ["--plan", "ingen-saadan-plan"],
        ["--quarter", "2018K5"],
        ["--quarter", "første kvartal"],
        ["--quarter", "2016K4"],
        ["--quarter", "2021K4", "--plan", "slagelse-2017-2021"],
        ["--today", "2018-13-01"],
        ["--today", "i morgen"],
        ["--days", "-1"],
    ],
)
def test_bad_arguments_stop_it_with_a_plain_message(plan, motalavej, args):
    with pytest.raises(CommandError):
        run("--today", DUE, *args)

    assert mail.outbox == []


def test_completeness_assigns_each_reporter_their_pairs(plan, motalavej, make_user):
    municipal = make_user(
        "kommune",
        Role.COORDINATOR,
        plan,
        activities=list(
            Activity.objects.filter(subagreement__plan=plan, municipality_responsible=True)
        ),
    )

    completeness = quarter_completeness(plan, Q1_2018)

    by_user = {reporter.membership.user: reporter for reporter in completeness.reporters}
    assert {(pair.activity, pair.area.code) for pair in by_user[motalavej].pairs} == {
        (activity, "motalavej") for activity in secretariat_pairs(plan, "motalavej")
    }
    assert all(pair.activity.municipality_responsible for pair in by_user[municipal].pairs)
    assigned = {pair for reporter in completeness.reporters for pair in reporter.pairs}
    assert assigned.isdisjoint(completeness.unassigned)
    assert len(assigned) + len(completeness.unassigned) == len(completeness.pairs)
    assert completeness.counts[PairStatus.MISSING] == len(completeness.pairs)


@pytest.mark.parametrize("reporters", [1, 10])
def test_completeness_takes_the_same_queries_however_many_reporters(
    plan, make_user, django_assert_num_queries, reporters
):
    areas = list(HousingArea.objects.filter(plan_areas__plan=plan))
    for number in range(reporters):
        make_user(f"koordinator-{number}", Role.COORDINATOR, plan, areas=areas)
    for activity, housing_area in Activity.objects.in_plan(plan).pairs()[: 3 * reporters]:
        report(activity, housing_area, "draft")

    with django_assert_num_queries(7):
        completeness = quarter_completeness(plan, Q1_2018)
        assert len(completeness.unfinished_reporters) == reporters


def remind_page(plan, quarter=Q1_2018) -> str:
    return reverse("activities:completeness", args=[plan.slug, quarter.code])


def test_the_secretariat_reminds_one_reporter_now_and_it_is_logged(
    client, plan, motalavej, kompetencechef
):
    client.force_login(kompetencechef)
    page = client.get(remind_page(plan)).content.decode()
    assert "Indberettere, der ikke er færdige" in page
    membership = motalavej.memberships.get(plan=plan)
    remind = reverse("activities:remind", args=[plan.slug, Q1_2018.code, membership.pk])
    assert remind in page

    response = client.post(remind, follow=True)
    assert "Der er sendt en påmindelse til Mette Madsen." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["motalavej@example.dk"]
    assert "1. kvartal 2018" in message.subject
    [logged] = QuarterReminder.objects.filter(membership=membership)
    assert logged.sent_by == kompetencechef
    assert "påmindet" in client.get(remind_page(plan)).content.decode()

    # By hand as often as the secretariat judges right, and the daily reminder still comes
    # when the reports are due.
    client.post(remind)
    assert len(sent_to("motalavej@example.dk")) == 2
    run("--today", "2018-04-20", "--plan", plan.slug)
    assert len(sent_to("motalavej@example.dk")) == 3
    assert QuarterReminder.objects.filter(membership=membership, sent_by=None).count() == 1


def test_a_reporter_who_is_done_is_not_reminded(client, plan, motalavej, kompetencechef):
    for activity in secretariat_pairs(plan, "motalavej"):
        report(activity, area("motalavej"), "submitted")
    client.force_login(kompetencechef)
    membership = motalavej.memberships.get(plan=plan)
    remind = reverse("activities:remind", args=[plan.slug, Q1_2018.code, membership.pk])
    response = client.post(remind, follow=True)
    assert "Mette Madsen har ikke mere at indberette for 1. kvartal 2018." in (
        response.content.decode()
    )
    assert mail.outbox == []
    assert not QuarterReminder.objects.exists()


def test_a_reminder_that_cannot_be_sent_is_not_logged(
    client, plan, motalavej, kompetencechef, settings
):
    settings.EMAIL_BACKEND = "tests.test_quarter_reminders.FailingBackend"
    client.force_login(kompetencechef)
    membership = motalavej.memberships.get(plan=plan)
    remind = reverse("activities:remind", args=[plan.slug, Q1_2018.code, membership.pk])
    response = client.post(remind, follow=True)
    assert "E-mailen kunne ikke sendes" in response.content.decode()
    assert not QuarterReminder.objects.exists()
