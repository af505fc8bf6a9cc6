"""Who changed what in the plan's data, when, from what to what, and why: the history pages
of a delaftale, an activity and a success criterion.

The changes are made the way the secretariat makes them, in the administration; the values
loaded with the real plan (which has no history of its own) show as the values before.
"""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Role, StaffResource, Subagreement
from indicators.models import Measurement, SuccessCriterion
from lib.numbers import format_number

from .page_forms import form_fields

pytestmark = pytest.mark.django_db

WALKS = "Tryghedsvandringer"
VOLUNTEERS = "Mindst 50 aktive frivillige om året"
ARSON = "Påsatte brande"


class _AdminForm(HTMLParser):
    """The fields of an administration form as a browser submits them, many values a name."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.textarea = self.select = None
        self.first_option = None
        self.selected = False

    def add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken" and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.add(name, attrs.get("value", "on"))
            elif kind not in ("file", "submit", "button"):
                self.add(name, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.add(name, "")
        elif tag == "select" and name:
            self.select, self.first_option, self.selected = name, None, False
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in attrs:
                self.add(self.select, value)
                self.selected = True

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            value = self.fields[self.textarea][-1]
            self.fields[self.textarea][-1] = value.removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.selected and self.first_option is not None:
                self.add(self.select, self.first_option)
            self.select = None


def admin_form(client, url: str) -> dict[str, list[str]]:
    """The change form at `url` as it would be sent back unchanged."""
    page = client.get(url).content.decode()
    start = page.index('method="post" id="')
    parser = _AdminForm()
    parser.feed(page[start : page.index("</form>", start)])
    return parser.fields


def inline_index(fields: dict, prefix: str, pk: int) -> int:
    """The number of the inline form that holds the row `pk`."""
    for name, values in fields.items():
        match = re.fullmatch(rf"{prefix}-(\d+)-id", name)
        if match and values == [str(pk)]:
            return int(match.group(1))
    raise AssertionError(f"no {prefix} form for {pk}")


def save_in_admin(client, url: str, changes: dict, reason: str = ""):
    fields = admin_form(client, url)
    fields.update({name: [value] for name, value in changes.items()})
    fields["change_reason"] = [reason]
    fields["_save"] = ["Gem"]
    return client.post(url, fields)


class _ChangeRows(HTMLParser):
    """The rows of the change table, each a list of its cells' text."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_table = self.in_body = self.cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "change-log" in dict(attrs).get("class", ""):
            self.in_table = True
        elif self.in_table and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("td", "th"):
            self.cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = False
        elif tag == "tbody":
            self.in_body = self.in_table = False

    def handle_data(self, data):
        if self.cell:
            self.rows[-1][-1] += data

    def normalised(self) -> list[list[str]]:
        return [[" ".join(cell.split()) for cell in row] for row in self.rows]


def change_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    parser = _ChangeRows()
    parser.feed(response.content.decode())
    return parser.normalised()


def today() -> str:
    return date_format(timezone.localtime(), "j. F Y")


@pytest.fixture
def keeper(make_user, plan):
    """A member of the secretariat with a name, as the history names them."""
    return make_user("sara", Role.SECRETARIAT, plan, first_name="Sara", last_name="Holm")


@pytest.fixture
def walks(plan) -> Activity:
    return Activity.objects.get(subagreement__plan=plan, name=WALKS)


@pytest.fixture
def volunteers(plan) -> SuccessCriterion:
    return SuccessCriterion.objects.get(subagreement__plan=plan, text__startswith=VOLUNTEERS)


def own_arson_criterion(plan) -> SuccessCriterion:
    """The crime delaftale's own criterion on the arson figures."""
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, activity__isnull=True, indicator__name=ARSON
    )


def subagreement_changes(plan, code: str) -> str:
    return reverse("agreements:changes", args=[plan.slug, code])


def activity_changes(activity) -> str:
    return reverse("activities:changes", args=[activity.subagreement.plan.slug, activity.pk])


def criterion_changes(criterion) -> str:
    return reverse("indicators:changes", args=[criterion.subagreement.plan.slug, criterion.pk])


def test_an_activitys_new_name_shows_with_who_when_the_old_name_and_why(client, keeper, walks):
    client.force_login(keeper)
    url = reverse("admin:activities_activity_change", args=[walks.pk])
    response = save_in_admin(
        client, url, {"name": "Tryghedsvandringer i alle fire områder"}, "Som i den nye delaftale"
    )
    assert response.status_code == 302

    expected = [
        today(),
        "Sara Holm",
        "Aktivitet: Tryghedsvandringer i alle fire områder",
        "Navn",
        "Tryghedsvandringer",
        "Tryghedsvandringer i alle fire områder",
        "Som i den nye delaftale",
    ]
    for page in (
        activity_changes(walks),
        subagreement_changes(walks.subagreement.plan, "kriminalitet"),
    ):
        rows = change_rows(client.get(page))
        assert re.fullmatch(rf"{expected[0]} \d\d:\d\d", rows[0][0])
        assert rows[0][1:] == expected[1:]
        # Loading the plan is where its history starts, not a change anyone made; the
        # delaftale's page also lists the board's approval of the version it was loaded with.
        assert [row[2] for row in rows[1:]] == (
            ["Version af en delaftale: Version 1"] if "delaftaler" in page else []
        )


def test_a_targets_new_value_shows_on_the_criterion_the_activity_and_the_subagreement(
    client, keeper, volunteers
):
    target = volunteers.targets.get()
    client.force_login(keeper)
    url = reverse("admin:indicators_successcriterion_change", args=[volunteers.pk])
    fields = admin_form(client, url)
    number = inline_index(fields, "targets", target.pk)
    response = save_in_admin(
        client, url, {f"targets-{number}-value": "55"}, "Bestyrelsen hævede målet"
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == 55

    pages = [
        criterion_changes(volunteers),
        activity_changes(volunteers.activity),
        subagreement_changes(volunteers.subagreement.plan, "tryghed"),
    ]
    for page in pages:
        row = change_rows(client.get(page))[0]
        assert row[1:] == [
            "Sara Holm",
            f"Mål: hvert år (hele planen) for “{volunteers}”",
            "Måltal",
            "50",
            "55",
            "Bestyrelsen hævede målet",
        ]


def test_a_figure_changed_in_the_administration_shows_on_the_criteria_that_read_it(
    client, keeper, plan
):
    figure = Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)
    client.force_login(keeper)
    url = reverse("admin:indicators_measurement_change", args=[figure.pk])
    assert save_in_admin(client, url, {"value": "27,5"}).status_code == 200  # needs a reason
    figure.refresh_from_db()
    assert figure.value == 28
    response = save_in_admin(client, url, {"value": "27,5"}, "Rettet efter brandvæsenets tal")
    assert response.status_code == 302

    criterion = own_arson_criterion(plan)
    for page in (criterion_changes(criterion), subagreement_changes(plan, "kriminalitet")):
        assert change_rows(client.get(page))[0][1:] == [
            "Sara Holm",
            "Måling: Påsatte brande, 2016, hele planen",
            "Værdi",
            "28",
            "27,5",
            "Rettet efter brandvæsenets tal",
        ]


def test_a_figure_changed_among_its_indicators_figures_needs_a_reason_too(client, keeper, plan):
    figure = Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)
    client.force_login(keeper)
    url = reverse("admin:indicators_indicator_change", args=[figure.indicator_id])
    number = inline_index(admin_form(client, url), "measurements", figure.pk)
    refused = save_in_admin(client, url, {f"measurements-{number}-value": "27"})
    assert "Skriv, hvorfor tallet ændres." in refused.content.decode()
    figure.refresh_from_db()
    assert figure.value == 28
    assert (
        save_in_admin(
            client, url, {f"measurements-{number}-value": "27"}, "Brandvæsenets nye tal"
        ).status_code
        == 302
    )
    row = change_rows(client.get(criterion_changes(own_arson_criterion(plan))))[0]
    assert row[3:] == ["Værdi", "28", "27", "Brandvæsenets nye tal"]


@pytest.fixture
def submitted_count(plan, walks, coordinator_motalavej) -> QuarterlyCount:
    """A count for 2018K1 on Motalavej, entered without history (as demo data is), in a
    quarter the coordinator has submitted."""
    motalavej = HousingArea.objects.get(code="motalavej")
    count = QuarterlyCount.objects.bulk_create(
        [QuarterlyCount(metric=walks.metrics.get(), area=motalavej, year=2018, quarter=1, value=12)]
    )[0]
    report = QuarterReport(activity=walks, area=motalavej, year=2018, quarter=1)
    report.submit(by=coordinator_motalavej)
    report.save()
    return count


def test_a_submitted_count_changed_in_the_administration_needs_a_reason_and_shows_it(
    client, keeper, submitted_count, walks
):
    client.force_login(keeper)
    url = reverse("admin:activities_quarterlycount_change", args=[submitted_count.pk])
    refused = save_in_admin(client, url, {"value": "14"})
    assert refused.status_code == 200
    assert "Skriv, hvorfor tallet ændres" in refused.content.decode()
    submitted_count.refresh_from_db()
    assert submitted_count.value == 12

    response = save_in_admin(client, url, {"value": "14"}, "Én vandring var talt dobbelt")
    assert response.status_code == 302
    expected = [
        "Sara Holm",
        "Kvartalstal: Tryghedsvandringer (Tryghedsvandringer), Motalavej, 1. kvartal 2018",
        "Antal",
        "12",
        "14",
        "Én vandring var talt dobbelt",
    ]
    for page in (
        activity_changes(walks),
        subagreement_changes(walks.subagreement.plan, "kriminalitet"),
    ):
        assert change_rows(client.get(page))[0][1:] == expected


def test_the_entry_form_keeps_the_value_it_overwrites_in_the_history(
    client, coordinator_motalavej, submitted_count, walks
):
    """A count without history of its own (as demo data is) changed on the entry form still
    shows the number it had."""
    client.force_login(coordinator_motalavej)
    entry = reverse("activities:entry", args=[walks.subagreement.plan.slug, "2018K1"])
    fields = form_fields(client.get(entry))
    fields[f"c_{submitted_count.metric_id}_{submitted_count.area_id}"] = "13"
    response = client.post(entry, {**fields, "reason": "Talt igen", "action": "save"})
    assert response.status_code == 302
    assert change_rows(client.get(activity_changes(walks)))[0][1:] == [
        "koordinator-motalavej",
        "Kvartalstal: Tryghedsvandringer (Tryghedsvandringer), Motalavej, 1. kvartal 2018",
        "Antal",
        "12",
        "13",
        "Talt igen",
    ]


def test_creations_and_deletions_are_shown_as_such(client, keeper, walks):
    client.force_login(keeper)
    url = reverse("admin:activities_activity_change", args=[walks.pk])
    fields = admin_form(client, url)
    total = int(fields["metrics-TOTAL_FORMS"][0])
    fields.update(
        {
            "metrics-TOTAL_FORMS": [str(total + 1)],
            f"metrics-{total}-position": ["2"],
            f"metrics-{total}-name": ["Deltagende beboere"],
            f"metrics-{total}-aggregation": ["sum"],
            f"metrics-{total}-description": [""],
            "change_reason": ["Vi tæller også deltagerne"],
            "_save": ["Gem"],
        }
    )
    assert client.post(url, fields).status_code == 302
    added = Metric.objects.get(activity=walks, name="Deltagende beboere")

    fields = admin_form(client, url)
    fields[f"metrics-{inline_index(fields, 'metrics', added.pk)}-DELETE"] = ["on"]
    fields.update({"change_reason": ["Talt i en anden aktivitet"], "_save": ["Gem"]})
    assert client.post(url, fields).status_code == 302
    assert not Metric.objects.filter(pk=added.pk).exists()

    rows = change_rows(client.get(activity_changes(walks)))
    subject = "Opgørelse: Deltagende beboere (Tryghedsvandringer)"
    assert [row[1:] for row in rows[:2]] == [
        ["Sara Holm", subject, "Slettet", "–", "–", "Talt i en anden aktivitet"],
        ["Sara Holm", subject, "Oprettet", "–", "–", "Vi tæller også deltagerne"],
    ]


def test_values_read_in_danish(client, keeper, plan):
    """Numbers with Danish separators, yes and no, choices by their label, foreign keys and
    housing areas by their names."""
    client.force_login(keeper)
    subagreement = Subagreement.objects.get(plan=plan, focus_area__code="kriminalitet")
    url = reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    old_budget = format_number(subagreement.budget_lbf)
    assert save_in_admin(client, url, {"budget_lbf": "1234567"}).status_code == 302

    walks = Activity.objects.get(subagreement=subagreement, name=WALKS)
    url = reverse("admin:activities_activity_change", args=[walks.pk])
    fields = admin_form(client, url)
    sydbyen = HousingArea.objects.get(code="sydbyen")
    fields["areas"] = [pk for pk in fields["areas"] if pk != str(sydbyen.pk)]
    assert walks.cfbu_recommended
    del fields["cfbu_recommended"]  # unticked
    metric = walks.metrics.get()
    fields[f"metrics-{inline_index(fields, 'metrics', metric.pk)}-aggregation"] = ["max"]
    fields.update({"change_reason": [""], "_save": ["Gem"]})
    assert client.post(url, fields).status_code == 302

    rows = change_rows(client.get(subagreement_changes(plan, "kriminalitet")))
    changes = {(row[2], row[3]): (row[4], row[5]) for row in rows}
    budget = ("Delaftale: Kriminalpræventiv indsats", "Budget fra LBF (kr.)")
    assert changes[budget] == (old_budget, "1.234.567")
    assert changes[("Aktivitet: Tryghedsvandringer", "Anbefalet af CFBU")] == ("Ja", "Nej")
    assert changes[("Aktivitet: Tryghedsvandringer", "Boligområder")] == (
        "Motalavej, Ringparken og Schackenborgvænge, Skælskør (Parkvej og Præstevænget), Sydbyen",
        "Motalavej, Ringparken og Schackenborgvænge, Skælskør (Parkvej og Præstevænget)",
    )
    aggregation = (
        "Opgørelse: Tryghedsvandringer (Tryghedsvandringer)",
        "Sådan bliver kvartalerne til et år",
    )
    assert changes[aggregation] == ("summen af kvartalerne", "det højeste kvartal")


def test_someone_not_known_reads_as_unknown(client, secretariat, walks):
    walks.name = "Tryghedsvandringer om aftenen"
    walks.save()  # from the shell: nobody signed in
    client.force_login(secretariat)
    row = change_rows(client.get(activity_changes(walks)))[0]
    assert row[1:6] == [
        "ukendt",
        "Aktivitet: Tryghedsvandringer om aftenen",
        "Navn",
        WALKS,
        "Tryghedsvandringer om aftenen",
    ]


def test_an_areas_activities_changed_from_the_area_show_on_the_activity(client, keeper, walks):
    sydbyen = HousingArea.objects.get(code="sydbyen")
    sydbyen.activities.remove(walks)
    client.force_login(keeper)
    row = change_rows(client.get(activity_changes(walks)))[0]
    assert row[1:6] == [
        "ukendt",
        "Aktivitet: Tryghedsvandringer",
        "Boligområder",
        "Motalavej, Ringparken og Schackenborgvænge, Skælskør (Parkvej og Præstevænget), Sydbyen",
        "Motalavej, Ringparken og Schackenborgvænge, Skælskør (Parkvej og Præstevænget)",
    ]
    HousingArea.objects.get(code="motalavej").activities.clear()
    after = "Ringparken og Schackenborgvænge, Skælskør (Parkvej og Præstevænget)"
    assert change_rows(client.get(activity_changes(walks)))[0][5] == after


ROLES = {
    # role: (delaftale, activity they report, activity they do not, criterion of the
    # delaftale, criterion of an activity they report)
    "secretariat": (200, 200, 200, 200, 200),
    "superuser": (200, 200, 200, 200, 200),
    "board_member": (200, 200, 200, 200, 200),
    "coordinator_motalavej": (403, 200, 403, 403, 200),
    "coordinator_sydbyen": (403, 200, 403, 403, 200),
    "lbf_user": (403, 403, 403, 403, 403),
    "outsider": (404, 404, 404, 404, 404),
}


def history_pages(plan) -> list[str]:
    walks = Activity.objects.get(subagreement__plan=plan, name=WALKS)
    # Run by the municipality: no coordinator assigned an area reports it.
    club = Activity.objects.get(subagreement__plan=plan, name__startswith="Værested og klub")
    own = own_arson_criterion(plan)
    walks_criterion = walks.criteria.get(metric__isnull=False)
    return [
        subagreement_changes(plan, "kriminalitet"),
        activity_changes(walks),
        activity_changes(club),
        criterion_changes(own),
        criterion_changes(walks_criterion),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_history_it_may(client, request, plan, role):
    client.force_login(request.getfixturevalue(role))
    statuses = tuple(client.get(page).status_code for page in history_pages(plan))
    assert statuses == ROLES[role]


def test_the_history_pages_take_no_post(client, secretariat, plan):
    client.force_login(secretariat)
    for page in history_pages(plan):
        assert client.post(page).status_code == 405


def test_another_plans_rows_do_not_exist_under_this_plan(client, secretariat, plan, make_plan):
    other = make_plan("en-anden-plan")
    subagreement = other.subagreements.get()
    activity = Activity.objects.create(subagreement=subagreement, position=1, name="Lektiecafé")
    criterion = SuccessCriterion.objects.create(
        subagreement=subagreement, position=1, text="Flere unge i job", data_source="Jobcenter"
    )
    client.force_login(secretariat)
    code = subagreement.focus_area.code
    assert client.get(subagreement_changes(other, code)).status_code == 404
    assert client.get(subagreement_changes(plan, code)).status_code == 404
    for name, pk in (("activities:changes", activity.pk), ("indicators:changes", criterion.pk)):
        assert client.get(reverse(name, args=[plan.slug, pk])).status_code == 404
        assert client.get(reverse(name, args=[other.slug, pk])).status_code == 404


def test_the_pages_that_link_to_the_history(client, secretariat, coordinator_motalavej, plan):
    walks = Activity.objects.get(subagreement__plan=plan, name=WALKS)
    client.force_login(secretariat)
    versions = client.get(reverse("agreements:history", args=[plan.slug, "kriminalitet"]))
    assert subagreement_changes(plan, "kriminalitet") in versions.content.decode()
    measurements = client.get(reverse("indicators:subagreement", args=[plan.slug, "kriminalitet"]))
    content = measurements.content.decode()
    assert activity_changes(walks) in content
    assert criterion_changes(walks.criteria.get(metric__isnull=False)) in content

    client.force_login(coordinator_motalavej)
    entry = client.get(reverse("activities:entry", args=[plan.slug, "2018K1"]))
    assert activity_changes(walks) in entry.content.decode()
    measurements = client.get(reverse("indicators:subagreement", args=[plan.slug, "kriminalitet"]))
    assert "/aendringer/" not in measurements.content.decode()


def make_history(plan, user, rounds: int) -> None:
    """`rounds` rounds of changes, each touching every kind of row a delaftale's history
    shows, as people would: one save at a time."""
    subagreement = Subagreement.objects.get(plan=plan, focus_area__code="kriminalitet")
    walks = Activity.objects.get(subagreement=subagreement, name=WALKS)
    metric = walks.metrics.get()
    criterion = walks.criteria.get(metric__isnull=False)
    target = criterion.targets.first()
    figure = Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)
    staff = StaffResource.objects.filter(subagreement=subagreement).first()
    party = subagreement.parties.first()
    motalavej = HousingArea.objects.get(code="motalavej")
    count = QuarterlyCount.objects.filter(metric=metric, area=motalavej).first() or (
        QuarterlyCount(metric=metric, area=motalavej, year=2018, quarter=1, value=0)
    )
    for number in range(rounds):
        for row, field, value in [
            (subagreement, "revision", f"Revideres hvert år ({number})"),
            (party, "role", f"Part ({number})"),
            (staff, "note", f"Note {number}"),
            (walks, "content", f"Indhold {number}"),
            (metric, "description", f"Antal vandringer ({number})"),
            (count, "value", number),
            (criterion, "method", f"Optælling {number}"),
            (target, "value", 100 + number),
            (figure, "value", 100 + number),
        ]:
            setattr(row, field, value)
            row._history_user = user
            row._change_reason = f"Runde {number}"
            row.save()


PAGES = ["subagreement", "activity", "criterion"]


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(change_rows(response)) >= 50
    return len(captured)


# Each page also opens and releases the request's savepoint (ATOMIC_REQUESTS), and reads the
# session, the user and the plan with the role. Then the row (for a delaftale also its
# versions), the number of changes and the page's keys; two queries per kind of row on the
# page (its records, and the records before them to compare with), one for the activity's
# housing areas, and one per kind of row named. The delaftale's page shows nine kinds of row
# and names six (indicator, criterion, housing area, focus area, activity, metric); the
# activity's shows five kinds and names four; the criterion's three kinds and names three.
QUERIES = {"subagreement": 34, "activity": 23, "criterion": 17}
# A coordinator's page also checks that they report the activity, and reads their reporting
# assignments and the activity's areas to show only the counts of their own areas.
COORDINATOR_QUERIES = {"activity": 26, "criterion": 20}


def test_a_page_of_history_costs_the_same_with_ten_times_the_changes(
    client, keeper, coordinator_motalavej, plan
):
    walks = Activity.objects.get(subagreement__plan=plan, name=WALKS)
    criterion = walks.criteria.get(metric__isnull=False)
    urls = {
        "subagreement": subagreement_changes(plan, "kriminalitet"),
        "activity": activity_changes(walks),
        "criterion": criterion_changes(criterion),
    }
    # A coordinator reads the activity and its criterion with the counts of their own areas.
    theirs = {name: urls[name] for name in ("activity", "criterion")}

    def measure() -> tuple[dict, dict]:
        client.force_login(keeper)
        keeping = {name: page_queries(client, url) for name, url in urls.items()}
        client.force_login(coordinator_motalavej)
        reporting = {name: page_queries(client, url) for name, url in theirs.items()}
        return keeping, reporting

    make_history(plan, keeper, rounds=20)
    small = measure()
    make_history(plan, keeper, rounds=180)
    large = measure()
    assert small == large
    assert large == (QUERIES, COORDINATOR_QUERIES)
    client.force_login(keeper)
    # A page beyond the last shows the last.
    last = client.get(urls["subagreement"], {"side": "1000"}).content.decode()
    assert re.search(r"Side (\d+) af \1<", last)


def test_the_pages_are_newest_first_and_paginated(client, keeper, plan):
    walks = Activity.objects.get(subagreement__plan=plan, name=WALKS)
    client.force_login(keeper)
    for number in range(60):
        walks.content = f"Indhold {number}"
        walks._history_user = keeper
        walks.save()
    url = activity_changes(walks)
    first = change_rows(client.get(url))
    assert [row[5] for row in first[:2]] == ["Indhold 59", "Indhold 58"]
    assert len(first) == 50
    second = change_rows(client.get(url, {"side": "2"}))
    assert [row[5] for row in second[:-1]] == [f"Indhold {n}" for n in range(9, 0, -1)]
    # The first change replaced the activity's long text: shown word by word, in one cell.
    assert "fjernet: Tryghedsvandring er" in second[-1][4]
    assert "tilføjet: Indhold 0" in second[-1][4]
    assert change_rows(client.get(url, {"side": "ikke-et-tal"})) == first


def test_a_coordinator_reads_only_the_counts_of_their_own_areas(
    client, coordinator_motalavej, coordinator_sydbyen, submitted_count, walks
):
    """The activity runs in both areas, so both coordinators may read its history; a draft
    or correction on Motalavej is not Sydbyen's to see."""
    client.force_login(coordinator_motalavej)
    entry = reverse("activities:entry", args=[walks.subagreement.plan.slug, "2018K1"])
    fields = form_fields(client.get(entry))
    fields[f"c_{submitted_count.metric_id}_{submitted_count.area_id}"] = "13"
    client.post(entry, {**fields, "reason": "Talt igen", "action": "save"})
    motalavej_rows = change_rows(client.get(activity_changes(walks)))
    assert any("Motalavej" in " ".join(row) for row in motalavej_rows)

    client.force_login(coordinator_sydbyen)
    response = client.get(activity_changes(walks))
    assert response.status_code == 200
    assert not any("Motalavej" in " ".join(row) for row in change_rows(response))
