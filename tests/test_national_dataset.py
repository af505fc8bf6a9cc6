"""`manage.py generate_national_dataset` fills a load-test database with copies of the real plan,
each with housing areas, figures and users of its own, and adds only what is missing when it
runs again."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from activities.models import Activity, QuarterlyCount, QuarterReport, ReportingAssignment
from agreements.models import Membership, Plan, Role
from indicators.models import CriterionTarget, Measurement, SuccessCriterion

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-load-test-password"


def generate(plans: int) -> str:
    out = StringIO()
    call_command("generate_national_dataset", plans=plans, password=PASSWORD, stdout=out)
    return out.getvalue()


def rows_of(plan: Plan) -> dict[str, int]:
    return {
        "areas": plan.areas.count(),
        "delaftaler": plan.subagreements.count(),
        "activities": Activity.objects.filter(subagreement__plan=plan).count(),
        "criteria": SuccessCriterion.objects.filter(subagreement__plan=plan).count(),
        "targets": CriterionTarget.objects.filter(criterion__subagreement__plan=plan).count(),
        "counts": QuarterlyCount.objects.for_plans([plan.pk]).count(),
        "reports": QuarterReport.objects.filter(activity__subagreement__plan=plan).count(),
        "measurements": Measurement.objects.filter(indicator__plan=plan).count(),
    }


def test_each_plan_is_a_copy_of_the_real_plan_with_areas_figures_and_users_of_its_own(plan):
    out = generate(2)

    first, second = Plan.objects.filter(slug__in=["plan-001", "plan-002"]).order_by("slug")
    real = rows_of(plan)
    for generated in (first, second):
        rows = rows_of(generated)
        assert generated.has_demo_data
        # The real plan's shape: the same delaftaler, activities, criteria and targets.
        for table in ("areas", "delaftaler", "activities", "criteria", "targets"):
            assert rows[table] == real[table], table
        assert rows["reports"] > 500 and rows["counts"] > 1400
        # The real plan's 102 measurements from before it began, and the invented ones after.
        assert rows["measurements"] > real["measurements"]
        # Every quarter of the plan has counts and reports, as the demo data has them.
        quarters = Counter(
            QuarterReport.objects.filter(activity__subagreement__plan=generated).values_list(
                "year", "quarter"
            )
        )
        assert len(quarters) == 16 == len(generated.quarters())
    assert real["counts"] == real["reports"] == 0, "the real plan is only copied, not filled"

    # Housing areas of its own, which its activities and targets use.
    codes = list(first.areas.order_by("plan_areas__position").values_list("code", flat=True))
    assert codes == ["motalavej-001", "ringparken-001", "sydbyen-001", "skaelskoer-001"]
    assert not set(first.areas.all()) & set(second.areas.all())
    used = set(
        Activity.objects.filter(subagreement__plan=first).values_list("areas__code", flat=True)
    )
    assert used == set(codes)

    roles = dict(Membership.objects.filter(plan=first).values_list("user__username", "role"))
    assert roles == {
        "sekretariat-001": Role.SECRETARIAT,
        "bestyrelse-001": Role.BOARD,
        "koordinator-001-1": Role.COORDINATOR,
        "koordinator-001-2": Role.COORDINATOR,
        "koordinator-001-3": Role.COORDINATOR,
        "koordinator-001-4": Role.COORDINATOR,
    }
    assigned = ReportingAssignment.objects.filter(membership__plan=second, activity=None)
    assert dict(assigned.values_list("membership__user__username", "area__code")) == {
        "koordinator-002-1": "motalavej-002",
        "koordinator-002-2": "ringparken-002",
        "koordinator-002-3": "sydbyen-002",
        "koordinator-002-4": "skaelskoer-002",
    }
    assert assigned.count() == ReportingAssignment.objects.filter(membership__plan=second).count()
    assert get_user_model().objects.get(username="bestyrelse-002").check_password(PASSWORD)

    assert "Plan 1/2: plan-001" in out and "Plan 2/2: plan-002" in out
    assert "kvartalsindberetninger" in out


def test_running_it_again_adds_only_the_missing_plans():
    generate(1)
    before = rows_of(Plan.objects.get(slug="plan-001"))
    users = get_user_model().objects.count()

    out = generate(2)

    assert "plan-001 er der allerede" in out
    assert rows_of(Plan.objects.get(slug="plan-001")) == before
    assert Plan.objects.filter(slug__startswith="plan-").count() == 2
    assert get_user_model().objects.count() == users + 6


def log_in(client, username: str) -> None:
    """Through the login page, as the load test does."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def test_the_generated_users_open_their_own_plans_pages(client):
    generate(2)
    dashboard = reverse("reports:dashboard", args=["plan-001"])
    entry = reverse("activities:entry", kwargs={"plan": "plan-001", "quarter": "2021K3"})

    log_in(client, "bestyrelse-001")
    page = client.get(dashboard)
    assert page.status_code == 200
    assert "Genereret helhedsplan 001" in page.text and "Ringparken (001)" in page.text
    assert client.get(entry).status_code == 403
    assert client.get(reverse("reports:dashboard", args=["plan-002"])).status_code == 404

    log_in(client, "koordinator-001-2")
    page = client.get(entry)
    assert page.status_code == 200
    assert "Ringparken (001)" in page.text and "Motalavej (001)" not in page.text
    other = reverse("activities:entry", kwargs={"plan": "plan-002", "quarter": "2021K3"})
    assert client.get(other).status_code == 404


def test_it_wants_a_password_and_a_database_of_its_own(make_plan, monkeypatch):
    monkeypatch.delenv("DATASET_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="--password"):
        call_command("generate_national_dataset", plans=1)

    make_plan("aarhus-2022-2025")
    with pytest.raises(CommandError, match="aarhus-2022-2025"):
        generate(1)
    assert not Plan.objects.filter(slug="plan-001").exists()
