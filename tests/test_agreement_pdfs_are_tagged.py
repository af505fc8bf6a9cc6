"""The agreements' tables and lists are in the PDFs' structure tree (PDF/UA), not only drawn:
each table of figures is a Table with its caption and header cells, lists inside criteria cells
and the staff lines are lists, and a delaftale's parties are one table."""

import io

import pytest
from pypdf import PdfReader

from agreements import pdf
from agreements.models import PlanSectionTable, SubagreementVersion
from tests.pdf_structure import count, structure, tags

pytestmark = pytest.mark.django_db

_rendered: dict[str, PdfReader] = {}


def readers(plan) -> dict[str, PdfReader]:
    if not _rendered:
        versions = (
            SubagreementVersion.objects.current().for_rendering().filter(subagreement__plan=plan)
        )
        _rendered["strategic"] = PdfReader(io.BytesIO(pdf.strategic_agreement_pdf(plan)))
        for version in versions:
            _rendered[version.subagreement.code] = PdfReader(
                io.BytesIO(pdf.subagreement_pdf(version))
            )
    return _rendered


def header_cells(table: dict) -> int:
    """The header cells a table of figures must have: its column heads (an empty corner cell
    is no header), its group rows, and the first cell of each other row."""
    width = max(len(row["cells"]) for row in table["rows"])
    cells = 0
    for row in table["rows"]:
        if row.get("head") or (len(row["cells"]) == 1 and width > 1):
            cells += sum(1 for cell in row["cells"] if cell.strip())
        elif table["row_headers"]:
            cells += 1
    return cells


def tables_of(reader: PdfReader) -> list[tuple[int, int, int]]:
    """(rows, header cells, captions) of each Table in the structure tree."""
    return [
        (count(element, "/TR"), count(element, "/TH"), count(element, "/Caption"))
        for element in structure(reader)
        if element["/S"] == "/Table"
    ]


def test_every_table_of_figures_is_a_tagged_table_with_its_header_cells_and_caption(plan):
    documents = readers(plan)
    expected = [("strategic", table.as_dict()) for table in PlanSectionTable.objects.all()]
    for version in SubagreementVersion.objects.filter(subagreement__plan=plan):
        expected += [(version.subagreement.code, table) for table in version.content["tables"]]
    assert {code for code, _ in expected} == {"strategic", "tryghed", "kriminalitet", "uddannelse"}

    for code, table in expected:
        found = tables_of(documents[code])
        if table["row_headers"]:
            shape = (len(table["rows"]), header_cells(table), 1 if table["caption"] else 0)
            assert shape in found, (code, table["key"], found)
        else:
            # A table of text may run on to the next page, where its head is repeated.
            assert any(headers >= header_cells(table) for _, headers, _ in found), table["key"]
        assert tags(documents[code]).get("/Caption", 0) >= (1 if table["caption"] else 0)


def test_lists_in_criteria_cells_and_the_staff_lines_are_tagged_lists(plan):
    documents = readers(plan)

    for code in ("strategic", "kriminalitet", "forebyggelse"):
        cells_with_lists = [
            element
            for element in structure(documents[code])
            if element["/S"] == "/TD" and count(element, "/L")
        ]
        assert cells_with_lists, code
    for code, reader in documents.items():
        counted = tags(reader)
        assert counted["/L"] >= 5 and counted["/LI"] >= counted["/L"], (code, counted)
    # Tryghed's seven staff lines of the focus area are one list of seven items.
    staff = [
        element
        for element in structure(documents["tryghed"])
        if element["/S"] == "/L" and count(element, "/LI") == 7
    ]
    assert staff


@pytest.mark.parametrize(
    ("code", "rows"),
    [
        ("tryghed", 1 + 4),
        ("kriminalitet", 1 + 11),
        ("uddannelse", 1 + 2 + 18),
        ("forebyggelse", 1 + 1 + 2),
    ],
)
def test_a_delaftales_parties_are_one_table(plan, code, rows):
    tables = tables_of(readers(plan)[code])

    # The first table of a delaftale is its parties: a head row, a row for each group's
    # heading, and one for each party.
    assert tables[0][0] == rows


def test_the_documents_keep_their_headings_language_and_title(plan):
    for code, reader in readers(plan).items():
        counted = tags(reader)
        catalog = reader.trailer["/Root"]
        assert counted["/H1"] == 1 and counted["/H2"] >= 10, (code, counted)
        assert catalog["/Lang"] == "da"
        assert reader.metadata.title
