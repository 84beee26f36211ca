"""Settings for the EDC, read from environment variables (one module for every environment).

DATABASE_URL   default: SQLite file db.sqlite3 in the project folder
SECRET_KEY     required unless DEBUG is on (then a development key is used)
DEBUG          off unless set to 1/true/yes
ALLOWED_HOSTS  comma-separated; default localhost names
TIME_ZONE      the site's local time zone for display; data is stored in UTC
HTTPS          1 when served over TLS: redirect to https, secure cookies, HSTS (production)
HSTS_SECONDS   Strict-Transport-Security max-age when HTTPS is on; default one year
API_RATE_LIMIT requests per user per window on the API; default 600/10m
CACHE          locmem (default, one process) or database (shared by every worker: run
               `manage.py createcachetable` once)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Served over TLS (directly or behind a proxy that sets X-Forwarded-Proto): every request is
# redirected to https, cookies never travel in clear, browsers remember to use https only.
HTTPS = env_bool("HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)  # the header only; submitting is manual
SESSION_COOKIE_HTTPONLY = True
# 21 CFR 11.10(d): a session ends after SESSION_IDLE_MINUTES without a request (every request
# moves the end on) and when the browser closes; the admin warns a minute before
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "15"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

PROJECT_APPS = ["trial", "screening", "dosing", "safety", "followup", "monitoring", "exports"]

INSTALLED_APPS = [
    "config.apps.StudyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_guid",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    # first: every log line of the request carries its id, echoed in `X-Request-ID`
    "django_guid.middleware.guid_middleware",
    "config.logs.RequestLogMiddleware",
    "config.health.HealthMiddleware",  # /healthz: before the host check and HTTPS redirect
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RefuseNulQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # Accept-Language (the language cookie, if any)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "config.middleware.UserLanguageMiddleware",  # a signed-in user's own language, on pages
    "config.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # <html lang> of the chosen language
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the API rate counters (and, with Redis, the sessions): with several workers
# they must share one cache. Production: CACHE=redis (docker-compose); every backend counts
# atomically (add + incr).
CACHE_BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {
        "BACKEND": "config.cache.DatabaseCache",
        "LOCATION": "edc_cache",
    },
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # a database of its own: clearing the cache flushes it
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        "KEY_PREFIX": "edc",
    },
}
CACHE = os.environ.get("CACHE", "locmem")
try:
    CACHES = {"default": CACHE_BACKENDS[CACHE]}
except KeyError as exc:
    raise ImproperlyConfigured(f"CACHE must be one of {', '.join(CACHE_BACKENDS)}.") from exc
if CACHE == "redis":
    # sessions read from Redis, written through to the database (a restart of Redis signs
    # nobody out)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "trial.User"
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out login before the password is even checked
    "axes.backends.AxesStandaloneBackend",
    "trial.backends.PasswordBackend",  # Django's password check, without its permission tables
    "trial.backends.StudyRoleBackend",
]
# Two-factor login (21 CFR 11.300, django-otp): a password opens only the second step, a code
# from an authenticator app (TOTP) or a one-time recovery code. OTP_DEMO_BYPASS lets the demo's
# users in with a password alone, only with DEBUG on; `check --deploy` refuses it (edc.E004).
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "EDC-lite NCT05734898")
OTP_DEMO_BYPASS = env_bool("OTP_DEMO_BYPASS")
RECOVERY_CODES = 10

# API tokens (trial.ApiToken, made and hashed by django-rest-knox's crypto; knox's defaults: 64 hex
# characters, SHA-512): created from a two-factor session only, stored as digests,
# ending after API_TOKEN_DAYS; listed and revoked by their owner and by a data manager.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login attempts (django-axes): after 5 failures for one username from one address, that pair is
# locked out for 15 minutes (429). Pairing the two keeps a guesser from locking a nurse out from
# every ward. Attempts are kept in the database; `manage.py axes_reset` lifts a lockout.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

LANGUAGE_CODE = "en-us"
# the staff-facing languages (issue 22): each user picks one (trial.User.language, switched from
# every page's header); before sign-in and on the API the browser's Accept-Language decides.
# Data, exports, API field names and codes stay English whatever the language.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # ISO dates and 24-hour times everywhere
# a query not closed after this many days is marked on the query list and the dashboard
QUERY_OVERDUE_DAYS = int(os.environ.get("QUERY_OVERDUE_DAYS", "14"))
# where `audit_checkpoint` appends the audit chains' heads: a file outside the database (another
# volume or host, append-only for the application); empty: no checkpoints
AUDIT_CHECKPOINT_FILE = os.environ.get("AUDIT_CHECKPOINT_FILE", "")
# the audit chain's HMAC keys, "id=secret" (32+ characters), comma-separated, the newest first;
# from the environment only, never the database (README "Tamper evidence": set-up and rotation)
AUDIT_HMAC_KEYS = os.environ.get("AUDIT_HMAC_KEYS", "")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Every page asset (admin, Swagger UI) is served by the project itself: hospital networks
# often reach no CDN. WhiteNoise serves the collected files when DEBUG is off.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and os.environ.get("STATIC_MANIFEST", "1") == "1"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# Reverting a record from its history would write around the services: not offered.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request is answered 401 with `WWW-Authenticate: Token`.
        "trial.authentication.ExpiringTokenAuthentication",
        # a signed-in admin session counts only after its second factor
        "trial.authentication.TwoFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["trial.api_defaults.StudyRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "trial.api_defaults.BoundedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "trial.api_filters.KnownQueryParametersFilter",
        "trial.api_filters.StudyFilterBackend",
        "trial.api_filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "trial.api_base.exception_handler",
    # JSON in: one body format, documented and validated as such (no file uploads here)
    "DEFAULT_PARSER_CLASSES": ["trial.api_defaults.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # per user (per IP when anonymous); 429 with Retry-After beyond it
    "DEFAULT_THROTTLE_CLASSES": ["trial.api_defaults.StudyUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE_LIMIT", "600/10m")},
    # `?format=` names a file format of the exports (csv, xpt), not a DRF renderer
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "EDC-lite API: NCT05734898 (NKG2D CAR-NK in r/r AML)",
    "DESCRIPTION": (
        "Clinical data capture for the phase 1 dose-escalation trial NCT05734898. "
        "Every change to a record after its creation needs a `change_reason`; records are "
        "never deleted, only voided with a reason."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "trial.api_schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EscalationActionEnum": "dosing.models.EscalationDecision.Action",
        "RelationEnum": "safety.models.Relation",
        "AmlResponseEnum": "followup.models.RESPONSE_CHOICES",
        "CrfTypeEnum": "followup.models.CRF_CHOICES",
        "PriorTherapyResponseEnum": "screening.models.PriorTherapy.BestResponse",
        "RecordTypeEnum": "monitoring.api.RECORD_TYPE_CHOICES",
    },
}

# A request id for each request (a client's `X-Request-ID` UUID is kept, anything else replaced)
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "INTEGRATIONS": [],
}

# JSON lines on stdout (LOG_FORMAT=text for reading them in a terminal); see config/logs.py
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "{levelname}{name}{message}{correlation_id}",
            "style": "{",
            "timestamp": "time",
            "rename_fields": {
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
            # django.request attaches the request itself, whose text holds the query string
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "text": {
            "format": "{asctime} {levelname} {name} [{correlation_id}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "text" if LOG_FORMAT == "text" else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each step of each PDF at INFO (fontTools too): their warnings are enough
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
