"""Reference data: LBF's funding periods and the focus areas each allows.

Every installation needs these before a plan can be created, so they come with the schema
rather than with a fixture. The codes of the 2015-18 areas are the ones used in links and on
the command line (e.g. `render_pdf subagreement tryghed`).
"""

from django.db import migrations

FUNDING_PERIODS = [
    {
        "code": "2015-18",
        "name": "2015-18-midlerne",
        "first_year": 2015,
        "last_year": 2018,
        "focus_areas": [
            ("tryghed", "Tryghed og trivsel"),
            ("kriminalitet", "Kriminalpræventiv indsats"),
            ("uddannelse", "Uddannelse og beskæftigelse"),
            ("forebyggelse", "Forebyggelse og forældreansvar"),
        ],
    },
    {
        "code": "2019-26",
        "name": "2019-26-midlerne",
        "first_year": 2019,
        "last_year": 2026,
        "focus_areas": [
            ("uddannelse-og-livschancer", "Uddannelse og livschancer"),
            ("beskaeftigelse", "Beskæftigelse"),
            ("kriminalitetsforebyggelse", "Kriminalitetsforebyggelse"),
            ("sammenhaengskraft", "Sammenhængskraft og medborgerskab"),
        ],
    },
]


def add_funding_periods(apps, schema_editor):
    FundingPeriod = apps.get_model("agreements", "FundingPeriod")
    FocusArea = apps.get_model("agreements", "FocusArea")
    for data in FUNDING_PERIODS:
        period, _ = FundingPeriod.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "first_year": data["first_year"],
                "last_year": data["last_year"],
            },
        )
        for position, (code, name) in enumerate(data["focus_areas"], start=1):
            FocusArea.objects.update_or_create(
                funding_period=period, code=code, defaults={"name": name, "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(add_funding_periods, migrations.RunPython.noop)]
