"""`manage.py load_demo_data` fills the real plan with invented, plausible figures that are the
same on every run and says so on every page; `--remove` takes out exactly those figures."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Membership, Plan, Role
from demo.data import load_demo_data, remove_demo_data
from indicators.evaluation import evaluate_plan
from indicators.models import Indicator, Measurement, SuccessCriterion
from indicators.rules import Verdict
from lib.numbers import format_number

pytestmark = pytest.mark.django_db

BANNER = "Demodata: Tallene for kvartaler og målinger i denne plan er opdigtede eksempler"
YEARS = [2017, 2018, 2019, 2020, 2021]


def grid(plan) -> list[tuple[Activity, HousingArea]]:
    return Activity.objects.in_plan(plan).pairs()


def everything() -> dict:
    """Every count, report and measurement as it stands, and the size of their history."""
    return {
        "counts": sorted(
            QuarterlyCount.objects.values_list(
                "metric_id", "area_id", "year", "quarter", "value", "is_demo"
            )
        ),
        "reports": sorted(
            QuarterReport.objects.values_list(
                "activity_id",
                "area_id",
                "year",
                "quarter",
                "status",
                "progress",
                "note",
                "revision",
                "submitted_at",
                "approved_at",
                "is_demo",
            )
        ),
        "measurements": sorted(
            Measurement.objects.values_list("indicator_id", "area_id", "year", "value", "is_demo"),
            key=lambda row: (row[0], row[1] or 0, row[2]),
        ),
        "history": (
            QuarterlyCount.history.count(),
            QuarterReport.history.count(),
            Measurement.history.count(),
        ),
    }


def real_count(plan, *, year=2019, quarter=2, value=7) -> QuarterlyCount:
    activity = plan.subagreements.get(focus_area__code="tryghed").activities.get(position=1)
    return QuarterlyCount.objects.create(
        metric=activity.metrics.get(name="Aktive frivillige"),
        area=HousingArea.objects.get(code="motalavej"),
        year=year,
        quarter=quarter,
        value=value,
    )


def test_loading_counts_every_metric_in_every_area_in_most_quarters(plan):
    summary = load_demo_data(plan=plan)

    quarters = {(quarter.year, quarter.number) for quarter in plan.quarters()}
    assert min(quarters) == (2017, 4) and max(quarters) == (2021, 3)
    reported = defaultdict(set)
    for metric_id, area_id, year, quarter in QuarterlyCount.objects.values_list(
        "metric_id", "area_id", "year", "quarter"
    ):
        reported[(metric_id, area_id)].add((year, quarter))
    cells = [
        (metric.pk, area.pk) for activity, area in grid(plan) for metric in activity.metrics.all()
    ]
    # 99 cells: 29 metrics over their areas (the media's negative mentions are a yearly
    # measurement since the criteria review, not a quarterly count).
    assert len(cells) > 95
    assert set(reported) == set(cells)
    for cell in cells:
        assert reported[cell] <= quarters
        assert len(reported[cell]) >= len(quarters) - 2
    # A few quarters are not reported, so the plan is not complete.
    assert sum(len(reported[cell]) for cell in cells) < len(cells) * len(quarters)
    assert summary.counts == QuarterlyCount.objects.count()
    assert not QuarterlyCount.objects.filter(is_demo=False).exists()


def test_every_reported_quarter_has_a_report_approved_but_the_last_submitted(plan):
    summary = load_demo_data(plan=plan)

    reported = set(
        QuarterlyCount.objects.values_list("metric__activity_id", "area_id", "year", "quarter")
    )
    reports = list(QuarterReport.objects.all())
    assert summary.reports == len(reports) == len(reported)
    assert {(r.activity_id, r.area_id, r.year, r.quarter) for r in reports} == reported
    assert all(report.is_demo for report in reports)
    for report in reports:
        last = (report.year, report.quarter) == (2021, 3)
        assert report.status == ("submitted" if last else "approved")
        assert report.submitted_at.date() > report.period.last_day
        assert report.submitted_by is None and report.approved_by is None
        assert report.note
    progress = Counter(report.progress for report in reports)
    assert set(progress) == {"on_track", "attention", "off_track"}
    assert progress["on_track"] > len(reports) / 2


def test_loading_continues_every_indicator_from_2017_to_2021_without_touching_the_baselines(
    plan,
):
    baselines = everything()["measurements"]

    summary = load_demo_data(plan=plan)

    demo = Measurement.objects.filter(is_demo=True)
    assert summary.measurements == demo.count() > 0
    assert set(demo.values_list("year", flat=True)) == set(YEARS)
    by_row = defaultdict(set)
    for indicator_id, area_id, year in demo.values_list("indicator_id", "area_id", "year"):
        by_row[(indicator_id, area_id)].add(year)
    assert all(years == set(YEARS) for years in by_row.values())
    assert {indicator_id for indicator_id, _area in by_row} == set(
        Indicator.objects.filter(plan=plan).values_list("pk", flat=True)
    )
    # Every area with a real baseline goes on from it.
    real_rows = {(row[0], row[1]) for row in baselines}
    assert real_rows <= set(by_row)
    assert (
        sorted(
            Measurement.objects.filter(is_demo=False).values_list(
                "indicator_id", "area_id", "year", "value", "is_demo"
            ),
            key=lambda row: (row[0], row[1] or 0, row[2]),
        )
        == baselines
    )
    percentages = demo.filter(indicator__unit="percent").values_list("value", flat=True)
    assert all(Decimal(0) <= value <= Decimal(100) for value in percentages)


def test_a_measurement_goes_on_mildly_from_the_latest_real_figure(plan):
    load_demo_data(plan=plan)

    crime = plan.indicators.get(name="Kriminalretlige afgørelser pr. 1.000 beboere")
    motalavej = HousingArea.objects.get(code="motalavej")
    figures = dict(crime.measurements.filter(area=motalavej).values_list("year", "value"))
    assert figures[2015] == Decimal("34.20")
    # Two years on from 2015, at most a third away; then no jump above a fifth a year.
    assert abs(figures[2017] - figures[2015]) / figures[2015] < Decimal("0.34")
    for year in YEARS[1:]:
        assert abs(figures[year] - figures[year - 1]) / figures[year - 1] < Decimal("0.2")


def test_loading_sets_the_plans_flag(plan):
    load_demo_data(plan=plan)

    assert plan.has_demo_data
    assert Plan.objects.get(pk=plan.pk).has_demo_data


def test_loading_gives_the_same_data_every_time(plan):
    load_demo_data(plan=plan)
    first = everything()

    remove_demo_data(plan=plan)
    load_demo_data(plan=plan)

    assert everything() == first


def test_loading_twice_does_not_duplicate(plan):
    load_demo_data(plan=plan)
    first = everything()

    load_demo_data(plan=plan)
    call_command("load_demo_data", stdout=StringIO())

    assert everything() == first


def test_loading_writes_a_few_bulk_inserts_not_one_per_row(plan):
    with CaptureQueriesContext(connection) as captured:
        summary = load_demo_data(plan=plan)

    assert summary.counts + summary.reports + summary.measurements > 2000
    assert len(captured) < 60


def test_a_real_count_entered_before_loading_is_kept_and_survives_removal(plan):
    count = real_count(plan)

    load_demo_data(plan=plan)

    count.refresh_from_db()
    assert (count.value, count.is_demo) == (7, False)
    # The activity's quarter in that area belongs to its reporter: nothing is invented there.
    same_quarter = QuarterlyCount.objects.filter(
        metric__activity=count.metric.activity, area=count.area, year=2019, quarter=2
    )
    assert list(same_quarter) == [count]
    assert not QuarterReport.objects.filter(
        activity=count.metric.activity, area=count.area, year=2019, quarter=2
    ).exists()
    assert QuarterlyCount.objects.filter(is_demo=True).exists()

    remove_demo_data(plan=plan)

    assert list(QuarterlyCount.objects.all()) == [count]
    count.refresh_from_db()
    assert count.value == 7


def test_a_real_figure_entered_before_loading_is_kept_and_survives_removal(plan):
    crime = plan.indicators.get(name="Kriminalretlige afgørelser pr. 1.000 beboere")
    motalavej = HousingArea.objects.get(code="motalavej")
    real = Measurement.objects.create(indicator=crime, area=motalavej, year=2019, value="26.39")

    load_demo_data(plan=plan)

    real.refresh_from_db()
    assert (real.value, real.is_demo) == (Decimal("26.39"), False)
    assert crime.measurements.filter(area=motalavej, year=2019).count() == 1
    assert crime.measurements.filter(area=motalavej, year=2020, is_demo=True).exists()

    remove_demo_data(plan=plan)

    real.refresh_from_db()
    assert real.value == Decimal("26.39")


def test_removing_deletes_exactly_the_demo_rows_and_clears_the_flag(plan):
    real_count(plan)
    activity = Activity.objects.filter(subagreement__plan=plan).first()
    QuarterReport.objects.create(
        activity=activity,
        area=activity.areas.first(),
        year=2018,
        quarter=1,
        status=QuarterReport.Status.SUBMITTED,
        submitted_at=timezone.now(),
        note="Rigtig indberetning.",
    )
    before = everything()
    assert len(before["measurements"]) > 50  # the fixture's baselines, 2011-2016

    load_demo_data(plan=plan)
    # Someone changed a demo figure on a page: its history is demo data too.
    changed = QuarterlyCount.objects.filter(is_demo=True).first()
    changed.value += 1
    changed.save()
    assert everything() != before

    removed = remove_demo_data(plan=plan)

    assert everything() == before
    assert removed.counts > 0 and removed.reports > 0 and removed.measurements > 0
    assert not plan.has_demo_data
    assert not Plan.objects.get(pk=plan.pk).has_demo_data


def test_a_share_never_counts_more_than_its_denominator(plan):
    load_demo_data(plan=plan)

    shares = SuccessCriterion.objects.filter(
        subagreement__plan=plan, denominator_metric__isnull=False
    )
    # Four shares of two counts; the home visits are yearly shares of the counted
    # 0-year-olds since the criteria review, no longer two quarterly counts.
    assert shares.count() >= 4
    counts = {
        (metric_id, area_id, year, quarter): value
        for metric_id, area_id, year, quarter, value in QuarterlyCount.objects.values_list(
            "metric_id", "area_id", "year", "quarter", "value"
        )
    }
    checked = 0
    for criterion in shares:
        for (metric_id, area_id, year, quarter), value in counts.items():
            if metric_id == criterion.metric_id:
                assert value <= counts[(criterion.denominator_metric_id, area_id, year, quarter)]
                checked += 1
    assert checked > 100
    for evaluation in evaluate_plan(plan):
        if evaluation.criterion.denominator_metric_id and evaluation.value is not None:
            assert evaluation.value <= 100


def test_some_criteria_are_met_and_some_are_not(plan):
    load_demo_data(plan=plan)

    verdicts = Counter(
        evaluation.verdict
        for evaluation in evaluate_plan(plan, years=[2019, 2020])
        if evaluation.criterion.metric_id or evaluation.criterion.indicator_id
    )
    assert verdicts[Verdict.MET] > verdicts[Verdict.NOT_MET] > 0
    assert verdicts[Verdict.NO_DATA] == 0


def test_the_command_prints_each_year_and_a_summary(plan):
    out = StringIO()

    call_command("load_demo_data", "--plan", plan.slug, stdout=out)

    printed = out.getvalue()
    for year in YEARS:
        assert f"\n{year}: " in f"\n{printed}"
    summary = (
        f"Demodata indlæst: {format_number(QuarterlyCount.objects.count())} kvartalstal, "
        f"{format_number(QuarterReport.objects.count())} kvartalsindberetninger, "
        f"{format_number(Measurement.objects.filter(is_demo=True).count())} målinger"
    )
    assert summary in printed
    assert "." in summary.split()[2]  # thousands are grouped the Danish way: "1.551"


def test_the_command_leaves_a_plan_with_demo_data_alone(plan):
    call_command("load_demo_data", stdout=StringIO())
    changed = QuarterlyCount.objects.filter(is_demo=True).first()
    changed.value += 1
    changed.save()

    out = StringIO()
    call_command("load_demo_data", stdout=out)

    assert "har allerede demodata" in out.getvalue()
    changed_again = QuarterlyCount.objects.get(pk=changed.pk)
    assert changed_again.value == changed.value


def test_the_command_removes_with_remove(plan):
    call_command("load_demo_data", stdout=StringIO())
    demo_counts = QuarterlyCount.objects.count()

    out = StringIO()
    call_command("load_demo_data", "--remove", stdout=out)

    assert f"Demodata fjernet: {format_number(demo_counts)} kvartalstal" in out.getvalue()
    assert not QuarterlyCount.objects.exists()
    assert not Plan.objects.get(pk=plan.pk).has_demo_data


def page(client, user, address: str) -> str:
    client.force_login(user)
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("address", ["plan", "list of plans"])
def test_the_banner_shows_while_the_plan_has_demo_data(client, plan, secretariat, address):
    url = reverse("indicators:plan", args=[plan.slug]) if address == "plan" else reverse("plans")
    assert BANNER not in page(client, secretariat, url)

    load_demo_data(plan=plan)
    assert BANNER in page(client, secretariat, url)

    remove_demo_data(plan=plan)
    assert BANNER not in page(client, secretariat, url)


def test_the_banner_shows_on_the_front_page_when_one_of_the_plans_has_demo_data(
    client, plan, make_plan, make_user
):
    other = make_plan("en-anden-plan")
    user = make_user("to-planer", Role.BOARD, other)
    Membership.objects.create(user=user, plan=plan, role=Role.BOARD)

    load_demo_data(plan=plan)

    assert BANNER in page(client, user, reverse("home"))


@pytest.mark.parametrize(
    "address",
    [
        lambda plan: reverse("indicators:plan", args=[plan.slug]),
        lambda plan: reverse("plans"),
        lambda plan: reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": "2019K2"}),
    ],
    ids=["plan", "list of plans", "quarter entry"],
)
def test_the_banner_costs_no_query(client, plan, secretariat, address):
    client.force_login(secretariat)
    url = address(plan)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    without = queries()
    load_demo_data(plan=plan)
    with_demo = queries()

    assert with_demo == without
    assert BANNER in client.get(url).content.decode()


def test_the_pdf_line_shows_only_for_a_plan_with_demo_data(plan):
    assert render_to_string("reports/_demo_line.html", {"plan": plan}).strip() == ""

    load_demo_data(plan=plan)

    line = render_to_string("reports/_demo_line.html", {"plan": plan})
    assert "Rapporten indeholder demodata – tallene er opdigtede eksempler." in line


def test_the_demo_reports_are_dated_after_their_quarter(plan):
    load_demo_data(plan=plan)

    for report in QuarterReport.objects.filter(status="approved"):
        assert report.approved_at > report.submitted_at
        assert report.submitted_at.date() < report.period.last_day + datetime.timedelta(days=40)


def test_a_number_typed_over_a_demo_count_is_real_and_survives_removal(client, plan, secretariat):
    from lib.periods import Quarter
    from tests.test_quarter_entry import entry_url, loaded_form

    load_demo_data(plan=plan)
    last = Quarter(2021, 3)  # its demo reports are submitted, not approved: still open
    client.force_login(secretariat)
    data = loaded_form(client, entry_url(last))
    field = next(name for name, value in data.items() if name.startswith("c_") and value)
    data[field] = str(int(data[field]) + 7)
    data["reason"] = "Rettet efter optælling"
    response = client.post(entry_url(last), {**data, "action": "save"})
    assert response.status_code == 302
    _prefix, metric_id, area_id = field.split("_")
    typed = QuarterlyCount.objects.get(metric_id=metric_id, area_id=area_id, year=2021, quarter=3)
    assert typed.is_demo is False

    remove_demo_data(plan=plan)
    assert QuarterlyCount.objects.filter(pk=typed.pk, value=typed.value).exists()
