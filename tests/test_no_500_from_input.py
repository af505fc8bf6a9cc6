"""Whatever someone with a role puts in an address, a query string or a form, the answer is
never a server error: what cannot be read is a 400 page, a form error or a 404.

First the findings of the review of hostile input, one test each; then hypothesis sends every
page of the project random and hostile values, for the parts of its address, for the query
parameters the views read (and others), and for the fields of its form. Every example runs in
a savepoint that is rolled back, so each starts from the same database, and the runs are
derandomised, so that CI tries the same examples every time. A value that once caused a
server error belongs in HOSTILE, so that it is tried on every run.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from agreements.models import Body
from tests.page_forms import _Fields
from tests.test_admin_pages import expected_for_secretariat
from tests.test_permission_matrix import (
    ACTIONS,
    arguments,
    objects,  # noqa: F401 (the fixture, asked for by name)
    project_urls,
)

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = "9" * 20
BAD_REQUEST_PAGE = "Adressen kan ikke læses"

# Values people and robots send: digits Python reads but a browser never writes, numbers too
# large for the database or for int(), paths, codes in the wrong shape, markup.
HOSTILE = [
    "",
    " ",
    "a/b",
    "../..",
    "²",
    "١",
    "١٢:٣",
    "１２",
    "𝟙",
    "-1",
    "+1",
    "0",
    "1.0",
    "1,5",
    "1e3",
    "0x10",
    "1:1",
    "²:1",
    "1:²",
    f"{TWENTY_DIGITS}:1",
    f"1:{TWENTY_DIGITS}",
    TWENTY_DIGITS,
    str(2**63),
    str(2**63 - 1),
    "9" * 5000,
    "2018K1",
    "2018K5",
    "2018k1",
    "2030K1",
    "2019H1",
    "2019H3",
    "²019H1",
    "2019",
    "²²²²",
    "kladde",
    "all",
    "chosen",
    "motalavej",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "\x00",
    "æøå" * 300,
    "\u202e",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
# Every query parameter a view reads, and those of Django's pages.
QUERY_NAMES = [
    "kvartal",
    "omraade",
    "halvaar",
    "periode",
    "side",
    "fra",
    "til",
    "next",
    "report",
    "year",
    "page",
    "p",
    "q",
    "o",
    "e",
]
# Fields of the actions that have no form of their own on a page.
POST_NAMES = ["report", "action", "token", "language", "next", "revision", "reason"]

# The pages a coordinator uses too; every page is also tried as the secretariat.
COORDINATOR_PAGES = {
    "activities:entry_start",
    "activities:entry",
    "activities:entry_sheet",
    "activities:entry_upload",
}
# Pages whose answer is a file that takes seconds to make and that read nothing from the query
# or a form: only their address is fuzzed, in a few examples (tests/test_permission_matrix.py
# makes each file once).
FILES = {
    "agreements:all_pdf",
    "agreements:strategic_agreement_pdf",
    "agreements:pdf",
    "agreements:version_pdf",
    "agreements:draft_pdf",
    "agreements:shared_all_pdf",
    "agreements:shared_pdf",
    "reports:status_report",
    "reports:sent_report_pdf",
    "indicators:sheet",
    "activities:entry_sheet",
}


def fuzz_settings(examples: int, *, shrink: bool = True) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        # Shrinking a failure takes many more requests; not worth it for a known one.
        phases=list(Phase) if shrink else [Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        assert "Traceback" not in response.content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def converters(name: str) -> dict:
    """The URL's parameters and their converters."""
    namespace, _sep, url_name = name.rpartition(":")
    resolver = get_resolver()
    if namespace:
        _prefix, resolver = resolver.namespace_dict[namespace]
    pattern = next(p for p in resolver.url_patterns if getattr(p, "name", None) == url_name)
    return pattern.pattern.converters


def page_fields(response) -> dict[str, str]:
    """Every field of every form in the page, as a browser would send it."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return {}
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser.fields


# The findings


@pytest.mark.parametrize("name", ["activities:entry_start", "activities:completeness_start"])
@pytest.mark.parametrize("kvartal", ["a/b", "²018K1", "١٢", "2018K5", "2018K1/../godkend"])
def test_a_quarter_in_the_query_that_is_no_quarter_is_a_danish_400(
    client, secretariat, plan, name, kvartal
):
    client.force_login(secretariat)
    response = client.get(reverse(name, args=[plan.slug]), {"kvartal": kvartal})
    assert response.status_code == 400
    page = response.content.decode()
    assert BAD_REQUEST_PAGE in page and "Gå til forsiden" in page
    assert "Logget ind som" in page  # the site's own page, for the user who is logged in


@pytest.mark.parametrize("omraade", ["a/b", "mota lavej", "\x00", "æ"])
def test_a_housing_area_in_the_query_that_is_no_code_is_a_danish_400(
    client, secretariat, plan, omraade
):
    client.force_login(secretariat)
    response = client.get(reverse("reports:dashboard", args=[plan.slug]), {"omraade": omraade})
    assert response.status_code == 400
    assert BAD_REQUEST_PAGE in response.content.decode()


def test_a_revision_of_a_group_evaluation_in_other_digits_is_a_form_error(
    client, secretariat, plan
):
    group = Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP)
    client.force_login(secretariat)
    address = reverse("reports:group_evaluations", args=[plan.slug, "2019H1"])
    for revision in ["²", "١", TWENTY_DIGITS]:
        response = client.post(
            address,
            {
                f"group-{group.pk}-revision": revision,
                f"group-{group.pk}-meeting_date": "12.06.2019",
                f"group-{group.pk}-text": "Samarbejdet fungerer.",
            },
        )
        assert response.status_code == 400
        assert "Formularen er beskadiget; indlæs siden igen." in response.content.decode()


def test_a_year_in_other_digits_on_the_dashboard_is_not_found(client, secretariat, plan):
    client.force_login(secretariat)
    response = client.get(reverse("reports:dashboard", args=[plan.slug]), {"periode": "²²²²"})
    assert response.status_code == 404


def int_parameters() -> list[tuple[str, str]]:
    return [
        (name, parameter)
        for name, parameters in project_urls()
        for parameter in parameters
        if isinstance(converters(name)[parameter], IntConverter)
    ]


@pytest.mark.parametrize(("name", "parameter"), int_parameters())
def test_an_id_of_twenty_digits_in_the_address_is_not_found(
    client, request, secretariat, plan, name, parameter
):
    client.force_login(secretariat)
    values = arguments(plan, request.getfixturevalue("objects"))
    values[parameter] = int(TWENTY_DIGITS)
    url = reverse(name, kwargs={key: values[key] for key in converters(name)})
    response = client.post(url) if name in ACTIONS else client.get(url)
    assert response.status_code == 404


def admin_history(obj, version=None) -> str:
    opts = obj._meta
    if version is None:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version]
    )


def test_the_history_of_another_plans_rows_is_not_found_in_the_administration(
    client, secretariat, plan, make_plan
):
    other = make_plan("andet-sted")
    subagreement = other.subagreements.get()
    client.force_login(secretariat)
    assert client.get(admin_history(plan)).status_code == 200
    assert client.get(admin_history(other)).status_code == 404
    assert client.get(admin_history(other, other.history.first().history_id)).status_code == 404
    assert client.get(admin_history(subagreement)).status_code == 404
    # A deleted row is found in its history alone; another plan's is still not there.
    subagreement.delete()
    assert client.get(admin_history(subagreement)).status_code == 404


@pytest.mark.parametrize("object_id", ["abc", "²", TWENTY_DIGITS, "9" * 5000])
def test_an_id_that_is_no_id_in_the_administrations_history_is_not_found(
    client, secretariat, plan, object_id
):
    client.force_login(secretariat)
    history = reverse("admin:agreements_plan_history", args=[object_id])
    version = reverse("admin:agreements_plan_simple_history", args=[plan.pk, object_id])
    assert client.get(history).status_code == 404
    assert client.get(version).status_code == 404


# Every page, fuzzed


def visitors() -> list[tuple[str, str]]:
    cases = []
    for name, _parameters in project_urls():
        cases.append((name, "secretariat"))
        if name in COORDINATOR_PAGES:
            cases.append((name, "coordinator_motalavej"))
    return cases


def hostile_part(converter) -> st.SearchStrategy:
    """A hostile value for a part of the address, of the kind its converter lets through."""
    if isinstance(converter, IntConverter):
        return st.one_of(
            st.sampled_from([0, 1, 2**31, 2**63 - 1, 2**63, int(TWENTY_DIGITS)]),
            st.integers(min_value=0, max_value=10**30),
        )
    if isinstance(converter, SlugConverter):
        return st.from_regex(r"\A[-a-zA-Z0-9_]{1,30}\Z")
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)).filter(
        lambda text: text and "/" not in text
    )


@st.composite
def addresses(draw, parameters: dict, values: dict, *, always_hostile: bool = False) -> dict:
    """The matrix's values for the address, and in about one example of four one part hostile:
    behind a wrong address there are only 404s, and the forms are reached with the right one."""
    address = {key: values[key] for key in parameters}
    if parameters and (always_hostile or draw(st.sampled_from([False, False, False, True]))):
        key = draw(st.sampled_from(sorted(parameters)))
        address[key] = draw(hostile_part(parameters[key]))
    return address


@pytest.mark.parametrize(("name", "visitor"), visitors())
def test_no_page_answers_a_server_error_whatever_it_is_sent(request, plan, name, visitor):
    user = request.getfixturevalue(visitor)
    values = arguments(plan, request.getfixturevalue("objects"))
    parameters = converters(name)
    url = reverse(name, kwargs={key: values[key] for key in parameters})
    fields = {} if name in FILES else page_fields(logged_in(user).get(url))
    field_names = sorted({*fields, *POST_NAMES})

    @fuzz_settings(examples=4 if name in FILES else 20)
    @given(
        path=addresses(parameters, values, always_hostile=name in FILES),
        query=st.dictionaries(
            st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8)), hostile, max_size=4
        ),
        start_from_the_form=st.booleans(),
        changes=st.dictionaries(
            st.one_of(st.sampled_from(field_names), st.text(max_size=8)), hostile, max_size=6
        ),
    )
    def visit(path, query, start_from_the_form, changes):
        with transaction.atomic():
            client = logged_in(user)
            address = reverse(name, kwargs=path)
            if query:
                address += "?" + urlencode(query)
            if name not in ACTIONS:
                assert_no_server_error(client.get(address))
            data = (fields if start_from_the_form else {}) | changes
            assert_no_server_error(client.post(address, data))
            transaction.set_rollback(True)

    visit()


def admin_pages() -> list:
    """The administration's pages as tests/test_admin_pages.py lists them, as (model, page)."""
    pages = [pytest.param(None, "index", id="index")]
    for model, model_admin in admin.site._registry.items():
        names = ["list", "add", "change", "history", "delete"]
        if hasattr(model_admin, "resource_classes"):
            names += ["import", "export"]
        for page in names:
            label = f"{model._meta.label_lower} {page}"
            pages.append(pytest.param(model, page, id=label))
    return pages


ADMIN_URL_NAMES = {"list": "changelist"}


@pytest.mark.parametrize(("model", "page"), admin_pages())
def test_no_page_of_the_administration_answers_a_server_error(
    plan, secretariat, superuser, model, page
):
    if model is None:
        url = reverse("admin:index")
        user = secretariat
    else:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_{ADMIN_URL_NAMES.get(page, page)}"
        obj = model._default_manager.order_by("pk").first()
        if page in {"change", "history", "delete"}:
            if obj is None:
                pytest.skip("nothing of this kind in the plan")
            url = reverse(name, args=[obj.pk])
        else:
            url = reverse(name)
        # Whoever may use the page: the secretariat, or a superuser where it is theirs alone.
        may = expected_for_secretariat(f"{opts.label_lower} {page}") == 200
        user = secretariat if may else superuser
    fields = page_fields(logged_in(user).get(url))
    field_names = sorted({*fields, "post", "action", "_selected_action", "index"})

    @fuzz_settings(examples=5, shrink=page != "export")
    @given(
        query=st.dictionaries(
            st.one_of(
                st.sampled_from(["q", "o", "p", "e", "all", "_changelist_filters"]),
                st.text(max_size=8),
            ),
            hostile,
            max_size=3,
        ),
        start_from_the_form=st.booleans(),
        changes=st.dictionaries(
            st.one_of(st.sampled_from(field_names), st.text(max_size=8)), hostile, max_size=6
        ),
    )
    def visit(query, start_from_the_form, changes):
        with transaction.atomic():
            client = logged_in(user)
            address = url + ("?" + urlencode(query) if query else "")
            assert_no_server_error(client.get(address))
            data = (fields if start_from_the_form else {}) | changes
            assert_no_server_error(client.post(address, data))
            transaction.set_rollback(True)

    visit()
