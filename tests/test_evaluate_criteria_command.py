"""`manage.py evaluate_criteria` prints one tab-separated line per criterion and area."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.evaluation import evaluate_plan
from indicators.rules import Verdict

pytestmark = pytest.mark.django_db


def lines(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.splitlines()]


@pytest.mark.parametrize("year", [2017, 2019, 2021])
def test_it_prints_one_line_per_criterion_and_area(plan, year):
    out = StringIO()

    call_command("evaluate_criteria", year=year, stdout=out)

    printed = lines(out.getvalue())
    evaluations = evaluate_plan(plan, years=[year])
    assert len(printed) == len(evaluations) > 0
    assert all(len(columns) == 6 for columns in printed)
    for columns, evaluation in zip(printed, evaluations, strict=True):
        assert columns[0] == evaluation.criterion.subagreement.focus_area.name
        assert columns[1] == str(evaluation.criterion.position)
        assert columns[3] == evaluation.where
        assert columns[4] == str(evaluation.verdict.label)
        assert columns[5] == evaluation.sentence


def test_it_prints_the_figures_that_decided(plan):
    crime = plan.indicators.get(name="Kriminalretlige afgørelser pr. 1.000 beboere")
    crime.measurements.create(year=2018, value="26.39")

    out = StringIO()
    call_command("evaluate_criteria", "--year", "2018", "--plan", plan.slug, stdout=out)

    whole_plan_name = next(e.where for e in evaluate_plan(plan, [2018]) if e.area is None)
    [whole_plan] = [
        columns
        for columns in lines(out.getvalue())
        if columns[:4] == ["Kriminalpræventiv indsats", "2", "", whole_plan_name]
    ]
    assert whole_plan[4] == str(Verdict.ON_TRACK.label)
    assert "26,39" in whole_plan[5]
    assert "30,65" in whole_plan[5]


def test_it_writes_to_standard_output(plan, capsys):
    call_command("evaluate_criteria", year=2019)

    printed = lines(capsys.readouterr().out)
    assert len(printed) == len(evaluate_plan(plan, years=[2019]))
    assert all(len(columns) == 6 for columns in printed)


def test_an_unknown_plan_is_an_error(plan):
    with pytest.raises(CommandError, match="ingen-plan") as error:
        call_command("evaluate_criteria", year=2019, plan="ingen-plan", stdout=StringIO())

    assert error.value.returncode != 0


@pytest.mark.parametrize("year", [2016, 2022])
def test_a_year_outside_the_plan_is_an_error(plan, year):
    out = StringIO()

    with pytest.raises(CommandError, match=str(year)) as error:
        call_command("evaluate_criteria", year=year, stdout=out)

    assert error.value.returncode != 0
    assert out.getvalue() == ""


def test_with_two_plans_the_plan_must_be_chosen(plan, make_plan):
    make_plan("anden-plan")

    with pytest.raises(CommandError, match="anden-plan"):
        call_command("evaluate_criteria", year=2019, stdout=StringIO())

    out = StringIO()
    call_command("evaluate_criteria", year=2019, plan=plan.slug, stdout=out)
    assert len(lines(out.getvalue())) == len(evaluate_plan(plan, years=[2019]))
