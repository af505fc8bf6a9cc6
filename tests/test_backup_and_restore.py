"""A whole plan is written to a file and read back exactly (export_plan, import_plan).

The plan is the real one with demo data and a history of edits: a count corrected with a
reason, a deleted count, a measurement corrected, an approved version 2 of a delaftale, a
group evaluation, an assessment, a share link with a download. It is exported, deleted with
everything of it, imported, and compared with what it was: every row of every table,
history included, the verdicts and the text of the PDFs.
"""

import datetime
import gzip
import io
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.utils import formats, timezone
from pypdf import PdfReader

from activities.models import QuarterlyCount, QuarterReminder, QuarterReport
from activities.services import approve_reports
from agreements import pdf
from agreements.backup import LEFT_OUT, decode_backup, delete_plan, encode_backup, plan_scope
from agreements.models import (
    Body,
    FocusArea,
    FundingPeriod,
    HousingArea,
    Membership,
    Organisation,
    Plan,
    Role,
    ShareLink,
    SubagreementVersion,
    content_digest,
)
from demo.data import load_demo_data
from indicators.evaluation import evaluate_plan
from indicators.models import Measurement, QualitativeAssessment, SuccessCriterion
from lib.history import bulk_delete_with_history
from lib.periods import HalfYear
from reports.models import GroupEvaluation
from reports.status_report import StatusReport, status_report_pdf

pytestmark = pytest.mark.django_db

SLUG = "slagelse-2017-2021"
PROJECT_APPS = {"agreements", "activities", "indicators", "economy", "reports", "members"}
# Rows plans share; a backup names them by natural key and finds or creates them on import.
SHARED = {
    "auth.user",
    "agreements.fundingperiod",
    "agreements.focusarea",
    "agreements.organisation",
    "agreements.housingarea",
}
USER_FIELDS = ["username", "first_name", "last_name", "email"]


def project_models() -> list:
    """Every table of the project's apps (history and many-to-many tables too) and the users."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if (model._meta.app_label in PROJECT_APPS or model._meta.label_lower in SHARED)
        # A number about all plans' data at once, changed by every write: no plan's row.
        and model._meta.label_lower != "agreements.dataversion"
    ]


def dump() -> dict[str, list]:
    """Every row of every project table, keys to shared rows by natural key (a new database
    gives those other ids), shared rows without their ids, users without their passwords."""
    names = {
        model: {obj.pk: obj.natural_key() for obj in model._base_manager.all()}
        for model in project_models()
        if model._meta.label_lower in SHARED
    }
    tables = {}
    for model in project_models():
        label = model._meta.label_lower
        columns = [
            column
            for column in model._meta.concrete_fields
            if label != "auth.user" or column.name in USER_FIELDS
        ]
        rows = []
        for values in model._base_manager.order_by("pk").values_list(
            *(column.attname for column in columns)
        ):
            row = {}
            for column, value in zip(columns, values, strict=True):
                if value is not None and column.is_relation and column.related_model in names:
                    value = names[column.related_model].get(value, ("gone", value))
                if not (label in SHARED and column.primary_key):
                    row[column.attname] = value
            rows.append(row)
        tables[label] = sorted(rows, key=repr) if label in SHARED else rows
    return tables


def plan_rows(tables: dict) -> int:
    return sum(len(rows) for label, rows in tables.items() if label not in SHARED)


def verdicts(plan) -> list[tuple]:
    return [
        (e.criterion.pk, e.year, e.where, e.verdict, e.sentence, e.value, e.partial_year)
        for e in evaluate_plan(plan)
    ]


def pdf_text(data: bytes) -> str:
    """The text a reader sees, the date of printing masked (a render may cross midnight)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    today = timezone.localdate()
    for shown in {formats.date_format(today), formats.date_format(today, "j. F Y")}:
        text = text.replace(shown, "<dato>")
    return re.sub(r"\s+", " ", text)


def pdf_texts(plan) -> dict[str, str]:
    """Both versions of the tryghed delaftale and its draft, the strategic agreement and the
    status report; the other delaftaler's versions are frozen content, compared as rows."""
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    texts = {
        f"version {version.number}": pdf_text(pdf.subagreement_pdf(version))
        for version in SubagreementVersion.objects.for_rendering().filter(subagreement=tryghed)
    }
    texts["draft"] = pdf_text(pdf.draft_pdf(tryghed))
    texts["strategic agreement"] = pdf_text(pdf.strategic_agreement_pdf(plan))
    report = StatusReport.load(plan, HalfYear(2019, 1))
    texts["status report"] = pdf_text(status_report_pdf(report))
    return texts


def with_history(obj, *, by, reason: str | None = None):
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


@pytest.fixture
def busy_plan(plan, make_user):
    """The real plan with demo data, its people, and a history of edits by them."""
    load_demo_data(plan=plan)
    plan.refresh_from_db()
    motalavej = HousingArea.objects.get(code="motalavej")
    secretariat = make_user(
        "sekretariat",
        Role.SECRETARIAT,
        plan,
        first_name="Sara",
        last_name="Sekretær",
        email="sara@example.org",
    )
    coordinator = make_user(
        "koordinator-motalavej",
        Role.COORDINATOR,
        plan,
        areas=[motalavej],
        first_name="Kim",
        last_name="Koordinator",
        email="kim@example.org",
    )
    make_user("bestyrelse", Role.BOARD, plan, first_name="Bo")

    counts = QuarterlyCount.objects.filter(
        metric__activity__subagreement__plan=plan, area=motalavej
    ).order_by("pk")
    corrected = counts[0]
    corrected.value += 1
    with_history(corrected, by=coordinator, reason="Tastefejl: der var en vandring mere")
    bulk_delete_with_history(QuarterlyCount, [counts[1]], user=coordinator, reason="Talt to gange")
    report = QuarterReport.objects.filter(
        activity__subagreement__plan=plan, status=QuarterReport.Status.SUBMITTED
    ).first()
    approve_reports(
        plan=plan, quarter=report.period, chosen={report.pk: report.revision}, by=secretariat
    )
    QuarterReminder.objects.create(
        membership=Membership.objects.get(user=coordinator), year=2019, quarter=1
    )

    measurement = Measurement.objects.filter(indicator__plan=plan, is_demo=True).first()
    measurement.value += Decimal("1.25")
    with_history(measurement, by=secretariat, reason="Rettet efter politiets opgørelse")
    qualitative = SuccessCriterion.objects.filter(
        subagreement__plan=plan, kind=SuccessCriterion.Kind.QUALITATIVE
    ).first()
    with_history(
        QualitativeAssessment(
            criterion=qualitative,
            year=2019,
            status=QualitativeAssessment.Status.PARTLY_MET,
            justification="Beboerne oplever større tryghed om aftenen.",
            assessed_by=secretariat,
            assessed_at=timezone.now(),
        ),
        by=secretariat,
    )
    GroupEvaluation(
        body=Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP), year=2019, half=1
    ).revise(
        text="Koordinationsgruppen vurderer, at aktiviteterne i Motalavej er godt i gang.",
        meeting_date=datetime.date(2019, 6, 12),
        minutes_reference="Referat 12.06.2019, punkt 4",
        by=secretariat,
    )

    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.budget_lbf = 6_797_000
    with_history(tryghed, by=secretariat)
    tryghed.approve_version(
        decided_on=datetime.date(2018, 9, 12),
        note="Årlig revision: LBF-budgettet hævet.",
        by=secretariat,
        based_on=1,
        draft_digest=content_digest(tryghed.content()),
    )
    activity = tryghed.activities.order_by("position").first()
    area = activity.areas.order_by("pk").last()
    activity.areas.remove(area)
    activity.areas.add(area)
    plan.vision += " Revideret på bestyrelsesmødet."
    with_history(plan, by=secretariat, reason="Visionen skærpet")

    link = ShareLink.create_for(plan, by=secretariat, note="LBF's sagsbehandler")
    link.log_download(list(SubagreementVersion.objects.current().filter(subagreement__plan=plan)))
    link.revoke(by=secretariat)
    return plan


def export(tmp_path, name: str = "plan.json") -> tuple:
    path = tmp_path / name
    out = io.StringIO()
    call_command("export_plan", SLUG, "--out", str(path), stdout=out)
    return path, out.getvalue()


def import_file(path, *options) -> str:
    out = io.StringIO()
    call_command("import_plan", str(path), *options, stdout=out)
    return out.getvalue()


def as_a_new_database() -> None:
    """Take away what a new, migrated database lacks: the users, the housing areas and
    organisations, and (as if it held only the 2019-26 period) the 2015-18 period and its
    focus areas; and start the plan tables' ids from 1 again, as a new database does (on
    PostgreSQL this outlives the test's rollback; the import sets them past its rows)."""
    get_user_model().objects.all().delete()
    HousingArea.objects.all().delete()
    Organisation.objects.all().delete()
    FocusArea.objects.filter(funding_period__code="2015-18").delete()
    FundingPeriod.objects.filter(code="2015-18").delete()
    sequences = [
        {"table": model._meta.db_table, "column": model._meta.pk.column}
        for model in plan_scope().plan_models
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(statement)


@pytest.mark.parametrize(
    ("file_name", "new_database"),
    [("plan.json", False), ("plan.json.gz", True)],
    ids=["plan-deleted", "new-database"],
)
def test_export_delete_and_import_give_back_the_same_rows_and_verdicts(
    busy_plan, tmp_path, file_name, new_database
):
    before = dump()
    verdicts_before = verdicts(busy_plan)
    assert any(
        row["history_change_reason"] == "Tastefejl: der var en vandring mere"
        for row in before["activities.historicalquarterlycount"]
    )
    assert len(before["agreements.subagreementversion"]) == 5

    path, exported = export(tmp_path, file_name)
    # The demo's 1.485 (99 cells of 15 quarters, a few not reported) less the one deleted.
    assert "activities.quarterlycount: 1.484\n" in exported
    assert f"Planen {SLUG} er skrevet til {path}" in exported
    assert path.read_bytes()[:2] == (b"\x1f\x8b" if new_database else b'{"')
    # The first line signs the rest, which is the document.
    text = (gzip.decompress if new_database else bytes)(path.read_bytes()).decode()
    header, document = (json.loads(line) for line in text.split("\n", 1))
    assert header.keys() == {"format", "version", "signature"}
    assert document["plan"] == SLUG

    delete_plan(busy_plan)
    if new_database:
        as_a_new_database()
    # Nothing of the plan is left: every table but the shared ones is empty.
    assert plan_rows(dump()) == 0

    output = import_file(path)
    rows = formats.number_format(plan_rows(before), force_grouping=True)
    assert f"Planen {SLUG} er indlæst fra {path}: {rows} rækker" in output
    assert "agreements.subagreementversion: 5" in output
    if new_database:
        assert "Oprettede brugeren koordinator-motalavej uden adgangskode" in output
        assert "Oprettede agreements.housingarea motalavej." in output
        assert "Oprettede agreements.focusarea 2015-18 tryghed." in output
        users = get_user_model().objects.order_by("username")
        assert [user.username for user in users] == [
            "bestyrelse",
            "koordinator-motalavej",
            "sekretariat",
        ]
        assert not any(user.has_usable_password() for user in users)
        assert not any(user.is_staff or user.is_superuser for user in users)
    else:
        assert "Oprettede" not in output

    assert dump() == before
    plan = Plan.objects.get(slug=SLUG)
    assert verdicts(plan) == verdicts_before

    # The restored plan goes on: new rows and new history get ids of their own.
    count = QuarterlyCount.objects.filter(metric__activity__subagreement__plan=plan).first()
    count.value += 1
    with_history(count, by=None, reason="Efter indlæsningen")
    taken = set(
        QuarterlyCount.objects.filter(metric=count.metric, area=count.area).values_list(
            "year", "quarter"
        )
    )
    free = [quarter for quarter in plan.quarters() if (quarter.year, quarter.number) not in taken]
    QuarterlyCount.objects.create(
        metric=count.metric, area=count.area, year=free[0].year, quarter=free[0].number, value=7
    )


def test_the_restored_plan_prints_the_same_pdfs(busy_plan, tmp_path):
    """The delaftaler (every version and the draft), the strategic agreement and the board's
    status report read the same, word for word. Slow: eight PDFs rendered and read back."""
    before = pdf_texts(busy_plan)
    assert "6.497" in before["version 1"] and "6.797" in before["version 2"]
    path, _output = export(tmp_path)
    delete_plan(busy_plan)
    import_file(path)
    assert pdf_texts(Plan.objects.get(slug=SLUG)) == before


def test_users_are_written_by_name_and_email_never_with_a_password(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    text = path.read_text()
    document = decode_backup(path.read_bytes())
    (users,) = [block for block in document["shared"] if block["model"] == "auth.user"]
    assert {row["natural_key"][0]: row["fields"] for row in users["rows"]} == {
        "bestyrelse": {"first_name": "Bo", "last_name": "", "email": ""},
        "koordinator-motalavej": {
            "first_name": "Kim",
            "last_name": "Koordinator",
            "email": "kim@example.org",
        },
        "sekretariat": {
            "first_name": "Sara",
            "last_name": "Sekretær",
            "email": "sara@example.org",
        },
    }
    for user in get_user_model().objects.all():
        assert user.password not in text
    assert "password" not in text


def test_history_naming_a_user_who_is_gone_comes_back_with_the_name_left_empty(
    busy_plan, make_user, tmp_path
):
    """A secretariat member approved a report and has left since. The report's history still
    holds their old id, which another database could only read as someone else."""
    leaver = make_user("tidligere-sekretaer", Role.SECRETARIAT, busy_plan)
    report = QuarterReport.objects.filter(
        activity__subagreement__plan=busy_plan, status=QuarterReport.Status.SUBMITTED
    ).first()
    approve_reports(
        plan=busy_plan, quarter=report.period, chosen={report.pk: report.revision}, by=leaver
    )
    leaver_id = leaver.pk
    leaver.delete()
    before = dump()
    path, output = export(tmp_path)
    assert (
        "activities.historicalquarterreport: 1 henvisning til en bruger eller anden delt række, "
        "som ikke findes længere, er efterladt tom." in output
    )
    delete_plan(busy_plan)
    import_file(path)

    expected = before["activities.historicalquarterreport"]
    (gone,) = [row for row in expected if row["approved_by_id"] == ("gone", leaver_id)]
    gone["approved_by_id"] = None
    assert dump() == before


def test_a_plan_that_exists_is_refused_and_nothing_changes(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    before = dump()
    with pytest.raises(CommandError, match=f"Planen {SLUG} findes allerede i databasen"):
        import_file(path)
    assert dump() == before


def test_replace_deletes_the_plan_and_imports_the_file_in_its_place(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    exported = dump()
    count = QuarterlyCount.objects.filter(metric__activity__subagreement__plan=busy_plan).last()
    count.value += 10
    with_history(count, by=None, reason="Ændret efter eksporten")
    busy_plan.subagreements.get(focus_area__code="tryghed").versions.get(number=2).delete()

    output = import_file(path, "--replace")

    assert f"Planen {SLUG}, som var her, er slettet" in output
    assert dump() == exported


def rewrite(path, change) -> None:
    """Change the document in the file, and sign it again: what is tested is the check that
    follows the signature's, as if the file had been damaged before it was signed."""
    document = decode_backup(path.read_bytes())
    change(document)
    path.write_bytes(encode_backup(document, gzipped=False))


def damage(path, model: str, column: str, value) -> None:
    """Change one column of the middle row of a model's rows in the file."""

    def change(document):
        (block,) = [block for block in document["objects"] if block["model"] == model]
        block["rows"][len(block["rows"]) // 2][block["fields"].index(column)] = value

    rewrite(path, change)


DAMAGES = [
    # Refused by the database's constraint, after most tables are written.
    ("activities.quarterlycount", "value", -3, "kunne ikke gemmes"),
    # A key to a row the file does not hold, refused before anything is written.
    ("activities.quarterlycount", "metric_id", 999_999, "som ikke hører til planen i filen"),
    # A key to a shared row the file does not hold, refused after the missing user is created.
    ("activities.quarterlycount", "area_id", 999_999, "filen har ingen agreements.housingarea"),
    # Refused while the row is read.
    ("indicators.historicalmeasurement", "history_date", "i går", "Filen er beskadiget"),
]


@pytest.mark.parametrize(("model", "column", "value", "message"), DAMAGES)
def test_a_failing_import_saves_nothing(busy_plan, tmp_path, model, column, value, message):
    path, _output = export(tmp_path)
    damage(path, model, column, value)
    delete_plan(busy_plan)
    get_user_model().objects.filter(username="bestyrelse").delete()
    wiped = dump()

    with pytest.raises(CommandError, match=message) as refusal:
        import_file(path)

    assert "Intet er indlæst" in str(refusal.value)
    assert dump() == wiped


def test_a_failing_replace_leaves_the_plan_that_was_there(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    damage(path, "activities.quarterlycount", "value", -3)
    busy_plan.vision = "Ændret efter eksporten"
    busy_plan.save()
    before = dump()

    with pytest.raises(CommandError, match="Intet er indlæst"):
        import_file(path, "--replace")

    assert dump() == before


def test_a_file_in_another_format_version_is_refused(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    rewrite(path, lambda document: document.update(version=3))
    with pytest.raises(CommandError, match="Filen er i backupformat 3; denne version af"):
        import_file(path, "--replace")


def test_a_file_from_a_database_at_another_schema_is_refused(busy_plan, tmp_path):
    path, _output = export(tmp_path)
    rewrite(path, lambda document: document["schema"]["agreements"].pop())
    with pytest.raises(CommandError) as refusal:
        import_file(path, "--replace")
    message = str(refusal.value)
    assert "Filen er skrevet fra en database med et andet skema" in message
    assert "agreements: " in message and "Intet er indlæst" in message
    assert Plan.objects.get(slug=SLUG).has_demo_data


@pytest.mark.parametrize(
    "content",
    [b"not a backup", b'{"model": "agreements.plan"}', gzip.compress(b"[1, 2]")],
    ids=["text", "other-json", "gzip"],
)
def test_a_file_that_is_no_backup_is_refused(db, tmp_path, content):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Filen er ikke en backup af en plan"):
        import_file(path)


def test_ids_that_are_taken_are_refused_rather_than_renumbered(busy_plan, tmp_path):
    path, _output = export(tmp_path)

    def copy(document):
        document["plan"] = "kopi"
        (plans,) = [block for block in document["objects"] if block["model"] == "agreements.plan"]
        plans["rows"][0][plans["fields"].index("slug")] = "kopi"

    rewrite(path, copy)
    with pytest.raises(CommandError, match="har allerede rækker med filens id'er") as refusal:
        import_file(path)
    assert "agreements.plan (1)" in str(refusal.value)


def test_every_model_that_belongs_to_a_plan_is_in_the_backup():
    """A new table of the project is either part of a plan's backup or shared between plans
    (and then named in SHARED above, with a natural key); it cannot be left out unnoticed."""
    scope = plan_scope()
    covered = {model._meta.label_lower for model in scope.plan_models}
    assert {model._meta.label_lower for model in scope.shared_models} == SHARED
    left_out = {model._meta.label_lower for model in LEFT_OUT}
    assert left_out == {"agreements.storeddocument"}  # a cache, rendered again after an import
    assert {model._meta.label_lower for model in project_models()} - SHARED - left_out == covered
    for model in scope.plan_models:
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        if history:
            assert getattr(model, history).model in scope.plan_models
    assert {"activities.historicalquarterlycount", "agreements.subagreementversion"} <= covered
