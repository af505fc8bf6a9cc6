"""The real criteria of the Slagelse plan are judged on the seed's own numbers, as the seed
reads them (docs/criteria.md): one test or more per kind of reading.

Each test enters the figures a year would bring (measurements or quarterly counts) and checks
the verdict and the numbers the sentence shows, formatted the Danish way: the numbers are what
a reader checks. A target is met or not met only once it is due and its year is over; before
that it is on track or not, against the straight line or the share of a yearly target the
quarters so far ask for.
"""

import datetime
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Metric, QuarterlyCount
from agreements.models import HousingArea
from indicators.evaluation import Figures, evaluate_at, evaluate_plan
from indicators.models import Indicator, Measurement, QualitativeAssessment, SuccessCriterion
from indicators.rules import Verdict
from lib.periods import Horizon, Quarter

pytestmark = pytest.mark.django_db

PLAN_YEARS = [2017, 2018, 2019, 2020, 2021]


def shows(sentence: str, number: str) -> bool:
    """Whether the sentence shows the number as a figure of its own, not part of another."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", sentence) is not None


def criterion(plan, code: str, position: int) -> SuccessCriterion:
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code=code, position=position
    )


def area(code: str | None) -> HousingArea | None:
    return HousingArea.objects.get(code=code) if code else None


def measure(indicator: Indicator, values: dict[int, str], where: str | None = None) -> None:
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, area=area(where), year=year, value=Decimal(value))
        for year, value in values.items()
    )


def count(metric: Metric, where: str, year: int, quarters: dict[int, int]) -> None:
    QuarterlyCount.objects.bulk_create(
        QuarterlyCount(metric=metric, area=area(where), year=year, quarter=quarter, value=value)
        for quarter, value in quarters.items()
    )


def judged(plan, subject: SuccessCriterion, year: int) -> dict:
    """The criterion's evaluations in one year once it is over, by area code (None: the
    whole plan)."""
    return {
        evaluation.area.code if evaluation.area else None: evaluation
        for evaluation in evaluate_plan(plan, years=[year])
        if evaluation.criterion.pk == subject.pk
    }


def judged_at(plan, subject: SuccessCriterion, quarter: Quarter) -> dict:
    """The criterion's evaluations as a report at the end of `quarter` reads them."""
    figures = Figures.load(plan)
    horizon = Horizon(quarter, tuple(plan.quarters()))
    criteria = SuccessCriterion.objects.for_evaluation(plan).filter(pk=subject.pk)
    return {
        evaluation.area.code if evaluation.area else None: evaluation
        for evaluation in evaluate_at(criteria, figures, horizon)
    }


# Arson (kriminalitet 3): "faldende med minimum 10% ift de foregående år igennem hele perioden
# (udgangspunkt i 2015: 15 episoder)": at most 15 less 10 % for every year since 2015.


@pytest.mark.parametrize(
    ("year", "limit"),
    [(2017, 12), (2018, 10), (2019, 9), (2020, 8), (2021, 7)],  # 12,15; 10,94; 9,84; ...
)
def test_arson_falls_10_percent_a_year_from_15_in_2015(plan, year, limit):
    arson = criterion(plan, "kriminalitet", 3)
    measure(arson.indicator, {year: str(limit)})

    met = judged(plan, arson, year)[None]

    assert met.verdict == Verdict.MET
    assert shows(met.sentence, "15")
    assert shows(met.sentence, "2015")
    assert "-10 %" in met.sentence
    assert shows(met.sentence, str(limit))
    Measurement.objects.filter(indicator=arson.indicator, year=year).update(value=limit + 1)
    assert judged(plan, arson, year)[None].verdict == Verdict.NOT_MET


def test_arson_in_2017_is_not_compared_with_28_in_2016(plan):
    """The seed names 15 in 2015 as the starting point although it knows 2016's 28."""
    arson = criterion(plan, "kriminalitet", 3)
    measure(arson.indicator, {2017: "25"})  # 28 less 10 % would allow 25,2

    evaluation = judged(plan, arson, 2017)[None]

    assert evaluation.verdict == Verdict.NOT_MET
    assert not shows(evaluation.sentence, "25,2")
    assert not shows(evaluation.sentence, "28")


# Crime (kriminalitet 2): from 30,65 in 2016 to at most 20 in 2021, under 28 every year, and
# per area under 30 (under 19 for Skælskør) by 2021 from the last figure before the plan.


@pytest.mark.parametrize(
    ("rate_2018", "verdict"),
    [
        ("26", Verdict.ON_TRACK),
        ("26.39", Verdict.ON_TRACK),  # on the line counts
        ("26.40", Verdict.NOT_ON_TRACK),  # due in 2021: behind the line, not yet failed
        ("20", Verdict.ON_TRACK),  # at the goal already, settled in 2021
    ],
)
def test_crime_in_2018_is_judged_against_the_straight_line_from_2016(plan, rate_2018, verdict):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2018: rate_2018})

    evaluation = judged(plan, crime, 2018)[None]

    assert evaluation.verdict == verdict
    assert evaluation.value == Decimal(rate_2018)
    assert shows(evaluation.sentence, "30,65")
    assert shows(evaluation.sentence, "2016")
    assert shows(evaluation.sentence, "20")
    if rate_2018 != "20":
        assert shows(evaluation.sentence, "26,39")


def test_the_ghetto_criterion_fails_a_year_on_the_line_but_not_under_28(plan):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2017: "28.2"})

    evaluation = judged(plan, crime, 2017)[None]

    # 28,52 is the line for 2017, so the 2021 target alone would be on track; the 28 is due
    # every year.
    assert shows(evaluation.sentence, "28,52")
    assert evaluation.verdict == Verdict.NOT_MET
    assert shows(evaluation.sentence, "28,2")


@pytest.mark.parametrize(
    ("rate_2021", "verdict"),
    [("19.99", Verdict.MET), ("20", Verdict.MET), ("20.01", Verdict.NOT_MET)],
)
def test_crime_in_2021_must_be_at_most_20(plan, rate_2021, verdict):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2021: rate_2021})

    evaluation = judged(plan, crime, 2021)[None]

    assert evaluation.verdict == verdict
    assert evaluation.partial_year


@pytest.mark.parametrize(
    ("where", "baseline", "line_2018", "on_line", "off_line"),
    [
        ("motalavej", "34,2", "32,1", "32.1", "32.11"),
        ("sydbyen", "34,7", "32,35", "32", "32.4"),
        ("ringparken", "31,4", "30,7", "30.7", "30.71"),
        ("skaelskoer", "22,3", "20,65", "20.65", "20.7"),
    ],
)
def test_crime_per_area_is_judged_from_2015(plan, where, baseline, line_2018, on_line, off_line):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2018: on_line}, where)

    on_track = judged(plan, crime, 2018)[where]

    assert on_track.verdict == Verdict.ON_TRACK
    assert baseline in on_track.sentence
    assert shows(on_track.sentence, "2015")
    assert line_2018 in on_track.sentence

    Measurement.objects.filter(indicator=crime.indicator, area__code=where, year=2018).update(
        value=Decimal(off_line)
    )
    assert judged(plan, crime, 2018)[where].verdict == Verdict.NOT_ON_TRACK


@pytest.mark.parametrize(
    ("where", "met", "not_met"),
    [
        ("motalavej", "29.99", "30"),
        ("sydbyen", "29.99", "30"),
        ("ringparken", "29.99", "30"),
        ("skaelskoer", "18.99", "19"),
    ],
)
def test_crime_per_area_must_be_under_the_limit_in_2021(plan, where, met, not_met):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2021: met}, where)
    assert judged(plan, crime, 2021)[where].verdict == Verdict.MET

    Measurement.objects.filter(indicator=crime.indicator, area__code=where, year=2021).update(
        value=Decimal(not_met)
    )
    assert judged(plan, crime, 2021)[where].verdict == Verdict.NOT_MET


# Safety (kriminalitet 1 and tryghed 1): "skal stige: For ... Ringparken og Motalavej ... over
# gennemsnittet for Særligt Udsatte Boligområder (72,4% i 2016)", a goal for the period, per
# area; the seed names no figure for the whole plan.


@pytest.mark.parametrize(("code", "position"), [("kriminalitet", 1), ("tryghed", 1)])
@pytest.mark.parametrize(
    ("year", "safety", "verdict"),
    [
        (2018, "72.4", Verdict.NOT_ON_TRACK),
        (2018, "72.5", Verdict.ON_TRACK),
        (2018, "58.3", Verdict.NOT_ON_TRACK),
        (2021, "72.5", Verdict.MET),
        (2021, "72.4", Verdict.NOT_MET),
    ],
)
@pytest.mark.parametrize("where", ["ringparken", "motalavej"])
def test_safety_must_be_above_the_reference(plan, code, position, year, safety, verdict, where):
    safety_criterion = criterion(plan, code, position)
    measure(safety_criterion.indicator, {year: safety}, where)

    evaluations = judged(plan, safety_criterion, year)

    assert None not in evaluations  # no starting point the seed does not name
    assert evaluations[where].verdict == verdict
    assert "72,4 %" in evaluations[where].sentence
    assert shows(evaluations[where].sentence, "2016")


# Moving out and vandalism (tryghed 2 and 3): "Dette gælder alle fire områder hver for sig som
# samlet", "i alle fire områder" (strategic agreement 5.1): each area on its own as well.


@pytest.mark.parametrize(
    ("position", "fell", "rose", "before"), [(2, "18", "31", "30,0 %"), (3, "17", "31", "30")]
)
def test_a_fall_asked_of_all_four_areas_is_judged_in_each(plan, position, fell, rose, before):
    subject = criterion(plan, "tryghed", position)
    measure(subject.indicator, {2017: "20", 2018: fell})
    measure(subject.indicator, {2017: "30", 2018: rose}, "motalavej")
    measure(subject.indicator, {2017: "30", 2018: "20"}, "sydbyen")

    evaluations = judged(plan, subject, 2018)

    assert set(evaluations) == {None, "motalavej", "ringparken", "sydbyen", "skaelskoer"}
    assert evaluations[None].verdict == Verdict.MET
    assert evaluations["motalavej"].verdict == Verdict.NOT_MET
    assert evaluations["sydbyen"].verdict == Verdict.MET
    assert evaluations["ringparken"].verdict == Verdict.NO_DATA
    assert shows(evaluations["motalavej"].sentence, before)


# Dropout lists (uddannelse 7): "reduceres med 30 % inden for 2 år og fastholdes derefter",
# from the lists at the plan's start (4th quarter of 2017) to the report of the 3rd quarter of
# 2019; a year's figure is its latest report.


@pytest.fixture
def dropout(plan):
    subject = criterion(plan, "uddannelse", 7)
    assert subject.metric.name == "Unge på dropout-listerne"
    assert subject.metric.aggregation == Metric.Aggregation.LAST
    count(subject.metric, "motalavej", 2017, {4: 6})
    count(subject.metric, "ringparken", 2017, {4: 4})
    return subject


def test_dropout_is_on_track_below_the_line_from_the_plans_start(plan, dropout):
    count(dropout.metric, "motalavej", 2018, {1: 6, 2: 5, 3: 5, 4: 4})
    count(dropout.metric, "ringparken", 2018, {1: 4, 2: 4, 3: 4, 4: 4})

    evaluation = judged(plan, dropout, 2018)[None]

    assert evaluation.value == 8  # the latest report, 4 + 4; not the year's average
    assert evaluation.verdict == Verdict.ON_TRACK
    assert shows(evaluation.sentence, "10")  # the baseline, 2017
    assert "-30 %" in evaluation.sentence
    assert shows(evaluation.sentence, "7")  # 10 less 30 %
    assert "3. kvartal 2019" in evaluation.sentence
    assert shows(evaluation.sentence, "8")  # 4 of 7 quarters from 10 towards 7: 8,29
    assert "-20,0 %" in evaluation.sentence


@pytest.mark.parametrize(
    ("ringparken", "verdict"), [(3, Verdict.ON_TRACK), (4, Verdict.NOT_ON_TRACK)]
)
def test_dropout_before_the_deadline_is_on_track_or_not(plan, dropout, ringparken, verdict):
    count(dropout.metric, "motalavej", 2019, {1: 4, 2: 4})
    count(dropout.metric, "ringparken", 2019, {1: 4, 2: ringparken})

    evaluation = judged_at(plan, dropout, Quarter(2019, 2))[None]

    assert evaluation.running
    assert evaluation.verdict == verdict
    assert "til og med 2. kvartal 2019" in evaluation.sentence
    assert shows(evaluation.sentence, "7")  # 6 of 7 quarters: 7,43, at most 7 people


@pytest.mark.parametrize(("ringparken_q4", "verdict"), [(3, Verdict.MET), (4, Verdict.NOT_MET)])
def test_dropout_must_be_down_30_percent_by_the_third_quarter_of_2019(
    plan, dropout, ringparken_q4, verdict
):
    count(dropout.metric, "motalavej", 2019, {1: 5, 2: 5, 3: 4, 4: 4})
    count(dropout.metric, "ringparken", 2019, {1: 4, 2: 4, 3: 3, 4: ringparken_q4})

    evaluation = judged(plan, dropout, 2019)[None]

    assert evaluation.verdict == verdict
    assert shows(evaluation.sentence, "7")


def test_dropout_must_be_held_after_2019(plan, dropout):
    count(dropout.metric, "motalavej", 2020, {1: 3, 2: 3, 3: 3, 4: 4})
    count(dropout.metric, "ringparken", 2020, {1: 3, 2: 3, 3: 3, 4: 4})

    evaluation = judged(plan, dropout, 2020)[None]

    assert evaluation.value == 8
    assert evaluation.verdict == Verdict.NOT_MET


# People a year (tryghed 4 and 10, kriminalitet 9, 11 and 12, uddannelse 11): "mindst 50 aktive
# frivillige om året" counts people, once each. Quarterly counts cannot add up people, so each
# quarter the reporter enters the different people so far this year, and the year's figure is
# its latest quarter.


@pytest.mark.parametrize(
    ("code", "position"),
    [
        ("tryghed", 4),
        ("tryghed", 10),
        ("kriminalitet", 9),
        ("kriminalitet", 11),
        ("kriminalitet", 12),
        ("uddannelse", 11),
    ],
)
def test_people_a_year_are_counted_as_the_year_so_far(plan, code, position):
    subject = criterion(plan, code, position)

    assert subject.metric.aggregation == Metric.Aggregation.LAST
    assert "året til dato" in subject.metric.description
    assert "én gang om året" in subject.metric.description


def test_volunteers_are_the_different_people_so_far_this_year(plan):
    volunteers = criterion(plan, "tryghed", 4)
    count(volunteers.metric, "motalavej", 2018, {1: 20, 2: 30, 3: 35, 4: 38})
    count(volunteers.metric, "ringparken", 2018, {1: 15, 2: 18, 3: 22})  # no 4th quarter yet
    count(volunteers.metric, "motalavej", 2019, {1: 10, 2: 20, 3: 25, 4: 29})
    count(volunteers.metric, "ringparken", 2019, {1: 5, 2: 10, 3: 15, 4: 20})

    in_2018 = judged(plan, volunteers, 2018)[None]
    in_2019 = judged(plan, volunteers, 2019)[None]

    # Each area's year so far, added up: Ringparken's 22 are not lost with its 4th quarter.
    assert in_2018.value == 60
    assert in_2018.verdict == Verdict.MET
    assert shows(in_2018.sentence, "60")
    assert shows(in_2018.sentence, "50")
    assert in_2019.value == 49
    assert in_2019.verdict == Verdict.NOT_MET


@pytest.mark.parametrize(
    ("motalavej", "verdict"), [(15, Verdict.ON_TRACK), (14, Verdict.NOT_ON_TRACK)]
)
def test_a_running_year_is_judged_on_its_share_of_the_yearly_target(plan, motalavej, verdict):
    volunteers = criterion(plan, "tryghed", 4)
    count(volunteers.metric, "motalavej", 2019, {1: 10, 2: motalavej})
    count(volunteers.metric, "ringparken", 2019, {1: 5, 2: 10})
    count(volunteers.metric, "ringparken", 2019, {3: 30})  # after the half-year: not read

    evaluation = judged_at(plan, volunteers, Quarter(2019, 2))[None]

    assert evaluation.running
    assert evaluation.value == motalavej + 10
    assert evaluation.verdict == verdict
    assert "Tallet for 2019 indtil nu, til og med 2. kvartal 2019" in evaluation.sentence
    assert "efter 2 af årets 4 kvartaler" in evaluation.sentence
    assert shows(evaluation.sentence, "25")  # half of 50


@pytest.mark.parametrize(("volunteers_2017", "verdict"), [(13, Verdict.MET), (12, Verdict.NOT_MET)])
def test_a_year_the_plan_covers_in_part_asks_its_part_of_a_yearly_count(
    plan, volunteers_2017, verdict
):
    volunteers = criterion(plan, "tryghed", 4)
    count(volunteers.metric, "motalavej", 2017, {4: volunteers_2017})

    evaluation = judged(plan, volunteers, 2017)[None]

    assert evaluation.verdict == verdict
    assert "1 af årets 4 kvartaler" in evaluation.sentence
    assert shows(evaluation.sentence, "13")  # a quarter of 50 is 12,5: 13 people


# Safety walks (kriminalitet 4): at least one a year in each of the four areas.


def test_every_area_needs_its_own_safety_walk(plan):
    walks = criterion(plan, "kriminalitet", 4)
    count(walks.metric, "motalavej", 2018, {2: 1})
    count(walks.metric, "sydbyen", 2018, {1: 0, 2: 0, 3: 0, 4: 0})
    count(walks.metric, "skaelskoer", 2018, {3: 2})

    evaluations = judged(plan, walks, 2018)

    assert set(evaluations) == {"motalavej", "ringparken", "sydbyen", "skaelskoer"}
    assert evaluations["motalavej"].verdict == Verdict.MET
    assert evaluations["skaelskoer"].verdict == Verdict.MET
    assert evaluations["sydbyen"].verdict == Verdict.NOT_MET
    assert evaluations["ringparken"].verdict == Verdict.NO_DATA
    assert shows(evaluations["ringparken"].sentence, "2018")


# Communities (kriminalitet 10): 3-4 "færdigetableret ved udgangen af 1. år af helhedsplanen",
# 30 September 2018: counted from the plan's start up to the 3rd quarter of 2018.


@pytest.mark.parametrize(("in_q3", "verdict"), [(True, Verdict.MET), (False, Verdict.NOT_MET)])
def test_communities_are_counted_up_to_the_third_quarter_of_2018(plan, in_q3, verdict):
    communities = criterion(plan, "kriminalitet", 10)
    count(communities.metric, "motalavej", 2017, {4: 1})
    count(communities.metric, "ringparken", 2018, {2: 1})
    count(communities.metric, "sydbyen", 2018, {3 if in_q3 else 4: 1})

    evaluation = judged(plan, communities, 2018)[None]

    assert evaluation.verdict == verdict
    assert "3–4" in evaluation.sentence
    assert "3. kvartal 2018" in evaluation.sentence
    assert shows(evaluation.sentence, "3" if in_q3 else "2")


@pytest.mark.parametrize(
    ("new_in_2017", "verdict"), [(1, Verdict.ON_TRACK), (0, Verdict.NOT_ON_TRACK)]
)
def test_communities_after_the_plans_first_quarter_are_on_track_or_not(plan, new_in_2017, verdict):
    communities = criterion(plan, "kriminalitet", 10)
    count(communities.metric, "motalavej", 2017, {4: new_in_2017})

    evaluation = judged(plan, communities, 2017)[None]

    # One quarter of four towards 3 by 30 September 2018: 0,75, that is one community.
    assert evaluation.verdict == verdict
    assert "4. kvartal 2017" in evaluation.sentence


def test_communities_established_stay_counted_after_2018(plan):
    communities = criterion(plan, "kriminalitet", 10)
    count(communities.metric, "motalavej", 2018, {1: 2, 2: 1})
    count(communities.metric, "motalavej", 2019, {1: 0})

    assert judged(plan, communities, 2019)[None].verdict == Verdict.MET


# Leisure jobs (kriminalitet 7): "i gennemsnit pr. år 60 job" over the plan's four years,
# 1.10.2017-30.9.2021: 240 in the plan's 16 quarters.


def test_leisure_jobs_add_up_to_240_over_the_plans_four_years(plan):
    jobs = criterion(plan, "kriminalitet", 7)
    for quarter in plan.quarters():
        count(jobs.metric, "motalavej", quarter.year, {quarter.number: 15})

    in_2019 = judged(plan, jobs, 2019)[None]
    in_2021 = judged(plan, jobs, 2021)[None]

    # Nine quarters of sixteen: 135 by the end of 2019.
    assert in_2019.verdict == Verdict.ON_TRACK
    assert shows(in_2019.sentence, "135")
    assert shows(in_2019.sentence, "240")
    # A steady 15 a quarter is 60 a year: met, though 2021 has only three quarters.
    assert in_2021.verdict == Verdict.MET
    assert shows(in_2021.sentence, "240")
    assert "3. kvartal 2021" in in_2021.sentence


def test_leisure_jobs_behind_the_line_are_not_on_track(plan):
    jobs = criterion(plan, "kriminalitet", 7)
    for quarter in plan.quarters():
        if quarter.year <= 2019:
            count(jobs.metric, "motalavej", quarter.year, {quarter.number: 15})
    QuarterlyCount.objects.filter(metric=jobs.metric, year=2019, quarter=4).update(value=14)

    assert judged(plan, jobs, 2019)[None].verdict == Verdict.NOT_ON_TRACK


# Kept jobs (kriminalitet 8): "I mindst 50% af de formidlede fritidsjob ... (gennemsnitligt)":
# the kept jobs over all jobs of the period, settled at its end.


def test_kept_jobs_are_a_share_of_all_jobs_over_the_period(plan):
    kept = criterion(plan, "kriminalitet", 8)
    count(kept.denominator_metric, "motalavej", 2018, {1: 5, 2: 5, 3: 5, 4: 5})
    count(kept.metric, "motalavej", 2018, {1: 1, 2: 1, 3: 2, 4: 2})
    count(kept.denominator_metric, "motalavej", 2019, {1: 5, 2: 5, 3: 5, 4: 5})
    count(kept.metric, "motalavej", 2019, {1: 4, 2: 4, 3: 4, 4: 4})
    count(kept.denominator_metric, "sydbyen", 2021, {1: 5})
    count(kept.metric, "sydbyen", 2021, {1: 3})

    in_2018 = judged(plan, kept, 2018)[None]
    in_2019 = judged(plan, kept, 2019)[None]
    in_2021 = judged(plan, kept, 2021)[None]

    assert in_2018.verdict == Verdict.NOT_ON_TRACK  # 6 of 20, not yet due
    assert in_2019.verdict == Verdict.ON_TRACK  # 22 of 40 over both years: 55 %
    assert shows(in_2019.sentence, "22")
    assert shows(in_2019.sentence, "40")
    assert "55,0 %" in in_2019.sentence
    assert in_2021.verdict == Verdict.MET  # 25 of 45: 55,6 %
    assert "55,6 %" in in_2021.sentence


# Shares (forebyggelse 6 and 7): the year's summed numerator over its summed denominator.


def test_a_share_is_the_sum_of_the_numerators_over_the_sum_of_the_denominators(plan):
    attendance = criterion(plan, "forebyggelse", 6)
    mothers = {1: 1, 2: 1, 3: 1, 4: 17}
    stable = {1: 1, 2: 1, 3: 1, 4: 3}
    count(attendance.denominator_metric, "motalavej", 2018, mothers)
    count(attendance.metric, "motalavej", 2018, stable)

    evaluation = judged(plan, attendance, 2018)[None]

    assert evaluation.value == 30  # 6 of 20
    assert evaluation.verdict == Verdict.NOT_MET
    assert "30,0 %" in evaluation.sentence
    assert shows(evaluation.sentence, "6")
    assert shows(evaluation.sentence, "20")
    quarterly_shares = [Decimal(stable[q]) / mothers[q] * 100 for q in mothers]
    averaged = sum(quarterly_shares) / len(quarterly_shares)
    assert averaged >= 75  # averaging the quarters' shares would call this met


def test_a_share_adds_the_areas_up_too(plan):
    answers = criterion(plan, "forebyggelse", 7)
    count(answers.denominator_metric, "motalavej", 2018, {1: 10, 2: 10})
    count(answers.metric, "motalavej", 2018, {1: 10, 2: 10})
    count(answers.denominator_metric, "ringparken", 2018, {1: 20})
    count(answers.metric, "ringparken", 2018, {1: 14})

    evaluation = judged(plan, answers, 2018)[None]

    assert evaluation.value == 85  # 34 of 40
    assert evaluation.verdict == Verdict.MET
    assert "85,0 %" in evaluation.sentence
    assert shows(evaluation.sentence, "34")
    assert shows(evaluation.sentence, "40")


def test_a_share_whose_numerator_exceeds_its_denominator_is_an_error_not_a_share(plan):
    attendance = criterion(plan, "forebyggelse", 6)
    count(attendance.denominator_metric, "motalavej", 2018, {1: 1})
    count(attendance.metric, "motalavej", 2018, {1: 11})

    evaluation = judged(plan, attendance, 2018)[None]

    assert evaluation.verdict == Verdict.NO_DATA
    assert evaluation.value is None
    assert "11 af 1 er ikke en andel" in evaluation.sentence
    assert "1.100" not in evaluation.sentence


# Visits to the 0-year-olds (forebyggelse 3 and 4): a share of each January cohort, from Novax.


@pytest.mark.parametrize(("position", "goal"), [(3, "85"), (4, "75")])
def test_visits_are_a_share_of_each_cohort_of_0_year_olds(plan, position, goal):
    visits = criterion(plan, "forebyggelse", position)
    assert visits.indicator.unit == "percent"
    assert not visits.metric_id
    measure(visits.indicator, {2017: "10", 2018: goal, 2019: str(Decimal(goal) - Decimal("0.1"))})

    assert judged(plan, visits, 2017)[None].verdict == Verdict.NOT_DUE
    assert judged(plan, visits, 2018)[None].verdict == Verdict.MET
    assert judged(plan, visits, 2019)[None].verdict == Verdict.NOT_MET


# Families (forebyggelse 1): "Ved gennemførsel af 3-års besøg i 2020 ... i 20 familier": judged
# in 2020 alone, with no starting count and no interim targets the seed does not have.


@pytest.mark.parametrize(("families", "verdict"), [("20", Verdict.MET), ("19", Verdict.NOT_MET)])
def test_families_are_judged_at_the_visits_of_2020(plan, families, verdict):
    subject = criterion(plan, "forebyggelse", 1)
    target = subject.targets.get()
    assert target.baseline_value is None and target.baseline_year is None
    measure(subject.indicator, {2018: "5", 2019: "10", 2020: families})

    assert judged(plan, subject, 2018)[None].verdict == Verdict.NOT_DUE
    assert judged(plan, subject, 2019)[None].verdict == Verdict.NOT_DUE
    evaluation = judged(plan, subject, 2020)[None]
    assert evaluation.verdict == verdict
    assert shows(evaluation.sentence, "20")
    assert shows(evaluation.sentence, "2020")


# Negative press (tryghed 12): "Baseline vil være 2017 i tre mest gængse (udvalgte) lokale
# medier": the media's own figure for the whole of 2017, not the plan's one quarter of it.


@pytest.mark.parametrize(("press_2018", "verdict"), [("36", Verdict.MET), ("37", Verdict.NOT_MET)])
def test_negative_press_falls_from_the_whole_of_2017(plan, press_2018, verdict):
    press = criterion(plan, "tryghed", 12)
    assert press.indicator.name == "Negative omtaler i de tre udvalgte lokale medier"
    measure(press.indicator, {2017: "40", 2018: press_2018})

    evaluation = judged(plan, press, 2018)[None]

    assert judged(plan, press, 2017)[None].verdict == Verdict.NOT_DUE
    assert evaluation.verdict == verdict
    assert shows(evaluation.sentence, "40")
    assert shows(evaluation.sentence, "2017")


# Website visitors (tryghed 13): 10.000 by 2018, then at least 8 % more every year.


def test_visitors_rise_8_percent_a_year_after_2018(plan):
    visitors = criterion(plan, "tryghed", 13)
    measure(visitors.indicator, {2017: "8000", 2018: "10000", 2019: "10800", 2020: "11663"})

    evaluations = {year: judged(plan, visitors, year)[None] for year in PLAN_YEARS}

    assert evaluations[2017].verdict == Verdict.NOT_DUE
    assert evaluations[2018].verdict == Verdict.MET
    assert shows(evaluations[2018].sentence, "10.000")
    assert evaluations[2019].verdict == Verdict.MET
    assert shows(evaluations[2019].sentence, "10.800")
    assert "+8 %" in evaluations[2019].sentence
    assert evaluations[2020].verdict == Verdict.NOT_MET
    assert shows(evaluations[2020].sentence, "11.663")
    assert shows(evaluations[2020].sentence, "11.664")  # 10.800 and 8 %
    assert evaluations[2021].verdict == Verdict.NO_DATA


@pytest.mark.parametrize(
    ("visitors_2018", "verdict"), [("10000", Verdict.MET), ("9999", Verdict.NOT_MET)]
)
def test_visitors_are_judged_in_2018_without_an_earlier_figure(plan, visitors_2018, verdict):
    visitors = criterion(plan, "tryghed", 13)
    measure(visitors.indicator, {2018: visitors_2018})

    evaluation = judged(plan, visitors, 2018)[None]

    assert evaluation.verdict == verdict


# School absence (uddannelse 1): falls from 2017 over the period to 2021.


@pytest.mark.parametrize(
    ("year", "absence", "verdict"),
    [
        (2017, "8.5", Verdict.NOT_DUE),
        (2018, "8.0", Verdict.ON_TRACK),
        (2019, "8.5", Verdict.NOT_ON_TRACK),  # due in 2021: not on track, not failed
        (2020, "7.9", Verdict.ON_TRACK),
        (2021, "7.2", Verdict.MET),
        (2021, "8.6", Verdict.NOT_MET),
    ],
)
def test_school_absence_must_fall_by_2021(plan, year, absence, verdict):
    absence_criterion = criterion(plan, "uddannelse", 1)
    figures = {2017: "8.5", year: absence}
    measure(absence_criterion.indicator, figures)

    evaluation = judged(plan, absence_criterion, year)[None]

    assert evaluation.verdict == verdict
    if verdict != Verdict.NOT_DUE:
        assert shows(evaluation.sentence, "8,5")
        assert shows(evaluation.sentence, "2017")
        assert shows(evaluation.sentence, "2021")


def test_school_absence_shows_the_change_from_2017(plan):
    absence_criterion = criterion(plan, "uddannelse", 1)
    measure(absence_criterion.indicator, {2017: "8.5", 2018: "8.0"})

    assert "-5,9 %" in judged(plan, absence_criterion, 2018)[None].sentence


# Residents' influence (kriminalitet 5): assessed qualitatively, with a written justification.


def test_a_qualitative_criterion_without_an_assessment_is_still_answered(plan):
    influence = criterion(plan, "kriminalitet", 5)

    evaluation = judged(plan, influence, 2019)[None]

    assert evaluation.verdict == Verdict.ASSESSED
    assert str(evaluation.verdict.label) == "vurderes kvalitativt"
    assert evaluation.assessment is None
    assert shows(evaluation.sentence, "2019")


def test_a_qualitative_criterion_shows_who_assessed_it_and_why(plan, secretariat):
    influence = criterion(plan, "kriminalitet", 5)
    secretariat.first_name, secretariat.last_name = "Sara", "Sekretær"
    secretariat.save()
    assessment = QualitativeAssessment.objects.create(
        criterion=influence,
        year=2019,
        status=QualitativeAssessment.Status.PARTLY_MET,
        justification="Beboerrådet i Motalavej har fået eget budget; Sydbyens er ikke valgt.",
        assessed_by=secretariat,
        assessed_at=timezone.make_aware(datetime.datetime(2020, 3, 15, 12)),
    )

    evaluation = judged(plan, influence, 2019)[None]
    other_year = judged(plan, influence, 2020)[None]

    assert evaluation.verdict == Verdict.ASSESSED
    assert evaluation.assessment == assessment
    assert assessment.justification in evaluation.sentence
    assert "Sara Sekretær" in evaluation.sentence
    assert "15. marts 2020" in evaluation.sentence
    assert other_year.assessment is None
    assert assessment.justification not in other_year.sentence


# Years a rule does not cover.


def test_the_baseline_year_is_not_judged(plan):
    moving_out = criterion(plan, "tryghed", 2)  # falls 10 % a year from 2017
    measure(moving_out.indicator, {2017: "12", 2018: "10.8"})

    assert judged(plan, moving_out, 2017)[None].verdict == Verdict.NOT_DUE
    assert judged(plan, moving_out, 2018)[None].verdict == Verdict.MET


def test_a_year_before_the_rule_starts_is_not_judged(plan):
    courses = criterion(plan, "forebyggelse", 5)  # two a year in each area from 2018
    count(courses.metric, "motalavej", 2017, {4: 1})

    evaluation = judged(plan, courses, 2017)["motalavej"]

    assert evaluation.verdict == Verdict.NOT_DUE
    assert shows(evaluation.sentence, "2018")


# Every criterion, every year.


def enter_every_figure(plan) -> None:
    """A figure for every indicator, area and year, and a count for every metric, area and
    quarter of the plan, none of them zero, and no share's numerator above its denominator."""
    entered = set(
        Measurement.objects.filter(indicator__plan=plan).values_list("indicator", "area", "year")
    )
    area_ids = [plan_area.area_id for plan_area in plan.plan_areas.all()]
    measurements = []
    for number, indicator in enumerate(Indicator.objects.filter(plan=plan)):
        wheres = [None] if indicator.is_reference else [None, *area_ids]
        for where in wheres:
            for year in range(2013, 2022):
                if (indicator.pk, where, year) not in entered:
                    value = Decimal(40 + (number * 7 + year * 3 + (where or 0)) % 50)
                    measurements.append(
                        Measurement(indicator=indicator, area_id=where, year=year, value=value)
                    )
    Measurement.objects.bulk_create(measurements)
    counts = []
    metrics = Metric.objects.filter(activity__subagreement__plan=plan).prefetch_related(
        "activity__areas"
    )
    numerators = set(
        SuccessCriterion.objects.filter(
            subagreement__plan=plan, denominator_metric__isnull=False
        ).values_list("metric_id", flat=True)
    )
    for number, metric in enumerate(metrics):
        for where in metric.activity.areas.all():
            for quarter in plan.quarters():
                value = 1 + (number + quarter.year + quarter.number + where.pk) % 9
                if metric.pk in numerators:
                    value = 1
                counts.append(
                    QuarterlyCount(
                        metric=metric,
                        area=where,
                        year=quarter.year,
                        quarter=quarter.number,
                        value=value,
                    )
                )
    QuarterlyCount.objects.bulk_create(counts)


@pytest.mark.parametrize("with_figures", [False, True])
def test_every_criterion_is_answered_every_year(plan, with_figures):
    if with_figures:
        enter_every_figure(plan)
    criteria = list(SuccessCriterion.objects.for_evaluation(plan))

    evaluations = evaluate_plan(plan)

    years_by_row = defaultdict(list)
    for evaluation in evaluations:
        assert evaluation.verdict in Verdict.values
        assert evaluation.sentence.strip()
        assert evaluation.partial_year == (evaluation.year in (2017, 2021))
        area_id = evaluation.area.pk if evaluation.area else None
        years_by_row[(evaluation.criterion.pk, area_id)].append(evaluation.year)
    expected_rows = {
        (subject.pk, area_id)
        for subject in criteria
        for area_id in ({target.area_id for target in subject.targets.all()} or {None})
    }
    assert set(years_by_row) == expected_rows
    assert all(years == PLAN_YEARS for years in years_by_row.values())
    assert len(criteria) == SuccessCriterion.objects.filter(subagreement__plan=plan).count()
    if with_figures:
        # With every figure entered, every rule can be judged.
        assert Verdict.NO_DATA not in {evaluation.verdict for evaluation in evaluations}


def test_partial_years_say_which_part_the_plan_covers(plan):
    evaluations = evaluate_plan(plan)

    for evaluation in evaluations:
        if evaluation.year == 2017:
            assert "1. oktober–31. december 2017" in evaluation.sentence
        elif evaluation.year == 2021:
            assert "1. januar–30. september 2021" in evaluation.sentence
        else:
            assert "oktober–" not in evaluation.sentence
            assert "januar–" not in evaluation.sentence
