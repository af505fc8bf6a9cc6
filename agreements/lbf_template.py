"""The words of Landsbyggefonden's templates, which the agreements are written in.

A delaftale fills in LBF's template for a delaftale, and each activity fills in the template's
activity schema; the strategic agreement fills in the template for the strategic agreement.
Their headings are LBF's words, not ours, so they are kept here in Danish, exactly as the
templates write them, and are never translated: a document in LBF's template uses the
template's words whatever language the person who prints it reads the site in.

The seed's delaftaler are written in two editions of the delaftale template, which word some
headings differently ("Formål, mål og succeskriterier for indsatsområdet:" in one, "Formål og
lokalt opstillede målinger for indsatsområdet:" in the other). A delaftale names its edition
(`Subagreement.template`), and an approved version freezes the headings it was approved with,
so a version reads the same however this module changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Edition(models.TextChoices):
    """An edition of LBF's template for a delaftale, named by the heading it is known by."""

    GOALS_AND_CRITERIA = (
        "goals-and-criteria",
        _("“Formål, mål og succeskriterier for indsatsområdet”"),
    )
    LOCAL_MEASUREMENTS = (
        "local-measurements",
        _("“Formål og lokalt opstillede målinger for indsatsområdet”"),
    )


_SHARED = {
    "initiative_name": "Navn på den boligsociale indsats, som delaftalen vedrører:",
    "parties": "Aftalens parter:",
    "problem_complex": "Problemkompleks for indsatsområdet:",
    "criteria_source": "Datakilde:",
    "budget": (
        "Indsatsområdets økonomi i henhold til budget (Her anføres finansiering for dette "
        "indsatsområde som oplyst i det vedlagte budget for den boligsociale indsats):"
    ),
    "budget_organisation": "Organisation",
    "budget_amount": "Finansiering",
    "budget_lbf": "Landsbyggefonden",
    "budget_local": "Lokal medfinansiering",
    "budget_total": "Samlet budget for indsatsområdet",
    "conflict_handling": "Konflikthåndtering og underretning:",
    "revision": (
        "Revision af delaftalen (Eventuelle reviderede aftaler skal ikke fremsendes til "
        "Landsbyggefonden, men fonden skal om nødvendigt til enhver tid kunne rekvirere "
        "ajourførte delaftaler):"
    ),
    "activities": (
        "Aktiviteter, som skal bidrage til indfrielsen af mål for indsatsområdet "
        "(tilføj skemaer - ét skema pr. aktivitet):"
    ),
    # The activity schema.
    "activity_name": "Aktivitetsnavn:",
    "activity_content": "Indhold og praksis (aktivitetsbeskrivelse):",
    "activity_target_groups": "Målgruppe(r):",
    "activity_criteria": "Succeskriterier og datakilde for aktiviteten:",
    "activity_criteria_text": "Succeskriterier:",
    "activity_criteria_source": "Datakilde:",
    "activity_staff": "Forventet medarbejderressourceforbrug:",
}

HEADINGS: dict[str, dict[str, str]] = {
    Edition.GOALS_AND_CRITERIA: {
        **_SHARED,
        "purpose_section": "Formål, mål og succeskriterier for indsatsområdet:",
        "purpose": "Formål og mål:",
        "criteria_text": "Succeskriterier (lokalt opstillede målinger):",
        "activities_overview": (
            "Aktiviteter, som skal bidrage til indfrielse af formål, mål og succeskriterier:"
        ),
        "staff": "Medarbejderressourcer for indsatsområdet:",
        "municipal_interplay": "Sammenhæng med den kommunale indsats i boligområdet:",
        "validity": "Delaftalen gælder fra - til:",
        "activity_purpose": "Formål og mål:",
        "activity_responsibility": "Ansvars- og rollefordeling:",
        "activity_criteria_note": "",
    },
    Edition.LOCAL_MEASUREMENTS: {
        **_SHARED,
        "purpose_section": "Formål og lokalt opstillede målinger for indsatsområdet:",
        "purpose": "Formål:",
        "criteria_text": "Lokalt opstillede målinger (succeskriterier):",
        "activities_overview": (
            "Aktiviteter, som skal bidrage til indfrielse af formål og lokalt fastsatte "
            "mål/målinger:"
        ),
        # This edition has no section for the focus area's own staff: the activity schemas
        # hold it. A delaftale with staff of its own still shows it, under this heading.
        "staff": "Medarbejderressourcer for indsatsområdet:",
        "municipal_interplay": (
            "Samspil med og supplement til den kommunale indsats i boligområdet:"
        ),
        "validity": "Delaftalen gælder fra:",
        "activity_purpose": "Formål:",
        "activity_responsibility": "Organisering, ansvar og rollefordeling:",
        "activity_criteria_note": "(OBS: Disse skal fremgå af aktivitetsskemaet)",
    },
}

TITLE = "Delaftale for indsatsområdet {name}"
# The headings of the activity schema: those an activity may word its own way
# (`ActivityHeadings`).
ACTIVITY_HEADINGS = tuple(
    key for key in _SHARED | HEADINGS[Edition.GOALS_AND_CRITERIA] if key.startswith("activity_")
)


def headings(edition: str) -> dict[str, str]:
    """The headings of an edition of the delaftale template, by section."""
    return dict(HEADINGS.get(edition, HEADINGS[Edition.GOALS_AND_CRITERIA]))


# The strategic agreement's template: the budget of section 7 (Ressourcer i den boligsociale
# indsats) and the sentence before the list of required attachments.
STRATEGIC = {
    "preamble": "Aftaledokumenter",
    "attachments": "Følgende dokumenter skal vedlægges denne strategiske samarbejdsaftale:",
    "budget_organisation": "Organisation",
    "budget_amount": "Finansiering i hele tusinde",
    "budget_lbf": "Landsbyggefonden",
    "budget_local": "Lokal medfinansiering",
    "budget_total": "Samlet budget for den boligsociale indsats",
}
