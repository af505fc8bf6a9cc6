"""The fixture holds the whole seed plan, with the seed's own figures, and loads idempotently."""

import io
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.management import call_command

from activities.models import Activity, Metric
from agreements.models import (
    Body,
    HousingArea,
    PlanArea,
    PlanSection,
    StaffResource,
    Subagreement,
    SubagreementParty,
)
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion

pytestmark = pytest.mark.django_db

# The seed's budget tables, in thousands of kroner: (LBF, local co-financing, total).
SEED_BUDGETS = {
    "tryghed": (6_497, 5_062, 11_559),
    "kriminalitet": (5_220, 4_933, 10_153),
    "uddannelse": (8_186, 7_306, 15_492),
    "forebyggelse": (2_831, 1_248, 4_079),
}

SEED_ACTIVITIES = {
    "tryghed": [
        "Opbygning og styrkelse af aktivt liv, frivillighed/civilsamfund i områderne",
        "Strategisk kommunikation (at forbedre medieomtalen om ansøgningsområderne)",
        "Bydelsforældre",
    ],
    "kriminalitet": [
        "Tryghedsvandringer",
        "Fritidsjobindsats",
        "Idrætspartnerskaber",
        "Værested og klub – med og uden tag",
    ],
    "uddannelse": [
        "Tværgående brobygningsteam til opsporing og forebyggelse – med fokus på børn og "
        "unges bekymrende fravær i uddannelse og rusmiddelbrug",
        "En opnormering af det lokale virksomhedsnære samarbejde med henblik på at få flere "
        "borgere i virksomhedspraktik og løntilskud",
    ],
    "forebyggelse": [
        "Intensive sundhedsplejerskebesøg i et hyppigere og længerevarende omfang end sædvanligt",
        "Etablering af boligsociale mødregrupper",
    ],
}

# Success criteria per delaftale: (the delaftale's own, its activities').
SEED_CRITERIA = {
    "tryghed": (3, 5 + 5 + 2),
    "kriminalitet": (3, 3 + 3 + 3 + 8),
    "uddannelse": (6, 4 + 2),
    "forebyggelse": (2, 2 + 3),
}


def test_the_plan_has_one_subagreement_per_focus_area_of_its_funding_period(plan):
    assert plan.missing_focus_areas().count() == 0
    assert sorted(plan.subagreements.values_list("focus_area__code", flat=True)) == sorted(
        SEED_BUDGETS
    )
    assert plan.funding_period.code == "2015-18"


def test_the_plan_has_its_name_period_and_vision(plan):
    assert plan.name == "Boligsocial Helhedsplan for Skælskør, Korsør og Slagelse 2017-2021"
    assert (plan.start_date.isoformat(), plan.end_date.isoformat()) == (
        "2017-10-01",
        "2021-09-30",
    )
    assert plan.vision.startswith("Det er visionen for den boligsociale indsats")
    assert "SUB-liste efter 2025" in plan.vision
    assert "Robuste ventelister." in plan.purpose


def test_every_activity_of_the_seed_is_there_in_order(plan):
    for code, names in SEED_ACTIVITIES.items():
        subagreement = plan.subagreements.get(focus_area__code=code)
        assert list(subagreement.activities.values_list("name", flat=True)) == names
    assert Activity.objects.filter(subagreement__plan=plan).count() == 11


def test_every_success_criterion_of_the_seed_is_there_with_a_data_source(plan):
    for code, (own, of_activities) in SEED_CRITERIA.items():
        criteria = SuccessCriterion.objects.filter(
            subagreement__plan=plan, subagreement__focus_area__code=code
        )
        assert criteria.filter(activity__isnull=True).count() == own, code
        assert criteria.filter(activity__isnull=False).count() == of_activities, code
    criteria = SuccessCriterion.objects.filter(subagreement__plan=plan)
    assert criteria.count() == 54
    assert not criteria.filter(data_source="").exists()
    assert all(criterion.data_source.strip() for criterion in criteria)


def test_budgets_add_up_as_in_the_seed(plan):
    for code, (lbf, local, total) in SEED_BUDGETS.items():
        subagreement = plan.subagreements.get(focus_area__code=code)
        assert subagreement.budget_lbf == lbf * 1000
        assert subagreement.budget_local == local * 1000
        assert subagreement.budget_total == total * 1000
    assert (plan.budget_lbf, plan.budget_local, plan.budget_total) == (
        25_000_000,
        19_450_000,
        44_450_000,
    )


def test_the_unallocated_remainder_of_the_budget_is_shown_not_hidden(plan):
    overview = plan.budget_overview()
    assert overview["allocated"] == {"lbf": 22_734_000, "local": 18_549_000, "total": 41_283_000}
    assert overview["unallocated"] == {"lbf": 2_266_000, "local": 901_000, "total": 3_167_000}


def test_the_four_housing_areas_and_the_coordinators_shares(plan):
    rows = PlanArea.objects.filter(plan=plan).select_related("area").order_by("position")
    assert [(row.area.code, row.coordinator_fte, row.particularly_vulnerable) for row in rows] == [
        ("motalavej", Decimal("0.500"), True),
        ("ringparken", Decimal("0.500"), True),
        ("sydbyen", Decimal("0.300"), False),
        ("skaelskoer", Decimal("0.300"), False),
    ]


def test_the_organisation_of_section_2(plan):
    board = Body.objects.get(plan=plan, kind="board")
    assert "5 repræsentanter fra boligorganisationerne" in board.composition
    local_groups = Body.objects.filter(plan=plan, kind="local_group")
    assert set(local_groups.values_list("area__code", flat=True)) == {
        "motalavej",
        "ringparken",
        "sydbyen",
        "skaelskoer",
    }
    assert Body.objects.filter(plan=plan, kind="coordination_group").exists()
    assert plan.parties.filter(kind="housing").count() == 5
    assert plan.parties.filter(name="Slagelse Kommune").exists()


def test_the_required_attachments_are_listed_and_their_presence_left_open(plan):
    attachments = plan.attachments.all()
    assert attachments.count() == 8
    assert not attachments.exclude(is_present=None).exists()
    assert attachments.filter(title__startswith="En beredskabsplan").exists()


def test_the_strategic_agreement_keeps_its_sections_in_order(plan):
    numbers = list(
        PlanSection.objects.filter(plan=plan).exclude(number="").values_list("number", flat=True)
    )
    assert numbers == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
        "6",
        "7",
        "8",
        "9",
        "10",
        "11",
    ]


def test_subagreements_have_every_section_of_the_template(plan):
    for subagreement in plan.subagreements.all():
        assert subagreement.problem_complex, subagreement
        assert subagreement.purpose_and_goals, subagreement
        assert subagreement.conflict_handling, subagreement
        assert subagreement.revision, subagreement
        assert subagreement.valid_from.isoformat() == "2017-10-01"
        assert subagreement.parties.exists(), subagreement
    kriminal = plan.subagreements.get(focus_area__code="kriminalitet")
    dgi = SubagreementParty.objects.get(subagreement=kriminal, name="DGI")
    assert dgi.representative == "Peter Holmen"
    assert "58,3 %" in plan.subagreements.get(focus_area__code="tryghed").problem_complex


def test_staff_resources_are_kept_per_subagreement_and_activity(plan):
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    lines = StaffResource.objects.filter(subagreement=tryghed)
    assert lines.count() == 7
    assert sum(line.fte for line in lines) == Decimal("2.650")
    assert StaffResource.objects.filter(
        activity__name="Etablering af boligsociale mødregrupper", fte=Decimal("0.25")
    ).exists()


def test_activities_run_in_the_areas_the_seed_names(plan):
    fritidsjob = Activity.objects.get(subagreement__plan=plan, name="Fritidsjobindsats")
    assert set(fritidsjob.areas.values_list("code", flat=True)) == {
        "motalavej",
        "ringparken",
        "sydbyen",
    }
    assert fritidsjob.cfbu_recommended
    assert "hver fjerde" in fritidsjob.content
    municipal = Activity.objects.filter(subagreement__plan=plan, municipality_responsible=True)
    assert municipal.count() == 5


def test_the_seeds_tables_of_historical_figures_are_measurements(plan):
    crime = Indicator.objects.get(plan=plan, name="Kriminalretlige afgørelser pr. 1.000 beboere")
    values = {(m.area.code, m.year): m.value for m in crime.measurements.select_related("area")}
    assert values[("motalavej", 2013)] == Decimal("55.1")
    assert values[("ringparken", 2015)] == Decimal("31.4")
    assert values[("skaelskoer", 2014)] == Decimal("27.9")
    assert len(values) == 12
    municipality = Indicator.objects.get(
        plan=plan, name="Kriminalretlige afgørelser pr. 1.000 beboere, Slagelse Kommune"
    )
    assert municipality.is_reference
    assert list(municipality.measurements.values_list("year", "value")) == [
        (2013, Decimal("11.8")),
        (2014, Decimal("10.3")),
        (2015, Decimal("11.4")),
    ]
    safe = Indicator.objects.get(
        plan=plan, name="Trygge ved at bo i boligområdet (Tryghedsundersøgelsen)"
    )
    assert safe.measurements.get(year=2016, area=None).value == Decimal("71")
    unemployed_share = Indicator.objects.get(
        plan=plan, name="18-29-åriges andel af fuldtidspersoner uden beskæftigelse"
    )
    assert unemployed_share.measurements.get(
        year=2015, area=HousingArea.objects.get(code="sydbyen")
    ).value == Decimal("9.21")
    arson = Indicator.objects.get(plan=plan, name="Påsatte brande")
    assert list(arson.measurements.values_list("year", "value")) == [
        (2015, Decimal("15")),
        (2016, Decimal("28")),
    ]


def test_the_crime_criterion_holds_its_overall_and_per_area_targets(plan):
    criterion = SuccessCriterion.objects.get(
        subagreement__plan=plan,
        subagreement__focus_area__code="kriminalitet",
        activity__isnull=True,
        text__contains="30,65",
    )
    assert criterion.data_source == "BL- tal: Kriminalretlige afgørelser og sigtelser"
    targets = {
        (t.area.code if t.area else None, t.kind): t
        for t in criterion.targets.select_related("area")
    }
    overall = targets[(None, "by_year")]
    assert (overall.baseline_value, overall.baseline_year) == (Decimal("30.65"), 2016)
    assert (overall.comparison, overall.value, overall.to_year) == ("lte", Decimal("20"), 2021)
    assert targets[(None, "yearly")].label == "ghettokriteriet"
    assert targets[("skaelskoer", "by_year")].value == Decimal("19")
    assert targets[("motalavej", "by_year")].comparison == "lt"
    assert len(targets) == 6


def test_every_quantitative_criterion_says_what_it_reads_and_how_it_is_judged(plan):
    criteria = SuccessCriterion.objects.filter(subagreement__plan=plan).prefetch_related("targets")
    for criterion in criteria:
        if criterion.kind == SuccessCriterion.Kind.QUANTITATIVE:
            assert criterion.indicator_id or criterion.metric_id, criterion.text
            assert criterion.targets.all(), criterion.text
        else:
            assert not criterion.targets.all(), criterion.text
    assert criteria.filter(kind="qualitative").count() == 6


def test_share_criteria_name_a_numerator_and_a_denominator_of_their_own_activity(plan):
    shares = SuccessCriterion.objects.filter(
        subagreement__plan=plan, denominator_metric__isnull=False
    ).select_related("metric", "denominator_metric")
    # The two shares of the 0-year-olds are read per cohort from Novax (yearly figures).
    assert shares.count() == 4
    for criterion in shares:
        assert criterion.metric.activity_id == criterion.activity_id
        assert criterion.denominator_metric.activity_id == criterion.activity_id
        assert criterion.unit == "percent"
    # Negative press is the media's own yearly figure, not a quarterly count.
    assert Metric.objects.filter(activity__subagreement__plan=plan).count() == 30


FIXTURE_MODELS = [
    SubagreementParty,
    StaffResource,
    Activity,
    Metric,
    Indicator,
    Measurement,
    SuccessCriterion,
    CriterionTarget,
    Subagreement,
    Body,
    PlanSection,
]


def snapshot() -> str:
    objects = [obj for model in FIXTURE_MODELS for obj in model.objects.order_by("pk")]
    return serializers.serialize("json", objects)


def test_loading_the_fixture_twice_changes_nothing(plan):
    before = snapshot()
    call_command("loaddata", "slagelse_2017_2021", verbosity=0)
    assert snapshot() == before


def test_make_runs_loading_keeps_the_secretariats_edits(plan):
    """`make run` loads the plan with load_plan, which leaves a loaded plan alone; loaddata
    would put the fixture's text back over an edited draft."""
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.revision = "Revideret af sekretariatet"
    tryghed.save()
    call_command("load_plan", "slagelse_2017_2021", stdout=io.StringIO())
    tryghed.refresh_from_db()
    assert tryghed.revision == "Revideret af sekretariatet"
