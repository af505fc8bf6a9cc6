"""The agreement pages take a fixed number of queries however large the delaftaler and their
history grow: ten times the activities, criteria, staff lines and versions cost the same."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from agreements.models import ShareLink, StaffResource, SubagreementVersion
from indicators.models import SuccessCriterion

pytestmark = pytest.mark.django_db

# Each page also opens and releases the request's savepoint (ATOMIC_REQUESTS).
# Session, user, plan with role, delaftaler with their versions (two queries), the current
# versions' content, and each of the four drafts (six queries each, Subagreement.content).
LIST_QUERIES = 32
# Session, user, plan with role, the delaftale with its versions (two queries).
HISTORY_QUERIES = 7
# The link with its plan, the current versions.
SHARED_QUERIES = 4


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def ten_times_everything(plan, secretariat):
    for subagreement in plan.subagreements.all():
        for activity in list(subagreement.activities.all()):
            for n in range(9):
                copy = Activity.objects.create(
                    subagreement=subagreement,
                    position=100 + 10 * activity.position + n,
                    name=f"{activity.name} ({n})",
                    content=activity.content,
                )
                copy.areas.set(activity.areas.all())
                SuccessCriterion.objects.create(
                    subagreement=subagreement,
                    activity=copy,
                    position=1000 + copy.position,
                    text="Mindst 10 deltagere om året",
                    data_source="Aktivitetsregistrering",
                )
                StaffResource.objects.create(
                    subagreement=subagreement,
                    activity=copy,
                    position=1000 + copy.position,
                    role="Medarbejder",
                    fte="0.100",
                )
        SubagreementVersion.objects.bulk_create(
            SubagreementVersion(
                subagreement=subagreement,
                number=number,
                decided_on=datetime.date(2018, 1, 1),
                recorded_by=secretariat,
                content=subagreement.content(),
            )
            for number in range(2, 11)
        )


def test_the_list_the_history_and_the_shared_page_cost_the_same_with_ten_times_the_data(
    client, plan, secretariat
):
    link = ShareLink.create_for(plan, by=secretariat)
    client.force_login(secretariat)
    addresses = {
        "list": reverse("agreements:subagreements", args=[plan.slug]),
        "history": reverse("agreements:history", args=[plan.slug, "tryghed"]),
    }
    before = {name: queries(client, address) for name, address in addresses.items()}
    client.logout()
    before["shared"] = queries(client, reverse("agreements:shared", args=[link.token]))
    assert before == {"list": LIST_QUERIES, "history": HISTORY_QUERIES, "shared": SHARED_QUERIES}

    ten_times_everything(plan, secretariat)
    client.force_login(secretariat)
    after = {name: queries(client, address) for name, address in addresses.items()}
    client.logout()
    after["shared"] = queries(client, reverse("agreements:shared", args=[link.token]))
    assert after == before
