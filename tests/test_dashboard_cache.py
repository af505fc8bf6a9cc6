"""The board's dashboard is rendered once and served from the cache until the plans' data
changes; every write to that data, whatever its path, changes the data version it is cached
under, so a cached dashboard is never stale."""

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Metric, QuarterlyCount, QuarterReport
from agreements import data_version
from agreements.backup import is_history, plan_scope
from agreements.models import HousingArea, Plan, StoredDocument
from indicators.models import Measurement
from tests.conftest import PLAN_SLUG

# Session, user, plan with role, the data version, the areas of the filter, the to-do.
CACHED_QUERIES = 8


def dashboard_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("reports:dashboard", args=[PLAN_SLUG]) + (f"?{query}" if query else "")


def queries(client, address) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cached_dashboard_takes_few_queries_and_shows_a_new_count_at_once(
    client, plan, board_member, secretariat
):
    client.force_login(board_member)
    address = dashboard_url(periode="2019H1", omraade="motalavej")
    first, _html = queries(client, address)
    again, html = queries(client, address)
    assert again == CACHED_QUERIES < first
    assert "3, målet på 1 er nået" not in html

    # A count submitted for the half-year: the next request shows it, not the cached page.
    walks = Metric.objects.get(activity__subagreement__plan=plan, name="Tryghedsvandringer")
    motalavej = HousingArea.objects.get(code="motalavej")
    QuarterlyCount.objects.create(metric=walks, area=motalavej, year=2019, quarter=1, value=3)
    report = QuarterReport(activity=walks.activity, area=motalavej, year=2019, quarter=1)
    report.submit(by=secretariat)
    report.save()
    after, html = queries(client, address)
    assert after > CACHED_QUERIES
    assert "3, målet på 1 er nået" in html

    # The secretariat, who sees every count, is not served the board's masked page.
    client.force_login(secretariat)
    _count, html = queries(client, address)
    assert "Du ser alle tal." in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_way_of_writing_the_data_changes_the_version(plan, secretariat):
    figure = Measurement.objects.filter(indicator__plan=plan).order_by("pk").first()
    seen = [data_version.current()]

    def changed() -> bool:
        seen.append(data_version.current())
        return seen[-1] != seen[-2]

    figure.value += 1
    figure.save()
    assert changed(), "a model's save"
    Measurement.objects.filter(pk=figure.pk).update(source_note="rettet")
    assert changed(), "a queryset's update"
    Measurement.objects.bulk_create(
        [Measurement(indicator=figure.indicator, year=2030, area=None, value=1)]
    )
    assert changed(), "a bulk create"
    Measurement.objects.filter(year=2030).delete()
    assert changed(), "a queryset's delete"
    plan.areas.remove(plan.areas.order_by("pk").last())
    assert changed(), "a many-to-many change"
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "agreements_plan" SET "budget_note" = %s WHERE "id" = %s', ["x", plan.pk]
        )
    assert changed(), "raw SQL"
    with transaction.atomic():
        figure.value += 1
        figure.save()
        assert data_version.current() is None  # nothing cached mid-transaction
        Measurement.objects.filter(pk=figure.pk).update(source_note="igen")
    assert changed(), "a transaction of several writes"
    with pytest.raises(RuntimeError), transaction.atomic():
        figure.value += 1
        figure.save()
        raise RuntimeError
    assert not changed(), "a rolled-back transaction changes nothing"
    StoredDocument.objects.all().delete()
    Plan.objects.filter(pk=plan.pk).first()
    assert not changed(), "reading, and deleting the stored PDFs, derived from the data"


def test_every_table_of_the_plans_data_is_watched():
    """A new model of a plan, or a new app holding plans' data, is watched without anyone
    remembering to add it: the tables are read from the apps. Only what is derived from the
    data is left out."""
    watched = data_version.data_tables()
    for model in plan_scope().plan_models:
        assert model._meta.db_table in watched or model is StoredDocument, model
        if not is_history(model):
            history = getattr(model, "history", None)
            if history is not None:
                assert history.model._meta.db_table in watched, model
    every = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in data_version.DATA_APPS
    }
    assert every - watched == {"agreements_dataversion", "agreements_storeddocument"}
    assert data_version.writes_data('INSERT INTO "indicators_measurement" ("value") VALUES (1)')
    assert data_version.writes_data('  update "economy_spending" SET "amount" = 1')
    assert not data_version.writes_data('SELECT * FROM "indicators_measurement"')
    assert not data_version.writes_data('UPDATE "django_session" SET "expire_date" = 1')
