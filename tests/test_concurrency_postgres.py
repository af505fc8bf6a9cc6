"""Two people saving the same quarter, or approving the same delaftale, at the same moment:
one wins, the other is told so in Danish, and nothing is lost, merged or recorded twice.

Each person is a thread with its own test client and so its own connection to PostgreSQL,
and each request runs in its own transaction (ATOMIC_REQUESTS), as on the server. The two
requests meet at a barrier once both have read what they are about to change and before
either writes, so the second always works on a state the first is changing. Each race is
run many times, as a race that is lost only sometimes is still a bug.

SQLite lets one connection write at a time, for the whole database and for the whole
transaction, so the race cannot happen there; these tests run on PostgreSQL only.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import activities.views
from activities.models import Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Role, Subagreement, SubagreementVersion
from lib.periods import Quarter

from .page_forms import form_fields

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite takes one writer at a time, so requests cannot race.",
    ),
    # The threads' connections see only what is committed: the plan is restored from its
    # serialised copy before each test, and the database is flushed after it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 20
STALE_QUARTER = "Nogen anden gemte kvartalet, mens du redigerede"
NOTHING_OF_YOURS = "Intet af dit er gemt."
NOT_APPROVED = "Versionen blev ikke godkendt"


def in_parallel(*requests: Callable[[], object]) -> list[object]:
    """Run each request in its own thread, with its own database connection; return what
    each returned, in order. An exception in a thread fails the test."""
    results: list[object] = [None] * len(requests)
    errors: list[BaseException] = []

    def run(index: int, request: Callable[[], object]) -> None:
        try:
            results[index] = request()
        except BaseException as error:
            errors.append(error)  # raised again in the test's thread, where pytest sees it
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    if errors:
        raise errors[0]
    return results


def meeting_first(barrier: threading.Barrier, function: Callable) -> Callable:
    """`function`, entered only once every thread has got as far as calling it: by then each
    request has read the form's state in its transaction, and none has written yet."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        barrier.wait()
        return function(*args, **kwargs)

    return wrapped


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporters(make_user, plan, coordinator_motalavej) -> dict[str, Client]:
    """Motalavej's coordinator and the secretariat: both may report Motalavej's quarter."""
    secretariat = make_user("sekretariat-1", Role.SECRETARIAT, plan)
    return {
        "koordinator-motalavej": logged_in(coordinator_motalavej),
        "sekretariat-1": logged_in(secretariat),
    }


@pytest.fixture
def volunteers() -> Metric:
    return Metric.objects.get(
        name="Aktive frivillige", activity__subagreement__plan__slug="slagelse-2017-2021"
    )


def entry_url(quarter: Quarter) -> str:
    url = reverse(
        "activities:entry", kwargs={"plan": "slagelse-2017-2021", "quarter": quarter.code}
    )
    return url + "?omraade=motalavej"


def save_quarter_together(
    reporters: dict[str, Client], quarter: Quarter, field: str, values: dict[str, int]
) -> dict[str, object]:
    """Both reporters open the quarter, type their own number in `field` and save at once;
    returns each one's response."""
    url = entry_url(quarter)
    forms = {name: form_fields(client.get(url)) for name, client in reporters.items()}

    def saving(name: str):
        return lambda: reporters[name].post(
            url, forms[name] | {field: str(values[name]), "action": "save"}
        )

    with pytest.MonkeyPatch.context() as patch:
        barrier = threading.Barrier(len(reporters))
        patch.setattr(
            activities.views, "save_quarter", meeting_first(barrier, activities.views.save_quarter)
        )
        responses = in_parallel(*(saving(name) for name in reporters))
    return dict(zip(reporters, responses, strict=True))


def winner_of(responses: dict[str, object], values: dict[str, int]) -> str:
    """The one whose save went through; the other must have been told why theirs did not,
    and shown the number now stored beside the one they typed, so theirs is not lost."""
    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 302], statuses
    (winner,) = (name for name, response in responses.items() if response.status_code == 302)
    (loser,) = (name for name, response in responses.items() if response.status_code == 200)
    page = responses[loser].content.decode()
    assert STALE_QUARTER in page
    assert NOTHING_OF_YOURS in page
    assert f"Gemt nu: {values[winner]}. Du skrev: {values[loser]}." in page
    return winner


def assert_only_the_winner_is_stored(volunteers, quarter, winner, value, saves: int):
    motalavej = HousingArea.objects.get(code="motalavej")
    (count,) = QuarterlyCount.objects.filter(
        metric=volunteers, area=motalavej, year=quarter.year, quarter=quarter.number
    )
    assert count.value == value
    (report,) = QuarterReport.objects.filter(
        activity=volunteers.activity, area=motalavej, year=quarter.year, quarter=quarter.number
    )
    assert report.revision == saves
    # Each save is one change in the history, by whoever won it, with the number they typed.
    latest = count.history.order_by("-history_id").first()
    assert count.history.count() == saves
    assert (latest.history_user.username, latest.value) == (winner, value)
    # The report itself changes on its first save only: a later save moves its revision, which
    # is no change of its own, so its history holds the first save alone.
    assert report.history.count() == 1
    if saves == 1:
        assert report.history.get().history_user.username == winner


def test_two_first_saves_of_a_quarter_make_one_report_and_one_count(reporters, volunteers, plan):
    """Nothing is stored for the quarter yet, so both would insert the report and the count;
    raced once in each of the plan's 16 quarters."""
    field = f"c_{volunteers.pk}_{HousingArea.objects.get(code='motalavej').pk}"
    for round_, quarter in enumerate(plan.quarters()):
        values = {name: 10 * (index + 1) + round_ for index, name in enumerate(reporters)}
        responses = save_quarter_together(reporters, quarter, field, values)
        winner = winner_of(responses, values)
        assert_only_the_winner_is_stored(volunteers, quarter, winner, values[winner], saves=1)


def test_two_saves_of_a_saved_quarter_keep_one_of_them_whole(reporters, volunteers):
    """The quarter has a report and a count, so both would update the same rows."""
    quarter = Quarter(2018, 2)
    field = f"c_{volunteers.pk}_{HousingArea.objects.get(code='motalavej').pk}"
    for round_ in range(1, ROUNDS + 1):
        values = {name: 100 * (index + 1) + round_ for index, name in enumerate(reporters)}
        responses = save_quarter_together(reporters, quarter, field, values)
        winner = winner_of(responses, values)
        assert_only_the_winner_is_stored(volunteers, quarter, winner, values[winner], saves=round_)


def test_two_approvals_of_the_same_draft_record_one_new_version(make_user, plan):
    approvers = {
        name: logged_in(make_user(name, Role.SECRETARIAT, plan))
        for name in ("sekretariat-1", "sekretariat-2")
    }
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    url = reverse("agreements:approve", args=[plan.slug, "tryghed"])
    for round_ in range(1, ROUNDS + 1):
        # The board revises the delaftale every round, so there is a new draft to approve.
        tryghed.budget_lbf += 1_000
        tryghed.save()
        forms = {
            name: form_fields(client.get(url))
            | {"decided_on": "12.09.2018", "note": f"Revision {round_} ved {name}"}
            for name, client in approvers.items()
        }
        with pytest.MonkeyPatch.context() as patch:
            barrier = threading.Barrier(len(approvers))
            patch.setattr(
                Subagreement,
                "approve_version",
                meeting_first(barrier, Subagreement.approve_version),
            )
            responses = dict(
                zip(
                    approvers,
                    in_parallel(
                        *(
                            functools.partial(client.post, url, forms[name])
                            for name, client in approvers.items()
                        )
                    ),
                    strict=True,
                )
            )

        statuses = sorted(response.status_code for response in responses.values())
        assert statuses == [302, 409], statuses
        (winner,) = (name for name, response in responses.items() if response.status_code == 302)
        (loser,) = (name for name, response in responses.items() if response.status_code == 409)
        page = responses[loser].content.decode()
        assert NOT_APPROVED in page
        assert f"Version {round_ + 1} blev godkendt af en anden imens." in page
        numbers = list(tryghed.versions.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, round_ + 2))
        version = tryghed.versions.get(number=round_ + 1)
        assert (version.recorded_by.username, version.note) == (winner, forms[winner]["note"])
        assert version.content["budget"]["lbf"] == tryghed.budget_lbf

    # Besides the lock, the database itself refuses a second version with the same number.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, SubagreementVersion._meta.db_table
        )
    unique_number = constraints["subagreementversion_unique_number"]
    assert unique_number["unique"] and unique_number["columns"] == ["subagreement_id", "number"]
