"""pru_cases settings: one module, every value from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from pru_cases.lib.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG")
# SECURE=True means "served over HTTPS": redirects, HSTS, Secure and __Host- cookies.
SECURE = envbool("SECURE", "True")
SECRET_KEY = envstr("SECRET_KEY", "")
# A known key lets anyone forge sessions and password-reset links: only a developer's machine (DEBUG=True) may run
# without one of its own.
if not DEBUG and (not SECRET_KEY.strip() or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or is the development default) and DEBUG is off: refusing to start. "
        'Set SECRET_KEY to at least 50 random characters: python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )
SECRET_KEY = SECRET_KEY or "django-insecure-dev-only"
# Old keys still accepted while a rotation settles (docs/security.md); comma-separated.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "pru_cases.admin_config.CaseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "pru_cases",
    "accounts",
    "pupils",
    "concerns",
    "referrals",
    "families",
    "meetings",
    "outcomes",
]
# Demo data and benchmark commands (seed_demo, bench_*). No other app imports it: production leaves it out.
if envbool("DEMO_APP", "True"):
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pru_cases.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pru_cases.middleware.RequestSizeLimitMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "pru_cases.middleware.IdRangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pru_cases.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "pru_cases.middleware.NoStoreMiddleware",
    "pru_cases.middleware.MethodNotAllowedPageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pru_cases.middleware.MfaRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out login into the lockout page
]

# Request and upload size, enforced while the body streams in (pru_cases.middleware.RequestSizeLimitMiddleware and
# pru_cases.lib.uploads.SizeLimitUploadHandler): a larger request gets a 413 and is never stored. Fields other than
# files stay under Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB). Set the reverse proxy's own body limit to match.
REQUEST_MAX_BYTES = envint("REQUEST_MAX_BYTES", str(6 * 1024 * 1024))
FILE_UPLOAD_MAX_BYTES = envint("FILE_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "pru_cases.lib.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

ROOT_URLCONF = "pru_cases.urls"
WSGI_APPLICATION = "pru_cases.wsgi.application"

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
                "django.template.context_processors.csp",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/pru_cases"),
        conn_max_age=envint("CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
# Every query here is short; PostgreSQL's JIT compiler spent longer compiling the dashboard's per-pupil attendance
# query (about 30 ms at 20,000 pupils) than it saved. Off for our connections only; the server default is untouched.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username + IP before the password is checked
    "accounts.auth_backends.AuthenticationBackend",  # allauth's, loading the agency with the person
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # Django's list of 20,000 common passwords, also with digits and symbols added at either end taken off.
    {"NAME": "accounts.password_validation.CommonPasswordVariantsValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The organisation's and centres' names, the person's own, "pru", "safeguarding"...; repeats and runs of keys.
    {"NAME": "accounts.password_validation.ContextWordsValidator"},
    {"NAME": "accounts.password_validation.PatternPasswordValidator"},
]
# The organisation's name, as staff would guess it into a password ("Millbrook PRU"); the centres' names come from
# the database.
ORGANISATION_NAME = envstr("ORGANISATION_NAME", "")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("PRIVATE_FILES_DIR", str(BASE_DIR / "var" / "private")))
STATIC_MANIFEST = envbool("STATIC_MANIFEST", str(not DEBUG))
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST  # development and tests serve straight from static/
STORAGES = {
    # Generated files (PDFs) are private: no MEDIA_URL, they are served through views that check access.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security headers and cookies.
SECURE_SSL_REDIRECT = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY") else None
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
# __Host- cookies are only accepted by browsers over HTTPS, with no Domain and Path=/.
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Database sessions with their owner, browser and address as columns: each person can list and end their own.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(10 * 60 * 60))  # absolute lifetime: one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Flash messages can name a pupil ("Concern about ... logged."): keep them server-side, not in a signed cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Enforced by pru_cases.middleware.SessionPolicyMiddleware: SESSION_COOKIE_AGE alone slides with every save.
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", str(30 * 60))
SESSION_ABSOLUTE_LIFETIME = envint("SESSION_ABSOLUTE_LIFETIME", str(SESSION_COOKIE_AGE))

# Sign-in: django-allauth (username + password, then a second factor), no self sign-up.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "login"
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,  # django-axes handles failed logins, keyed on username + IP
    "login": "300/m/ip",  # a whole school signs in from one address at 9am
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False  # passkeys are a second factor here, after the password
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = envstr("MFA_TOTP_ISSUER", "pru_cases")
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
# Who must have a second factor before they see any page: everyone unless MFA_REQUIRED_FOR_EVERYONE=False (only
# for a developer's machine or a test run), and then at least MFA_REQUIRED_ROLES.
MFA_REQUIRED_ROLES = envlist("MFA_REQUIRED_ROLES", "dsl,senior_leader,admin")
MFA_REQUIRED_FOR_EVERYONE = envbool("MFA_REQUIRED_FOR_EVERYONE", "True")

# Failed logins (django-axes): lock a username from one address, never a whole school's shared address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pru_cases.security.lockout_response"
AXES_USERNAME_CALLABLE = "pru_cases.security.login_username"
AXES_CLIENT_IP_CALLABLE = "pru_cases.security.client_ip"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Permissions-Policy on every response: every feature off, except passkeys (WebAuthn) on our own origin.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "battery",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
} | {"publickey-credentials-create": ["self"], "publickey-credentials-get": ["self"]}

# Mail: console in development (MAIL_BACKEND), SMTP from the environment in production.
MAIL_BACKEND = envstr("MAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": MAIL_BACKEND,
        "OPTIONS": {
            "host": envstr("SMTP_HOST", "localhost"),
            "port": envint("SMTP_PORT", "587"),
            "username": envstr("SMTP_USER", ""),
            "password": envstr("SMTP_PASSWORD", ""),
            "use_tls": envbool("SMTP_TLS", "True"),
        }
        if MAIL_BACKEND.endswith("smtp.EmailBackend")
        # The file backend (one file per email) lets a separate worker process's mail be read back.
        else {"file_path": envstr("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
        if MAIL_BACKEND.endswith("filebased.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "pru-cases@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery on Redis, set up so that nothing is lost (see SETUP-NOTES in the README's architecture section).
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL

CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "600"),
    "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", "10"),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = False

# Break-glass access to a pupil outside one's scope (pru_cases.security): how long a grant lasts.
BREAK_GLASS_HOURS = envint("BREAK_GLASS_HOURS", "4")
# Told whenever break-glass access is used, besides every active DSL with an email address.
SAFEGUARDING_ALERT_EMAILS = envlist("SAFEGUARDING_ALERT_EMAILS")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Domain settings.
CONCERN_PATTERN_COUNT = envint("CONCERN_PATTERN_COUNT", "3")
CONCERN_PATTERN_DAYS = envint("CONCERN_PATTERN_DAYS", "14")
# A pupil on roll this many calendar days after entry with no Fresh Start interview held is flagged on their page,
# on the pupil list and on the next MDT agenda (14 calendar days: about ten school days).
FRESH_START_FLAG_DAYS = envint("FRESH_START_FLAG_DAYS", "14")
# An escalation (MASH referral, child protection, police) is due back this many working days after it opens.
ESCALATION_DUE_WORKING_DAYS = envint("ESCALATION_DUE_WORKING_DAYS", "3")
LEVEL_OF_NEED_LABELS = {
    1: envstr("LEVEL_1_LABEL", "Universal"),
    2: envstr("LEVEL_2_LABEL", "Additional / early help"),
    3: envstr("LEVEL_3_LABEL", "Complex / team around the family"),
    4: envstr("LEVEL_4_LABEL", "Statutory"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
