"""The differences between two versions of a delaftale, on the real Slagelse plan.

Version 1 of each delaftale is loaded with the plan; the new side is a changed copy of its
content or, where said, the live draft after real edits of its rows.
"""

import copy
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from agreements.diff import RunKind, Status, compare
from agreements.models import Subagreement

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"

# A sentence in the problemkompleks of "Tryghed og trivsel", and what it becomes.
OLD_SENTENCE = (
    "Antallet af påsatte brande har de seneste år været faldende, men ligger med 15 tilfælde "
    "i 2015 og 28 i 2016 stadig markant over resten af Slagelse kommune."
)
NEW_SENTENCE = "Tallet for påsatte brande steg igen i 2017 ifølge politiet."


def _subagreement(plan, code: str) -> Subagreement:
    return plan.subagreements.get(focus_area__code=code)


def _version_1(plan, code: str) -> dict:
    return _subagreement(plan, code).versions.get(number=1).content


def _render(comparison, old_label: str = "Version 1", new_label: str = "Kladde") -> str:
    with translation.override("da"):
        return render_to_string(
            "agreements/_differences.html",
            {"comparison": comparison, "old_label": old_label, "new_label": new_label},
        )


def _words(text: str) -> int:
    return len(text.split())


def test_a_version_compared_with_an_identical_copy_or_the_untouched_draft_has_no_changes(plan):
    for subagreement in plan.subagreements.all():
        old = subagreement.versions.get(number=1).content
        for new in (copy.deepcopy(old), subagreement.content()):
            comparison = compare(old, new)
            assert not comparison.has_changes
            assert comparison.parts == []
            assert comparison.summary == []


def test_one_changed_sentence_in_the_problem_complex_is_all_that_is_marked(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    assert OLD_SENTENCE in old["problem_complex"]
    new["problem_complex"] = old["problem_complex"].replace(OLD_SENTENCE, NEW_SENTENCE)

    comparison = compare(old, new)

    assert [section.key for section in comparison.sections] == ["problem_complex"]
    diff = comparison.sections[0].diff
    assert [run.text for run in diff.runs(RunKind.REMOVED)] == [OLD_SENTENCE]
    assert [run.text for run in diff.runs(RunKind.ADDED)] == [NEW_SENTENCE]
    # The rest of a text of about a thousand words is shortened to the words around the change.
    assert _words(old["problem_complex"]) > 900
    shown = sum(_words(run.text) for run in diff.runs(RunKind.EQUAL))
    assert 0 < shown <= 20
    assert len(diff.runs(RunKind.OMITTED)) >= 2
    assert comparison.summary == ["1 afsnit ændret"]


def test_a_criterion_inserted_in_the_middle_is_added_and_the_others_are_unchanged(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    inserted = {
        "group": "",
        "text": "Mindst 50 aktive frivillige om året.",
        "data_source": "Sekretariatets registrering",
        "method": "",
        "kind": "quantitative",
    }
    new["criteria"].insert(1, inserted)
    activity_criterion = dict(inserted, text="Mindst én tryghedsvandring årligt i hvert område.")
    new["activities"][0]["criteria"].insert(2, activity_criterion)

    comparison = compare(old, new)

    assert [(c.status, c.title) for c in comparison.criteria] == [(Status.ADDED, inserted["text"])]
    assert [f.key for f in comparison.criteria[0].fields] == ["data_source", "kind"]
    (activity,) = comparison.activities
    assert activity.status == Status.CHANGED
    assert activity.fields == () and activity.title_change is None
    assert [(c.status, c.title) for c in activity.criteria] == [
        (Status.ADDED, activity_criterion["text"])
    ]
    assert comparison.counts["criteria_added"] == 2
    assert comparison.counts["criteria_changed"] == 0


def test_a_removed_activity_is_removed_with_its_criteria_and_nothing_else_changes(plan):
    old = _version_1(plan, "kriminalitet")
    new = copy.deepcopy(old)
    removed = new["activities"].pop(2)
    assert removed["name"] == "Idrætspartnerskaber"

    comparison = compare(old, new)

    (activity,) = comparison.activities
    assert (activity.status, activity.title) == (Status.REMOVED, "Idrætspartnerskaber")
    assert activity.fields == ()
    assert [c.status for c in activity.criteria] == [Status.REMOVED] * 3
    assert comparison.summary == ["3 succeskriterier fjernet", "1 aktivitet fjernet"]


def test_a_renamed_activity_in_the_same_place_is_changed_not_removed_and_added(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    assert new["activities"][2]["name"] == "Bydelsforældre"
    new["activities"][2]["name"] = "Bydelsmødre og -fædre"

    comparison = compare(old, new)

    (activity,) = comparison.activities
    assert activity.status == Status.CHANGED
    assert activity.title == "Bydelsmødre og -fædre"
    assert (activity.title_change.old, activity.title_change.new) == (
        "Bydelsforældre",
        "Bydelsmødre og -fædre",
    )
    assert activity.criteria == () and activity.staff == ()


def test_a_changed_data_source_is_a_changed_criterion_with_only_that_field(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    assert old["criteria"][1]["data_source"] == "Boligorganisationernes administration"
    new["criteria"][1]["data_source"] = "Boligorganisationernes udlejningssystem"

    comparison = compare(old, new)

    (criterion,) = comparison.criteria
    assert criterion.status == Status.CHANGED
    assert criterion.title == old["criteria"][1]["text"]
    assert criterion.title_change is None
    (field,) = criterion.fields
    assert field.key == "data_source"
    assert [run.text for run in field.diff.runs(RunKind.REMOVED)] == ["administration"]
    assert [run.text for run in field.diff.runs(RunKind.ADDED)] == ["udlejningssystem"]
    assert [run.text for run in field.diff.runs(RunKind.EQUAL)] == ["Boligorganisationernes"]


def test_a_budget_change_gives_the_danish_difference_in_thousands(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    new["budget"]["lbf"] += 300_000

    lbf, local, total = compare(old, new).budget

    assert (lbf.old, lbf.new, lbf.difference) == (6_497_000, 6_797_000, 300_000)
    assert lbf.formatted == "6.497 → 6.797 (+300)"
    assert not local.changed and local.formatted == "5.062"
    assert total.formatted == "11.559 → 11.859 (+300)"

    new["budget"]["local"] -= 1_250_000
    local = compare(old, new).budget[1]
    assert local.formatted == "5.062 → 3.812 (−1.250)"


def test_a_changed_fte_is_shown_as_a_danish_percentage(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    assert new["staff"][2] == {
        "role": "Koordinator Motalavej",
        "fte": "0.500",
        "fte_as_written": "",
        "note": "",
    }
    new["staff"][2]["fte"] = "0.750"

    (line,) = compare(old, new).staff

    assert (line.status, line.title) == (Status.CHANGED, "Koordinator Motalavej")
    (field,) = line.fields
    assert (field.old, field.new, field.diff) == (f"50{NBSP}%", f"75{NBSP}%", None)


def test_real_edits_of_the_draft_show_up_against_version_1(plan):
    subagreement = _subagreement(plan, "uddannelse")
    old = subagreement.versions.get(number=1).content
    activity = subagreement.activities.get(position=1)
    old_name = activity.name
    activity.name = "Tværgående brobygningsteam"
    activity.save()
    criterion = activity.criteria.order_by("position").first()
    criterion.data_source = "Uddannelsesvejledningens opgørelse"
    criterion.save()
    line = activity.staff.order_by("position").first()
    assert line.fte == Decimal("0.500")
    line.fte = Decimal("0.750")
    line.save()
    subagreement.budget_local += 250_000
    subagreement.save()

    comparison = compare(old, subagreement.content())

    (changed,) = comparison.activities
    assert changed.title_change.old == old_name
    assert changed.title_change.new == "Tværgående brobygningsteam"
    ((criterion_change,),) = [changed.criteria]
    assert criterion_change.status == Status.CHANGED
    assert [f.key for f in criterion_change.fields] == ["data_source"]
    (staff_change,) = changed.staff
    assert [(f.old, f.new) for f in staff_change.fields] == [(f"50{NBSP}%", f"75{NBSP}%")]
    assert comparison.budget[1].formatted == "7.306 → 7.556 (+250)"
    assert comparison.summary == [
        "1 succeskriterium ændret",
        "1 aktivitet ændret",
        "1 linje i medarbejderressourcerne ændret",
        "Budgettet er ændret",
    ]


def _set(path: str, value):
    """A change to the content at a dotted path such as "activities.0.criteria.1.method"."""

    def change(content: dict) -> None:
        *parents, last = path.split(".")
        target = content
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    "path, value",
    [
        ("initiative_name", "Ny indsats"),
        ("responsibility_statement", "Ny tekst"),
        ("problem_complex", "Ny tekst"),
        ("purpose_and_goals", "Ny tekst"),
        ("activities_overview", "Ny tekst"),
        ("municipal_interplay", "Ny tekst"),
        ("conflict_handling", "Ny tekst"),
        ("revision", "Ny tekst"),
        ("valid_from", "2018-01-01"),
        ("valid_to", None),
        ("validity_note", "2017-2022"),
        ("budget.local", 0),
        ("parties.0.representative", "En anden"),
        ("parties.1.group", "Øvrige parter"),
        ("criteria.0.method", "Spørgeskema"),
        ("criteria.2.kind", "qualitative"),
        ("staff.0.note", "Fra 2019"),
        ("staff.1.role", "Koordinator"),
        ("activities.0.cfbu_recommended", False),
        ("activities.0.cfbu_note", "CFBU 2016"),
        ("activities.0.content", "Ny tekst"),
        ("activities.0.purpose", "Ny tekst"),
        ("activities.0.target_groups", "Ny tekst"),
        ("activities.0.criteria_note", "Ny tekst"),
        ("activities.0.responsibility", "Ny tekst"),
        ("activities.0.municipality_responsible", True),
        ("activities.0.areas", ["Motalavej"]),
        ("activities.0.criteria.4.group", "Aktiviteter"),
    ],
)
def test_every_part_of_the_content_shows_up_as_a_difference(plan, path, value):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    _set(path, value)(new)
    assert new != old

    comparison = compare(old, new)

    assert comparison.has_changes
    assert comparison.summary
    assert "Der er ingen forskelle." not in _render(comparison)


def test_a_paragraph_break_alone_is_marked_and_spaces_within_a_line_are_not(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    new["revision"] = old["revision"].replace(" ", "  ")
    assert not compare(old, new).has_changes

    first, rest = old["conflict_handling"].split(". ", 1)
    new["conflict_handling"] = f"{first}.\n\n{rest}"
    (section,) = compare(old, new).sections
    assert [run.text for run in section.diff.runs(RunKind.ADDED)] == ["¶"]


def test_the_first_version_compares_with_nothing_as_everything_added(plan):
    new = _version_1(plan, "forebyggelse")

    comparison = compare({}, new)

    assert {activity.status for activity in comparison.activities} == {Status.ADDED}
    assert comparison.counts["activities_added"] == 2
    assert comparison.counts["parties_added"] == 2
    assert [line.new for line in comparison.budget] == [2_831_000, 1_248_000, 4_079_000]
    assert "Tilføjet" in _render(comparison, old_label="")


def test_the_partial_shows_the_differences_in_danish_with_removed_and_added_text_marked(plan):
    old = _version_1(plan, "tryghed")
    new = copy.deepcopy(old)
    new["problem_complex"] = old["problem_complex"].replace(OLD_SENTENCE, NEW_SENTENCE)
    new["criteria"].insert(
        1,
        {
            "group": "",
            "text": "Beboerne <b>vurderer</b> trygheden højere.",
            "data_source": "Tryghedsmålingen",
            "method": "",
            "kind": "quantitative",
        },
    )
    new["staff"][2]["fte"] = "0.750"
    new["budget"]["lbf"] += 300_000
    new["activities"].pop(0)

    html = _render(compare(old, new))

    text = re.sub(r"[ \n]+", " ", html)  # not \s, which would eat the no-break spaces
    for heading in (
        "Kort fortalt",
        "Problemkompleks",
        "Delaftalens succeskriterier",
        "Aktiviteter",
        "Medarbejderressourcer",
        "Budget",
    ):
        assert f"<h3>{heading}</h3>" in text
    assert text.index("Problemkompleks") < text.index("Delaftalens succeskriterier")
    assert '<del><span class="sr-only">fjernet: </span>' + OLD_SENTENCE + "</del>" in text
    assert '<ins><span class="sr-only">tilføjet: </span>' + NEW_SENTENCE + "</ins>" in text
    assert '<span class="badge badge-success">Tilføjet</span>' in text
    assert '<span class="badge badge-error">Fjernet</span>' in text
    assert "(uændret tekst udeladt)" in text
    assert f"50{NBSP}%</del>" in text and f"75{NBSP}%</ins>" in text
    assert '<td class="num">6.797</td>' in text and '<td class="num">+300</td>' in text
    assert '<th scope="col" class="num">Version 1</th>' in text
    assert "Beboerne &lt;b&gt;vurderer&lt;/b&gt;" in text and "<b>vurderer" not in text
    assert "1 aktivitet fjernet" in text
    assert "Der er ingen forskelle." not in text


def test_the_partial_says_so_when_there_are_no_differences(plan):
    old = _version_1(plan, "tryghed")

    html = _render(compare(old, copy.deepcopy(old)))

    assert "Der er ingen forskelle." in html
    assert "<h3>" not in html
