"""Settings for Helhedsplan, read from the environment.

Everything a deployment varies comes from environment variables (or a `.env` file beside
`manage.py`). The defaults are safe for a first run on a laptop: an SQLite file and e-mail
printed to the console. With DEBUG off, a missing SECRET_KEY stops the application rather than
falling back to a known key.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

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

# export_plan signs each backup with this key and import_plan reads only files signed with it,
# so a backup cannot be edited to grant roles. It is SECRET_KEY unless set: set the same value
# on installations that exchange plans, and keep it when SECRET_KEY is rotated so that older
# backups stay readable.
BACKUP_SIGNING_KEY = env.str("BACKUP_SIGNING_KEY", default="") or SECRET_KEY

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
    "axes",
    "agreements",
    "activities",
    "indicators",
    "economy",
    "reports",
    "audit",
    "demo",
    "onboarding",
    "members",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the collected static files in production, compressed and cached for good.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helhedsplan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the request body, which the CSRF check is the first to do.
    "lib.uploads.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the signed-in user on every history row of a changed figure.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "helhedsplan.pages.footer_links",
            ],
        },
    },
]

WSGI_APPLICATION = "helhedsplan.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A worker keeps its connection for a minute rather than opening one per request: PostgreSQL
# starts a process for every connection, which cost more than the whole of a cached dashboard.
# DATABASE_URL may say otherwise (?conn_max_age=0 closes it after each request).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
# With persistent connections, a connection broken while the database was down is noticed and
# replaced before a request uses it, so pages recover by themselves once the database is back
# (see helhedsplan/faults.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one transaction write at a time. By default a transaction reads first and
    # asks to write later, and SQLite refuses that at once ("database is locked", the 503 page)
    # when another is writing: waiting could deadlock. Taking the write lock when the
    # transaction begins makes concurrent saves wait their turn (up to `timeout` seconds) and
    # then meet the check for forms saved meanwhile, as on PostgreSQL. The price is that
    # requests run one at a time, which is why SQLite is for one office (README).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("transaction_mode", "IMMEDIATE")
    _options.setdefault("timeout", 20)
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

# django-axes counts failed logins per user name: after AXES_FAILURE_LIMIT failures the
# account cannot log in until the cool-off has passed, whatever the password. Counting per user
# name, not per address, stops guessing from many addresses at once; the cost, that someone can
# lock another person out for a while, is bounded by the cool-off.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# django-axes warns that this does not count per address. That is deliberate: a municipality's
# staff share one public address, and one person's typos must not lock out the whole office.
# Counting per user name cannot be dodged by changing browser or cookies, which the warning
# is about.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helhedsplan.pages.locked_out"
# Failed logins are counted in the database (axes.AccessAttempt); successful ones are not
# logged, so the only personal data kept is what the privacy page lists.
AXES_DISABLE_ACCESS_LOG = True
# The attempts name users of every plan, so they are not shown in the secretariat's
# administration; `manage.py axes_reset_username NAME` unlocks an account before its time.
AXES_ENABLE_ADMIN = False
if AXES_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(f"LOGIN_FAILURE_LIMIT must be 1 or more, not {AXES_FAILURE_LIMIT}.")

# The cache, which several app servers must share (README, "Production"): CACHE_URL, such as
# redis://127.0.0.1:6379/0 for Django's own Redis backend. The embedded default keeps it in each
# process's memory and needs nothing. Sessions and the login lockout live in the database, so
# they hold across servers whatever the cache. django-environ writes a Redis URL's options
# (?KEY_PREFIX=…&TIMEOUT=…) in lower case, as django-redis reads them; Django reads upper case.
CACHES = {
    "default": {
        key.upper(): value
        for key, value in env.cache_url("CACHE_URL", default="locmemcache://").items()
    }
}

# A session ends when the browser closes, and at the latest after a working day.
SESSION_COOKIE_AGE = int(timedelta(hours=env.int("SESSION_HOURS", default=8)).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content Security Policy (django-csp): only our own scripts, styles, fonts and images, and no
# inline script or style at all, so injected markup can neither run nor restyle a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# In production (DEBUG off) the site is only reached over HTTPS: a TLS-terminating proxy in
# front of gunicorn tells it so with X-Forwarded-Proto, which gunicorn trusts from 127.0.0.1.
# Cookies are then sent only over HTTPS, plain HTTP is redirected, and browsers are told with
# HSTS to use HTTPS for a year.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The health check is asked for by the load balancer over plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^helbred/$"]
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Hashed names, so that a new release's CSS is never mixed with a cached old one,
        # and whitenoise serves them compressed with a far-future expiry.
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on through the organisation's OpenID Connect provider (accounts/, README "Logging
# in with the organisation's login"): off unless OIDC_ISSUER is set. The endpoints and keys come
# from the provider's discovery document when someone signs in, never at start-up. The names
# without a prefix of our own (OIDC_RP_*, OIDC_USE_PKCE, OIDC_TIMEOUT) are mozilla-django-oidc's.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_ENABLED = bool(OIDC_ISSUER)
# With LOCAL_LOGIN off, the login page has no password form and refuses one posted to it, and
# no password is checked anywhere: everyone signs in through the organisation.
LOCAL_LOGIN = env.bool("LOCAL_LOGIN", default=True)
if OIDC_ENABLED:
    OIDC_DISCOVERY_URL = env.str(
        "OIDC_DISCOVERY_URL", default=f"{OIDC_ISSUER}/.well-known/openid-configuration"
    )
    OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
    OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
    OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
    OIDC_SUBJECT_CLAIM = env.str("OIDC_SUBJECT_CLAIM", default="sub")
    OIDC_REQUIRE_EMAIL_VERIFIED = env.bool("OIDC_REQUIRE_EMAIL_VERIFIED", default=True)
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    if not OIDC_RP_CLIENT_ID or not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
    if "openid" not in OIDC_RP_SCOPES.split():
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid, not {OIDC_RP_SCOPES!r}.")
    _issuer = urlsplit(OIDC_ISSUER)
    if _issuer.scheme != "https" and not (
        _issuer.scheme == "http" and _issuer.hostname in ("127.0.0.1", "localhost", "::1")
    ):
        raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {OIDC_ISSUER!r}.")
    AUTHENTICATION_BACKENDS.append("accounts.backends.OrganisationLoginBackend")
    # Logging out is a form posted here that is redirected on to the provider's end-session
    # endpoint, which the policy's form-action must allow.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )
if not LOCAL_LOGIN:
    if not OIDC_ENABLED:
        raise ImproperlyConfigured("LOCAL_LOGIN=off needs OIDC_ISSUER: nobody could log in.")
    AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
# locale_thirdparty holds Danish for django-import-export, which ships none.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
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
# Every sheet is written by lib.sheets, which keeps people's text as text (never a formula)
# and numbers as numbers. This is the backstop for an export that would not go through it:
# import-export then writes every cell as text, without a leading "=".
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Uploaded sheets are read into memory; keep them small enough to be harmless
# (lib/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_UPLOAD_BYTES = 50 * 1024 * 1024
# An imported sheet holds at most this many rows of data, far more than a plan's yearly figures
# or its activities; a larger one is refused before it is read (lib/sheets.py).
MAX_IMPORT_ROWS = 5000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports each step of every PDF at INFO; only its warnings matter here.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces itself at every start; lockouts are logged as warnings.
        "axes": {"level": "WARNING"},
    },
}

# Where the footer's accessibility statement links: the organisation's statement on
# was.digst.dk, as Danish public bodies must publish it, or else the application's own page.
ACCESSIBILITY_STATEMENT_URL = env.str("ACCESSIBILITY_STATEMENT_URL", default="")
# Who is responsible for the personal data (the privacy page names them) and how to reach them.
DATA_CONTROLLER = env.str("DATA_CONTROLLER", default="")
DATA_CONTROLLER_EMAIL = env.str("DATA_CONTROLLER_EMAIL", default="")
