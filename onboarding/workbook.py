"""The plan workbook: one xlsx that holds a whole plan as a secretariat writes it.

A sheet per kind of row: the strategic agreement (the plan, its areas, parties, signatories,
bodies, sections, their tables and the required attachments), the delaftaler with every
section of LBF's template (their tables, parties and staff), the activities with their schema
headings and what they count each quarter, the indicators the criteria read, and the success
criteria with their targets. What the plan reports (counts, quarter reports, measurements,
assessments), its versions, history and users are not in it: the workbook describes the plan,
it does not back it up (agreements.backup does).

The sheets' names and headings are Danish and fixed, whatever language the user reads the site
in: they are the workbook's format, and a workbook downloaded in English must upload in Danish.
A row is found again by its natural key (the columns `Sheet.key` names: a delaftale by its
focus area's code, an activity by its delaftale and number, ...), never by an id, so a
workbook moves between installations and can be written by hand.

This module lays out the sheets and writes them; `onboarding.workbook_import` reads them back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from activities.models import Activity, Metric
from agreements.lbf_template import ACTIVITY_HEADINGS
from agreements.models import (
    ActivityHeadings,
    Body,
    FundingPeriod,
    Organisation,
    Plan,
    PlanArea,
    PlanParty,
    PlanSection,
    PlanSectionTable,
    RequiredAttachment,
    Signatory,
    StaffResource,
    Subagreement,
    SubagreementParty,
    SubagreementTable,
)
from agreements.sheets import AREA_SEPARATOR
from indicators.models import CriterionTarget, Indicator, SuccessCriterion
from lib.sheets import fit_columns, sheet_title, workbook_bytes, write_text, write_value

# The most cells a table row of an agreement has in the workbook (the real plan's widest: 6).
TABLE_CELLS = 12
# Limits for reading an upload: far beyond a plan of any size, far below a hostile sheet.
MAX_ROWS = 3000
MAX_COLUMNS = 30

# Reference kinds: how a column names another row (`Column.ref`), and how the row is written.
REFERENCE_TEXT: dict[str, Callable[[Any], Any]] = {
    "funding_period": lambda period: period.code,
    "focus_area": lambda area: area.code,
    "area": lambda area: area.code,
    "organisation": lambda organisation: organisation.name,
    "section": lambda section: section.position,
    "subagreement": lambda subagreement: subagreement.focus_area.code,
    "activity": lambda activity: activity.position,
    "metric": lambda metric: metric.name,
    "indicator": lambda indicator: indicator.name,
    "criterion": lambda criterion: criterion.position,
    "party": lambda party: party.position,
}


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its heading, the model field it fills and how its cells read.

    `kind` is text, int, decimal, date, bool, choice, ref (another row, named as `ref` says),
    shared (a field of the shared row a reference names: an area's name), areas (housing
    areas by code, separated by semicolons as in the administration's sheets) or cells (the
    cells of a table row).
    """

    heading: str
    field: str = ""
    kind: str = "text"
    ref: str = ""
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook: the model whose rows it holds (None for a sheet that is
    folded into other rows), its columns, the columns that find a row again, and an example
    row for the blank workbook."""

    title: str
    model: type[models.Model] | None
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    about: str
    example: Callable[[FundingPeriod], list[Any]]

    def column(self, heading: str) -> Column:
        return next(column for column in self.columns if column.heading == heading)

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]


POSITION = "Rækkefølge"
NUMBER = "Nr."
SUBAGREEMENT = "Delaftale"
ACTIVITY = "Aktivitet"


def sub(required: bool = True) -> Column:
    return Column(
        SUBAGREEMENT,
        "subagreement",
        "ref",
        "subagreement",
        required,
        "Indsatsområdets kode, som i arket Delaftaler",
    )


def order() -> Column:
    return Column(POSITION, "position", "int", help="Rækkefølgen i aftalen (1, 2, 3 ...)")


def first_focus_area(period: FundingPeriod) -> str:
    area = period.focus_areas.order_by("position").first()
    return area.code if area else ""


# In the order they are read: a row's references point to sheets before it.
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Plan",
        Plan,
        (
            Column(
                "Kort navn",
                "slug",
                required=True,
                help="Bruges i adresser: små bogstaver, tal og bindestreger",
            ),
            Column("Navn", "name", required=True),
            Column(
                "Bevillingsperiode", "funding_period", "ref", "funding_period", True, "Fx 2019-26"
            ),
            Column("Startdato", "start_date", "date", required=True, help="Skrives 01.01.2021"),
            Column("Slutdato", "end_date", "date", required=True),
            Column("Aftaledokumenter (indledning)", "preamble"),
            Column("Vision", "vision"),
            Column("Formål", "purpose"),
            Column("Budget fra LBF (kr.)", "budget_lbf", "int"),
            Column("Lokal medfinansiering (kr.)", "budget_local", "int"),
            Column("Note til budgettet", "budget_note"),
        ),
        ("Kort navn",),
        "Planen selv: én række med navn, periode, vision, formål og budget.",
        lambda period: [
            "eksempelby-2021-2025",
            "Boligsocial helhedsplan for Eksempelby 2021-2025",
            period.code,
            "01.01.2021",
            "31.12.2025",
            "",
            "Et trygt boligområde, hvor alle har lige muligheder.",
            "At styrke uddannelse og beskæftigelse.",
            6000000,
            2000000,
            "",
        ],
    ),
    Sheet(
        "Områder",
        PlanArea,
        (
            Column(
                "Kode",
                "area",
                "ref",
                "area",
                True,
                "Boligområdets kode: små bogstaver og bindestreger",
            ),
            Column("Navn", "name", "shared", "area", True, "Boligområdets navn"),
            Column("Kort navn", "short_name", "shared", "area"),
            order(),
            Column("Særligt udsat", "particularly_vulnerable", "bool", help="ja eller nej"),
            Column("Koordinator (årsværk)", "coordinator_fte", "decimal", help="Fx 0,5"),
        ),
        ("Kode",),
        "Boligområderne i planen. Et nyt område oprettes; et område, der findes, beholder sit "
        "navn.",
        lambda period: ["eksempelparken", "Eksempelparken", "Parken", 1, "nej", Decimal("0.5")],
    ),
    Sheet(
        "Organisationer",
        Organisation,
        (
            Column("Navn", "name", required=True, help="Organisationens fulde navn"),
            Column("Kort navn", "short_name"),
            Column("Slags", "kind", "choice", required=True),
        ),
        ("Navn",),
        "Boligorganisationer, kommune, politi og andre, som planen nævner. En ny oprettes; en, "
        "der findes, beholder sit navn og sin slags (andre planer bruger den også).",
        lambda period: ["Eksempelby Kommune", "Kommunen", "kommune"],
    ),
    Sheet(
        "Parter",
        PlanParty,
        (
            Column(
                "Organisation",
                "organisation",
                "ref",
                "organisation",
                True,
                "Som i arket Organisationer",
            ),
            Column("Rolle", "role"),
            order(),
        ),
        ("Organisation",),
        "Parterne i den strategiske samarbejdsaftale.",
        lambda period: ["Eksempelby Kommune", "Medfinansierer", 1],
    ),
    Sheet(
        "Underskrivere",
        Signatory,
        (
            Column("Navn", "name", required=True),
            Column("Titel", "title"),
            Column(
                "Organisation",
                "organisation",
                "ref",
                "organisation",
                help="Som i arket Organisationer",
            ),
            Column("Underskrevet", "signed_on", "date"),
            order(),
        ),
        ("Navn",),
        "Dem, der underskriver den strategiske samarbejdsaftale.",
        lambda period: ["Anne Eksempel", "Borgmester", "Eksempelby Kommune", "", 1],
    ),
    Sheet(
        "Organer",
        Body,
        (
            Column("Navn", "name", required=True),
            Column("Slags", "kind", "choice", required=True),
            Column("Boligområde", "area", "ref", "area", help="Kun for et lokalt organ"),
            Column("Overskrift", "heading"),
            Column("Beskrivelse", "description"),
            Column("Sammensætning", "composition"),
            Column("Afslutning", "closing"),
            order(),
        ),
        ("Navn",),
        "Bestyrelse, styregruppe, følgegrupper og andre organer i planens organisering.",
        lambda period: [
            "Bestyrelsen",
            "bestyrelse",
            "",
            "",
            "Bestyrelsen har ansvaret for helhedsplanen.",
            "",
            "",
            1,
        ],
    ),
    Sheet(
        "Afsnit",
        PlanSection,
        (
            Column(
                NUMBER,
                "position",
                "int",
                required=True,
                help="Afsnittets plads i aftalen (1, 2, 3 ...)",
            ),
            Column("Nummer", "number", help="Som aftalen nummererer det, fx 3.1"),
            Column("Titel", "title", required=True),
            Column(
                "Indsatsområde",
                "focus_area",
                "ref",
                "focus_area",
                help="Kode, hvis afsnittet handler om et indsatsområde",
            ),
            Column("Tekst", "body", help="En linje [tabel: NØGLE] placerer en tabel"),
            Column("Indsætter", "includes", "choice", help="Hvad aftalen indsætter efter teksten"),
        ),
        (NUMBER,),
        "Den strategiske samarbejdsaftales afsnit med deres tekst.",
        lambda period: [1, "1", "Indledning", "", "Helhedsplanen dækker Eksempelparken.", ""],
    ),
    Sheet(
        "Afsnitstabeller",
        PlanSectionTable,
        (
            Column("Afsnit", "section", "ref", "section", True, "Afsnittets Nr. i arket Afsnit"),
            Column("Nøgle", "key", required=True, help="Tabellens navn i teksten: [tabel: NØGLE]"),
            order(),
            Column("Billedtekst", "caption"),
            Column("Første kolonne er rækkeoverskrift", "row_headers", "bool"),
            Column("Kilde", "source"),
        ),
        ("Afsnit", "Nøgle"),
        "Tabellerne i den strategiske samarbejdsaftales afsnit (cellerne står i arket "
        "Tabelrækker).",
        lambda period: [1, "figur-1", 1, "Figur 1. Beboere", "ja", "Danmarks Statistik"],
    ),
    Sheet(
        "Bilag",
        RequiredAttachment,
        (
            Column("Titel", "title", required=True),
            Column("Vedlagt", "is_present", "bool", help="ja, nej eller tom, hvis det ikke vides"),
            Column("Note", "note"),
            order(),
        ),
        ("Titel",),
        "De dokumenter, der skal vedlægges den strategiske samarbejdsaftale.",
        lambda period: ["Budget", "ja", "", 1],
    ),
    Sheet(
        "Delaftaler",
        Subagreement,
        (
            Column(
                "Indsatsområde",
                "focus_area",
                "ref",
                "focus_area",
                True,
                "Kode for indsatsområdet i planens bevillingsperiode",
            ),
            Column("Titel", "title"),
            Column(
                "Skabelon", "template", "choice", required=True, help="Udgaven af LBF's skabelon"
            ),
            Column("Initiativets navn", "initiative_name"),
            Column("Bestyrelsens ansvar", "responsibility_statement"),
            Column("Problemkompleks", "problem_complex"),
            Column("Formål og mål", "purpose_and_goals"),
            Column("Aktiviteter (oversigt)", "activities_overview"),
            Column("Samspil med kommunen", "municipal_interplay"),
            Column("Budget fra LBF (kr.)", "budget_lbf", "int"),
            Column("Lokal medfinansiering (kr.)", "budget_local", "int"),
            Column("Budget fra LBF som skrevet", "budget_lbf_as_written"),
            Column("Lokal medfinansiering som skrevet", "budget_local_as_written"),
            Column("Samlet budget som skrevet", "budget_total_as_written"),
            Column("Konflikthåndtering", "conflict_handling"),
            Column("Tekst før aktivitetsskemaerne", "activities_intro"),
            Column("Revision", "revision"),
            Column("Gælder fra", "valid_from", "date", required=True),
            Column("Gælder til", "valid_to", "date"),
            Column("Note om gyldighed", "validity_note"),
        ),
        ("Indsatsområde",),
        "En række for hver delaftale med alle afsnit i LBF's skabelon.",
        lambda period: [
            first_focus_area(period),
            "",
            "Formål, mål og succeskriterier for indsatsområdet",
            "",
            "Bestyrelsen har ansvaret for delaftalen.",
            "Mange unge er uden uddannelse.",
            "Flere unge i uddannelse.",
            "Lektiecafé.",
            "Kommunen driver ungeindsatsen.",
            1500000,
            500000,
            "",
            "",
            "",
            "Konflikter løses i bestyrelsen.",
            "",
            "",
            "01.01.2021",
            "31.12.2025",
            "",
        ],
    ),
    Sheet(
        "Delaftaletabeller",
        SubagreementTable,
        (
            sub(),
            Column("Nøgle", "key", required=True),
            Column("Tekstafsnit", "section", "choice", required=True),
            order(),
            Column("Billedtekst", "caption"),
            Column("Første kolonne er rækkeoverskrift", "row_headers", "bool"),
            Column("Kilde", "source"),
        ),
        (SUBAGREEMENT, "Nøgle"),
        "Tabellerne i delaftalernes tekst (cellerne står i arket Tabelrækker).",
        lambda period: [first_focus_area(period), "tabel-1", "problemkompleks", 1, "", "ja", ""],
    ),
    Sheet(
        "Delaftaleparter",
        SubagreementParty,
        (
            sub(),
            Column(NUMBER, "position", "int", required=True),
            Column("Gruppe", "group"),
            Column("Part", "name", required=True),
            Column("Rolle", "role"),
            Column("Repræsenteret ved", "representative"),
            Column(
                "Organisation",
                "organisation",
                "ref",
                "organisation",
                help="Som i arket Organisationer",
            ),
            Column("Del af", "part_of", "ref", "party", help="Nr. på den part, den hører under"),
            Column("Skrevet som", "written_as"),
        ),
        (SUBAGREEMENT, NUMBER),
        "Parterne i hver delaftale.",
        lambda period: [
            first_focus_area(period),
            1,
            "",
            "Eksempelby Kommune",
            "Medfinansierer",
            "",
            "Eksempelby Kommune",
            "",
            "",
        ],
    ),
    Sheet(
        "Aktiviteter",
        Activity,
        (
            sub(),
            Column(
                NUMBER, "position", "int", required=True, help="Aktivitetens nummer i delaftalen"
            ),
            Column("Navn", "name", required=True),
            Column("Anbefalet af CFBU", "cfbu_recommended", "bool"),
            Column("CFBU-note", "cfbu_note"),
            Column("Indhold og praksis", "content"),
            Column("Formål og mål", "purpose"),
            Column("Målgrupper", "target_groups"),
            Column("Note om succeskriterierne", "criteria_note"),
            Column("Ansvar og roller", "responsibility"),
            Column(
                "Boligområder",
                "areas",
                "areas",
                help="Kode for hvert område, adskilt med semikolon",
            ),
            Column("Kommunen har ansvaret", "municipality_responsible", "bool"),
        ),
        (SUBAGREEMENT, NUMBER),
        "Aktiviteterne, hver med LBF's aktivitetsskema, og de boligområder, de kører i.",
        lambda period: [
            first_focus_area(period),
            1,
            "Lektiecafé",
            "nej",
            "",
            "Frivillige hjælper med lektier to gange om ugen.",
            "Flere unge gennemfører folkeskolen.",
            "Børn og unge 6-16 år.",
            "",
            "Sekretariatet.",
            "eksempelparken",
            "nej",
        ],
    ),
    Sheet(
        "Overskrifter",
        ActivityHeadings,
        (
            sub(),
            Column(ACTIVITY, "activity", "ref", "activity", True, "Aktivitetens Nr."),
            Column("Overskrift", "", "choice", required=True, help=", ".join(ACTIVITY_HEADINGS)),
            Column("Tekst", "", "text", help="Tom: linjen udelades"),
        ),
        (SUBAGREEMENT, ACTIVITY, "Overskrift"),
        "Overskrifter i et aktivitetsskema, der er skrevet anderledes end skabelonen.",
        lambda period: [first_focus_area(period), 1, "activity_purpose", "Formål og mål:"],
    ),
    Sheet(
        "Målepunkter",
        Metric,
        (
            sub(),
            Column(ACTIVITY, "activity", "ref", "activity", True, "Aktivitetens Nr."),
            Column("Navn", "name", required=True, help="Hvad der tælles, fx antal deltagere"),
            Column("Hvad tælles", "description"),
            Column("Året af kvartalerne", "aggregation", "choice", required=True),
            Column(
                "Følsomt",
                "sensitive",
                "bool",
                help="ja, hvis tallet tæller personer i en sårbar situation",
            ),
            order(),
        ),
        (SUBAGREEMENT, ACTIVITY, "Navn"),
        "Det, hver aktivitet tæller hvert kvartal i hvert af sine boligområder.",
        lambda period: [
            first_focus_area(period),
            1,
            "antal deltagere",
            "Børn, der deltog mindst én gang",
            "summen af kvartalerne",
            "nej",
            1,
        ],
    ),
    Sheet(
        "Personale",
        StaffResource,
        (
            sub(),
            Column(NUMBER, "position", "int", required=True),
            Column(
                ACTIVITY,
                "activity",
                "ref",
                "activity",
                help="Aktivitetens Nr., hvis personalet hører til en aktivitet",
            ),
            Column("Rolle", "role", required=True),
            Column("Årsværk", "fte", "decimal", required=True, help="Fx 0,5"),
            Column("Årsværk som skrevet", "fte_as_written"),
            Column("Note", "note"),
        ),
        (SUBAGREEMENT, NUMBER),
        "Medarbejderressourcerne i delaftalerne og deres aktiviteter.",
        lambda period: [first_focus_area(period), 1, 1, "Koordinator", Decimal("0.5"), "", ""],
    ),
    Sheet(
        "Indikatorer",
        Indicator,
        (
            Column("Navn", "name", required=True),
            Column("Enhed", "unit", "choice"),
            Column("Beskrivelse", "description"),
            Column("Kilde", "source"),
            Column(
                "Referencetal",
                "is_reference",
                "bool",
                help="ja for et tal at sammenligne med, fx landsgennemsnittet",
            ),
        ),
        ("Navn",),
        "De tal, succeskriterierne måles på, fx fra Danmarks Statistik (tallene selv indtastes "
        "for sig).",
        lambda period: ["Andel unge i uddannelse", "procent", "", "Danmarks Statistik", "nej"],
    ),
    Sheet(
        "Succeskriterier",
        SuccessCriterion,
        (
            sub(),
            Column(NUMBER, "position", "int", required=True),
            Column(
                ACTIVITY,
                "activity",
                "ref",
                "activity",
                help="Aktivitetens Nr.; tom for indsatsområdets egne kriterier",
            ),
            Column("Gruppe", "group_label"),
            Column("Tekst", "text", required=True),
            Column("Datakilde", "data_source", required=True),
            Column("Metode", "method"),
            Column("Slags", "kind", "choice", required=True),
            Column(
                "Indikator", "indicator", "ref", "indicator", help="Navn som i arket Indikatorer"
            ),
            Column(
                "Målepunkt",
                "metric",
                "ref",
                "metric",
                help="Navn som i arket Målepunkter (aktivitetens)",
            ),
            Column(
                "Nævner",
                "denominator_metric",
                "ref",
                "metric",
                help="Målepunktet, der deles med, for en andel",
            ),
            Column("Note om reglen", "rule_note"),
        ),
        (SUBAGREEMENT, NUMBER),
        "Succeskriterierne for indsatsområderne og aktiviteterne, og hvad de måles på.",
        lambda period: [
            first_focus_area(period),
            1,
            1,
            "",
            "Mindst 20 deltagere hvert år",
            "Optælling",
            "",
            "måles mod mål",
            "",
            "antal deltagere",
            "",
            "",
        ],
    ),
    Sheet(
        "Mål",
        CriterionTarget,
        (
            sub(),
            Column("Kriterium", "criterion", "ref", "criterion", True, "Succeskriteriets Nr."),
            Column(NUMBER, "position", "int", required=True),
            Column("Boligområde", "area", "ref", "area", help="Tom for hele planen"),
            Column("Slags", "kind", "choice", required=True),
            Column("Sammenligning", "comparison", "choice", required=True),
            Column("Værdi", "value", "decimal"),
            Column("Højeste værdi", "value_max", "decimal"),
            Column("Ændring i procent", "change_percent", "decimal"),
            Column("Antal år", "horizon_years", "int"),
            Column("Udgangsværdi", "baseline_value", "decimal"),
            Column("Udgangsår", "baseline_year", "int"),
            Column("Fra år", "from_year", "int"),
            Column("Til år", "to_year", "int"),
            Column("Til kvartal", "to_quarter", "int"),
            Column(
                "Reference",
                "reference",
                "ref",
                "indicator",
                help="Indikatoren, der sammenlignes med",
            ),
            Column("Betegnelse", "label"),
        ),
        (SUBAGREEMENT, "Kriterium", NUMBER),
        "Målene for hvert succeskriterium: hvad der skal nås, hvor og hvornår.",
        lambda period: [
            first_focus_area(period),
            1,
            1,
            "",
            "hvert år",
            "mindst",
            20,
            *[""] * 10,
        ],
    ),
    Sheet(
        "Tabelrækker",
        None,
        (
            Column("Afsnit", "", "int", help="Afsnittets Nr. for en tabel i arket Afsnitstabeller"),
            Column(
                SUBAGREEMENT,
                "",
                "text",
                help="Indsatsområdets kode for en tabel i arket Delaftaletabeller",
            ),
            Column("Nøgle", "", "text", required=True),
            Column("Række", "", "int", required=True),
            Column(
                "Overskriftsrække", "", "bool", help="ja for en række, der navngiver kolonnerne"
            ),
            *(Column(f"Celle {number}", "", "text") for number in range(1, TABLE_CELLS + 1)),
        ),
        ("Afsnit", SUBAGREEMENT, "Nøgle", "Række"),
        "Cellerne i aftalernes tabeller: én række i arket for hver række i tabellen. En række med "
        "kun én celle i en bredere tabel er en mellemoverskrift.",
        lambda period: [
            [1, "", "figur-1", 1, "ja", "", "2019", "2020"],
            [1, "", "figur-1", 2, "nej", "Beboere", "1.200", "1.250"],
            ["", first_focus_area(period), "tabel-1", 1, "nej", "Unge uden uddannelse", "35 %"],
        ],
    ),
)

BY_TITLE = {sheet.title: sheet for sheet in SHEETS}
INSTRUCTIONS = "Vejledning"

# Fields of the models the workbook covers that it leaves out on purpose, with the reason.
LEFT_OUT: dict[str, str] = {
    "agreements.Plan.has_demo_data": "marks invented demo figures, which are not part of a plan",
}
# The plan models (agreements.backup's plan scope) the workbook leaves out: reported figures,
# their bookkeeping, versions, sharing and people.
NOT_DESCRIPTION = {
    "agreements.Membership": "people and their roles",
    "members.Invitation": "people invited to the plan",
    "agreements.SubagreementVersion": "approved versions, made by approving",
    "agreements.ShareLink": "links handed out",
    "agreements.ShareLinkDownload": "downloads of shared links",
    "activities.ReportingAssignment": "who reports, set up with the members",
    "activities.QuarterlyCount": "reported figures",
    "activities.QuarterReport": "reported figures",
    "activities.QuarterReminder": "reminders sent",
    "indicators.Measurement": "reported figures",
    "indicators.QualitativeAssessment": "assessments",
    "reports.GroupEvaluation": "the bodies' evaluations",
    "reports.SentReport": "reports sent",
    "economy.Spending": "reported spending (the economy pages and their sheet)",
}


# --- Export -------------------------------------------------------------------------------


def plan_rows(sheet: Sheet, plan: Plan) -> list:
    """The plan's rows of a sheet, in the order the agreement has them."""
    model = sheet.model
    if model is Plan:
        return [Plan.objects.select_related("funding_period").get(pk=plan.pk)]
    if sheet.title == "Tabelrækker":
        return [
            *PlanSectionTable.objects.filter(section__plan=plan)
            .select_related("section")
            .order_by("section__position", "position", "key"),
            *SubagreementTable.objects.filter(subagreement__plan=plan)
            .select_related("subagreement__focus_area")
            .order_by("subagreement__focus_area__position", "position", "key"),
        ]
    assert model is not None
    if model is Organisation:
        # Shared with other plans: those the plan names, as a party, signatory or party of a
        # delaftale.
        return list(
            Organisation.objects.filter(
                Q(plan_parties__plan=plan)
                | Q(signatories__plan=plan)
                | Q(subagreement_parties__subagreement__plan=plan)
            )
            .distinct()
            .order_by("name")
        )
    path = {
        PlanArea: ("plan", ["position", "area__code"], ["area"]),
        PlanParty: ("plan", ["position", "organisation__name"], ["organisation"]),
        Signatory: ("plan", ["position", "name"], ["organisation"]),
        Body: ("plan", ["position", "name"], ["area"]),
        PlanSection: ("plan", ["position"], ["focus_area"]),
        PlanSectionTable: ("section__plan", ["section__position", "position", "key"], ["section"]),
        RequiredAttachment: ("plan", ["position", "title"], []),
        Subagreement: ("plan", ["focus_area__position"], ["focus_area"]),
        SubagreementTable: (
            "subagreement__plan",
            ["subagreement__focus_area__position", "position", "key"],
            ["subagreement__focus_area"],
        ),
        SubagreementParty: (
            "subagreement__plan",
            ["subagreement__focus_area__position", "position"],
            ["subagreement__focus_area", "organisation", "part_of"],
        ),
        Activity: (
            "subagreement__plan",
            ["subagreement__focus_area__position", "position"],
            ["subagreement__focus_area"],
        ),
        ActivityHeadings: (
            "activity__subagreement__plan",
            ["activity__subagreement__focus_area__position", "activity__position"],
            ["activity__subagreement__focus_area"],
        ),
        Metric: (
            "activity__subagreement__plan",
            [
                "activity__subagreement__focus_area__position",
                "activity__position",
                "position",
                "name",
            ],
            ["activity__subagreement__focus_area"],
        ),
        StaffResource: (
            "subagreement__plan",
            ["subagreement__focus_area__position", "position"],
            ["subagreement__focus_area", "activity"],
        ),
        Indicator: ("plan", ["name"], []),
        SuccessCriterion: (
            "subagreement__plan",
            ["subagreement__focus_area__position", "position"],
            ["subagreement__focus_area", "activity", "indicator", "metric", "denominator_metric"],
        ),
        CriterionTarget: (
            "criterion__subagreement__plan",
            ["criterion__subagreement__focus_area__position", "criterion__position", "position"],
            ["criterion__subagreement__focus_area", "criterion", "area", "reference"],
        ),
    }[model]
    plan_path, ordering, related = path
    rows = model._default_manager.filter(**{plan_path: plan}).order_by(*ordering)
    if related:
        rows = rows.select_related(*related)
    if model is Activity:
        rows = rows.prefetch_related("areas")
    return list(rows)


def subagreement_of(obj) -> Subagreement:
    """The delaftale a row of a delaftale's sheet belongs to."""
    if isinstance(obj, Metric | ActivityHeadings):
        return obj.activity.subagreement
    if isinstance(obj, CriterionTarget):
        return obj.criterion.subagreement
    return obj.subagreement


def cell_value(sheet: Sheet, column: Column, obj, *, labels: bool = True, areas=None) -> Any:
    """What a row's cell holds in the workbook: a choice by its Danish label (by its stored
    value with `labels` off), another row by its key, housing areas by their codes (those of
    `areas` when given: a row not yet saved has none of its own)."""
    if column.heading == SUBAGREEMENT and column.kind == "ref":
        return subagreement_of(obj).focus_area.code
    if column.kind == "ref":
        target = getattr(obj, column.field)
        return REFERENCE_TEXT[column.ref](target) if target is not None else None
    if column.kind == "shared":
        reference = next(c for c in sheet.columns if c.kind == "ref" and c.ref == column.ref)
        return getattr(getattr(obj, reference.field), column.field)
    if column.kind == "areas":
        chosen = obj.areas.all() if areas is None else areas
        return AREA_SEPARATOR.join(sorted(area.code for area in chosen))
    value = getattr(obj, column.field)
    if column.kind == "choice" and labels:
        return choice_label(type(obj)._meta.get_field(column.field), value)
    return value


def choice_field(model: type[models.Model], name: str) -> models.Field:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def choice_label(model_field: models.Field, value) -> Any:
    """A choice as the Danish reader knows it: by its label."""
    if not model_field.choices or value in (None, ""):
        return value
    with translation.override("da"):
        return str(dict(model_field.flatchoices).get(value, value))


def sheet_rows(sheet: Sheet, plan: Plan) -> list[list]:
    """The sheet's rows of the plan, as the cells of the workbook."""
    if sheet.title == "Tabelrækker":
        return table_cell_rows(plan_rows(sheet, plan))
    if sheet.model is ActivityHeadings:
        return [
            [heading.activity.subagreement.focus_area.code, heading.activity.position, key, text]
            for heading in plan_rows(sheet, plan)
            for key, text in heading.headings.items()
        ]
    return [
        [cell_value(sheet, column, obj) for column in sheet.columns]
        for obj in plan_rows(sheet, plan)
    ]


def table_cell_rows(tables: list) -> list[list]:
    rows = []
    for table in tables:
        section = table.section.position if isinstance(table, PlanSectionTable) else None
        code = table.subagreement.focus_area.code if isinstance(table, SubagreementTable) else None
        for number, row in enumerate(table.rows, start=1):
            cells = list(row["cells"])
            rows.append([section, code, table.key, number, bool(row.get("head")), *cells])
    return rows


def export_workbook(plan: Plan | None, *, period: FundingPeriod | None = None) -> bytes:
    """The plan as a workbook; without a plan, the blank workbook: instructions and an
    example row in each sheet, for a plan of `period` (the newest funding period if none)."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS
    write_instructions(instructions, blank=plan is None)
    if plan is None:
        period = period or FundingPeriod.objects.order_by("-first_year").first()
    for sheet in SHEETS:
        if plan is not None:
            rows = sheet_rows(sheet, plan)
        else:
            example = sheet.example(period) if period else []
            # A sheet's example is a row, or (Tabelrækker) a few.
            rows = example if example and isinstance(example[0], list) else [example]
        write_sheet(workbook.create_sheet(sheet_title(sheet.title)), sheet, rows)
    return workbook_bytes(workbook)


KIND_FORMAT = {"int": "plain", "decimal": "number", "date": "date"}


def write_sheet(worksheet, sheet: Sheet, rows: list[list]) -> None:
    bold = Font(bold=True)
    widths = [len(heading) for heading in sheet.headings]
    for number, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=number)
        write_text(cell, column.heading)
        cell.font = bold
    for row_number, row in enumerate(rows, start=2):
        for number, (column, value) in enumerate(zip(sheet.columns, row, strict=False), start=1):
            cell = worksheet.cell(row=row_number, column=number)
            # A reference by number (an activity's Nr.) is a number, as the Nr. it names.
            number_reference = column.kind == "ref" and isinstance(value, int)
            kind = KIND_FORMAT.get(column.kind, "plain" if number_reference else "text")
            if column.kind == "decimal" and isinstance(value, Decimal):
                # As many decimals as the value has (an FTE of 0,375), and never fewer than two.
                places = max(2, -int(value.normalize().as_tuple().exponent))
                write_value(cell, value, "number", "#,##0." + "0" * places)
            elif column.kind == "bool" and value is None:
                cell.value = None
            elif column.kind == "bool":
                # The blank workbook's examples already say "ja" or "nej" in words.
                words = value if isinstance(value, str) else ("ja" if value else "nej")
                write_text(cell, words)
            else:
                write_value(cell, value, kind)
            if isinstance(value, str) and ("\n" in value or len(value) > 60):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[number - 1] = max(widths[number - 1], min(len(str(value or "")), 60))
    fit_columns(worksheet, widths)
    worksheet.freeze_panes = "A2"


def write_instructions(worksheet, *, blank: bool) -> None:
    """The first sheet: how the workbook is filled in, sheet by sheet and column by column."""
    bold = Font(bold=True)
    lines: list[tuple[str, bool]] = [
        ("Projektmappe for en boligsocial helhedsplan", True),
        ("", False),
        (
            "Projektmappen rummer hele planen, som sekretariatet skriver den: den strategiske "
            "samarbejdsaftale, delaftalerne, aktiviteterne og det, de tæller hvert kvartal, "
            "indikatorerne og succeskriterierne med deres mål, personale og budget.",
            False,
        ),
        (
            "Indberettede tal (kvartalstal, målinger, vurderinger), versioner og brugere er ikke "
            "med; de indtastes på siderne.",
            False,
        ),
        (
            "Udfyld arkene i den rækkefølge, de står i: en række henviser kun til rækker i ark "
            "før den (en aktivitet til sin delaftale, et succeskriterium til sit målepunkt).",
            False,
        ),
        (
            "Hver række findes igen ved sine nøglekolonner (nævnt for hvert ark nedenfor). "
            "Ved indlæsning i en plan, der findes, opdateres rækken med samme nøgle; en række, "
            "der ikke er i arket, fjernes, medmindre der er indberettet tal på den.",
            False,
        ),
        (
            "Tal skrives med decimalkomma (0,5), datoer som 01.01.2021, ja/nej som ja eller nej. "
            "Valg (slags, skabelon, enhed ...) skrives med deres danske navn.",
            False,
        ),
        ("Du ser altid, hvad indlæsningen vil gøre, før noget gemmes.", False),
    ]
    if blank:
        lines.append(
            ("Hvert ark har en eksempelrække. Ret eller slet den, før du indlæser.", False)
        )
    for sheet in SHEETS:
        lines += [("", False), (f"Arket '{sheet.title}'", True), (sheet.about, False)]
        lines.append(("Rækken findes igen ved: " + ", ".join(sheet.key), False))
        for column in sheet.columns:
            text = column.heading
            if column.required:
                text += " (skal udfyldes)"
            if column.kind == "choice" and column.field and sheet.model is not None:
                choices = choice_field(sheet.model, column.field).flatchoices
                with translation.override("da"):
                    labels = [str(label) for value, label in choices if value]
                text += ": " + " / ".join(labels)
            elif column.help:
                text += ": " + column.help
            lines.append(("  • " + text, False))
    for number, (text, heading) in enumerate(lines, start=1):
        cell = worksheet.cell(row=number, column=1)
        write_text(cell, text)
        if heading:
            cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.column_dimensions[get_column_letter(1)].width = 120
