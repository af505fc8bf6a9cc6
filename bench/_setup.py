"""The start every benchmark shares: its own database, the test settings, then django.setup().

Imported first by each benchmark script, before anything that needs Django's apps:

    import _setup  # noqa: F401  (the benchmark's own database, then django.setup())

A script run as `python bench/NAME.py` finds this module beside it; the project root is put
on the path here, so that the apps and bench.dataset can be imported after it.
"""

import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The benchmark's own database (bench/dataset.py, throwaway_database): in memory, or beside the
# PostgreSQL database BENCH_DATABASE_URL names. DATABASE_URL is replaced before Django starts,
# so neither db.sqlite3 nor a database named in the environment or in .env is touched.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helhedsplan.test_settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
# WeasyPrint logs every step of every render, and fontTools every table it subsets, at INFO;
# nothing else the benchmarks run logs below WARNING.
os.environ.setdefault("LOG_LEVEL", "WARNING")

django.setup()
