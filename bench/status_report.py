"""Benchmark: the board's semi-annual status report as PDF (reports/status_report.py).

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/status_report.py

`--repeat N` changes how many times the report is made (default 5). Like the other benchmarks
it works in a database of its own, in memory or, with BENCH_DATABASE_URL, a PostgreSQL database
test_NAME that it creates and drops: DATABASE_URL is replaced before Django starts, so neither
db.sqlite3 nor a database in .env is touched.

It migrates the empty database and loads the real Slagelse plan with the demo figures (quarterly
counts and reports, yearly measurements, as `manage.py load_demo_data` enters them). After one
warm-up report (WeasyPrint finds the fonts and parses the stylesheet the first time), it makes
the report for the first half of 2019 N times: `StatusReport.load` reads the figures and judges
the criteria, `status_report_pdf` renders the PDF. It prints the median and slowest time of
each step and of the whole report, the pages, the size and the queries, and whether the aim is
met: the whole report under 1 s (median).

In the same run it lays out the same report with WeasyPrint, as the agreements are and as the
report was until Typst laid it out (lib/typeset.py): `lib.pdf.html_to_pdf` on the same HTML,
with the agreements' stylesheet alone (the report's own print rules are in lib/typeset.typ).
And it asks for the report as the page does (`current_status_report_pdf`), once made and then
kept in the cache until the data changes: the time of a request that finds it there.

With `--national` the plan is the first of the national dataset (`manage.py
generate_national_dataset --plans N`, default 100), with its own demo figures, among all the
others.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import time
from collections.abc import Callable

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.conf import settings
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader
from weasyprint.text.ffi import harfbuzz_subset

from activities.models import QuarterlyCount, QuarterReport
from agreements.models import Plan
from bench.dataset import (
    add_dataset_options,
    load_demo_plan,
    national_dataset,
    throwaway_database,
)
from indicators.models import Measurement
from lib.pdf import html_to_pdf
from lib.periods import HalfYear
from reports.status_report import (
    StatusReport,
    current_status_report_pdf,
    status_report_html,
    status_report_pdf,
)

HALF_YEAR = HalfYear(2019, 1)
AIM = 1.0


def status_report_pdf_weasyprint(report: StatusReport) -> bytes:
    """The report laid out by WeasyPrint, as the agreements are."""
    return html_to_pdf(status_report_html(report))


def timed(step: Callable[[], object]) -> tuple[float, int, object]:
    """Seconds and queries of one call, and what it returned."""
    # The query log keeps only the last 9000; the set-up filled it.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        begun = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - begun
    return seconds, len(captured), result


def report(label: str, timings: list[float], queries: list[int], extra: str = "") -> None:
    spread = str(min(queries)) + ("" if min(queries) == max(queries) else f"-{max(queries)}")
    print(
        f"{label:<30} median {1000 * statistics.median(timings):7.1f} ms, "
        f"slowest {1000 * max(timings):7.1f} ms, queries {spread}{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="How many times the report is made (default 5)."
    )
    add_dataset_options(
        parser,
        national="Report on the first plan of the national dataset (generate_national_dataset).",
    )
    options = parser.parse_args()
    started = time.perf_counter()
    with throwaway_database() as database:
        run(options, started=started, database=database)


def run(options: argparse.Namespace, *, started: float, database: str) -> None:
    repeat = options.repeat
    if options.national:
        plan = national_dataset(options.plans)[0]
        what = "generate the national dataset"
    else:
        plan, _demo = load_demo_plan()
        what = "load the plan and its demo figures"
    set_up = time.perf_counter() - started

    print(f"Database: {database}")
    print(f"Plan: {plan.name}, status report for {HALF_YEAR.code}")
    plans = Plan.objects.count()
    print(
        f"Data: {plans} plan{'' if plans == 1 else 's'}, "
        f"{QuarterlyCount.objects.count()} quarterly counts, "
        f"{QuarterReport.objects.count()} quarterly reports, "
        f"{Measurement.objects.count()} measurements"
    )
    print(f"Set-up (migrate, {what}): {set_up:.1f} s")
    print(
        "Font subsetting: "
        + ("HarfBuzz" if harfbuzz_subset else "fontTools (libharfbuzz-subset0 is not installed)")
    )
    # Without HarfBuzz-Subset WeasyPrint warns on every render; it is said once, above.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    def make_report() -> tuple[float, int, float, int, bytes]:
        """Seconds and queries of loading the report and of rendering it, and the PDF."""
        load_seconds, load_queries, loaded = timed(lambda: StatusReport.load(plan, HALF_YEAR))
        render_seconds, render_queries, data = timed(lambda: status_report_pdf(loaded))
        return load_seconds, load_queries, render_seconds, render_queries, data

    # As the view does: the report in the language of the page, Danish.
    with translation.override(settings.LANGUAGE_CODE):
        warm_up = make_report()
        print(f"Warm-up report (fonts, templates): {1000 * (warm_up[0] + warm_up[2]):.0f} ms")
        reports = [make_report() for _ in range(repeat)]
        loaded = StatusReport.load(plan, HALF_YEAR)
        weasyprint = [timed(lambda: status_report_pdf_weasyprint(loaded)) for _ in range(repeat)]
        current_status_report_pdf(plan, HALF_YEAR)
        kept = [timed(lambda: current_status_report_pdf(plan, HALF_YEAR)) for _ in range(repeat)]

    load_times, load_queries, render_times, render_queries, pdfs = zip(*reports, strict=True)
    totals = [load + render for load, render in zip(load_times, render_times, strict=True)]
    queries = [load + render for load, render in zip(load_queries, render_queries, strict=True)]
    data = pdfs[-1]
    pages = len(PdfReader(io.BytesIO(data)).pages)
    report("Load (StatusReport.load)", load_times, load_queries)
    report("Render (Typst)", render_times, render_queries)
    report("Whole report", totals, queries, f", {pages} pages, {len(data) // 1024} KiB")
    made = weasyprint[-1][2]
    report(
        "Render with WeasyPrint",
        [seconds for seconds, _queries, _data in weasyprint],
        [queries for _seconds, queries, _data in weasyprint],
        f", {len(PdfReader(io.BytesIO(made)).pages)} pages, {len(made) // 1024} KiB",
    )
    report(
        "Kept (from the cache)",
        [seconds for seconds, _queries, _data in kept],
        [queries for _seconds, queries, _data in kept],
    )
    median = statistics.median(totals)
    print(
        f"Aim: the whole report under {AIM:.0f} s: median {median:.2f} s, "
        f"{'met' if median < AIM else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
