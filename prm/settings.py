"""Settings for prm, read from the environment only. See the README's configuration table."""

import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from prm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), or set DEBUG=1 for local development.'
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty. Set it to the host names prm is served on, comma-separated.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# The audit chain's HMAC key (empty: derived from SECRET_KEY with a salt of its own; prm.models.audit_hmac_key).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY") or ""
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR") or VAR_DIR / "audit-checkpoints")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on for staff (prm/sso.py). Always installed: without SSO_OIDC_ISSUER no provider is configured,
    # the sign-in page shows no button and /accounts/oidc/… answers 404.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "prm",
    "partners",
    "dealreg",
    "enablement",
    "mdf",
    "insights",
    "incentives",
    "api",
    "webhooks",
    "imports",
    "leads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "prm.security.ContentSecurityPolicyMiddleware",
    "prm.uploads.UploadLimitMiddleware",
    "prm.request_cache.RequestCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prm.middleware.RequireMFAMiddleware",
    "partners.middleware.AgreementGateMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"

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
                "prm.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL={DATABASE_URL!r} is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or None
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")

if REDIS_URL:
    # Degrades to no cache (logged) when Redis is down: sign-in and pages keep working. Short timeouts so a dead
    # Redis costs a page half a second, not a hang.
    CACHES = {
        "default": {
            "BACKEND": "prm.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None  # no broker: run tasks in-process, so a bare laptop works
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that cannot reach the broker gives up quickly: the notification stays pending and the requeue sweep
# (every 10 minutes) sends it once the broker is back; the request that caused it never fails because of it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_IMPORTS = ("prm.notification_tasks", "prm.audit_tasks")  # modules not named tasks.py (autodiscovery finds those)
CELERY_TIMEZONE = env_str("TIME_ZONE", "UTC")
CELERY_BEAT_SCHEDULE = {
    # The daily reminders sweep: each app registers what it needs reminding about (prm.reminders).
    "reminders-sweep": {"task": "prm.tasks.reminders_sweep", "schedule": crontab(hour=7, minute=0)},
    "notifications-requeue": {"task": "prm.tasks.notifications_requeue", "schedule": crontab(minute="*/10")},
    # Lead offers expire on a business-hours clock: overdue ones move on to the next partner (leads.services).
    "leads-sweep": {"task": "leads.tasks.leads_sweep", "schedule": crontab(minute="*/10")},
    # A signed checkpoint of the audit chain's head, kept outside the database (prm.audit).
    "audit-checkpoint": {"task": "prm.audit_tasks.audit_checkpoint", "schedule": crontab(minute=5)},
    # One email a day listing what people chose to get as a daily summary (once per person and day).
    "notifications-daily-summary": {
        "task": "prm.notification_tasks.send_daily_summaries",
        "schedule": crontab(hour=17, minute=30),
    },
    "tiers-evaluate": {"task": "partners.tasks.tiers_evaluate_nightly", "schedule": crontab(hour=2, minute=30)},
    "onboarding-digest": {
        "task": "partners.tasks.onboarding_weekly_digest",
        "schedule": crontab(day_of_week="mon", hour=7, minute=30),
    },
    # Insights: registration roll-ups kept current (months changed since the last run), rebuilt whole nightly;
    # the channel managers' weekly digest.
    # Webhook deliveries that are due (retries with backoff; also what a broker that was down lost).
    "webhooks-requeue": {"task": "webhooks.tasks.requeue_due", "schedule": crontab(minute="*")},
    "incentives-approve-due": {"task": "incentives.tasks.earnings_approve_due", "schedule": crontab(hour=3, minute=0)},
    "insights-summary-refresh": {"task": "insights.tasks.summary_refresh", "schedule": crontab(minute="*/5")},
    "insights-summary-rebuild": {"task": "insights.tasks.summary_rebuild", "schedule": crontab(hour=2, minute=10)},
    # Partner health stored for the day (the at-risk list, the scorecard's history, movers told to their owner).
    "insights-health-nightly": {"task": "insights.tasks.health_compute_all", "schedule": crontab(hour=2, minute=50)},
    "insights-weekly-digest": {
        "task": "insights.tasks.weekly_digest",
        "schedule": crontab(day_of_week="mon", hour=7, minute=45),
    },
}

# --- Authentication (django-allauth) ----------------------------------------------------------------------------
AUTH_USER_MODEL = "prm.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "prm.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[prm] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per address only: failures per account are counted per account *and* address by prm/login_throttle.py,
    # which slows the failing address down instead of locking the account for everyone.
    "login_failed": "10/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "signup": "20/m/ip",
}
# Second factors: an authenticator app (TOTP) with recovery codes, and security keys / passkeys (WebAuthn), which
# can also sign in on their own.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 during development only
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "prm")
# Staff (channel managers approve deals, MFA and payouts) must set up a second factor before any manager page or
# the admin. On by default unless DEBUG; REQUIRE_MFA_FOR_STAFF=0 turns it off, and `check --deploy` then warns.
PRM_REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", not DEBUG)

# --- Single sign-on for staff (OpenID Connect: Google Workspace, Microsoft Entra ID, Okta…; prm/sso.py) ----------
# Only an existing, active staff account whose email the identity provider vouches for (email_verified) can sign in
# this way; nobody is created, partners keep the email-and-password sign-in. See the README's "Single sign-on".
SSO_OIDC_ISSUER = (env_str("SSO_OIDC_ISSUER") or "").rstrip("/")
SSO_OIDC_PROVIDER_ID = env_str("SSO_OIDC_PROVIDER_ID") or "company"
SSO_OIDC_NAME = env_str("SSO_OIDC_NAME") or "Sign in with your company account"
SOCIALACCOUNT_ADAPTER = "prm.sso.StaffSSOAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the provider verified the address; prm.sso refuses any it did not
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # prm.sso matches staff by email itself, without allauth's password wipe
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
if SSO_OIDC_ISSUER:
    _sso_missing = [name for name in ("SSO_OIDC_CLIENT_ID", "SSO_OIDC_SECRET") if not env_str(name)]
    if _sso_missing:
        raise ImproperlyConfigured(
            f"SSO_OIDC_ISSUER is set but {' and '.join(_sso_missing)} {'is' if len(_sso_missing) == 1 else 'are'} "
            "not: set the client id and secret of the application registered at the identity provider, or unset "
            "SSO_OIDC_ISSUER to turn single sign-on off."
        )
    if not SSO_OIDC_ISSUER.startswith("https://") and not (DEBUG and SSO_OIDC_ISSUER.startswith("http://")):
        raise ImproperlyConfigured(
            f"SSO_OIDC_ISSUER={SSO_OIDC_ISSUER!r} must be an https:// URL (http:// only with DEBUG=1), e.g. "
            "https://accounts.google.com or https://login.microsoftonline.com/<tenant id>/v2.0."
        )
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", SSO_OIDC_PROVIDER_ID):
        raise ImproperlyConfigured(
            f"SSO_OIDC_PROVIDER_ID={SSO_OIDC_PROVIDER_ID!r} must be lowercase letters, digits, '-' or '_' (it is "
            "part of the redirect URI registered at the identity provider)."
        )
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": SSO_OIDC_PROVIDER_ID,
            "name": SSO_OIDC_NAME,
            "client_id": env_str("SSO_OIDC_CLIENT_ID"),
            "secret": env_str("SSO_OIDC_SECRET"),
            "settings": {
                "server_url": SSO_OIDC_ISSUER,
                # Providers that send no email_verified claim (Microsoft Entra ID): addresses at these domains,
                # which your directory owns, count as verified.
                "verified_email": env_list("SSO_OIDC_TRUSTED_EMAIL_DOMAINS", []) or False,
            },
        }
    ]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Money is shown in this currency where no other is given (tier revenue requirements, reports).
PRM_CURRENCY = env_str("PRM_CURRENCY", "USD")

# Spam resistance of the public "Become a partner" form.
PRM_APPLICATIONS_PER_IP_PER_HOUR = env_int("APPLICATIONS_PER_IP_PER_HOUR", 5)

# --- Invitations ------------------------------------------------------------------------------------------------
PRM_INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# Days before a certification's expiry when its holder and partner admins are reminded, e.g. "60,30,7".
_cert_days = env_list("CERTIFICATION_REMINDER_DAYS", ["60", "30", "7"])
if not all(day.isdigit() and int(day) > 0 for day in _cert_days):
    raise ImproperlyConfigured(
        f"CERTIFICATION_REMINDER_DAYS={','.join(_cert_days)!r} must be positive whole numbers, comma-separated."
    )
PRM_CERTIFICATION_REMINDER_DAYS = [int(day) for day in _cert_days]

# --- Email ------------------------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "prm <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Uploaded documents and proof of performance: never under a served URL; views check access, then stream them.
PRIVATE_MEDIA_ROOT = env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private"))
# Requests per API token: "<count>/<s|m|h>" (a fixed window; 429 with Retry-After beyond it).
API_RATE_LIMIT = env_str("API_RATE_LIMIT") or "120/m"
# Webhooks refuse private, loopback and link-local addresses unless this is on (a receiver on your own network).
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False)
PRM_MAX_UPLOAD_MB = env_int("PRM_MAX_UPLOAD_MB", 20)
# An upload over the limit is refused while it streams (prm/uploads.py): the handler stops at the limit, files
# under 2.5 MB stay in memory, larger ones go to a temporary file; the other fields of a form are capped too.
FILE_UPLOAD_HANDLERS = [
    "prm.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of non-file form data (Django's default, stated)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production defaults; DEBUG relaxes them for local http) ------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # In-process (eager) tasks would log every run on the console of `make run`.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}
