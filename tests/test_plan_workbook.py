"""The plan workbook: the whole plan in one xlsx, downloaded filled or blank, and uploaded
with a preview, errors by sheet, row and column, and all-or-nothing saving.

The real plan is the test of record: exported, deleted and imported from its workbook, it
has the same rows and fields (compared through Django's serialiser with natural keys, not
through the workbook's own code) and its agreements print the same text.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from activities.models import Activity, Metric, QuarterlyCount
from activities.resources import ActivityResource
from agreements import pdf
from agreements.backup import delete_plan, is_history, plan_scope
from agreements.models import HousingArea, Organisation, Plan
from indicators.models import CriterionTarget
from onboarding.workbook import INSTRUCTIONS, LEFT_OUT, NOT_DESCRIPTION, SHEETS, export_workbook
from onboarding.workbook_import import import_workbook
from tests.test_hostile_sheets import BOMBS, UNREADABLE, assert_bounded, measured

pytestmark = pytest.mark.django_db

DESCRIBED = [sheet.model for sheet in SHEETS if sheet.model is not None]


def workbook_of(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def saved(book: openpyxl.Workbook) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def cell(book: openpyxl.Workbook, title: str, heading: str, row: int):
    """The cell of a sheet in the column with this heading."""
    sheet = book[title]
    headings = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=headings.index(heading) + 1)


def find_row(book: openpyxl.Workbook, title: str, **cells) -> int:
    sheet = book[title]
    headings = [c.value for c in sheet[1]]
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(values[headings.index(h)] == v for h, v in cells.items()):
            return number
    raise LookupError(cells)


def described_data(slug: str) -> list:
    """Every row of the plan's description, serialised with natural keys and without ids, so
    that a plan imported afresh compares equal to the one exported."""
    plan = Plan.objects.get(slug=slug)
    rows = []
    for model in DESCRIBED:
        if model is Organisation:
            continue
        path = {
            "Plan": "pk",
            "PlanArea": "plan",
            "PlanParty": "plan",
            "Signatory": "plan",
            "Body": "plan",
            "PlanSection": "plan",
            "RequiredAttachment": "plan",
            "Indicator": "plan",
            "PlanSectionTable": "section__plan",
            "Subagreement": "plan",
            "SubagreementTable": "subagreement__plan",
            "SubagreementParty": "subagreement__plan",
            "StaffResource": "subagreement__plan",
            "Activity": "subagreement__plan",
            "SuccessCriterion": "subagreement__plan",
            "ActivityHeadings": "activity__subagreement__plan",
            "Metric": "activity__subagreement__plan",
            "CriterionTarget": "criterion__subagreement__plan",
        }[model.__name__]
        queryset = model._default_manager.filter(**{path: plan.pk})
        for row in serializers.serialize(
            "python", queryset, use_natural_foreign_keys=True, use_natural_primary_keys=True
        ):
            row.pop("pk", None)
            fields = row["fields"]
            rows.append((row["model"], repr(sorted(fields.items()))))
    organisations = Organisation.objects.filter(plans=plan) | Organisation.objects.filter(
        subagreement_parties__subagreement__plan=plan
    )
    rows += [("organisation", (o.name, o.short_name, o.kind)) for o in organisations.distinct()]
    rows += [
        ("area", (a.code, a.name, a.short_name)) for a in HousingArea.objects.filter(plans=plan)
    ]
    return sorted(rows, key=repr)


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def printed(plan: Plan) -> list[str]:
    """The text of the strategic agreement and of each delaftale's live draft."""
    texts = [pdf_text(pdf.strategic_agreement_pdf(plan))]
    for subagreement in plan.subagreements.order_by("focus_area__position"):
        texts.append(pdf_text(pdf.draft_pdf(subagreement)))
    return texts


# The real plan, there and back


def test_the_real_plan_comes_back_whole_from_its_workbook(plan):
    content = export_workbook(plan)
    data = described_data(plan.slug)
    text = printed(plan)
    delete_plan(plan)
    assert not Plan.objects.filter(slug=plan.slug).exists()

    outcome = import_workbook(content, dry_run=False)

    assert outcome.errors == []
    assert outcome.new_plan
    assert described_data(plan.slug) == data
    assert printed(Plan.objects.get(slug=plan.slug)) == text
    # And the plan exports to the very same workbook again.
    again = workbook_of(export_workbook(Plan.objects.get(slug=plan.slug)))
    first = workbook_of(content)
    for sheet in SHEETS:
        assert list(again[sheet.title].values) == list(first[sheet.title].values), sheet.title


def test_the_plans_own_workbook_changes_nothing(plan):
    content = export_workbook(plan)

    outcome = import_workbook(content, plan=plan, dry_run=False)

    assert outcome.errors == []
    assert outcome.total("new") == outcome.total("changed") == outcome.total("removed") == 0
    assert outcome.total("unchanged") > 300
    assert Activity.history.filter(history_change_reason__isnull=False).count() == 0


def test_every_field_of_a_described_model_is_in_the_workbook():
    """A field added to a model the workbook covers must be added to a sheet, or left out
    here with a reason; so must a model added to a plan."""
    for model in DESCRIBED:
        covered = {
            column.field
            for sheet in SHEETS
            if sheet.model is model
            for column in sheet.columns
            if column.field and column.kind != "shared"
        }
        parents = {"plan"} if model is not Plan else set()
        if model.__name__ == "ActivityHeadings":
            covered |= {"headings"}  # one row of the sheet Overskrifter per heading
        if model.__name__ in ("PlanSectionTable", "SubagreementTable"):
            covered |= {"rows"}  # the sheet Tabelrækker
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in covered | parents:
                continue
            assert f"{model._meta.label}.{field.name}" in LEFT_OUT, (
                f"{model._meta.label}.{field.name} is not in the workbook"
            )
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            assert field.name in covered or through in DESCRIBED, field
    plan_models = {
        model._meta.label
        for model in plan_scope().plan_models
        if not is_history(model) and not model._meta.auto_created
    }
    assert plan_models - {model._meta.label for model in DESCRIBED} == set(NOT_DESCRIPTION)


# The blank workbook


def test_the_blank_workbook_has_instructions_and_an_example_in_every_sheet(plan):
    book = workbook_of(export_workbook(None, period=plan.funding_period))

    assert book.sheetnames == [INSTRUCTIONS, *(sheet.title for sheet in SHEETS)]
    instructions = " ".join(str(row[0]) for row in book[INSTRUCTIONS].values if row[0])
    assert "Udfyld arkene i den rækkefølge" in instructions
    for sheet in SHEETS:
        assert f"Arket '{sheet.title}'" in instructions
        assert book[sheet.title].max_row >= 2, sheet.title


def test_the_blank_workbooks_examples_make_a_small_plan_that_imports(plan):
    outcome = import_workbook(export_workbook(None, period=plan.funding_period), dry_run=False)

    assert outcome.errors == []
    new = Plan.objects.get(slug="eksempelby-2021-2025")
    activity = Activity.objects.get(subagreement__plan=new)
    assert [area.code for area in activity.areas.all()] == ["eksempelparken"]
    # The examples' "nej" stays no: the secretariat runs the activity, which CFBU did not
    # recommend.
    assert (activity.municipality_responsible, activity.cfbu_recommended) == (False, False)
    assert activity.metrics.get().criteria.get().targets.get().value == 20


# Errors, changes and what is kept


def test_an_error_names_its_sheet_row_and_column_in_danish_and_nothing_is_saved(plan):
    book = workbook_of(export_workbook(plan))
    cell(book, "Aktiviteter", "Navn", 3).value = None
    cell(book, "Plan", "Vision", 2).value = "En ny vision"
    cell(book, "Mål", "Værdi", 2).value = "mange"

    outcome = import_workbook(saved(book), plan=plan, dry_run=False)

    assert "Ark 'Aktiviteter', række 3, kolonne 'Navn': Udfyld denne kolonne." in outcome.errors
    assert any(error.startswith("Ark 'Mål', række 2, kolonne 'Værdi':") for error in outcome.errors)
    plan.refresh_from_db()
    assert plan.vision != "En ny vision"


def test_a_change_is_previewed_with_its_cells_and_recorded_with_its_reason(plan, secretariat):
    book = workbook_of(export_workbook(plan))
    row = find_row(book, "Aktiviteter", **{"Delaftale": "tryghed", "Nr.": 1})
    old_name = cell(book, "Aktiviteter", "Navn", row).value
    cell(book, "Aktiviteter", "Navn", row).value = "Tryghedsvandringer og naboskab"
    content = saved(book)

    preview = import_workbook(content, user=secretariat, plan=plan, dry_run=True)
    (changed,) = [r for r in preview.rows if r.action == "changed"]
    assert (changed.sheet, changed.row, changed.key) == ("Aktiviteter", row, "tryghed / 1")
    assert changed.changes == [("Navn", old_name, "Tryghedsvandringer og naboskab")]
    assert preview.changes_stored_rows
    activity = Activity.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code="tryghed", position=1
    )
    assert activity.name == old_name

    import_workbook(content, user=secretariat, plan=plan, reason="Nyt navn", dry_run=False)

    activity.refresh_from_db()
    assert activity.name == "Tryghedsvandringer og naboskab"
    latest = activity.history.latest()
    assert (latest.history_change_reason, latest.history_user) == ("Nyt navn", secretariat)


def test_housing_areas_are_separated_by_semicolons_in_every_sheet_and_old_commas_still_read(
    plan, secretariat
):
    """A cell that lists housing areas separates them with semicolons, a list in Danish Excel:
    the workbook names them by code, the administration's activity sheet by name. A workbook
    made when the codes were separated by commas still reads."""
    activity = Activity.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code="tryghed", position=1
    )
    areas = list(activity.areas.order_by("code"))
    assert len(areas) > 1
    book = workbook_of(export_workbook(plan))
    row = find_row(book, "Aktiviteter", **{"Delaftale": "tryghed", "Nr.": 1})
    assert cell(book, "Aktiviteter", "Boligområder", row).value == "; ".join(
        area.code for area in areas
    )
    resource = ActivityResource()
    sheet = resource.export(queryset=Activity.objects.filter(pk=activity.pk))
    listed = sheet[0][sheet.headers.index(str(resource.fields["areas"].column_name))]
    assert sorted(listed.split("; ")) == sorted(area.name for area in areas)

    cell(book, "Aktiviteter", "Boligområder", row).value = ",".join(area.code for area in areas)
    preview = import_workbook(saved(book), user=secretariat, plan=plan, dry_run=True)
    assert preview.errors == []
    assert not [r for r in preview.rows if r.action == "changed"]


def test_a_row_left_out_is_removed_unless_reported_figures_hang_on_it(plan):
    counted = Metric.objects.filter(
        activity__subagreement__plan=plan,
        pk__in=QuarterlyCount.objects.values("metric"),
    ).first()
    if counted is None:  # the fixture carries no counts: report one
        counted = Metric.objects.filter(activity__subagreement__plan=plan).first()
        QuarterlyCount.objects.create(
            metric=counted,
            area=counted.activity.areas.first(),
            year=2018,
            quarter=1,
            value=3,
        )
    target = CriterionTarget.objects.filter(criterion__subagreement__plan=plan).first()
    book = workbook_of(export_workbook(plan))
    code = counted.activity.subagreement.focus_area.code
    book["Målepunkter"].delete_rows(
        find_row(
            book,
            "Målepunkter",
            Delaftale=code,
            Aktivitet=counted.activity.position,
            Navn=counted.name,
        )
    )
    book["Mål"].delete_rows(
        find_row(
            book,
            "Mål",
            Delaftale=target.criterion.subagreement.focus_area.code,
            Kriterium=target.criterion.position,
            **{"Nr.": target.position},
        )
    )

    outcome = import_workbook(saved(book), plan=plan, reason="Ryddet op", dry_run=False)

    assert outcome.errors == []
    assert [sheet for sheet, _key, _why in outcome.kept] == ["Målepunkter"]
    assert outcome.kept[0][2]  # what hangs on it, named
    assert [sheet for sheet, _key in outcome.removed] == ["Mål"]
    assert Metric.objects.filter(pk=counted.pk).exists()
    assert not CriterionTarget.objects.filter(pk=target.pk).exists()
    removal = CriterionTarget.history.filter(id=target.pk).latest()
    assert (removal.history_type, removal.history_change_reason) == ("-", "Ryddet op")


def test_a_workbook_of_another_plan_is_refused_on_this_plans_page(plan):
    book = workbook_of(export_workbook(plan))
    cell(book, "Plan", "Kort navn", 2).value = "en-anden-plan"

    outcome = import_workbook(saved(book), plan=plan, dry_run=True)

    assert outcome.errors == [
        "Ark 'Plan', række 2, kolonne 'Kort navn': projektmappen rummer planen "
        "'en-anden-plan', ikke denne plan (slagelse-2017-2021)."
    ]


def test_a_missing_column_is_named(plan):
    book = workbook_of(export_workbook(plan))
    book["Indikatorer"].delete_cols(2)

    outcome = import_workbook(saved(book), plan=plan, dry_run=True)

    assert outcome.errors == ["Ark 'Indikatorer': kolonnen 'Enhed' mangler."]


# The command


def test_the_command_exports_and_imports_and_a_dry_run_writes_nothing(plan, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    call_command("plan_workbook", "export", plan.slug, "--out", str(out))
    book = workbook_of(out.read_bytes())
    cell(book, "Plan", "Vision", 2).value = "En ny vision"
    book.save(out)

    call_command("plan_workbook", "import", str(out), "--dry-run")
    plan.refresh_from_db()
    assert plan.vision != "En ny vision"
    assert "1 ændrede" in capsys.readouterr().out

    call_command("plan_workbook", "import", str(out))
    plan.refresh_from_db()
    assert plan.vision == "En ny vision"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"not a workbook",
            "Filen kunne ikke læses som en Excel-projektmappe. Intet blev indlæst.",
        ),
        (None, "Ark 'Aktiviteter', række 3, kolonne 'Navn': Udfyld denne kolonne."),
    ],
)
def test_the_command_refuses_in_one_plain_line(plan, tmp_path, content, message):
    out = tmp_path / "plan.xlsx"
    if content is None:
        book = workbook_of(export_workbook(plan))
        cell(book, "Aktiviteter", "Navn", 3).value = None
        content = saved(book)
    out.write_bytes(content)

    with pytest.raises(CommandError) as error:
        call_command("plan_workbook", "import", str(out))

    assert message in str(error.value)
    assert "\n" not in str(error.value)


# The pages


def test_the_secretariat_downloads_the_plan_and_the_blank_workbook(client, plan, secretariat):
    client.force_login(secretariat)

    page = client.get(reverse("onboarding:workbook", args=[plan.slug]))
    filled = client.get(reverse("onboarding:workbook_download", args=[plan.slug]))
    blank = client.get(reverse("onboarding:blank_workbook", args=[plan.slug]))

    assert "Projektmappe" in page.content.decode()
    assert "attachment" in filled["Content-Disposition"]
    assert workbook_of(filled.content)["Plan"]["A2"].value == plan.slug
    assert workbook_of(blank.content)["Plan"]["A2"].value == "eksempelby-2021-2025"


def test_the_page_previews_then_saves_on_confirmation(client, plan, secretariat):
    client.force_login(secretariat)
    book = workbook_of(export_workbook(plan))
    cell(book, "Plan", "Vision", 2).value = "En ny vision"
    url = reverse("onboarding:workbook", args=[plan.slug])

    preview = client.post(url, {"workbook": SimpleUploadedFile("p.xlsx", saved(book))})

    html = preview.content.decode()
    assert "En ny vision" in html
    assert 'name="token"' in html
    plan.refresh_from_db()
    assert plan.vision != "En ny vision"
    token = preview.context["confirm"]["token"].value()
    confirm_url = reverse("onboarding:workbook_confirm", args=[plan.slug])

    without_reason = client.post(confirm_url, {"token": token, "changes_stored_rows": "on"})
    assert without_reason.status_code == 200
    assert "Angiv en begrundelse" in without_reason.content.decode()

    done = client.post(
        confirm_url, {"token": token, "changes_stored_rows": "on", "reason": "Ny vision"}
    )
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.vision == "En ny vision"
    assert plan.history.latest().history_change_reason == "Ny vision"


def test_the_page_lists_the_errors_and_offers_no_confirmation(client, plan, secretariat):
    client.force_login(secretariat)
    book = workbook_of(export_workbook(plan))
    cell(book, "Aktiviteter", "Navn", 3).value = None

    response = client.post(
        reverse("onboarding:workbook", args=[plan.slug]),
        {"workbook": SimpleUploadedFile("p.xlsx", saved(book))},
    )

    html = response.content.decode()
    assert "Ark &#x27;Aktiviteter&#x27;, række 3, kolonne &#x27;Navn&#x27;" in html
    assert 'name="token"' not in html


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_workbook_page_refuses_each_bomb_quickly(client, plan, secretariat, bomb):
    client.force_login(secretariat)
    build, message = BOMBS[bomb]
    content = build(export_workbook(plan))

    response, seconds, peak = measured(
        lambda: client.post(
            reverse("onboarding:workbook", args=[plan.slug]),
            {"workbook": SimpleUploadedFile("p.xlsx", content)},
        )
    )

    if message is UNREADABLE:
        message = "Filen kunne ikke læses som en Excel-projektmappe."
    assert message in " ".join(response.context["form"].errors["workbook"])
    assert 'name="token"' not in response.content.decode()
    assert_bounded(seconds, peak)


# The page; the plan's workbook; the preview of uploading it again.
WORKBOOK_QUERIES = (5, 27, 55)


def workbook_queries(client, plan) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("onboarding:workbook", args=[plan.slug])).status_code == 200
    with CaptureQueriesContext(connection) as download:
        data = client.get(reverse("onboarding:workbook_download", args=[plan.slug])).content
    upload = SimpleUploadedFile("projektmappe.xlsx", data)
    with CaptureQueriesContext(connection) as preview:
        response = client.post(
            reverse("onboarding:workbook", args=[plan.slug]), {"workbook": upload}
        )
    assert response.status_code == 200 and response.context["confirm"]
    return len(page), len(download), len(preview)


def test_the_workbook_pages_take_the_same_queries_however_many_activities(
    client, plan, secretariat
):
    client.force_login(secretariat)
    assert workbook_queries(client, plan) == WORKBOOK_QUERIES
    for activity in Activity.objects.filter(subagreement__plan=plan).order_by("pk")[:5]:
        metrics = list(activity.metrics.all())
        activity.pk = None
        activity.position += 100
        activity.name += " (kopi)"
        activity.save()
        for metric in metrics:
            metric.pk = None
            metric.activity = activity
            metric.save()
    assert workbook_queries(client, plan) == WORKBOOK_QUERIES
