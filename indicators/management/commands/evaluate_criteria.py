"""Print the verdict on every success criterion of a plan for one year, one line each.

The columns are separated by tabs so the output can be checked by eye or read by a script:
delaftale, criterion number, activity (empty for the delaftale's own criteria), housing area,
verdict and the sentence that explains it.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _

# Every app's commands pick their plan the same way (--plan, or the only one).
from agreements.commands import choose_plan
from indicators.evaluation import evaluate_plan
from lib.commands import PlainCommand, whole_number


class Command(PlainCommand):
    help = "Judge every success criterion of a plan for one year and print the verdicts."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Calendar year, e.g. 2019.")
        parser.add_argument(
            "--plan", help="The plan's short name; needed only when there is more than one plan."
        )

    def handle(self, *args, year: str | int, plan: str | None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            year = whole_number(year, "--year")
            chosen = choose_plan(plan)
            years = [plan_year.year for plan_year in chosen.years()]
            if year not in years:
                raise CommandError(
                    _("%(year)s is outside the plan %(plan)s, which runs %(first)s–%(last)s.")
                    % {"year": year, "plan": chosen.slug, "first": years[0], "last": years[-1]}
                )
            for evaluation in evaluate_plan(chosen, years=[year]):
                criterion = evaluation.criterion
                columns = [
                    criterion.subagreement.focus_area.name,
                    str(criterion.position),
                    criterion.activity.name if criterion.activity else "",
                    evaluation.where,
                    str(evaluation.verdict.label),
                    evaluation.sentence,
                ]
                self.stdout.write("\t".join(column.replace("\t", " ") for column in columns))
