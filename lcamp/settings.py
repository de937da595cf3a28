"""LCAMP Tracker settings: one file, every value from the environment.

With no variables at all a fresh checkout runs on SQLite under ``var/``, with
Celery tasks run eagerly in the web process and e-mail printed to the console.
With ``DEBUG=0`` the secrets must be given: a missing one stops start-up with a
one-line message naming the variable instead of falling back to a default.
"""

import datetime
import importlib.util
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LCAMP_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
if (BASE_DIR / ".env").exists() and not os.environ.get("LCAMP_IGNORE_DOTENV"):
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# The test suite sets LCAMP_TESTING (tests/settings.py): fast hashing, plain static storage.
TESTING = env.bool("LCAMP_TESTING", default=False)


class MissingSetting(SystemExit):
    """A missing production secret. A SystemExit, not an Exception, so that no
    `except Exception` catches it: manage.py, gunicorn and Celery stop with just its
    one-line message on stderr (exit status 1), no traceback."""


def _required(name):
    """A production secret: missing or empty stops start-up, naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingSetting(f"{name} must be set when DEBUG=0 (see README.md, 'Environment').")
    return value


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-lcamp-development-only-key-do-not-use")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Before the admin, as django-modeltranslation requires: translated content fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_countries",
    "axes",
    "csp",
    # Sign-in (issue 24): password and OpenID Connect single sign-on, two-factor authentication,
    # the list of one's sessions. Its templates are overridden in templates/ (the house style).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
    # The floors, from the bottom up (see README, "Layout"): each imports only those above it in this list.
    "accounts",
    "registers",
    "organisations",
    "indicators",
    "alliance",
    "observatories",
    "training",
    "reporting",
    "lcamp",
    "bench",
]

MIDDLEWARE = [
    "lcamp.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lcamp.middleware.PrivateCacheMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After allauth's and the messages': a coordinator who must enrol a second factor reaches nothing else first.
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "lcamp.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "lcamp.urls"
WSGI_APPLICATION = "lcamp.wsgi.application"
ASGI_APPLICATION = "lcamp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "reporting.context_processors.inbox",
            ],
            # Dates and names in the reader's language from CLDR: {{ day|short_date }}, {{ code|country_name }}.
            "builtins": ["registers.templatetags.cldr"],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lcamp.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep connections for a minute and check them before use, so that a restarted
    # PostgreSQL is reconnected to by itself instead of failing the next request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
else:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The model of the organisation a user works for: named here, above every floor, as the user model is
# (``accounts`` is the lowest floor and names no app above it).
ORGANISATION_MODEL = "organisations.Organisation"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",  # django-axes: login throttling
    "django.contrib.auth.backends.ModelBackend",
    # allauth logs in the people who come through an identity provider.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
# Where a partner lands instead of the dashboard (partners see their own MoUs).
PARTNER_HOME_URL_NAME = "alliance:mou-list"
LOGIN_REDIRECT_URL = "indicators:dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login throttling against password guessing (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# Locked per username AND client address: a stranger guessing a partner's password locks
# out only themselves. The address comes from accounts.client_ip: X-Forwarded-For only from
# a trusted proxy (TRUSTED_PROXY_IPS, the list gunicorn's forwarded_allow_ips reads too).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1"])
# Password-reset requests per client address and per e-mail address an hour (a locked-out
# user gets in through the e-mail; the page never says whether the account exists).
PASSWORD_RESETS_PER_HOUR = env.int("PASSWORD_RESETS_PER_HOUR", default=5)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Signing in: django-allauth (issue 24) -----------------------------------
# Password sign-in by username (invited partners' usernames are their e-mail addresses) on
# allauth's login page, with the lockout above; nobody signs up: people are invited, or come
# through an identity provider with a verified e-mail that matches an account, an invitation
# or an organisation's domain (accounts.sso decides).
ACCOUNT_ADAPTER = "accounts.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # the session ends when the browser closes, as before
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# The lockout is django-axes' (per username and client address): allauth's own count of failed
# logins, per username alone, would let a stranger lock the owner out from anywhere.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# Creating an API token (and changing a second factor) asks for the password or a code again
# when the last sign-in is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_SECONDS", default=600)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LCAMP Tracker] "
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # accounts.sso links by verified e-mail, and only then
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider buttons post (CSRF), never a plain link
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# The OpenID Connect providers: a JSON list of {"id", "name", "server_url" (the issuer), "client_id",
# "secret"}; each gets a button on the login page and the callback
# {SITE_URL}/accounts/oidc/<id>/login/callback/ to register at the provider. PKCE is on; allauth
# checks the state.
def _oidc_app(entry):
    """One entry of OIDC_PROVIDERS as an allauth app; a malformed one stops start-up, saying why."""
    if not isinstance(entry, dict):
        raise MissingSetting("OIDC_PROVIDERS must be a JSON list of objects (see README.md, 'Environment').")
    provider_id = str(entry.get("id") or entry.get("provider_id") or entry.get("name") or "")
    server_url = entry.get("server_url") or entry.get("issuer")
    missing = [key for key, value in (("id or name", provider_id), ("server_url", server_url),
                                      ("client_id", entry.get("client_id"))) if not value]
    if not all(character.isalnum() or character in "-_." for character in provider_id):
        missing.append("an id of letters, digits, -, _ and .")
    if missing:
        needs = ", ".join(missing)
        raise MissingSetting(f"OIDC_PROVIDERS: the entry {provider_id or entry!r} needs {needs} "
                             "(see README.md, 'Environment').")
    return {"provider_id": provider_id, "name": entry.get("name") or provider_id,
            "client_id": entry["client_id"], "secret": entry.get("secret", ""),
            "settings": {"server_url": server_url,
                         **({"token_auth_method": entry["token_auth_method"]} if entry.get("token_auth_method") else {})}}


OIDC_PROVIDERS = env.json("OIDC_PROVIDERS", default=[])
if not isinstance(OIDC_PROVIDERS, list):
    raise MissingSetting("OIDC_PROVIDERS must be a JSON list of objects (see README.md, 'Environment').")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [_oidc_app(entry) for entry in OIDC_PROVIDERS]},
}


def oidc_origins(apps):
    """The origins (scheme://host[:port]) of these providers' issuers: a browser may be sent there from
    a form (the content security policy's form-action)."""
    from urllib.parse import urlsplit

    origins = []
    for app in apps:
        parts = urlsplit(app["settings"]["server_url"])
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


OIDC_FORM_ACTION_ORIGINS = oidc_origins(SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"])
# Two-factor authentication: TOTP with recovery codes. Required of coordinators and administrators
# when MFA_REQUIRED_FOR_COORDINATORS is on (by default in production): until they have enrolled,
# every page leads to enrolment (accounts.middleware.SecondFactorRequiredMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="LCAMP Tracker")
MFA_REQUIRED_FOR_COORDINATORS = env.bool("MFA_REQUIRED_FOR_COORDINATORS", default=not DEBUG)
# A person's sessions, listed on their profile and ended everywhere at once; recorded at sign-in
# (tracking every request's activity would write on every page).
USERSESSIONS_TRACK_ACTIVITY = False

# --- Internationalisation -------------------------------------------------
# The consortium's languages (issue 15). English is the default and the fallback of
# every translated content field. Language choice: the user's saved language (set by
# ``accounts.middleware.UserLanguageMiddleware``), else the ``django_language`` cookie,
# else the browser's Accept-Language (LocaleMiddleware). URLs carry no language prefix
# (no i18n_patterns): links in e-mails and bookmarks stay the same for everyone, and
# each person reads them in their own language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("eu", "Euskara"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("sv", "Svenska"),
    ("fi", "Suomi"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's own date and number formats (the admin, allauth, a {{ date }} left unfiltered) follow CLDR
# per language (lcamp/formats/<lang>/formats.py); pages, exports and e-mails use registers.l10n.
# English writes dates day-first as in Europe (lcamp/formats/en/formats.py).
FORMAT_MODULE_PATH = ["lcamp.formats"]
# Translated content (indicator titles, pillar names, milestone labels, micro-credential
# titles and learning outcomes; see <app>/translation.py): English is the default and the
# first fallback; a text written only in another language still shows rather than nothing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": MODELTRANSLATION_LANGUAGES}
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
# plotly.js is served from the installed plotly package (never a CDN), as /static/plotly/plotly.min.js.
PLOTLY_PACKAGE_DATA = Path(importlib.util.find_spec("plotly").origin).resolve().parent / "package_data"
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", PLOTLY_PACKAGE_DATA)]
if DEBUG or TESTING:
    # whitenoise warns on every request when STATIC_ROOT does not exist yet.
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Nothing the users upload is public: MoU documents and report evidence live in
# PRIVATE_MEDIA_ROOT, outside STATIC_ROOT, and are served only by permission-checked
# views. MEDIA_URL is therefore not routed anywhere.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Searches a user may send the pickers (/pickers/<key>/) in 10 seconds: typing sends one a keystroke,
# debounced; a script sending more gets 429.
PICKER_RATE = env.int("PICKER_RATE", default=50)
# An uploaded XLSX/DOCX may unpack to at most this much (zip bombs are refused before parsing).
MAX_UNCOMPRESSED_BYTES = env.int("MAX_UNCOMPRESSED_BYTES", default=64 * 1024 * 1024)
# Abuse limit on the partners' MoU form: submissions per user in any hour.
MOU_SUBMISSIONS_PER_HOUR: int = env.int("MOU_SUBMISSIONS_PER_HOUR", default=20)
# A partner invitation link stays valid this many seconds, and works once.
INVITATION_TIMEOUT = env.int("INVITATION_TIMEOUT", default=60 * 60 * 24 * 7)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Cache, Celery ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, pages and saves carry on without the cache.
            "BACKEND": "lcamp.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions are read from Redis (no query per request) and written through to the
    # database, which stays the record: with Redis down they are read from there.
    SESSION_ENGINE = "lcamp.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whether every process sees the same cache. A user's role names and the snapshots
# version are cached only then: a change forgets them in the cache, and a per-process
# cache would forget them in the changing process only. The tests run in one process.
CACHE_IS_SHARED = bool(REDIS_URL) or TESTING
# Register lists, the MoU review list and the API's register lists are cached (shared cache only)
# until a record they show changes (registers.generations). The tests build every page (their query counts
# measure the work), except the tests of the cache itself.
PAGE_CACHE = env.bool("PAGE_CACHE", default=not TESTING)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish to a broker that is down must fail fast (the save has committed; the
# roll-up then runs in the web process or on the next beat tick) instead of hanging.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2,
                                   "socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Drain the outbox every minute: the changes whose drain could not be queued
    # (broker down) wait there, and are recomputed within a minute of its return.
    "drain-every-minute": {"task": "indicators.tasks.drain_task",
                           "schedule": env.float("OUTBOX_DRAIN_SECONDS", default=60.0)},
    # A full roll-up of the new day just after midnight (dates move on, memberships
    # end on their own date), and as a safety net.
    "rollup-nightly": {"task": "indicators.tasks.rollup_task", "schedule": crontab(hour=0, minute=5)},
    # Rebuild the month-end history at night, when nobody watches the dashboard.
    "backfill-nightly": {
        "task": "indicators.tasks.backfill_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # The reminders due today (period ends, reviews waiting, the Monday digest); each is
    # recorded when sent, so a second run the same day sends nothing twice.
    "reminders-daily": {
        "task": "reporting.tasks.reminders_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Delete the import and export jobs older than JOBS_KEEP_DAYS and their files (the
    # exported spreadsheets are copies of the registers: they must not pile up in
    # PRIVATE_MEDIA_ROOT). Early morning, apart from the roll-up and the backfill.
    "clean-jobs-daily": {
        "task": "registers.tasks.clean_jobs_task",
        "schedule": crontab(hour=3, minute=15),
    },
}
# The outbox is drained this many seconds after a change; changes within the
# window share one drain (debounce).
ROLLUP_DEBOUNCE_SECONDS = env.float("ROLLUP_DEBOUNCE_SECONDS", default=2.0)
# A period report counting more records than this is built by a Celery worker (a page shows
# its progress) instead of in the request; with eager tasks it is always built in the request.
REPORT_ASYNC_RECORDS = env.int("REPORT_ASYNC_RECORDS", default=20_000)
# An XLSX export of more rows than this, and an import of more than REGISTER_IMPORT_ASYNC_ROWS,
# run as a job (a Celery task; its page shows the progress and keeps the result). With eager
# tasks (no broker) the job runs in the request and its page shows the result. An import checks
# and saves each row through the register's form and service (registers.importing: ~40 queries
# a row, about 20 ms): above this many rows the rows are checked and written by a job, so a
# request stays well under the worker timeout.
EXPORT_ASYNC_ROWS = env.int("EXPORT_ASYNC_ROWS", default=5_000)
REGISTER_IMPORT_ASYNC_ROWS = env.int("REGISTER_IMPORT_ASYNC_ROWS", default=100)
# Webhooks (registers.webhooks): a delivery that fails is tried again after WEBHOOK_BACKOFF_SECONDS,
# then twice as long each time, WEBHOOK_MAX_ATTEMPTS tries in all (30 s ... 16 min by default);
# each try waits WEBHOOK_TIMEOUT_SECONDS at most. Endpoints on loopback, private, link-local or
# otherwise non-public addresses are refused unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES (tests, a
# receiver on the same private network).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_BACKOFF_SECONDS = env.int("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# Import and export jobs (and their files) are deleted this many days after they started.
JOBS_KEEP_DAYS = env.int("JOBS_KEEP_DAYS", default=7)
# Reminders: a period ends in one of these many days; an MoU or a reported value waits
# for review longer than REMINDER_REVIEW_WAITING_DAYS; the digest goes out on this weekday (0 = Monday).
REMINDER_PERIOD_DAYS = (30, 7)
REMINDER_REVIEW_WAITING_DAYS = env.int("REMINDER_REVIEW_WAITING_DAYS", default=7)
REMINDER_DIGEST_WEEKDAY = env.int("REMINDER_DIGEST_WEEKDAY", default=0)

# Status of an indicator from actual / expected: at or above ON_TRACK is on track,
# at or above AT_RISK is at risk, below is behind; at or above the target is achieved.
INDICATOR_STATUS_THRESHOLDS = {
    "on_track": env.float("STATUS_ON_TRACK_RATIO", default=0.9),
    "at_risk": env.float("STATUS_AT_RISK_RATIO", default=0.7),
}

# The date the dashboard opens at (ISO 8601, e.g. 2024-12-31), for a demo whose records stop before today:
# the first screen shows the figures as of then, says so in a banner and links to today's. Empty: today.
# `make run` sets it to the demo data's date; the test suite ignores it unless a test sets it.
_dashboard_as_of = "" if TESTING else env.str("DASHBOARD_AS_OF", default="").strip()
try:
    DASHBOARD_AS_OF = datetime.date.fromisoformat(_dashboard_as_of) if _dashboard_as_of else None
except ValueError as error:
    raise ImproperlyConfigured(f"DASHBOARD_AS_OF must be a date such as 2024-12-31, not {_dashboard_as_of!r}") from error

# --- E-mail ----------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LCAMP Tracker <noreply@localhost>")
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- REST framework --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "registers.authentication.TokenOrBearerAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "registers.negotiation.ApiContentNegotiation",
    # Writes take JSON; the one write that carries a file (an MoU with its signed PDF) adds multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The browsable API only while DEBUG is on: in production every API answer is JSON.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LCAMP Tracker API",
    "DESCRIPTION": "Indicators of the LCAMP Centre of Vocational Excellence and the registers they are counted from.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registers.api.url_or_blank_as_any_of",
    ],
    # A snapshot's status appears on the indicator and on its snapshots: one enum, one name.
    "ENUM_NAME_OVERRIDES": {
        "SnapshotStatusEnum": "indicators.models.Snapshot.Status",
        "ReviewStatusEnum": "registers.models.Reviewable.Status",
        # A micro-credential's default language and its languages of instruction: one list.
        "MicroCredentialLanguageEnum": "training.vocabularies.LANGUAGE_CHOICES",
    },
}

# --- Security ----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content Security Policy (django-csp 4): the pages need no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Plotly sets inline style attributes on the SVG it draws.
        "style-src": ["'self'", "'unsafe-inline'"],
        # blob: lets plotly.js draw a chart into a PNG for its download button (a URL of the page's own making).
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The login page's provider buttons post here, and are redirected to the provider's sign-in page.
        "form-action": ["'self'", *OIDC_FORM_ACTION_ORIGINS],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging -------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
SLOW_REQUEST_SECONDS = env.float("SLOW_REQUEST_SECONDS", default=1.0)
# Logging in hashes the password on purpose (hundreds of milliseconds): its own threshold.
SLOW_LOGIN_SECONDS = env.float("SLOW_LOGIN_SECONDS", default=5.0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lcamp.middleware.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            # Extra fields of a record (method, path, status, duration_ms, user on
            # the request log line) become JSON fields of their own.
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Every request is logged once, by lcamp.middleware.RequestIdMiddleware. Django's own
        # loggers would repeat it: its default "django" console handler (under DEBUG) prints
        # what the root handler prints again, django.request logs a 403 or 404 with a
        # traceback, and runserver's django.server logs each request line. So: one handler,
        # django.request only for server errors (their traceback), django.server silent.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step of the period reports at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Celery workers log through LOGGING too (JSON in production), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- The demo ------------------------------------------------------------------
DEMO_PASSWORD = "lcamp-demo"
