"""Versions of a delaftale: the loaded plan's first versions, approval and its refusals."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from agreements.models import Subagreement, SubagreementVersion, VersionConflict, content_digest

pytestmark = pytest.mark.django_db


def _subagreement(plan, code: str) -> Subagreement:
    return plan.subagreements.with_versions().get(focus_area__code=code)


def test_the_loaded_plan_starts_with_version_1_of_each_delaftale_valid_from_1_october_2017(
    plan,
):
    """The agreement does not say when the board approved the delaftaler, so version 1 has no
    decision date: none is made up."""
    subagreements = list(plan.subagreements.with_versions())
    assert [s.code for s in subagreements] == [
        "tryghed",
        "kriminalitet",
        "uddannelse",
        "forebyggelse",
    ]
    for subagreement in subagreements:
        assert [v.number for v in subagreement.version_list] == [1]
        version = subagreement.current_version
        assert version.decided_on is None
        assert version.decided_on_text == "godkendelsesdato ikke oplyst"
        assert subagreement.valid_from == datetime.date(2017, 10, 1)


def test_version_1_is_the_loaded_delaftale_word_for_word(plan):
    """The fixture's frozen copy and the live rows must not drift apart."""
    for subagreement in plan.subagreements.all():
        version = subagreement.versions.get(number=1)
        assert version.content == subagreement.content()
        assert version.content["valid_from"] == "2017-10-01"


def test_approving_freezes_the_draft_as_the_next_version(plan, secretariat):
    subagreement = _subagreement(plan, "tryghed")
    subagreement.conflict_handling = "Uoverensstemmelser løses i bestyrelsen."
    subagreement.save()
    version = subagreement.approve_version(
        decided_on=datetime.date(2018, 9, 12),
        note="Årlig revision",
        by=secretariat,
        based_on=1,
        draft_digest=content_digest(subagreement.content()),
    )
    assert version.number == 2
    assert version.recorded_by == secretariat
    assert version.content["conflict_handling"] == "Uoverensstemmelser løses i bestyrelsen."

    activity = subagreement.activities.first()
    activity.name = "Et nyt navn"
    activity.save()
    subagreement.budget_lbf = 1
    subagreement.save()
    version.refresh_from_db()
    assert version.content["budget"]["lbf"] == 6_497_000
    assert activity.name not in [a["name"] for a in version.content["activities"]]


def test_an_approval_based_on_an_older_version_is_refused(plan, secretariat):
    subagreement = _subagreement(plan, "tryghed")
    subagreement.revision = "Ny revisionstekst"
    subagreement.save()
    digest = content_digest(subagreement.content())
    subagreement.approve_version(
        decided_on=datetime.date(2018, 9, 12),
        note="",
        by=secretariat,
        based_on=1,
        draft_digest=digest,
    )
    with pytest.raises(VersionConflict, match="Version 2"):
        subagreement.approve_version(
            decided_on=datetime.date(2018, 9, 12),
            note="",
            by=secretariat,
            based_on=1,
            draft_digest=digest,
        )
    assert subagreement.versions.count() == 2


def test_an_approval_of_a_draft_that_changed_since_it_was_shown_is_refused(plan, secretariat):
    subagreement = _subagreement(plan, "tryghed")
    shown = content_digest(subagreement.content())
    subagreement.revision = "Ændret imens"
    subagreement.save()
    with pytest.raises(VersionConflict):
        subagreement.approve_version(
            decided_on=datetime.date(2018, 9, 12),
            note="",
            by=secretariat,
            based_on=1,
            draft_digest=shown,
        )
    assert not SubagreementVersion.objects.filter(number=2).exists()


def test_a_draft_without_changes_is_not_approved_again(plan, secretariat):
    subagreement = _subagreement(plan, "tryghed")
    with pytest.raises(VersionConflict):
        subagreement.approve_version(
            decided_on=datetime.date(2018, 9, 12),
            note="",
            by=secretariat,
            based_on=1,
            draft_digest=content_digest(subagreement.content()),
        )


def test_only_the_version_a_plan_starts_with_may_lack_the_boards_date(plan, secretariat):
    subagreement = _subagreement(plan, "tryghed")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubagreementVersion.objects.create(
            subagreement=subagreement, number=2, decided_on=None, content={}
        )
    version = SubagreementVersion.objects.create(
        subagreement=subagreement, number=2, decided_on=datetime.date(2018, 9, 12), content={}
    )
    assert version.decided_on_text == "12. september 2018"
