"""The secretariat states a success criterion's target in plain words: every choice is saved as
the target the engine reads, what is missing or contradictory is refused in Danish beside its
field and at the top with nothing saved, the sentence shown is the engine's own, and the page
works without JavaScript."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.evaluation import evaluate_plan
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion
from indicators.services import target_fingerprint

pytestmark = pytest.mark.django_db

# Criteria of the real plan, by delaftale and position, each reading another kind of figure.
SHARE = ("forebyggelse", 4)  # a share in per cent from yearly figures, one target
COUNT = ("tryghed", 6)  # quarterly counts of an activity, one target
PER_THOUSAND = ("kriminalitet", 2)  # per 1.000 residents, six targets
QUALITATIVE = ("kriminalitet", 6)  # assessed by people, no targets
REFERENCE_NAME = "Generel tryghed, gennemsnit for særligt udsatte boligområder"


def criterion_of(plan, which: tuple[str, int]) -> SuccessCriterion:
    code, position = which
    return SuccessCriterion.objects.select_related("subagreement__plan").get(
        subagreement__plan=plan, subagreement__focus_area__code=code, position=position
    )


def new_url(criterion) -> str:
    return reverse("indicators:target_new", args=[criterion.subagreement.plan.slug, criterion.pk])


def edit_url(criterion, number: int) -> str:
    return reverse(
        "indicators:target_edit", args=[criterion.subagreement.plan.slug, criterion.pk, number]
    )


def preview_url(criterion) -> str:
    return reverse(
        "indicators:target_preview", args=[criterion.subagreement.plan.slug, criterion.pk]
    )


def add(client, criterion, **fields):
    """Post a new target as the form sends it: what it was loaded with, and the fields."""
    data = {"loaded": target_fingerprint(criterion, None), **fields}
    return client.post(new_url(criterion), data)


def reference(plan) -> Indicator:
    return Indicator.objects.get(plan=plan, name=REFERENCE_NAME)


# choice, criterion, typed fields, what is stored (fields not named are empty)
CASES = [
    (
        "yearly_min",
        COUNT,
        {"value": "60", "value_max": "80"},
        ("yearly", "gte"),
        {"value": 60, "value_max": 80},
    ),
    (
        "yearly_max",
        COUNT,
        {"value": "20", "from_year": "2018", "to_year": "2020"},
        ("yearly", "lte"),
        {"value": 20, "from_year": 2018, "to_year": 2020},
    ),
    ("share_min", SHARE, {"value": "75 %"}, ("yearly", "gte"), {"value": 75}),
    ("share_max", SHARE, {"value": "12,5"}, ("yearly", "lte"), {"value": Decimal("12.5")}),
    (
        "cumulative_min",
        COUNT,
        {"value": "1.200", "to_year": "2021", "to_quarter": "3"},
        ("cumulative", "gte"),
        {"value": 1200, "to_year": 2021, "to_quarter": 3},
    ),
    (
        "cumulative_max",
        COUNT,
        {"value": "40", "to_year": "2020"},
        ("cumulative", "lte"),
        {"value": 40, "to_year": 2020},
    ),
    ("average_min", COUNT, {"value": "50"}, ("average", "gte"), {"value": 50}),
    ("average_max", COUNT, {"value": "5", "strict": "yes"}, ("average", "lt"), {"value": 5}),
    (
        "by_year_min",
        SHARE,
        {"value": "80 %", "baseline_value": "60 %", "baseline_year": "2016", "to_year": "2021"},
        ("by_year", "gte"),
        {"value": 80, "baseline_value": 60, "baseline_year": 2016, "to_year": 2021},
    ),
    (
        "by_year_max",
        PER_THOUSAND,
        {"value": "20", "baseline_value": "30,65", "baseline_year": "2016", "to_year": "2021"},
        ("by_year", "lte"),
        {"value": 20, "baseline_value": Decimal("30.65"), "baseline_year": 2016, "to_year": 2021},
    ),
    (
        "change_previous_rise",
        COUNT,
        {"change_percent": "8 %", "from_year": "2019"},
        ("change_previous", "gte"),
        {"change_percent": 8, "from_year": 2019},
    ),
    (
        "change_previous_fall",
        PER_THOUSAND,
        {"change_percent": "10 %", "baseline_year": "2017"},
        ("change_previous", "lte"),
        {"change_percent": -10, "baseline_year": 2017},
    ),
    (
        "yearly_change_rise",
        COUNT,
        {"change_percent": "5"},
        ("yearly_change", "gte"),
        {"change_percent": 5},
    ),
    (
        "yearly_change_fall",
        PER_THOUSAND,
        {"change_percent": "-10 %", "baseline_value": "15", "baseline_year": "2015"},
        ("yearly_change", "lte"),
        {"change_percent": -10, "baseline_value": 15, "baseline_year": 2015},
    ),
    (
        "change_baseline_rise",
        SHARE,
        {"change_percent": "20 %", "horizon_years": "3"},
        ("change_baseline", "gte"),
        {"change_percent": 20, "horizon_years": 3},
    ),
    (
        "change_baseline_fall",
        PER_THOUSAND,
        {
            "change_percent": "30 %",
            "horizon_years": "2",
            "baseline_year": "2017",
            "to_year": "2019",
            "to_quarter": "3",
        },
        ("change_baseline", "lte"),
        {
            "change_percent": -30,
            "horizon_years": 2,
            "baseline_year": 2017,
            "to_year": 2019,
            "to_quarter": 3,
        },
    ),
    (
        "reference_above",
        SHARE,
        {"reference": "REFERENCE"},
        ("reference", "gt"),
        {"reference": "REFERENCE"},
    ),
    (
        "reference_below",
        PER_THOUSAND,
        {"reference": "REFERENCE", "strict": "no"},
        ("reference", "lte"),
        {"reference": "REFERENCE"},
    ),
    (
        "direction_rise",
        SHARE,
        {"baseline_year": "2017"},
        ("direction", "gt"),
        {"baseline_year": 2017},
    ),
    ("direction_fall", PER_THOUSAND, {"to_year": "2021"}, ("direction", "lt"), {"to_year": 2021}),
]
STORED_FIELDS = [
    "value",
    "value_max",
    "change_percent",
    "horizon_years",
    "baseline_value",
    "baseline_year",
    "from_year",
    "to_year",
    "to_quarter",
    "reference",
]


@pytest.mark.parametrize(
    ("choice", "which", "typed", "kind", "stored"), CASES, ids=[case[0] for case in CASES]
)
def test_every_choice_is_saved_as_the_target_the_engine_reads(
    client, secretariat, plan, choice, which, typed, kind, stored
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, which)
    ref = reference(plan)
    typed = {key: str(ref.pk) if value == "REFERENCE" else value for key, value in typed.items()}
    before = set(criterion.targets.values_list("pk", flat=True))

    response = add(client, criterion, choice=choice, label="fra formularen", **typed)

    assert response.status_code == 302, response.content.decode()
    [target] = criterion.targets.exclude(pk__in=before)
    assert (target.kind, target.comparison) == kind
    expected = {name: None for name in STORED_FIELDS} | stored
    expected["reference"] = ref if expected["reference"] == "REFERENCE" else None
    assert {name: getattr(target, name) for name in STORED_FIELDS} == expected
    assert target.label == "fra formularen"
    assert target.area is None
    previous = criterion.targets.filter(pk__in=before).values_list("position", flat=True)
    assert target.position == max(previous, default=0) + 1
    # The form's choice reads the stored target back as what was chosen.
    page = client.get(edit_url(criterion, target.position)).content.decode()
    assert f'<option value="{choice}" selected>' in page


def test_a_target_for_one_housing_area(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    motalavej = plan.plan_areas.get(area__code="motalavej").area

    add(client, criterion, choice="share_min", value="80", area=str(motalavej.pk))

    assert criterion.targets.get(area=motalavej).value == 80


def test_a_qualitative_criterion_gets_a_target_and_becomes_measured_and_back(
    client, secretariat, plan
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, QUALITATIVE)
    assert criterion.kind == SuccessCriterion.Kind.QUALITATIVE
    assert 'value="qualitative" selected' in client.get(new_url(criterion)).content.decode()

    add(client, criterion, choice="yearly_min", value="3", reason="Nu med tal")
    criterion.refresh_from_db()
    assert criterion.kind == SuccessCriterion.Kind.QUANTITATIVE
    [target] = criterion.targets.all()

    response = client.post(
        edit_url(criterion, target.position),
        {
            "choice": "qualitative",
            "loaded": target_fingerprint(criterion, target),
            "reason": "Vurderes igen af mennesker",
        },
    )

    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.kind == SuccessCriterion.Kind.QUALITATIVE
    assert not criterion.targets.exists()
    assert criterion.history.latest().history_change_reason == "Vurderes igen af mennesker"


def test_a_change_is_kept_in_the_history_with_its_reason(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    target = criterion.targets.get()

    response = client.post(
        edit_url(criterion, target.position),
        {
            "choice": "share_min",
            "value": "70 %",
            "from_year": "2018",
            "loaded": target_fingerprint(criterion, target),
            "reason": "Rettet efter aftalen",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 70
    latest = target.history.latest()
    assert latest.history_change_reason == "Rettet efter aftalen"
    assert latest.history_user.username == "sekretariat"
    assert latest.prev_record.value == 75


# choice and criterion, typed fields, the field refused, its Danish message
REFUSED = [
    (
        "cumulative_min",
        COUNT,
        {"value": "4"},
        "to_year",
        "Skriv året, hvor summen skal være nået inden udgangen af.",
    ),
    ("cumulative_max", COUNT, {"to_year": "2021"}, "value", "Skriv målet som et tal."),
    (
        "yearly_min",
        COUNT,
        {"value": "4", "from_year": "2020", "to_year": "2018"},
        "to_year",
        "Til-året kan ikke ligge før fra-året (2020).",
    ),
    (
        "yearly_min",
        COUNT,
        {"value": "12", "value_max": "10"},
        "value_max",
        "Den øvre ende kan ikke være under målet (12).",
    ),
    ("share_min", SHARE, {"value": "120 %"}, "value", "En andel kan ikke være over 100 %."),
    (
        "share_min",
        SHARE,
        {"value": "0,75"},
        "value",
        "Skriv andelen i procent: 75 % for tre fjerdedele. "
        "Mener du under én procent, så skriv den med tegnet, fx 0,75 %.",
    ),
    (
        "yearly_max",
        COUNT,
        {"value": "20", "to_year": "2030"},
        "to_year",
        "Året skal være et af planens år, 2017–2021.",
    ),
    (
        "by_year_min",
        SHARE,
        {"value": "50", "baseline_value": "60", "to_year": "2021"},
        "value",
        "Målet 50 % er under basis 60 %: vælg „til højst“, hvis tallet skal falde.",
    ),
    (
        "by_year_max",
        PER_THOUSAND,
        {"value": "20", "baseline_year": "2021", "to_year": "2021"},
        "baseline_year",
        "Basisåret skal ligge før målåret (2021).",
    ),
    ("by_year_max", PER_THOUSAND, {"value": "20"}, "to_year", "Skriv året, målet gælder."),
    (
        "change_previous_fall",
        PER_THOUSAND,
        {},
        "change_percent",
        "Skriv ændringen i procent, fx 10 %.",
    ),
    (
        "change_previous_rise",
        COUNT,
        {"change_percent": "-5"},
        "change_percent",
        "Skriv en stigning uden minus; vælg et fald, hvis tallet skal falde.",
    ),
    (
        "change_previous_fall",
        COUNT,
        {"change_percent": "100 %"},
        "change_percent",
        "Et fald kan ikke være 100 procent eller mere.",
    ),
    (
        "change_baseline_fall",
        COUNT,
        {"change_percent": "10"},
        "horizon_years",
        "Skriv, inden for hvor mange år ændringen skal ske.",
    ),
    ("reference_above", SHARE, {}, "reference", "Vælg det tal, der sammenlignes med."),
    ("yearly_min", COUNT, {"value": "50 %"}, "value", "Kriteriet måler ikke en andel: udelad %."),
    (
        "share_min",
        COUNT,
        {"value": "50"},
        "choice",
        "Kriteriet måler antal, ikke en andel: vælg „mindst N hvert år“.",
    ),
    ("", COUNT, {"value": "50"}, "choice", "Vælg, hvad succeskriteriet siger."),
    (
        "qualitative",
        COUNT,
        {},
        "choice",
        "Et kriterium, der vurderes kvalitativt, har ingen mål: fjern først dets 1 andre mål.",
    ),
]


@pytest.mark.parametrize(
    ("choice", "which", "typed", "field", "message"),
    REFUSED,
    ids=[f"{case[0] or 'none'}-{case[3]}-{i}" for i, case in enumerate(REFUSED)],
)
def test_incomplete_or_contradictory_targets_are_refused_beside_the_field_and_at_the_top(
    client, secretariat, plan, choice, which, typed, field, message
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, which)
    targets_before = list(CriterionTarget.objects.values_list("pk", "value", "kind"))

    response = add(client, criterion, choice=choice, **typed)

    assert response.status_code == 200
    page = response.content.decode()
    escaped = html.escape(message, quote=False)
    field_id = f"id_{field}"
    assert f'<span class="form-error-message" id="{field_id}-error">' in page
    error = page.split(f'id="{field_id}-error">', 1)[1].split("</span>", 2)[1]
    assert escaped in html.escape(html.unescape(error), quote=False)
    # The summary at the top links to the field.
    summary = page.split('data-module="error-summary"', 1)[1].split("</ul>", 1)[0]
    anchor = f"#{field_id}_0" if field == "strict" else f"#{field_id}"
    assert f'href="{anchor}"' in summary
    assert escaped in html.escape(html.unescape(summary), quote=False)
    assert f'aria-describedby="{field_id}' in page
    assert list(CriterionTarget.objects.values_list("pk", "value", "kind")) == targets_before


def test_changing_a_target_needs_a_reason(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    target = criterion.targets.get()

    response = client.post(
        edit_url(criterion, target.position),
        {"choice": "share_min", "value": "70", "loaded": target_fingerprint(criterion, target)},
    )

    assert response.status_code == 200
    assert "Skriv en begrundelse, når du ændrer eller fjerner et mål." in response.content.decode()
    target.refresh_from_db()
    assert target.value == 75


def test_a_target_changed_meanwhile_is_not_overwritten(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    target = criterion.targets.get()
    loaded = target_fingerprint(criterion, target)
    CriterionTarget.objects.filter(pk=target.pk).update(value=77)

    response = client.post(
        edit_url(criterion, target.position),
        {"choice": "share_min", "value": "70", "loaded": loaded, "reason": "Ret"},
    )

    assert response.status_code == 409
    assert "Nogen har ændret" in response.content.decode()
    target.refresh_from_db()
    assert target.value == 77


def test_a_target_is_removed_with_a_reason(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    target = criterion.targets.get()
    url = edit_url(criterion, target.position)
    loaded = target_fingerprint(criterion, target)

    refused = client.post(url, {"remove": "1", "remove-loaded": loaded, "remove-reason": ""})
    assert refused.status_code == 200
    assert criterion.targets.exists()

    client.post(url, {"remove": "1", "remove-loaded": loaded, "remove-reason": "Udgår"})
    assert not criterion.targets.exists()
    assert CriterionTarget.history.filter(id=target.pk).latest().history_change_reason == "Udgår"


def yearly_shares(plan, criterion, figures: dict[int, str]) -> None:
    for year, value in figures.items():
        Measurement.objects.create(indicator=criterion.indicator, year=year, value=Decimal(value))


def test_the_sentence_is_the_engines_own_and_comes_with_a_sample_verdict(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)
    yearly_shares(plan, criterion, {2018: "70", 2019: "72.4", 2020: "78"})
    target = criterion.targets.get()
    typed = {"choice": "share_min", "value": "75 %", "number": str(target.position)}

    fragment = client.get(preview_url(criterion), typed).content.decode()

    assert "Målet er mindst 75 % hvert år." in fragment
    assert "Med tallene i dag (hele planen, 2020):" in fragment
    assert "opfyldt" in fragment
    client.post(
        edit_url(criterion, target.position),
        {**typed, "loaded": target_fingerprint(criterion, target), "reason": "Hele perioden"},
    )
    [engine] = [
        evaluation
        for evaluation in evaluate_plan(plan, years=[2020])
        if evaluation.criterion.pk == criterion.pk
    ]
    assert html.escape(engine.sentence, quote=False) in fragment
    assert engine.verdict == "met"


def test_the_sentence_says_what_is_missing_while_the_target_is_incomplete(
    client, secretariat, plan
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, COUNT)

    fragment = client.get(preview_url(criterion), {"choice": "cumulative_min"}).content.decode()

    assert "Sætningen vises, når målet er udfyldt" in fragment
    assert "Skriv året, hvor summen skal være nået inden udgangen af." in fragment
    assert "<html" not in fragment


def test_without_javascript_choosing_shows_that_choices_fields_and_saves_nothing(
    client, secretariat, plan
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, COUNT)
    count = CriterionTarget.objects.count()

    first = client.get(new_url(criterion)).content.decode()
    assert 'id="target-fields" hidden' in first
    response = client.post(
        new_url(criterion),
        {"choice": "cumulative_min", "choose": "1", "loaded": target_fingerprint(criterion, None)},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="target-fields" hidden' not in page
    assert shown(page, "to_year") and shown(page, "to_quarter") and shown(page, "value")
    assert not shown(page, "change_percent") and not shown(page, "reference")
    assert "form-error-message" not in page
    assert CriterionTarget.objects.count() == count

    showing = client.post(
        new_url(criterion),
        {
            "choice": "cumulative_min",
            "value": "300",
            "to_year": "2021",
            "show": "1",
            "loaded": target_fingerprint(criterion, None),
        },
    ).content.decode()
    assert "Målet:</strong> mindst 300" in showing
    assert "Med tallene i dag" in showing
    assert CriterionTarget.objects.count() == count


def shown(page: str, field: str) -> bool:
    """Whether the field's group is shown (not hidden) on the page as sent."""
    at = (
        page.index(f'for="id_{field}"')
        if f'for="id_{field}"' in page
        else page.index(f'id="id_{field}_0"')
    )
    group = page.rfind("data-choices=", 0, at)
    tag_end = page.index(">", group)
    return " hidden" not in page[group:tag_end]


def test_the_criterion_page_lists_the_targets_in_plain_words_and_links_them(
    client, secretariat, plan
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, PER_THOUSAND)
    measurements = reverse("indicators:subagreement", args=[plan.slug, "kriminalitet"])
    targets_url = reverse("indicators:criterion_targets", args=[plan.slug, criterion.pk])
    assert targets_url in client.get(measurements).content.decode()

    page = client.get(targets_url).content.decode()

    assert "fra X i år Å til højst N i år Å2" in page
    assert "under 28" in page
    assert "højst 20" in page
    assert edit_url(criterion, 2) in page


def test_the_board_reads_the_measurements_without_the_link(client, board_member, plan):
    client.force_login(board_member)
    criterion = criterion_of(plan, PER_THOUSAND)
    page = client.get(reverse("indicators:subagreement", args=[plan.slug, "kriminalitet"]))
    assert (
        reverse("indicators:criterion_targets", args=[plan.slug, criterion.pk])
        not in page.content.decode()
    )
    assert client.get(new_url(criterion)).status_code == 403


def test_every_target_of_the_real_plan_reads_back_as_a_choice_and_saves_unchanged(
    client, secretariat, plan
):
    """Opened and saved without a change, no target of the real plan changes, except the two
    totals that name no deadline, which the form asks for (the engine reads the plan's end)."""
    from indicators.target_forms import initial_for

    client.force_login(secretariat)
    refused = []
    for target in CriterionTarget.objects.filter(criterion__subagreement__plan=plan).select_related(
        "criterion__subagreement__plan", "criterion__indicator"
    ):
        criterion = target.criterion
        data = {
            key: "" if value is None else str(value)
            for key, value in initial_for(criterion, target).items()
        }
        assert data["choice"], target
        response = client.post(edit_url(criterion, target.position), data)
        if response.status_code == 200:
            refused.append((criterion.text[:30], target.kind, target.to_year))
        else:
            assert response.status_code == 302
    assert refused == [
        ("Etablering af mindst 4 ad hoc ", "cumulative", None),
        ("Der etableres, reorganiseres e", "cumulative", None),
    ]
    assert not CriterionTarget.history.filter(history_type="~").exists()


def test_the_sample_verdict_says_when_other_targets_weigh_too(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, PER_THOUSAND)

    fragment = client.get(
        preview_url(criterion), {"choice": "yearly_max", "value": "25"}
    ).content.decode()

    assert "<strong>Målet:</strong> højst 25" in fragment
    assert "Her bedømmes kun dette mål; kriteriet har også 2 andre mål for samme sted" in fragment


def test_a_shares_targets_are_listed_in_per_cent(client, secretariat, plan):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)

    page = client.get(
        reverse("indicators:criterion_targets", args=[plan.slug, criterion.pk])
    ).content.decode()

    assert "en andel på mindst P %" in page
    assert "mindst 75 %" in page


def test_the_list_of_targets_costs_the_same_queries_for_ten_times_the_targets(
    client, secretariat, plan
):
    client.force_login(secretariat)
    criterion = criterion_of(plan, PER_THOUSAND)
    url = reverse("indicators:criterion_targets", args=[plan.slug, criterion.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    ref = reference(plan)
    CriterionTarget.objects.bulk_create(
        CriterionTarget(
            criterion=criterion, position=10 + n, kind="reference", comparison="gt", reference=ref
        )
        for n in range(60)
    )
    with CaptureQueriesContext(connection) as many:
        assert "Mål 69" in client.get(url).content.decode()
    assert len(many) == len(few)


@pytest.mark.parametrize("number", ["²", "9" * 20, "-1", "a"])
def test_a_target_number_that_is_no_number_is_a_danish_400(client, secretariat, plan, number):
    client.force_login(secretariat)
    criterion = criterion_of(plan, SHARE)

    response = client.get(preview_url(criterion), {"choice": "share_min", "number": number})

    assert response.status_code == 400
