"""Benchmark: rendering the agreements as PDF (agreements/pdf.py).

Run it with `make bench`, or from the project root:

    DJANGO_SETTINGS_MODULE=helhedsplan.test_settings .venv/bin/python bench/render_pdf.py

`--repeat N` changes how many times each PDF is rendered (default 5). Like the other benchmarks
it works in a database of its own, in memory or, with BENCH_DATABASE_URL, a PostgreSQL database
test_NAME that it creates and drops: DATABASE_URL is replaced before Django starts, so neither
db.sqlite3 nor a database in .env is touched.

It migrates the empty database and loads the real Slagelse plan, whose four delaftaler each
have an approved version 1. After one warm-up render (WeasyPrint finds the fonts and parses the
stylesheet the first time), it renders each delaftale's current version N times, then the
combined PDF of all four (what LBF gets through a share link), then the strategic agreement,
and prints the median and slowest time, the pages, the size and the queries of each, and
whether the aims are met: a delaftale under 1 s, all four in one PDF under 3 s.

Then the same documents as the site, the share links and `render_pdf` serve them
(`stored_*_pdf`): each is stored by one first call, and the next N are measured, each with the
look-up of what it shows (the strategic agreement reads the plan to make its digest) and the
stored bytes. Aim: any approved document served under 50 ms.

With `--national` the plan is the first of the national dataset (`manage.py
generate_national_dataset --plans N`, default 100), a copy of the real plan with its approved
versions, among all the others.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import time
from collections.abc import Callable

import _setup  # noqa: F401  (the benchmark's own database, then django.setup())
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from weasyprint.text.ffi import harfbuzz_subset

from agreements import pdf
from agreements.models import Plan, SubagreementVersion
from bench.dataset import (
    FIXTURE,
    PLAN_SLUG,
    add_dataset_options,
    national_dataset,
    throwaway_database,
)

AIM_ONE = 1.0
AIM_ALL = 3.0
AIM_STORED = 0.050


def timed(render: Callable[[], bytes]) -> tuple[float, int, bytes]:
    """Seconds and queries of one render, and the PDF."""
    # The query log keeps only the last 9000; the set-up filled it.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        begun = time.perf_counter()
        data = render()
        seconds = time.perf_counter() - begun
    return seconds, len(captured), data


def measure(label: str, render: Callable[[], bytes], repeat: int) -> float:
    """Render `repeat` times, print the figures and return the median in seconds."""
    timings, queries = [], []
    for _ in range(repeat):
        seconds, count, data = timed(render)
        timings.append(seconds)
        queries.append(count)
    median = statistics.median(timings)
    spread = str(min(queries)) + ("" if min(queries) == max(queries) else f"-{max(queries)}")
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(
        f"{label:<44} median {1000 * median:7.1f} ms, slowest {1000 * max(timings):7.1f} ms, "
        f"{pages:2} pages, {len(data) // 1024:4} KiB, queries {spread}"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="How many renders of each PDF (default 5)."
    )
    add_dataset_options(
        parser,
        national="Render the first plan of the national dataset (generate_national_dataset).",
    )
    options = parser.parse_args()
    started = time.perf_counter()
    with throwaway_database() as database:
        run(options, started=started, database=database)


def run(options: argparse.Namespace, *, started: float, database: str) -> None:
    repeat = options.repeat
    if options.national:
        plan = national_dataset(options.plans)[0]
    else:
        call_command("loaddata", FIXTURE, verbosity=0)
        plan = Plan.objects.get(slug=PLAN_SLUG)
    versions = list(
        SubagreementVersion.objects.current().for_rendering().filter(subagreement__plan=plan)
    )
    set_up = time.perf_counter() - started

    print(f"Database: {database}, plans: {Plan.objects.count()}")
    print(f"Plan: {plan.name}")
    what = "generate the national dataset" if options.national else "load the plan"
    print(f"Set-up (migrate, {what}): {set_up:.1f} s")
    print(
        "Font subsetting: "
        + ("HarfBuzz" if harfbuzz_subset else "fontTools (libharfbuzz-subset0 is not installed)")
    )
    # Without HarfBuzz-Subset WeasyPrint warns on every render; it is said once, above.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    warm_up, _, _ = timed(lambda: pdf.subagreement_pdf(versions[0]))
    print(f"Warm-up render (fonts, stylesheet): {1000 * warm_up:.0f} ms")

    medians = {
        version.subagreement.code: measure(
            f"Delaftale {version.subagreement.code}, version {version.number}",
            lambda version=version: pdf.subagreement_pdf(version),
            repeat,
        )
        for version in versions
    }
    combined = measure(
        f"All {len(versions)} delaftaler in one PDF",
        lambda: pdf.subagreements_pdf(versions),
        repeat,
    )
    measure("Strategic agreement", lambda: pdf.strategic_agreement_pdf(plan), repeat)

    # After: served from the database. The first call of each renders and stores it.
    stored = {
        f"Stored delaftale {version.subagreement.code}": (
            lambda version=version: pdf.stored_subagreement_pdf(version)
        )
        for version in versions
    }
    stored[f"Stored all {len(versions)} delaftaler"] = lambda: pdf.stored_subagreements_pdf(
        versions
    )
    stored["Stored strategic agreement"] = lambda: pdf.stored_strategic_agreement_pdf(plan)
    for serve in stored.values():
        serve()
    served = {label: measure(label, serve, repeat) for label, serve in stored.items()}

    slowest = max(medians, key=medians.get)
    print(
        f"Aim: a delaftale under {AIM_ONE:.0f} s: slowest median {medians[slowest]:.2f} s "
        f"({slowest}), {'met' if medians[slowest] < AIM_ONE else 'NOT MET'}"
    )
    print(
        f"Aim: all four under {AIM_ALL:.0f} s: median {combined:.2f} s, "
        f"{'met' if combined < AIM_ALL else 'NOT MET'}"
    )
    worst = max(served, key=served.get)
    print(
        f"Aim: an approved document served under {1000 * AIM_STORED:.0f} ms: slowest median "
        f"{1000 * served[worst]:.1f} ms ({worst}), "
        f"{'met' if served[worst] < AIM_STORED else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
