"""The secretariat records the coordination group's and the local follow-up groups'
evaluations of a half-year on one form, all or nothing; the board reads them (seed section 6).
Who changed what is kept, two editors never overwrite each other, and the page costs the same
number of queries however many groups and half-years there are."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Body, HousingArea, Role
from lib.periods import HalfYear
from reports.models import GroupEvaluation
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db

PERIOD = "2019H1"


def url(plan, period: str = PERIOD) -> str:
    return reverse("reports:group_evaluations", args=[plan.slug, period])


@pytest.fixture
def groups(plan) -> dict[str, Body]:
    return {
        "coordination": Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP),
        **{
            body.area.code: body
            for body in Body.objects.filter(plan=plan, kind=Body.Kind.LOCAL_GROUP)
        },
    }


@pytest.fixture
def recorder(client, secretariat):
    client.force_login(secretariat)
    return client


def field(body: Body, name: str) -> str:
    return f"group-{body.pk}-{name}"


def filled(fields: dict, body: Body, **values) -> dict:
    return fields | {field(body, name): value for name, value in values.items()}


def three_groups(fields: dict, groups) -> dict:
    fields = filled(
        fields,
        groups["coordination"],
        meeting_date="12.06.2019",
        text="Samarbejdet med SSP fungerer godt.",
        minutes_reference="Referat af møde 12.06.2019, punkt 4",
    )
    fields = filled(
        fields, groups["motalavej"], meeting_date="03.05.2019", text="Lektiecaféen er fuld."
    )
    return filled(fields, groups["ringparken"], meeting_date="20.06.2019", text="Flere frivillige.")


def test_the_secretariat_records_three_groups_in_one_save_and_the_board_reads_them(
    recorder, client, plan, groups, secretariat, board_member
):
    response = recorder.post(url(plan), three_groups(form_fields(recorder.get(url(plan))), groups))
    assert response.status_code == 302
    assert response.url == url(plan)
    page = recorder.get(response.url).content.decode()
    assert "Gruppernes evalueringer for 1. halvår 2019 er gemt." in page

    saved = {
        e.body.area.code if e.body.area else "coordination": e
        for e in GroupEvaluation.objects.all()
    }
    assert set(saved) == {"coordination", "motalavej", "ringparken"}
    coordination = saved["coordination"]
    assert coordination.meeting_date == datetime.date(2019, 6, 12)
    assert coordination.minutes_reference == "Referat af møde 12.06.2019, punkt 4"
    assert (coordination.year, coordination.half, coordination.revision) == (2019, 1, 1)
    assert coordination.recorded_by == secretariat

    client.force_login(board_member)
    response = client.get(url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="group-' not in page  # the board reads; it has no form
    assert "Samarbejdet med SSP fungerer godt." in page
    assert "12. juni 2019" in page
    assert "Referat af møde 12.06.2019, punkt 4" in page
    assert "Lektiecaféen er fuld." in page and "Flere frivillige." in page
    assert "Registreret af sekretariat" in page
    # Sydbyen and Skælskør have not evaluated the half-year.
    assert page.count("Der er endnu ikke registreret en evaluering for dette halvår.") == 2


def test_a_group_left_empty_stays_empty(recorder, plan, groups):
    response = recorder.post(url(plan), three_groups(form_fields(recorder.get(url(plan))), groups))
    assert response.status_code == 302
    assert not GroupEvaluation.objects.filter(body=groups["sydbyen"]).exists()
    fields = form_fields(recorder.get(url(plan)))
    assert fields[field(groups["sydbyen"], "text")] == ""
    assert fields[field(groups["sydbyen"], "revision")] == "0"
    assert fields[field(groups["motalavej"], "meeting_date")] == "03.05.2019"
    assert fields[field(groups["motalavej"], "revision")] == "1"


def test_saving_the_form_unchanged_changes_nothing(recorder, plan, groups):
    recorder.post(url(plan), three_groups(form_fields(recorder.get(url(plan))), groups))
    response = recorder.post(url(plan), form_fields(recorder.get(url(plan))), follow=True)
    assert "Intet blev ændret." in response.content.decode()
    assert set(GroupEvaluation.objects.values_list("revision", flat=True)) == {1}


def in_a_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).strftime("%d.%m.%Y")


@pytest.mark.parametrize(
    ("values", "wrong_field", "message"),
    [
        ({"text": "Godt møde."}, "meeting_date", "Skriv datoen for gruppens møde."),
        ({"meeting_date": "01.06.2019"}, "text", "Skriv gruppens evaluering."),
        ({"minutes_reference": "Referat 4"}, "text", "Skriv gruppens evaluering."),
        (
            {"meeting_date": "31.02.2019", "text": "Godt møde."},
            "meeting_date",
            "Skriv datoen som dag.måned.år, fx 12.06.2019.",
        ),
        (
            {"meeting_date": "in_a_week", "text": "Godt møde."},
            "meeting_date",
            "Mødet kan ikke ligge i fremtiden.",
        ),
    ],
    ids=["text without date", "date without text", "only minutes", "invalid date", "future"],
)
def test_bad_input_is_named_at_its_field_and_nothing_is_saved(
    recorder, plan, groups, values, wrong_field, message
):
    if values.get("meeting_date") == "in_a_week":
        values = values | {"meeting_date": in_a_week()}
    fields = three_groups(form_fields(recorder.get(url(plan))), groups)
    fields = filled(fields, groups["sydbyen"], **values)
    response = recorder.post(url(plan), fields)
    assert response.status_code == 400
    page = response.content.decode()
    field_id = f"id_{field(groups['sydbyen'], wrong_field)}"
    assert f'href="#{field_id}"' in page  # in the error summary
    assert f'id="{field_id}-error"' in page  # at the field
    assert f'aria-describedby="{field_id}_helptext {field_id}-error"' in page
    assert page.count(message) == 2
    assert "Evalueringerne kunne ikke gemmes" in page
    assert "Lokal følgegruppe Sydbyen, " in page
    # Not even the three valid groups are saved.
    assert not GroupEvaluation.objects.exists()


def test_a_recorded_evaluation_cannot_be_emptied(recorder, plan, groups):
    recorder.post(url(plan), three_groups(form_fields(recorder.get(url(plan))), groups))
    fields = filled(
        form_fields(recorder.get(url(plan))), groups["motalavej"], meeting_date="", text=""
    )
    response = recorder.post(url(plan), fields)
    assert response.status_code == 400
    assert "Skriv gruppens evaluering." in response.content.decode()
    assert GroupEvaluation.objects.get(body=groups["motalavej"]).text == "Lektiecaféen er fuld."


def test_a_damaged_form_saves_nothing_and_says_so(recorder, plan, groups):
    fields = three_groups(form_fields(recorder.get(url(plan))), groups)
    fields[field(groups["motalavej"], "revision")] = "abc"
    response = recorder.post(url(plan), fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Lokal følgegruppe Motalavej: Formularen er beskadiget; indlæs siden igen." in page
    assert not GroupEvaluation.objects.exists()


def test_two_editors_never_overwrite_each_other(recorder, make_user, plan, groups, secretariat):
    other = make_user("sekretariat-2", Role.SECRETARIAT, plan)
    first = form_fields(recorder.get(url(plan)))
    client = Client()
    client.force_login(other)
    second = form_fields(client.get(url(plan)))

    mine = filled(first, groups["coordination"], meeting_date="12.06.2019", text="Min tekst.")
    assert recorder.post(url(plan), mine).status_code == 302

    theirs = filled(second, groups["coordination"], meeting_date="13.06.2019", text="Din tekst.")
    theirs = filled(theirs, groups["sydbyen"], meeting_date="14.06.2019", text="Sydbyen skrev.")
    response = client.post(url(plan), theirs)
    assert response.status_code == 409
    page = response.content.decode()
    assert "En anden gemte evalueringer, mens du redigerede" in page
    assert "Min tekst." in page  # what is stored, in the form
    assert "Din tekst." in page  # what this user typed, to use again
    # Nothing was saved: not the conflicting group, nor the other one typed with it.
    evaluation = GroupEvaluation.objects.get()
    assert (evaluation.text, evaluation.revision, evaluation.recorded_by) == (
        "Min tekst.",
        1,
        secretariat,
    )
    # The form now holds the stored evaluation with its revision, and keeps Sydbyen's text.
    fields = form_fields(response)
    assert fields[field(groups["coordination"], "text")] == "Min tekst."
    assert fields[field(groups["coordination"], "revision")] == "1"
    assert fields[field(groups["sydbyen"], "text")] == "Sydbyen skrev."
    assert client.post(url(plan), fields).status_code == 302
    assert GroupEvaluation.objects.get(body=groups["sydbyen"]).recorded_by == other


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            "2030H1",
            "1. halvår 2030 ligger uden for planen, som løber fra 2. halvår 2017 til "
            "2. halvår 2021.",
        ),
        ("2019H3", "Der er intet halvår, der hedder »2019H3«. Skriv det fx som 2019H1."),
        ("2019K1", "Der er intet halvår, der hedder »2019K1«."),
    ],
)
def test_an_unknown_half_year_is_not_found_and_says_why(recorder, plan, period, message):
    response = recorder.get(url(plan, period))
    assert response.status_code == 404
    assert message in response.content.decode()


def test_the_start_opens_the_latest_ended_half_year_within_the_plan(recorder, plan):
    response = recorder.get(reverse("reports:group_evaluations_start", args=[plan.slug]))
    assert response.status_code == 302
    assert response.url == url(plan, "2021H2")  # the plan ended long ago
    assert plan.reporting_half_year(datetime.date(2019, 8, 1)) == HalfYear(2019, 1)
    assert plan.reporting_half_year(datetime.date(2017, 3, 1)) == HalfYear(2017, 2)


def test_the_picker_opens_the_chosen_half_year(recorder, plan):
    start = reverse("reports:group_evaluations_start", args=[plan.slug])
    page = recorder.get(url(plan)).content.decode()
    assert 'name="halvaar"' in page and '<option value="2019H1" selected>' in page
    assert recorder.get(start, {"halvaar": "2018H2"}).url == url(plan, "2018H2")
    assert recorder.get(start, {"halvaar": "senest"}).status_code == 404


def test_the_history_records_who_changed_what(recorder, client, make_user, plan, groups):
    fields = filled(
        form_fields(recorder.get(url(plan))),
        groups["coordination"],
        meeting_date="12.06.2019",
        text="Første udgave.",
    )
    recorder.post(url(plan), fields)
    other = make_user("sekretariat-2", Role.SECRETARIAT, plan)
    client.force_login(other)
    fields = filled(
        form_fields(client.get(url(plan))), groups["coordination"], text="Rettet udgave."
    )
    assert client.post(url(plan), fields).status_code == 302

    evaluation = GroupEvaluation.objects.get()
    history = list(evaluation.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.history_user.username, h.text, h.revision) for h in history] == [
        ("+", "sekretariat", "Første udgave.", 1),
        ("~", "sekretariat-2", "Rettet udgave.", 2),
    ]
    changed = set(history[1].diff_against(history[0]).changed_fields)
    assert changed == {"text", "recorded_by", "recorded_at", "revision"}


def test_only_the_coordination_group_and_local_groups_evaluate(plan):
    board = Body.objects.get(plan=plan, kind=Body.Kind.BOARD)
    evaluation = GroupEvaluation(
        body=board, year=2019, half=1, text="Godt.", meeting_date=datetime.date(2019, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        evaluation.full_clean()
    assert "Kun koordinationsgruppen og de lokale følgegrupper laver evalueringer." in str(
        error.value
    )


@pytest.mark.parametrize(
    "values",
    [{"half": 3}, {"text": ""}],
    ids=["a third half-year", "no text"],
)
def test_the_database_refuses_what_the_form_would(plan, groups, values):
    fields = {
        "body": groups["coordination"],
        "year": 2019,
        "half": 1,
        "text": "Godt.",
        "meeting_date": datetime.date(2019, 6, 1),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupEvaluation.objects.create(**(fields | values))


def test_the_front_page_links_the_board_and_the_secretariat_to_the_evaluations(
    client, plan, board_member, secretariat, coordinator_motalavej, lbf_user
):
    link = reverse("reports:group_evaluations_start", args=[plan.slug])
    for user, shown in [
        (board_member, True),
        (secretariat, True),
        (coordinator_motalavej, False),
        (lbf_user, False),
    ]:
        client.force_login(user)
        page = client.get(reverse("plans")).content.decode()
        assert (link in page and "Gruppernes evalueringer" in page) == shown, user


# Session, user, plan with role, the groups, their evaluations with who recorded them; and
# the request's savepoint and its release.
PAGE_QUERIES = 7


def queries_for_page(client, user, plan) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(plan)).status_code == 200
    return len(captured)


def ten_more_local_groups_with_four_half_years_of_evaluations(plan, by):
    for number in range(10):
        area = HousingArea.objects.create(code=f"omraade-{number}", name=f"Område {number}")
        Body.objects.create(
            plan=plan,
            kind=Body.Kind.LOCAL_GROUP,
            name=f"Lokal følgegruppe {number}",
            area=area,
            position=20 + number,
        )
    GroupEvaluation.objects.bulk_create(
        GroupEvaluation(
            body=body,
            year=year,
            half=half,
            text=f"Evaluering {year}H{half}.",
            meeting_date=datetime.date(year, 6 * half, 1),
            recorded_by=by,
            revision=1,
        )
        for body in Body.objects.filter(
            plan=plan, kind__in=[Body.Kind.COORDINATION_GROUP, Body.Kind.LOCAL_GROUP]
        )
        for year in (2018, 2019)
        for half in (1, 2)
    )


def test_the_page_query_count_does_not_grow_with_groups_and_half_years(
    client, plan, secretariat, board_member
):
    assert queries_for_page(client, secretariat, plan) == PAGE_QUERIES
    assert queries_for_page(client, board_member, plan) == PAGE_QUERIES
    ten_more_local_groups_with_four_half_years_of_evaluations(plan, secretariat)
    assert queries_for_page(client, secretariat, plan) == PAGE_QUERIES
    assert queries_for_page(client, board_member, plan) == PAGE_QUERIES
    page = client.get(url(plan)).content.decode()
    assert page.count("Evaluering 2019H1.") == 15
    assert "Evaluering 2019H2." not in page
