"""Fill a plan with invented quarterly counts, quarter reports and yearly measurements for a
first impression, or take exactly those out again with --remove (see demo.data).

A plan that already has demo data is left alone, as `load_plan` leaves a loaded plan alone:
`make run` runs this on every start, and a restart must not undo what was tried out in the
demo. Remove it with --remove to load it afresh.
"""

from django.utils.translation import gettext as _

# Every app's commands pick their plan the same way (--plan, or the only one).
from agreements.commands import REAL_PLAN, choose_plan
from demo.data import DemoSummary, load_demo_data, remove_demo_data
from lib.commands import PlainCommand
from lib.numbers import format_number


def describe(summary: DemoSummary) -> str:
    return _("%(counts)s quarterly counts, %(reports)s reports, %(measurements)s measurements") % {
        "counts": format_number(summary.counts),
        "reports": format_number(summary.reports),
        "measurements": format_number(summary.measurements),
    }


class Command(PlainCommand):
    help = (
        "Fill a plan with invented quarterly counts and measurements, marked as demo data; "
        "--remove takes them out again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", help=f"The plan's short name (default: the only plan, else {REAL_PLAN})."
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Remove the plan's demo data; real data stays as it is.",
        )

    def handle(self, *args, plan=None, remove=False, verbosity=1, **options):
        plan = choose_plan(plan, default=REAL_PLAN)
        if remove:
            removed = remove_demo_data(plan=plan)
            self.stdout.write(_("Demo data removed: %(summary)s") % {"summary": describe(removed)})
            return
        if plan.has_demo_data:
            self.stdout.write(
                _(
                    "%(plan)s already has demo data; left as it is. Remove it with --remove "
                    "to load it afresh."
                )
                % {"plan": plan}
            )
            return

        def report_year(year: int, written: DemoSummary) -> None:
            if verbosity >= 1:
                self.stdout.write(f"{year}: {describe(written)}")

        summary = load_demo_data(plan=plan, on_year=report_year)
        self.stdout.write(
            self.style.SUCCESS(_("Demo data loaded: %(summary)s") % {"summary": describe(summary)})
        )
