"""Every admin page renders for the secretariat, and is refused to everyone else."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Django's own user and group admin is for superusers; everything else is the secretariat's.
SUPERUSER_ONLY = {"auth.user", "auth.group"}


def admin_urls(user_for_scope=None) -> list[tuple[str, str]]:
    """(label, url) for every page of every registered model: list, add, change, history,
    delete, and the sheet import/export where the model has them."""
    urls = [("index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        label = opts.label_lower
        urls.append((f"{label} list", reverse(f"{base}_changelist")))
        urls.append((f"{label} add", reverse(f"{base}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for page in ("change", "history", "delete"):
                urls.append((f"{label} {page}", reverse(f"{base}_{page}", args=[obj.pk])))
        if hasattr(model_admin, "resource_classes"):
            urls.append((f"{label} import", reverse(f"{base}_import")))
            urls.append((f"{label} export", reverse(f"{base}_export")))
    return urls


def expected_for_secretariat(label: str) -> int:
    model, _, page = label.rpartition(" ")
    if model in SUPERUSER_ONLY:
        return 403
    # Creating or deleting a whole plan, and changing shared reference data, is for superusers.
    if (model, page) in {("agreements.plan", "add"), ("agreements.plan", "delete")}:
        return 403
    shared = {"agreements.fundingperiod", "agreements.organisation", "agreements.housingarea"}
    if model in shared and page == "delete":
        return 403
    if model == "agreements.fundingperiod" and page == "add":
        return 403
    return 200


def test_every_admin_page_renders_for_the_secretariat(client, secretariat, make_user):
    make_user("en-bruger-at-vise")  # so that the user admin has a row
    client.force_login(secretariat)
    failures = []
    for label, url in admin_urls():
        response = client.get(url)
        if response.status_code != expected_for_secretariat(label):
            failures.append((label, url, response.status_code))
    assert failures == []


def test_the_secretariats_admin_is_in_danish(client, secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Helhedsplan – administration" in page
    assert "Delaftaler" in page
    assert "Succeskriterier" in page
    page = client.get(reverse("admin:agreements_plan_changelist")).content.decode()
    assert "44.450" in page  # the plan's budget in t.kr.
    assert "3.167" in page  # the remainder not allocated to a delaftale


def test_the_plan_page_shows_the_budget_against_the_subagreements(client, secretariat, plan):
    client.force_login(secretariat)
    page = client.get(reverse("admin:agreements_plan_change", args=[plan.pk])).content.decode()
    for figure in ("11.559", "10.153", "15.492", "4.079", "41.283", "44.450", "3.167", "2.266"):
        assert figure in page


@pytest.mark.parametrize(
    "role_fixture", ["board_member", "lbf_user", "coordinator_motalavej", "outsider"]
)
def test_every_admin_page_is_refused_to_other_roles(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    failures = [
        (label, url, response.status_code)
        for label, url in admin_urls()
        if (response := client.get(url)).status_code != 403
    ]
    assert failures == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    for _label, url in admin_urls():
        response = client.get(url, follow=True)
        assert response.redirect_chain, url
        assert response.redirect_chain[-1][0].startswith(reverse("login")), url
        assert response.templates[0].name == "registration/login.html"


def test_the_secretariat_sees_only_its_own_plans_data(client, secretariat, make_plan):
    other = make_plan("en-anden-plan")
    other_subagreement = other.subagreements.get()
    client.force_login(secretariat)
    changelist = client.get(reverse("admin:agreements_subagreement_changelist")).content.decode()
    assert "Beskæftigelse" not in changelist
    change = reverse("admin:agreements_subagreement_change", args=[other_subagreement.pk])
    assert client.get(change).status_code == 404
    assert client.get(reverse("admin:agreements_plan_change", args=[other.pk])).status_code == 404


def test_the_secretariat_cannot_move_data_into_another_plan(client, secretariat, make_plan, plan):
    other = make_plan("en-anden-plan")
    client.force_login(secretariat)
    page = client.get(reverse("admin:agreements_subagreement_add")).content.decode()
    plan_choices = re.search(r'<select name="plan".*?</select>', page, re.S).group(0)
    assert f'value="{plan.pk}"' in plan_choices
    assert f'value="{other.pk}"' not in plan_choices


def test_decimal_fields_take_a_danish_decimal_comma(client, secretariat, plan):
    client.force_login(secretariat)
    page = client.get(reverse("admin:agreements_plan_change", args=[plan.pk])).content.decode()
    assert 'value="0,500"' in page  # Motalavej's coordinator share


def test_no_admin_page_needs_what_the_content_security_policy_refuses(client, secretariat):
    """No inline script, event handler or style attribute: the policy allows scripts and
    styles only from the site's own files, and the browser would ignore these."""
    client.force_login(secretariat)
    refused = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=", re.I)
    failures = [
        (label, found.group(0))
        for label, url in admin_urls()
        if expected_for_secretariat(label) == 200
        and (found := refused.search(client.get(url).content.decode()))
    ]
    assert failures == []
