"""Settings shared by every environment, read from environment variables.

Each variable is documented in the README ("Configuration"). The defaults are the embedded
ones: a SQLite file, tasks run in-process, e-mail printed to the console.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Templates, static files and the French catalogs: beside the code in the source folder; in an
# installed package (a wheel), in partenariats_files/ beside the Python packages (setup.py).
FILES_DIR = BASE_DIR if (BASE_DIR / "templates").is_dir() else BASE_DIR / "partenariats_files"
# Where the app writes when not told otherwise (the SQLite file, collected static files, uploads):
# the source folder, or for an installed package the current folder, never site-packages.
DATA_DIR = BASE_DIR if FILES_DIR == BASE_DIR else Path.cwd()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Set by the CI run: tests that need a service fail instead of skipping when it is missing.
CI = env_bool("CI", False)

INSTALLED_APPS = [
    "config.apps.PartnershipAdminConfig",  # django.contrib.admin with the reports
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "organisations",
    "partnerships",
    "notifications",
    "privacy",
]

MIDDLEWARE = [
    # First: the request's id (core/logs.py) is sent back even on a redirect or a refusal.
    "core.logs.RequestIdMiddleware",
    # Every error under /api/ answers JSON, whichever view gave it (core/error_pages.py).
    "core.error_pages.ApiAnswersJson",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organisations.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Platform staff without two-factor authentication set it up before anything else.
    "organisations.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [FILES_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organisations.context_processors.memberships",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]
# Django's form templates, but each <select> written in Python (core.forms.FormRenderer).
FORM_RENDERER = "core.forms.FormRenderer"

# --- Database -----------------------------------------------------------------------------
# SQLite is tuned for several writers: WAL lets readers run beside a writer, IMMEDIATE
# transactions take the write lock up front (no deadlock on upgrade), and a busy timeout makes
# a second writer wait instead of failing with "database is locked".
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
# The cache holds rate-limit counters (sign-in lockout aside, which is in the database). Several
# web processes must share one for the limits to hold: CACHE_URL=redis://host:6379/1.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if (CACHE_URL := os.environ.get("CACHE_URL"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Blank forms' HTML (core.forms.ReusedWhenBlank): each process its own, never shared.
    "forms": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "blank-forms",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "POSTGRES_JIT_OFF", True
):
    # No JIT: the pages' queries carry many correlated subqueries whose estimated cost passes
    # jit_above_cost, and compiling them took 1.1 s of a 1.2 s dashboard query at 5,000
    # partnerships (docs/benchmarks.md) for short queries that never repay it. Behind a pooler
    # that refuses the `options` startup parameter (pgbouncer), set POSTGRES_JIT_OFF=false and
    # turn JIT off on the server (ALTER DATABASE … SET jit = off) instead.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_TRANSACTION_POOLING", False
):
    # Behind a pooler in transaction mode (pgbouncer), consecutive transactions may run on
    # different server connections: no prepared statements (psycopg would prepare a query on
    # one and look for it on another) and no server-side cursors (they outlive a transaction).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
# Who may create an organisation: "open" (anyone signed in; active at once) or "approval" (it
# waits, inactive, until the platform staff approve it in the admin).
ORGANISATION_SIGNUP = os.environ.get("ORGANISATION_SIGNUP", "open")
if ORGANISATION_SIGNUP not in ("open", "approval"):
    raise ImproperlyConfigured(
        f"ORGANISATION_SIGNUP must be open or approval, not {ORGANISATION_SIGNUP!r}."
    )
# Days an invitation sent by e-mail to an organisation not on the platform stays valid.
PARTNER_INVITATION_DAYS = int(os.environ.get("PARTNER_INVITATION_DAYS", "30"))
# django-axes first: it refuses a locked-out account and address before any password check;
# then allauth's backend, which takes a username or an e-mail address with the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (django-axes) ---------------------------------------------------------
# An account is locked out from one address after AXES_FAILURE_LIMIT failed sign-ins in a row,
# for AXES_COOLOFF_MINUTES; the lock is per username *and* address, so an attacker elsewhere
# cannot lock a member out. Staff unlock early by deleting the access attempt in the admin.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "organisations.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "organisations.lockout.client_address"
# A username and the account's e-mail address count as one: both are read as the username.
AXES_USERNAME_CALLABLE = "organisations.lockout.lockout_username"
# How many reverse proxies of ours stand in front (each appends to X-Forwarded-For); 0: none,
# the address is REMOTE_ADDR.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
# Failed attempts are what matters; a row per successful sign-in would only grow the table.
AXES_DISABLE_ACCESS_LOG = True
# Password reset requests (each sends an e-mail) per client address and hour.
PASSWORD_RESET_LIMIT = int(os.environ.get("PASSWORD_RESET_LIMIT", "5"))
# Sign-in posts per address and 15 minutes, whatever the username: generous, since a school or
# a town hall signs many people in from one address.
SIGN_IN_LIMIT = int(os.environ.get("SIGN_IN_LIMIT", "100"))

# --- Accounts (django-allauth) -----------------------------------------------------------------
# Sign-up with a verified e-mail address, sign-in with the username or the e-mail address,
# password reset and e-mail change by a link sent by e-mail, two-factor authentication (an
# authenticator app's codes plus recovery codes). Pages and e-mails in templates/account,
# templates/mfa and templates/allauth (the app's own look); rules in organisations/adapter.py.
ACCOUNT_ADAPTER = "organisations.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_SESSION_REMEMBER = None
# Existing usernames keep their case; they are still matched whatever the case typed.
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Security e-mails: a person is told when their password, e-mail address or two-factor
# settings change (allauth's own notifications, in their language through the adapter).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# One lockout, not two stacked: django-axes counts the failed sign-ins (per account and address,
# a username and its e-mail address being one account), so allauth's own count is off. The
# address caps of the sign-in and reset forms are organisations/throttle.py's (SIGN_IN_LIMIT,
# PASSWORD_RESET_LIMIT), so allauth's are off for those two forms as well.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None, "reset_password": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {"authenticate": "organisations.two_factor.LockedOutAuthenticateForm"}
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Partenariats")
# Platform staff must turn on two-factor authentication before reaching the admin or any page
# (organisations/two_factor.py). Off in the embedded default and the tests, on in production.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)

# --- Browser security headers -------------------------------------------------------------
# Content-Security-Policy (django-csp): only this site's own files, no inline script or style,
# no eval. htmx is configured for it in base.html (no indicator styles, no eval, no scripts
# in swapped HTML). Chart SVGs and the API docs page widen it for themselves, with reasons, in
# partnerships/views/charts.py and config/api/docs.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Our catalog (makemessages), then the hand-kept French for third-party messages (allauth):
# the first listed wins on a msgid both hold; both win over the apps' own catalogs.
LOCALE_PATHS = [FILES_DIR / "locale", FILES_DIR / "locale_thirdparty"]
# English pages write dates the British way (day, month, year): config/formats/en/formats.py
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or DATA_DIR / "staticfiles")
STATICFILES_DIRS = [FILES_DIR / "static"]
# Uploaded and generated files: local disk (MEDIA_ROOT), or an S3-compatible store named by
# STORAGE_URL or the AWS_* variables, which several machines share (config/storage.py).
STORAGES = {
    "default": default_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "media/"
# Largest signed scan of an agreement accepted (bytes); the file is checked to be a PDF.
AGREEMENT_SCAN_MAX_BYTES = int(os.environ.get("AGREEMENT_SCAN_MAX_BYTES", 10 * 1024 * 1024))

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ["EMAIL_TIMEOUT"]) if os.environ.get("EMAIL_TIMEOUT") else None
# The file backend (django.core.mail.backends.filebased.EmailBackend) writes each message there.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "") or None
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Partenariats <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
# Without a broker the tasks run in-process, in the caller, so the embedded default needs
# nothing running beside the web server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# A worker takes one message at a time: with acks_late, a message it prefetched but never
# started would otherwise wait for that worker instead of going to a free one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A page that asks for a task never waits long on a broker that is down: connect within 2 s,
# one quick retry, then the request goes on (the callers publish after commit, robustly) and
# the sweeps below send what waited once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# The outbox sweeps: the notification rows and the export jobs are the outbox; every minute,
# the ones still waiting a minute after they were made are sent or built (each claimed first,
# so nothing is done twice). Kept here rather than in a data migration: they are part of how
# the platform runs, not a schedule the staff tune in the admin.
# OUTBOX_WAITING_SECONDS: how long a task may take to come before the sweep does it instead.
OUTBOX_WAITING_SECONDS = int(os.environ.get("OUTBOX_WAITING_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    "Send the notification e-mails that waited": {
        "task": "notifications.tasks.send_waiting_notification_emails",
        "schedule": float(OUTBOX_WAITING_SECONDS),
    },
    "Build the exports that waited": {
        "task": "partnerships.tasks.requeue_waiting_exports",
        "schedule": float(OUTBOX_WAITING_SECONDS),
    },
}
# Schedules live in the database (django-celery-beat), editable in the admin; the data
# migration partnerships/0003 creates the project's ones.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- REST API -----------------------------------------------------------------------------
# Token first, so an anonymous API client gets 401 with a WWW-Authenticate challenge; the
# session still works for the browser (Swagger UI) once signed in. Shared pieces (errors,
# pagination, schema, ordering) live in config/api/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.lists.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per client address, in the default cache (per process unless CACHE_URL names a shared one).
    "DEFAULT_THROTTLE_RATES": {"auth-token": os.environ.get("TOKEN_THROTTLE_RATE", "10/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partenariats API",
    "DESCRIPTION": (
        "Partnerships between organisations: levels, parties, commitments, fears, resistances, "
        "pleasures and review meetings. Authenticate with `Authorization: Token <key>` "
        "(POST /api/v1/auth/token/) or a signed-in session. Messages follow Accept-Language "
        "(French by default, English)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Identifiers never follow the reader's language (no titles); the 400 body's component.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.language_free_identifiers",
    ],
    # Swagger UI is served from the drf-spectacular-sidecar static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PartnershipStatusEnum": "partnerships.choices.PartnershipStatus",
        "CommitmentStatusEnum": "partnerships.choices.CommitmentStatus",
        "ConcernStatusEnum": "partnerships.choices.ConcernStatus",
        "ReviewStatusEnum": "partnerships.choices.ReviewStatus",
        "ConcernKindEnum": "partnerships.choices.ConcernKind",
        "AssessmentKindEnum": "partnerships.choices.AssessmentKind",
        "PartyRoleEnum": "partnerships.choices.PartyRole",
        "MemberRoleEnum": "organisations.choices.MemberRole",
        "OrganisationKindEnum": "organisations.choices.OrganisationKind",
        "ConcernCategoryEnum": "partnerships.api.serializers.CONCERN_CATEGORY_VALUES",
        "PleasureCategoryEnum": "partnerships.choices.PleasureCategory",
        "NotificationKindEnum": "notifications.api.KIND_VALUES",
    },
}

# --- History ------------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# A deleted responsibility, commitment or pleasure can be brought back (undo) for this many
# minutes by the party that deleted it; a periodic task then purges it for good.
RECORD_UNDO_MINUTES = int(os.environ.get("RECORD_UNDO_MINUTES", "30"))

# --- Personal data --------------------------------------------------------------------------
# Who runs the platform, as the privacy notice names them (the data controller's contact).
PLATFORM_OPERATOR_NAME = os.environ.get("PLATFORM_OPERATOR_NAME", "")
PLATFORM_OPERATOR_ADDRESS = os.environ.get("PLATFORM_OPERATOR_ADDRESS", "")
PLATFORM_OPERATOR_EMAIL = os.environ.get("PLATFORM_OPERATOR_EMAIL", "")
# Days each kind of record is kept before the nightly retention task deletes it.
RETENTION_DAYS = {
    "notifications": int(os.environ.get("RETENTION_NOTIFICATIONS_DAYS", "365")),
    "sent_emails": int(os.environ.get("RETENTION_SENT_EMAILS_DAYS", "365")),
    "sign_in_attempts": int(os.environ.get("RETENTION_SIGN_IN_ATTEMPTS_DAYS", "30")),
    "sign_in_failures": int(os.environ.get("RETENTION_SIGN_IN_ATTEMPTS_DAYS", "30")),
    "sign_in_log": int(os.environ.get("RETENTION_SIGN_IN_ATTEMPTS_DAYS", "30")),
}

# Organisations whose partnerships have all ended and whose members have not signed in for
# this many days are listed to staff in the admin (*Dormant organisations*), who decide what
# to delete: nothing is deleted automatically.
RETENTION_INACTIVE_ORGANISATION_DAYS = int(
    os.environ.get("RETENTION_INACTIVE_ORGANISATION_DAYS", "730")
)

# A person's own-data export with more rows than this is built in the background and its
# link sent by e-mail; a smaller one is downloaded at once.
PERSONAL_EXPORT_BACKGROUND_ROWS = int(os.environ.get("PERSONAL_EXPORT_BACKGROUND_ROWS", "2000"))

# --- Questionnaires -----------------------------------------------------------------------
# The key of the hash that finds a person's anonymous answers again (to change them until the
# questionnaire closes). Empty: derived from SECRET_KEY. Changing it orphans the answers of
# open questionnaires (people answer again); closed ones are not affected.
QUESTIONNAIRE_SECRET = os.environ.get("QUESTIONNAIRE_SECRET", "")

# --- Logging ------------------------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line; text (the default): one readable line. Both carry
# the request's id (core/logs.py), the same on every line of one request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "core.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint tells every step of every PDF at INFO, and fontTools every font it subsets.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Tasks run in-process (no broker): one "succeeded" line per task would drown the
        # console of `make run`; a worker (with a broker) keeps its own log of every task.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}
