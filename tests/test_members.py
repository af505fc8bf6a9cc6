"""A plan's own secretariat invites, changes and removes its members, without a superuser; the
operator starts a plan and invites its first secretariat member, by page or command."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ReportingAssignment
from agreements.models import FundingPeriod, HousingArea, Membership, Plan, Role
from members import services
from members.models import Invitation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kaffe-og-kringle-42"


def link_in(message) -> str:
    """The path of the invitation link in an e-mail."""
    return re.search(r"https?://[^/\s]+(/invitation/\S+/)", message.body).group(1)


def invite(client, plan, **data):
    return client.post(reverse("members:invite", args=[plan.slug]), data)


@pytest.fixture
def motalavej():
    return HousingArea.objects.get(code="motalavej")


@pytest.fixture
def other_plan(make_plan):
    return make_plan("andet-sted")


@pytest.fixture
def invited(client, plan, secretariat, motalavej):
    """A coordinator for Motalavej, invited by the secretariat; the link's path."""
    client.force_login(secretariat)
    response = invite(
        client, plan, email="Ny.Koordinator@Kommune.dk", role="coordinator", areas=[motalavej.pk]
    )
    assert response.status_code == 302
    client.logout()
    return link_in(mail.outbox[-1])


def test_the_secretariat_invites_a_coordinator_by_a_danish_email(
    client, plan, secretariat, motalavej
):
    client.force_login(secretariat)
    page = client.get(reverse("members:invite", args=[plan.slug]))
    assert page.status_code == 200
    # The page says how long the link works as long as it does, in the lead and at the field.
    said = f"i {Invitation.VALID_DAYS} dage"
    assert page.content.decode().count(said) == 2
    response = invite(client, plan, email="ny@kommune.dk", role="coordinator", areas=[motalavej.pk])
    assert response.status_code == 302
    assert response["Location"] == reverse("members:members", args=[plan.slug])
    [message] = mail.outbox
    assert message.to == ["ny@kommune.dk"]
    assert message.subject == f"Invitation til {plan.name} i Helhedsplan"
    assert "med rollen Koordinator" in message.body
    assert "Linket virker én gang" in message.body
    invitation = plan.invitations.get()
    assert list(invitation.areas.all()) == [motalavej]
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(
        days=Invitation.VALID_DAYS
    )
    # Only a digest of the link is kept: the link cannot be read back from the database.
    token = link_in(message).split("/")[-2]
    assert token not in invitation.token_digest
    page = client.get(reverse("members:members", args=[plan.slug]))
    assert "ny@kommune.dk" in page.content.decode()


def test_accepting_sets_a_password_logs_in_and_gives_the_role_and_areas(
    client, plan, invited, motalavej
):
    page = client.get(invited)
    assert page.status_code == 200
    assert "Vælg din adgangskode" in page.content.decode()
    response = client.post(
        invited,
        {
            "first_name": "Nina",
            "last_name": "Nielsen",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = get_user_model().objects.get(username="ny.koordinator@kommune.dk")
    assert user.get_full_name() == "Nina Nielsen" and user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user, plan=plan)
    assert membership.role == Role.COORDINATOR
    assert [(a.area, a.activity) for a in membership.assignments.all()] == [(motalavej, None)]
    assert client.get(reverse("activities:entry_start", args=[plan.slug])).status_code == 302
    # The link worked once.
    client.logout()
    again = client.get(invited)
    assert again.status_code == 410
    assert "Invitationen er allerede taget imod" in again.content.decode()


def test_a_weak_password_is_refused_in_danish_at_the_field(client, invited):
    response = client.post(
        invited,
        {"first_name": "Nina", "last_name": "Nielsen", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Denne adgangskode er for kort" in text
    assert 'id="id_password1-error"' in text and 'href="#id_password1"' in text
    assert not Membership.objects.filter(user__username="ny.koordinator@kommune.dk").exists()


def test_an_expired_link_says_so_and_a_tampered_one_is_not_found(client, plan, invited):
    Invitation.objects.update(
        sent_at=timezone.now() - datetime.timedelta(days=15),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    expired = client.get(invited)
    assert expired.status_code == 410
    assert "Invitationen udløb" in expired.content.decode()
    assert f"Bed sekretariatet for {plan.name}" in expired.content.decode()
    tampered = invited[:-2] + ("A" if invited[-2] != "A" else "B") + "/"
    response = client.get(tampered)
    assert response.status_code == 404
    assert "Invitationslinket er ikke gyldigt" in response.content.decode()


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    client, plan, secretariat, invited
):
    invitation = plan.invitations.get()
    client.force_login(secretariat)
    response = client.post(reverse("members:resend", args=[plan.slug, invitation.pk]))
    assert response.status_code == 302
    new_link = link_in(mail.outbox[-1])
    assert new_link != invited
    client.logout()
    assert client.get(invited).status_code == 404
    assert client.get(new_link).status_code == 200


def test_a_revoked_invitation_no_longer_works(client, plan, secretariat, invited):
    invitation = plan.invitations.get()
    client.force_login(secretariat)
    client.post(reverse("members:revoke", args=[plan.slug, invitation.pk]))
    client.logout()
    response = client.get(invited)
    assert response.status_code == 410
    assert "Sekretariatet har trukket invitationen tilbage" in response.content.decode()


def test_someone_with_a_user_elsewhere_logs_in_as_it_to_accept(
    client, plan, secretariat, other_plan, make_user
):
    elsewhere = make_user("anne", Role.SECRETARIAT, other_plan, email="anne@kommune.dk")
    client.force_login(secretariat)
    invite(client, plan, email="Anne@Kommune.dk", role="board")
    client.logout()
    link = link_in(mail.outbox[-1])
    page = client.get(link)
    assert page.status_code == 200
    assert "Du har allerede en bruger i Helhedsplan" in page.content.decode()
    # Nobody can make a second user for the address, nor accept without logging in.
    assert client.post(link, {"first_name": "X", "last_name": "Y"}).status_code == 403
    client.force_login(secretariat)
    assert client.post(link).status_code == 403
    client.force_login(elsewhere)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=elsewhere, plan=plan).role == Role.BOARD
    assert Membership.objects.get(user=elsewhere, plan=other_plan).role == Role.SECRETARIAT
    assert get_user_model().objects.filter(email__iexact="anne@kommune.dk").count() == 1


def test_the_secretariat_cannot_tell_whether_an_address_has_a_user_elsewhere(
    client, plan, secretariat, other_plan, make_user
):
    make_user("anne", Role.SECRETARIAT, other_plan, email="anne@kommune.dk")
    client.force_login(secretariat)
    known = invite(client, plan, email="anne@kommune.dk", role="board")
    unknown = invite(client, plan, email="bo@kommune.dk", role="board")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page = client.get(reverse("members:members", args=[plan.slug])).content.decode()
    assert "anne" not in page.replace("anne@kommune.dk", "")
    assert other_plan.name not in page
    first, second = (re.sub(r"https?://\S+", "", message.body) for message in mail.outbox)
    assert first == second


def test_a_logged_in_user_is_not_given_a_new_users_invitation(client, invited, board_member):
    client.force_login(board_member)
    page = client.get(invited)
    assert "log først ud" in page.content.decode()
    assert client.post(invited, {"first_name": "X", "last_name": "Y"}).status_code == 403
    assert not Membership.objects.filter(user=board_member, role=Role.COORDINATOR).exists()


def test_the_invite_form_offers_only_the_plans_own_areas_and_says_what_is_wrong(
    client, plan, secretariat, other_plan, board_member
):
    client.force_login(secretariat)
    other_area = HousingArea.objects.get(code="andet-omraade")
    response = invite(client, plan, email="x@kommune.dk", role="coordinator", areas=[other_area.pk])
    assert response.status_code == 400
    assert "Vælg blandt planens boligområder" in response.content.decode()
    page = client.get(reverse("members:invite", args=[plan.slug])).content.decode()
    assert other_area.name not in page
    activity = Activity.objects.filter(subagreement__plan=plan).first()
    response = invite(client, plan, email="x@kommune.dk", role="board", activities=[activity.pk])
    assert "Kun koordinatorer indberetter" in response.content.decode()
    invite(client, plan, email="x@kommune.dk", role="board")
    again = invite(client, plan, email="X@kommune.dk", role="board")
    assert "har allerede en invitation" in again.content.decode()
    assert not mail.outbox[1:]
    response = invite(client, plan, email="nope", role="board")
    assert "Skriv en hel e-mailadresse" in response.content.decode()


def test_the_members_page_shows_only_the_plans_own_people(
    client, plan, secretariat, board_member, other_plan, make_user
):
    stranger = make_user("fremmed", Role.SECRETARIAT, other_plan, first_name="Fremmede")
    client.force_login(secretariat)
    page = client.get(reverse("members:members", args=[plan.slug])).content.decode()
    assert "bestyrelse" in page and "Fremmede" not in page
    stranger_membership = stranger.memberships.get()
    for name in ("members:member", "members:remove"):
        url = reverse(name, args=[plan.slug, stranger_membership.pk])
        assert client.get(url).status_code == 404
    client.force_login(board_member)
    assert client.get(reverse("members:members", args=[plan.slug])).status_code == 403


def test_the_members_page_asks_the_same_number_of_queries_for_ten_times_the_people(
    client, plan, secretariat, make_user, motalavej, django_assert_num_queries
):
    client.force_login(secretariat)
    url = reverse("members:members", args=[plan.slug])

    def grow(start: int, count: int) -> None:
        for number in range(start, start + count):
            make_user(f"k{number}", Role.COORDINATOR, plan, areas=[motalavej])
            services.invite(plan=plan, email=f"p{number}@kommune.dk", role="board", by=secretariat)

    grow(0, 1)
    # Savepoint and its release, session, user, plan with role, memberships, assignments,
    # invitations, their areas and activities, and the base template's demo-data check.
    client.get(url)
    with django_assert_num_queries(10) as small:
        client.get(url)
    grow(1, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_secretariat_changes_a_role_and_assignments(
    client, plan, secretariat, board_member, motalavej
):
    client.force_login(secretariat)
    membership = board_member.memberships.get()
    url = reverse("members:member", args=[plan.slug, membership.pk])
    assert client.get(url).status_code == 200
    activity = Activity.objects.filter(subagreement__plan=plan).first()
    response = client.post(
        url, {"role": "coordinator", "areas": [motalavej.pk], "activities": [activity.pk]}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.COORDINATOR
    assert {(a.area_id, a.activity_id) for a in membership.assignments.all()} == {
        (motalavej.pk, None),
        (None, activity.pk),
    }
    client.post(url, {"role": "board"})
    membership.refresh_from_db()
    assert membership.role == Role.BOARD
    assert not ReportingAssignment.objects.filter(membership=membership).exists()


def test_removing_asks_first_and_never_takes_the_last_secretariat(
    client, plan, secretariat, board_member
):
    client.force_login(secretariat)
    membership = board_member.memberships.get()
    url = reverse("members:remove", args=[plan.slug, membership.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "mister rollen" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(pk=board_member.pk).exists()

    own = secretariat.memberships.get(plan=plan)
    assert not plan.memberships.filter(role=Role.SECRETARIAT).exclude(pk=own.pk).exists()
    response = client.post(reverse("members:remove", args=[plan.slug, own.pk]), follow=True)
    assert "sidste medlem af sekretariatet" in response.content.decode()
    response = client.post(reverse("members:member", args=[plan.slug, own.pk]), {"role": "board"})
    assert response.status_code == 400
    assert Membership.objects.get(pk=own.pk).role == Role.SECRETARIAT


def test_a_secretariat_member_may_leave_when_another_remains(client, plan, secretariat, make_user):
    make_user("kollega", Role.SECRETARIAT, plan)
    client.force_login(secretariat)
    own = secretariat.memberships.get(plan=plan)
    response = client.post(reverse("members:remove", args=[plan.slug, own.pk]))
    assert response["Location"] == reverse("plans")


def test_the_operator_starts_a_plan_on_a_page_only_superusers_reach(client, superuser, secretariat):
    url = reverse("members:new_plan")
    data = {
        "name": "Helhedsplan for Nørrebro Nord",
        "slug": "noerrebro-nord",
        "funding_period": "2019-26",
        "start_date": "01.01.2019",
        "end_date": "31.12.2022",
        "email": "leder@kommune.dk",
    }
    client.force_login(secretariat)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    wrong = client.post(url, {**data, "slug": "Kort navn", "end_date": "2018-01-01"})
    assert wrong.status_code == 400
    assert "Brug kun små bogstaver a-z" in wrong.content.decode()
    wrong = client.post(url, {**data, "end_date": "31.12.2018"})
    assert wrong.status_code == 400
    assert not Plan.objects.filter(slug="noerrebro-nord").exists()
    response = client.post(url, data)
    assert response["Location"] == reverse("members:members", args=["noerrebro-nord"])
    plan = Plan.objects.get(slug="noerrebro-nord")
    assert plan.funding_period == FundingPeriod.objects.get(code="2019-26")
    [invitation] = plan.invitations.all()
    assert (invitation.email, invitation.role) == ("leder@kommune.dk", Role.SECRETARIAT)
    assert mail.outbox[-1].to == ["leder@kommune.dk"]


def test_the_first_secretariat_member_starts_from_the_command_and_invites_the_next(client):
    call_command(
        "create_plan",
        "--name=Helhedsplan for Nørrebro Nord",
        "--slug=noerrebro-nord",
        "--funding-period=2019-26",
        "--start=2019-01-01",
        "--end=2022-12-31",
        "--invite=leder@kommune.dk",
        verbosity=0,
    )
    plan = Plan.objects.get(slug="noerrebro-nord")
    client.post(
        link_in(mail.outbox[-1]),
        {
            "first_name": "Lene",
            "last_name": "Leder",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    leader = get_user_model().objects.get(username="leder@kommune.dk")
    assert leader.memberships.get().role == Role.SECRETARIAT and not leader.is_staff
    assert client.get(reverse("members:members", args=[plan.slug])).status_code == 200
    assert invite(client, plan, email="kollega@kommune.dk", role="secretariat").status_code == 302


def test_the_command_refuses_plainly_and_creates_nothing(db):
    with pytest.raises(CommandError, match="Skriv datoen som dag.måned.år"):
        call_command(
            "create_plan",
            "--name=Ny plan",
            "--slug=ny-plan",
            "--funding-period=2019-26",
            "--start=2019-13-01",
            "--end=2022-12-31",
            "--invite=leder@kommune.dk",
        )
    with pytest.raises(CommandError, match="Slutdatoen skal ligge efter startdatoen"):
        call_command(
            "create_plan",
            "--name=Ny plan",
            "--slug=ny-plan",
            "--funding-period=2019-26",
            "--start=2022-01-01",
            "--end=2019-12-31",
            "--invite=leder@kommune.dk",
        )
    assert not Plan.objects.filter(slug="ny-plan").exists()
    assert mail.outbox == []


def test_the_database_keeps_one_pending_invitation_per_address_and_plan(plan, secretariat):
    services.invite(plan=plan, email="a@kommune.dk", role="board", by=secretariat)
    with pytest.raises(ValidationError, match="har allerede en invitation"):
        services.invite(plan=plan, email="A@kommune.dk", role="lbf", by=secretariat)


def test_a_link_is_used_once_even_when_two_clicks_race(plan, secretariat):
    invitation = services.invite(plan=plan, email="a@kommune.dk", role="board", by=secretariat)
    services.accept(invitation, password=NEW_PASSWORD)
    with pytest.raises(services.InvitationGone):
        services.accept(invitation, password=NEW_PASSWORD)
    assert get_user_model().objects.filter(username="a@kommune.dk").count() == 1


def test_where_people_log_in_through_their_organisation_no_password_is_chosen(
    client, settings, invited
):
    settings.LOCAL_LOGIN = False
    page = client.get(invited).content.decode()
    assert "password1" not in page
    response = client.post(invited, {"first_name": "Nina", "last_name": "Nielsen"})
    assert response["Location"] == reverse("login")
    user = get_user_model().objects.get(username="ny.koordinator@kommune.dk")
    assert not user.has_usable_password() and user.memberships.exists()
    assert "_auth_user_id" not in client.session
