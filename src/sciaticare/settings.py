"""The one settings module, configured by environment variables (README: Configuration).

Safe by default: DEBUG is off, HTTPS-only cookies and HSTS are on unless HTTPS=0 is set, and
there is no fallback secret key outside DEBUG.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
# Runtime files of a local install (SQLite file, uploads, collected static): never committed.
VAR_DIR = Path(environ.Env().str("SCIATICARE_VAR_DIR", default=str(PROJECT_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. `make run` generates one into var/secret_key; "
            "in production set it in the environment."
        )
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - only ever used with DEBUG=1

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    # First, so that its templates (our layout for allauth's pages) win over the defaults.
    "sciaticare.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "sciaticare.core",
    "sciaticare.accounts",
    "sciaticare.audit",
    "sciaticare.privacy",
    "sciaticare.reminders",
    "sciaticare.intake",
    "sciaticare.directory",
    "sciaticare.scheduling",
    "sciaticare.records",
    "sciaticare.exercises",
    "sciaticare.outcomes",
    "sciaticare.billing",
    "sciaticare.interop",
    "sciaticare.integrations",
]

MIDDLEWARE = [
    "sciaticare.web.middleware.ClientAddressMiddleware",
    "sciaticare.audit.middleware.RequestContextMiddleware",
    "sciaticare.core.replica.ReplicaReadsMiddleware",  # only with DATABASE_REPLICA_URL
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the chosen language, else Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sciaticare.accounts.middleware.PersonLanguageMiddleware",
    "sciaticare.accounts.middleware.SessionLifetimeMiddleware",
    "sciaticare.accounts.middleware.StaffMfaMiddleware",
    "sciaticare.accounts.middleware.PrivateResponsesMiddleware",
    "sciaticare.accounts.middleware.SignOutClearsSiteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside the locale middleware: its message is in the caller's language.
    "sciaticare.web.middleware.ApiMethodsMiddleware",
    # Last: its 400 still passes back through the headers above (CSP, frame, security).
    "sciaticare.web.middleware.RefuseNulMiddleware",
]

ROOT_URLCONF = "sciaticare.urls"
WSGI_APPLICATION = "sciaticare.wsgi.application"
ASGI_APPLICATION = "sciaticare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sciaticare.web.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# The web process (wsgi.py, asgi.py, `make run`'s runserver) limits how long a statement or a
# lock wait may take; management commands and db_worker (migrations, backups, rebuilds) do not.
WEB_PROCESS = env.str("SCIATICARE_PROCESS", default="") == "web"
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE takes the write lock up front: read-then-write transactions
        # (booking) cannot fail half-way with SQLITE_BUSY (Django's transaction_mode option).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not Django's shared in-memory database: a live server's threads then
    # open their own connections, as the web process does, instead of sharing the test's one
    # (two threads in one SQLite connection fail at random: "SQL statements in progress").
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Off: a health check is one more round trip on every request. A kept connection the
    # server dropped answers one request 503 and is then replaced (core/outage.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq waits forever for a server that does not answer; every process gives up after this.
    _options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # Statements a connection has run a few times are prepared (psycopg, with server-side
    # binding): PostgreSQL then plans each once per connection, not on every request. Planning
    # was most of a short read's time (the search's page read: 0.6 ms of 0.9; docs/benchmarks.md,
    # "Prepared statements"). Off behind PgBouncer in transaction mode, which hands each
    # transaction any server connection, one that never prepared the statement (docs/deploy.md).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _options.setdefault("server_side_binding", True)
        _options.setdefault("prepare_threshold", 5)  # psycopg's: a one-off is never prepared
    if WEB_PROCESS:
        # A request fails fast (503, core/outage.py) instead of waiting past gunicorn's 30 s
        # timeout; 0 leaves a limit out. Sent as startup options, which PgBouncer in
        # transaction mode refuses: there set all three to 0 and the limits on the web's role
        # (docs/deploy.md, "When the database is away or slow").
        _limits = {
            "statement_timeout": env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000),
            "lock_timeout": env.int("DATABASE_LOCK_TIMEOUT_MS", default=2000),
            "idle_in_transaction_session_timeout": env.int(
                "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=30000
            ),
        }
        _flags = " ".join(f"-c {name}={ms}" for name, ms in _limits.items() if ms > 0)
        if _flags:
            _options["options"] = f"{_options.get('options', '')} {_flags}".strip()
# A streaming replica for the reads that may be a few seconds late: the public search and
# profiles (core/replica.py, docs/scale.md). Unset, they read the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name the same kind of database as DATABASE_URL."
        )
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"].get(
        "CONN_HEALTH_CHECKS", False
    )
    # The same connect timeout and web limits as the primary (SQLite: its own options).
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests read one database through both aliases.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# For this long after a browser's own write, its late reads go to the primary: longer than the
# replica's lag (docs/deploy.md).
READ_YOUR_WRITES_SECONDS = env.float("READ_YOUR_WRITES_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Everything the app keeps lives in the database, the cache included (rate limits must be
# shared by every app process).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "sciaticare_cache",
    },
    # Public API answers each process keeps a few seconds (core/kept_answers.py): its own
    # memory, at most 1,000 answers of at most 64 KB each.
    "answers": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kept-answers",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "web:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "sciaticare.accounts.forms.SignupRoleForm"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Sciaticare] "
ACCOUNT_ADAPTER = "sciaticare.accounts.adapter.AccountAdapter"  # mail greets from "Sciaticare"
# Failed logins are limited per IP and per account; sign-up and reset per IP (allauth, on the
# shared database cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "reset_password_from_key": "20/h/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sciaticare"

# How long an API token works after it is made (docs/architecture.md: API tokens).
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

# Therapists and clinic admins must enrol in TOTP before they can see any patient data.
# Only the local demo (make run) turns this off, and every page then shows a banner.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)

# Per-client request limits of the API and the public symptom check (sciaticare/ratelimits.py),
# counted in the shared database cache: "N/s", "N/m", "N/h" or "N/d". docs/deploy.md.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMITS = {
    # Per IP, for calls without an account.
    "api_anonymous": env.str("RATE_LIMIT_API_ANONYMOUS", default="120/m"),
    # Per account, for token holders and signed-in browsers.
    "api_user": env.str("RATE_LIMIT_API_USER", default="600/m"),
    # Per IP: answers of the /check/ pages (one POST per question) and POST /api/v1/triage.
    "symptom_check": env.str("RATE_LIMIT_SYMPTOM_CHECK", default="300/h"),
    # Per IP: accounts made by booking first (a new patient's short form, /book/…/new-patient/),
    # as allauth limits sign-ups.
    "new_patient": env.str("RATE_LIMIT_NEW_PATIENT", default="20/h"),
    # Per IP: replies to our texts, posted by Twilio's webhook (reminders app).
    "sms_inbound": env.str("RATE_LIMIT_SMS_INBOUND", default="300/m"),
}

# Payments (billing/processor.py, docs/billing.md): Stripe's keys, or a local Stripe-compatible
# server for tests and the demo (STRIPE_API_BASE, STRIPE_JS_URL). Without a secret key no
# clinic can take card payments (their policies fall back to paying at the clinic).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# How long a slot is held while its deposit is paid: then it is free again.
DEPOSIT_HOLD_MINUTES = env.int("DEPOSIT_HOLD_MINUTES", default=15)

# Integrations (docs/integrations.md). Addresses users type in (a therapist's calendar server,
# a clinic's webhook endpoint) must be https:// on public hosts, unless this allows private and
# loopback ones: tests and the local demo only.
INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES", default=False
)
# Keys sealing what the server must use but nobody with a copy of the database may read
# (therapists' calendar app passwords, webhook signing secrets): any strings, comma-separated;
# the first seals, all open, so rotating is putting a new one first. Unset: SECRET_KEY
# (docs/security.md says why production sets its own).
INTEGRATIONS_SEALING_KEYS = env.list("INTEGRATIONS_SEALING_KEYS", default=[]) or [SECRET_KEY]
# A CA bundle trusted for webhook endpoints besides the system's (tests' local receiver only).
WEBHOOK_CA_FILE = env.str("WEBHOOK_CA_FILE", default="")
# How long a process keeps the next free session it computed for a therapist, for search
# pages (scheduling.selectors.bookable.recent; docs/scale.md). 0 computes it every time.
NEXT_FREE_SECONDS = env.float("NEXT_FREE_SECONDS", default=5.0)
# The public API's slot lists are kept as long (core/kept_answers.py), its therapist profiles
# PUBLIC_PROFILE_SECONDS: a profile changes by an edit, rarely. 0 answers afresh every time.
PUBLIC_PROFILE_SECONDS = env.float("PUBLIC_PROFILE_SECONDS", default=60.0)
# Busy times are read every CALENDAR_SYNC_SECONDS (cron: manage.py read_calendars --enqueue);
# older than that they are unknown and the therapist's times are not offered. Before a slot list,
# a read older than CALENDAR_FRESH_SECONDS is repeated, waiting at most CALENDAR_READ_TIMEOUT.
CALENDAR_SYNC_SECONDS = env.int("CALENDAR_SYNC_SECONDS", default=300)
CALENDAR_FRESH_SECONDS = env.int("CALENDAR_FRESH_SECONDS", default=60)
CALENDAR_READ_TIMEOUT = env.float("CALENDAR_READ_TIMEOUT", default=2.0)

# Reminders by text message and notification (reminders app; docs/deploy.md, "Reminders").
# SMS_BACKEND: "twilio" (production), "console" (the demo: texts are printed), or empty for no
# texts. TWILIO_FROM is our number in E.164 or a Messaging Service SID (MG…); TWILIO_API_BASE
# points Twilio's library at a local server that speaks its Messages API (tests only).
SMS_BACKEND = env.str("SMS_BACKEND", default="")
if SMS_BACKEND not in ("", "console", "twilio"):
    raise ImproperlyConfigured("SMS_BACKEND is 'twilio', 'console' or empty (no texts).")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM."
    )
# Web Push: the site's VAPID key pair (base64url; `manage.py make_vapid_keys` makes one) and
# the contact push services may use (mailto: or https:). Without the keys nobody can turn
# notifications on.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:care@sciaticare.example")
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("VAPID_SUBJECT is a mailto: address or an https:// URL.")
# The push services a browser's subscription may point at (scheme and host, "*" in a host): the
# server posts to that URL, so nothing else is accepted.
PUSH_SERVICES = env.list(
    "PUSH_SERVICES",
    default=[
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://*.notify.windows.com",
        "https://*.push.apple.com",
    ],
)
# Quiet hours of people who have not chosen theirs, on their own clock ("HH:MM-HH:MM"; empty:
# none).
REMINDER_QUIET_HOURS = env.str("REMINDER_QUIET_HOURS", default="22:00-08:00")
if not re.fullmatch(
    r"((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d)|", REMINDER_QUIET_HOURS
):
    raise ImproperlyConfigured("REMINDER_QUIET_HOURS is HH:MM-HH:MM (e.g. 22:00-08:00) or empty.")

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
STAFF_IDLE_SECONDS = 30 * 60

# --- Mail ---------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:password@host:587/?tls=True, or consolemail:// (the default: printed).
_mail = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {"default": {"BACKEND": _mail["EMAIL_BACKEND"]}}
if _mail["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": _mail["EMAIL_HOST"],
        "port": _mail["EMAIL_PORT"] or None,
        "username": _mail["EMAIL_HOST_USER"] or None,
        "password": _mail["EMAIL_HOST_PASSWORD"] or None,
        "use_tls": bool(_mail.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_mail.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sciaticare <care@sciaticare.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers ---------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "sciaticare.web.views.csrf_failure"  # in the page's language, no debug page
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (web/middleware.py); 0: none,
# REMOTE_ADDR is the client. Never more than there are: the client could then choose its address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No 'unsafe-inline' anywhere: scripts come from our own static files or carry the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Static and uploaded files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # Nothing the app keeps is a file (licence documents are in their rows); this storage is
    # read only by migration directory.0003, which moved the files of earlier versions in.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG

# --- Locale -------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Shipped complete, each (docs/i18n.md); a test fails on any message left untranslated.
LANGUAGES = [("en", "English"), ("es", "Español")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the switcher's choice, for a person not signed in
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: never request bodies or health data, only what failed and where -------------
# Every handler redacts secrets in URLs and free-text query values (sciaticare/access_log.py);
# runserver's access log (django.server) is redefined here only to add that filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "sciaticare.core.access_log.RedactSecrets"},
        "no_traceback_for_4xx": {"()": "sciaticare.core.access_log.NoTracebackFor4xx"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets", "no_traceback_for_4xx"],
        },
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
