"""Settings for the test suite: the real settings, with a throwaway key and a fast hasher.

The database still comes from DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-not-secret")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The test client and the live server speak plain HTTP, without the TLS proxy of production;
# the production settings themselves are checked with `check --deploy` (tests/test_security.py).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the source folders, as in development; nothing is collected.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
