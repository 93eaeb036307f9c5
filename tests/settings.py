"""Test settings: the real settings, with the environment the suite needs. DATABASE_URL and REDIS_URL come from
the environment (PostgreSQL and Redis in CI); without them the suite runs on SQLite with eager tasks."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from prm.settings import *  # noqa: F403
from prm.settings import REDIS_URL

# pytest-xdist: each worker process gets its own Redis database (gw0 -> 1, gw1 -> 2, ...), so a real Celery worker
# started by one test process never takes the tasks another process queued.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{int(_XDIST_WORKER[2:]) + 1}"))

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; never for real passwords
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploads go to a throwaway directory per run.
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="prm-test-private-")
# Audit checkpoints of the test databases, never compared with those a developer's beat wrote for theirs.
AUDIT_CHECKPOINT_DIR = tempfile.mkdtemp(prefix="prm-test-audit-checkpoints-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process in tests unless a test starts a real worker (tests/test_celery_roundtrip.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Staff MFA is on by default without DEBUG; the suite signs managers in directly, and tests/test_auth.py turns the
# requirement on where it is the subject.
PRM_REQUIRE_MFA_FOR_STAFF = False
# Each test starts with fresh rate-limit counters.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 -- whitenoise warns about a missing directory
