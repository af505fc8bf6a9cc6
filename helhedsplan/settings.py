"""Settings for Helhedsplan, read from the environment.

Everything a deployment varies comes from environment variables (or a `.env` file beside
`manage.py`). The defaults are safe for a first run on a laptop: an SQLite file and e-mail
printed to the console. With DEBUG off, a missing SECRET_KEY stops the application rather than
falling back to a known key.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Only ever used with DEBUG on, so that a first run needs no configuration.
_DEVELOPMENT_SECRET_KEY = "development-only-not-secret-helhedsplan"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set it in the environment or in .env."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

INSTALLED_APPS = [
    "helhedsplan.apps.HelhedsplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "agreements",
    "activities",
    "indicators",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helhedsplan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the signed-in user on every history row of a changed figure.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helhedsplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "helhedsplan.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
# locale_thirdparty holds Danish for django-import-export, which ships none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The Danish design system, installed by `npm ci` (Makefile). Its CSS finds its fonts and
    # icons relative to itself (../fonts, ../img), so dist/ is served whole under one prefix.
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
]

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="helhedsplan@localhost")

# E-mails are written outside any request, so their links need the site's address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

# A quarter's reports are due this many days after the quarter ends; from then on the daily
# `send_quarter_reminders` reminds those who have not submitted.
QUARTER_REMINDER_DAYS = env.int("QUARTER_REMINDER_DAYS", default=14)
if QUARTER_REMINDER_DAYS < 0:
    raise ImproperlyConfigured(
        f"QUARTER_REMINDER_DAYS must be 0 or more, not {QUARTER_REMINDER_DAYS}."
    )

# A link for Landsbyggefonden to the current delaftaler works this many days, unless revoked.
SHARE_LINK_DAYS = env.int("SHARE_LINK_DAYS", default=30)
if SHARE_LINK_DAYS < 1:
    raise ImproperlyConfigured(f"SHARE_LINK_DAYS must be 1 or more, not {SHARE_LINK_DAYS}.")

# In reports to the board and Landsbyggefonden, a count of a sensitive metric below this is
# shown as "<5" (with the threshold in place of 5); the secretariat's own screens show it.
SMALL_NUMBER_THRESHOLD = env.int("SMALL_NUMBER_THRESHOLD", default=5)
if SMALL_NUMBER_THRESHOLD < 1:
    raise ImproperlyConfigured(
        f"SMALL_NUMBER_THRESHOLD must be 1 or more, not {SMALL_NUMBER_THRESHOLD}."
    )

# The secretariat's entry form holds every number of the whole plan for a quarter: several
# hundred fields for a plan of the seed's size, and more for a large one.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# An import is all or nothing: any invalid row rolls the whole file back.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# A cell starting with "=" in an exported sheet must not run as a formula in Excel.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Uploaded sheets are read into memory; keep them small enough to be harmless.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each step of every PDF at INFO; only its warnings matter here.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
