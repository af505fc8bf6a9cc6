"""Imports between the apps point one way, down the floors of tests/import_graph.py:

    lib ← agreements ← activities ← indicators ← economy
        ← {reports, audit, demo, onboarding, members} ← helhedsplan

so a rule can be found on the floor it belongs to and changed there. Only the files that
compose apps (admin.py, urls.py, management commands) may reach up, and each such import says
why in a comment beside it.
"""

from tests.import_graph import ROOT, Import, project_imports


def test_lib_imports_no_app():
    found = project_imports()
    assert [str(each) for each in found if each.source == "lib" and each.target != "lib"] == []


def test_domain_code_imports_only_the_floors_below():
    upward = [str(found) for found in project_imports() if found.points_up and not found.composes]
    assert upward == []


def test_every_upward_import_that_composes_apps_says_why():
    silent = [
        str(found)
        for found in project_imports()
        if found.points_up and found.composes and not found.explained
    ]
    assert silent == []


def test_the_rule_tells_up_from_down():
    """The rule itself: an arrow up or sideways is caught, one down is not, and a file that
    composes apps is told from domain code."""

    def arrow(path: str, target: str) -> Import:
        return Import(ROOT / path, 1, path.split("/")[0], target, explained=False)

    assert arrow("agreements/models.py", "activities").points_up
    assert arrow("reports/views.py", "audit").points_up  # a sibling on the same floor
    assert arrow("accounts/views.py", "agreements").points_up
    assert not arrow("reports/views.py", "indicators").points_up
    assert not arrow("helhedsplan/urls.py", "reports").points_up
    assert arrow("agreements/admin.py", "activities").composes
    assert arrow("agreements/management/commands/render_pdf.py", "reports").composes
    assert not arrow("agreements/views.py", "activities").composes


def test_the_reader_finds_the_imports_that_are_there():
    arrows = {(found.source, found.target) for found in project_imports()}
    assert {("reports", "indicators"), ("activities", "agreements"), ("audit", "lib")} <= arrows
