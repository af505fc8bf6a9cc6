"""Settings come from the environment, with safe defaults and a loud refusal without a key."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SECRET_KEY[:11], settings.DEBUG)"
)


def start(env: dict, show: str = SHOW_SETTINGS) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter, as manage.py would."""
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "helhedsplan.settings"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            show,
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = start({"DEBUG": "off", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_starts_with_a_development_key_when_debug_is_on(tmp_path):
    result = start({"DEBUG": "on", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["development", "True"]


def test_it_uses_the_secret_key_it_is_given(tmp_path):
    result = start(
        {
            "DEBUG": "off",
            "SECRET_KEY": "from-the-environment-not-secret",
            "ALLOWED_HOSTS": "example.org",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["from-the-en", "False"]


def test_a_worker_keeps_its_database_connection_unless_the_address_says_otherwise(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    )
    database = "postgres://postgres@127.0.0.1:5432/helhedsplan"
    kept = start({"DEBUG": "on", "DATABASE_URL": database}, show)
    closed = start({"DEBUG": "on", "DATABASE_URL": f"{database}?conn_max_age=0"}, show)
    assert (kept.stdout.strip(), closed.stdout.strip()) == ("60", "0"), kept.stderr + closed.stderr


def test_danish_is_the_default_language_and_copenhagen_the_time_zone():
    assert settings.LANGUAGE_CODE == "da"
    assert [code for code, _name in settings.LANGUAGES] == ["da", "en"]
    assert settings.TIME_ZONE == "Europe/Copenhagen"
    assert settings.USE_TZ


def test_every_page_needs_a_login_by_default():
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
