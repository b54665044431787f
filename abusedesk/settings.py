"""Settings for abusedesk: every value comes from an environment variable.

The defaults are a safe single-machine demo: SQLite under ./var, no broker
(tasks run in-process), mail to the console. See README "Configuration".
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from abusedesk.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(envstr("ABUSEDESK_VAR_DIR", str(Path.cwd() / "var")))

DEMO_SECRET_KEY = "abusedesk-demo-secret-key-not-for-production"
DEBUG = envbool("DEBUG", "False")
PRODUCTION = envbool("ABUSEDESK_PRODUCTION", "False")
SECRET_KEY = envstr("SECRET_KEY", DEMO_SECRET_KEY)
if PRODUCTION and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured("ABUSEDESK_PRODUCTION is set but SECRET_KEY is the demo key: set SECRET_KEY.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "abusedesk.apps.AbusedeskAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "abusedesk",
    "abusedesk.network",
    "abusedesk.intake",
    "abusedesk.parsers",
    "abusedesk.cases",
    "abusedesk.policy",
    "abusedesk.outbox",
    "abusedesk.enforcement",
    "abusedesk.desk",
    "abusedesk.portal",
    "abusedesk.kyc",
    "abusedesk.demo",
    "abusedesk.feeds",
    "abusedesk.reports",
    "abusedesk.lawenforcement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "abusedesk.portal.secondfactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "abusedesk.portal.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "abusedesk.urls"
WSGI_APPLICATION = "abusedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "abusedesk.portal.context.missing_abuse_contact",
            ],
        },
    },
]

# Database: one URL. The embedded default is SQLite in WAL mode with
# immediate transactions, so that the web, SMTP and worker threads of
# `abusedesk run` can share it without "database is locked" surprises.
DATABASE_URL = envstr("DATABASE_URL", "sqlite:///" + str(VAR_DIR / "abusedesk.sqlite3"))
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
# A frozen or unreachable database must not hold intake forever (SMTP answers 451 instead, docs/reliability.md):
# PostgreSQL gets bounded connect, statement and lock waits.
DB_CONNECT_TIMEOUT = envint("ABUSEDESK_DB_CONNECT_TIMEOUT", 5)
DB_STATEMENT_TIMEOUT = envint("ABUSEDESK_DB_STATEMENT_TIMEOUT", 300)  # seconds; 0: none
DB_LOCK_TIMEOUT = envint("ABUSEDESK_DB_LOCK_TIMEOUT", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = f"-c lock_timeout={DB_LOCK_TIMEOUT * 1000} -c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"
    DATABASES["default"].setdefault("OPTIONS", {}).update(connect_timeout=DB_CONNECT_TIMEOUT, options=_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Every password check (login form, HTTP Basic, admin) is rate limited here (portal/auth.py).
AUTHENTICATION_BACKENDS = ["abusedesk.portal.auth.RateLimitedBackend"]
# Staff who can see child-abuse content must use an authenticator app (docs/security.md).
OTP_REQUIRED_FOR_COMPLIANCE = envbool("ABUSEDESK_OTP_REQUIRED_FOR_COMPLIANCE", "True" if PRODUCTION else "False")
STAFF_IDLE_MINUTES = envint("ABUSEDESK_STAFF_IDLE_MINUTES", 30)
API_TOKEN_MAX_DAYS = envint("ABUSEDESK_API_TOKEN_MAX_DAYS", 365)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# Portal and public form (docs/portal.md).
ATTACHMENT_MAX_BYTES = envint("ABUSEDESK_ATTACHMENT_MAX_BYTES", 2 * 1024 * 1024)
ATTACHMENT_MAX_PER_CASE = envint("ABUSEDESK_ATTACHMENT_MAX_PER_CASE", 20)
LOGIN_RATE_LIMIT = envint("ABUSEDESK_LOGIN_RATE_LIMIT", 10)  # failed logins per 15 minutes per user and per IP
PASSWORD_RESET_RATE_LIMIT = envint("ABUSEDESK_PASSWORD_RESET_RATE_LIMIT", 5)  # per hour per address and per IP
FORM_RATE_LIMIT = envint("ABUSEDESK_FORM_RATE_LIMIT", 5)  # public notices per hour per IP
INTAKE_MAX_BYTES = envint("ABUSEDESK_INTAKE_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = INTAKE_MAX_BYTES + 1024 * 1024

# HTTPS (docs/security.md). Behind a reverse proxy that terminates TLS, set
# ABUSEDESK_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO=https, and only if that proxy always
# sets (overwrites) the header: otherwise a client could claim HTTPS itself.
SECURE_SSL_REDIRECT = envbool("ABUSEDESK_SSL_REDIRECT", "True" if PRODUCTION else "False")
SECURE_HSTS_SECONDS = envint("ABUSEDESK_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("ABUSEDESK_HSTS_INCLUDE_SUBDOMAINS", "True" if PRODUCTION else "False")
SECURE_HSTS_PRELOAD = envbool("ABUSEDESK_HSTS_PRELOAD", "False")
if not SECURE_HSTS_PRELOAD:
    # Preloading is the domain owner's decision (hstspreload.org), not a default of ours.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
_proxy_header = envstr("ABUSEDESK_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header.split("=", 1)) if "=" in _proxy_header else None
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "True" if PRODUCTION else "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "abusedesk.portal.apiauth.ScopedTokenAuthentication",
        "abusedesk.portal.apiauth.PasswordBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["abusedesk.lib.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "abusedesk.lib.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "abusedesk.lib.api.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "abusedesk API",
    # Swagger UI's files come from the sidecar package and are served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": "Cases, reports, customers, assignments and notice intake of the abuse desk.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for KYC's reject reasons (the order's field and the decision's input share them).
    "ENUM_NAME_OVERRIDES": {
        "RejectReasonEnum": "abusedesk.kyc.models.Order.RejectReason",
        "LegalRequestChannelEnum": "abusedesk.lawenforcement.models.Channel",
        "IdentifierKindEnum": "abusedesk.lawenforcement.models.Identifier.Kind",
        # TCO Annex III: why a removal order cannot be carried out (lawenforcement.services).
        "CannotComplyReasonEnum": ["force_majeure", "insufficient_information", "manifest_error"],
    },  # request bodies as their own components (what a client may send)
    # The schema maps the whole API: for logged-in users (and tokens) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "abusedesk.lib.api.add_error_responses",
    ],
}

# Mail. Outgoing mail is queued as rows (outbox) and sent by the worker.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if PRODUCTION and EMAIL_BACKEND.rsplit(".", 2)[-2] in ("console", "filebased", "locmem", "dummy"):
    # Password reset links and case reply tokens would end up in a log, or nowhere.
    raise ImproperlyConfigured(f"ABUSEDESK_PRODUCTION is set but EMAIL_BACKEND is {EMAIL_BACKEND}: "
                               "set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.")
EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "abuse@provider.example")
# Replies to forwarded notices go to abuse+<case token>@REPLY_DOMAIN and are threaded into the case.
ABUSEDESK_REPLY_ADDRESS = envstr("ABUSEDESK_REPLY_ADDRESS", "abuse@provider.example")

# Processes.
WEB_HOST = envstr("WEB_HOST", "127.0.0.1")
WEB_PORT = envint("WEB_PORT", 8000)

# Intake.
SMTP_HOST = envstr("SMTP_HOST", "127.0.0.1")
SMTP_PORT = envint("SMTP_PORT", 2525)
SMTP_MAX_MESSAGE_BYTES = envint("SMTP_MAX_MESSAGE_BYTES", 50 * 1024 * 1024)
# The authserv-id our receiving MTA writes in Authentication-Results; empty: no mail is trusted by DKIM/SPF.
AUTHSERV_ID = envstr("ABUSEDESK_AUTHSERV_ID", "")
# The addresses (or prefixes) our receiving MTA relays to smtpd from: its Authentication-Results header is
# believed only on mail handed over by one of them (anyone else reaching smtpd could write one).
MTA_ADDRESSES = envlist("ABUSEDESK_MTA_ADDRESSES", "")
# A notice from a sender nothing proved that lists more events than this goes to staff review, unforwarded.
MASS_NOTICE_EVENTS = envint("ABUSEDESK_MASS_NOTICE_EVENTS", 100)
# SMTP answers 451 (the sender retries) when storing a notice takes longer than this (a frozen database).
SMTP_STORE_TIMEOUT = float(envstr("ABUSEDESK_SMTP_STORE_TIMEOUT", "20"))
OWN_MAIL_SERVERS = envlist("ABUSEDESK_OWN_MAIL_SERVERS", "")
DEFAULT_ENTITY = envstr("ABUSEDESK_DEFAULT_ENTITY", "nl")

# Matching (docs/matching.md): DNS for domains without an IP, CDN ranges.
DNS_SERVERS = envlist("ABUSEDESK_DNS_SERVERS", "")  # "ip" or "ip:port"; empty: the system resolver
DNS_TIMEOUT = float(envstr("ABUSEDESK_DNS_TIMEOUT", "2"))
DNS_CACHE_SECONDS = envint("ABUSEDESK_DNS_CACHE_SECONDS", 300)
CDN_RANGES_FILE = envstr("ABUSEDESK_CDN_RANGES_FILE", str(VAR_DIR / "cdn_ranges.json"))
CLOUDFLARE_IPS_URLS = envlist("ABUSEDESK_CLOUDFLARE_IPS_URLS",
                              "https://www.cloudflare.com/ips-v4,https://www.cloudflare.com/ips-v6")

# Jobs. No broker: tasks run in-process (abusedesk.lib.nudge.start decides) and `abusedesk run`
# drives the periodic sweep. With a broker (Redis or RabbitMQ URL) any number of workers.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "")
CELERY_TASK_ACKS_LATE = True
# Beat keeps its last-run times in a file: with the rest of the instance's state, not in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A hung or refused broker must never hold a caller: bounded connect and socket waits, and a nudge is
# published once, without retries (the sweep picks up what a lost nudge left; abusedesk.lib.nudge).
BROKER_TIMEOUT = float(envstr("ABUSEDESK_BROKER_TIMEOUT", "3"))
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT,
                                   "max_retries": 1}
CELERY_TASK_PUBLISH_RETRY = False
# After a failed nudge, no other is tried for this long: intake never waits on a broker that is down.
BROKER_DOWN_PAUSE = float(envstr("ABUSEDESK_BROKER_DOWN_PAUSE", "10"))
# Separate queues, so that mail and the sweep never wait behind a backlog of notices.
CELERY_TASK_ROUTES = {
    "abusedesk.process_raw_message": {"queue": "process"},
    "abusedesk.process_new_mail": {"queue": "process"},
    "abusedesk.send_mail": {"queue": "mail"},
    "abusedesk.sweep": {"queue": "sweep"},
}
CELERY_TASK_DEFAULT_QUEUE = "process"
WORKER_QUEUES = envlist("ABUSEDESK_WORKER_QUEUES", "process,mail,sweep")
SWEEP_INTERVAL = envint("ABUSEDESK_SWEEP_INTERVAL", 15)
MAIL_INTERVAL = envint("ABUSEDESK_MAIL_INTERVAL", 5)
# A claim older than this is considered lost (crashed worker) and re-run.
CLAIM_TIMEOUT = envint("ABUSEDESK_CLAIM_TIMEOUT", 300)
# A notice claimed this many times without finishing (it crashed its process, or failed) goes to the staff queue.
PROCESSING_MAX_ATTEMPTS = envint("ABUSEDESK_PROCESSING_MAX_ATTEMPTS", 3)
# A big feed is parsed and matched in a second process while this one writes
# (used only with a second core): see abusedesk/intake/prepare.py.
FEED_SECOND_PROCESS = envbool("ABUSEDESK_FEED_SECOND_PROCESS", "True")
# Feed collectors (docs/feeds.md): per request timeout, retries and the first
# backoff (doubled per retry), the largest download, how long a run may hold
# its feed, and the days without a report after which a resolved case is verified.
FEED_TIMEOUT = float(envstr("ABUSEDESK_FEED_TIMEOUT", "60"))
FEED_RETRIES = envint("ABUSEDESK_FEED_RETRIES", 3)
FEED_BACKOFF = float(envstr("ABUSEDESK_FEED_BACKOFF", "5"))
FEED_MAX_BYTES = envint("ABUSEDESK_FEED_MAX_BYTES", 4 * 2**30)
FEED_RUN_TIMEOUT = envint("ABUSEDESK_FEED_RUN_TIMEOUT", 3600)
VERIFY_DAYS = envint("ABUSEDESK_VERIFY_DAYS", 7)
CELERY_BEAT_SCHEDULE = {
    "sweep": {"task": "abusedesk.sweep", "schedule": float(SWEEP_INTERVAL)},
    # Mail is also nudged as it is queued; this catches what a lost or throttled nudge left.
    "mail": {"task": "abusedesk.send_mail", "schedule": float(MAIL_INTERVAL)},
}

# Enforcement: where approved actions are carried out, per action kind ("log", "webhook:<url>",
# "command:<program and arguments>"); see docs/followup.md.
ENFORCEMENT_BACKEND = envstr("ABUSEDESK_ENFORCEMENT_BACKEND", "log")
ENFORCEMENT_BACKENDS = {
    kind: envstr(f"ABUSEDESK_ENFORCEMENT_BACKEND_{kind.upper()}", "")
    for kind in ("null_route", "suspend_service", "suspend_account", "terminate", "restore")
}
ENFORCEMENT_WEBHOOK_SECRET = envstr("ABUSEDESK_ENFORCEMENT_WEBHOOK_SECRET", "")
# Verifies the billing system's signed inventory events (POST /api/v1/inventory/events/); empty: off.
INVENTORY_WEBHOOK_SECRET = envstr("ABUSEDESK_INVENTORY_WEBHOOK_SECRET", "")
ENFORCEMENT_TIMEOUT = envint("ABUSEDESK_ENFORCEMENT_TIMEOUT", 30)

# Telling the desk (desk.alerts): disputes and overdue cases without an owner are mailed here
# (empty: only the case owner is mailed); a chat tool's webhook gets every alert, signed.
DESK_ALERT_EMAIL = envstr("ABUSEDESK_DESK_ALERT_EMAIL", "")
ALERT_WEBHOOK_URL = envstr("ABUSEDESK_ALERT_WEBHOOK_URL", "")
ALERT_WEBHOOK_SECRET = envstr("ABUSEDESK_ALERT_WEBHOOK_SECRET", "")

# KYC (docs/kyc.md): how long a questionnaire link stays valid, and how often the answers are asked again.
KYC_QUESTIONNAIRE_DAYS = envint("ABUSEDESK_KYC_QUESTIONNAIRE_DAYS", 30)
KYC_REREQUEST_DAYS = envint("ABUSEDESK_KYC_REREQUEST_DAYS", 365)
KYC_PTR_CHECK_HOURS = envint("ABUSEDESK_KYC_PTR_CHECK_HOURS", 24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

os.makedirs(STATIC_ROOT, exist_ok=True)
