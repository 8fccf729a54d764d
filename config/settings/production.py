"""Production: every secret comes from the environment; HTTPS assumed behind a proxy."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")

DEBUG = False
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers probe over plain HTTP inside the network: a redirect would read as a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Preloading is opt-in on purpose: once on the browsers' list, a domain (and all its
    # subdomains) cannot go back to plain HTTP for months. The site's owner decides.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# nosniff, Referrer-Policy, X-Frame-Options DENY and the Content-Security-Policy: in base.py.

# Platform staff sign in with a second factor (organisations/two_factor.py).
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)

# Behind one reverse proxy by default, as SECURE_PROXY_SSL_HEADER assumes: the sign-in lockout
# then reads the client's address from X-Forwarded-For (organisations/lockout.py).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1"))
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL.startswith("https://") else []  # noqa: F405
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 (local disk or object storage: base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
