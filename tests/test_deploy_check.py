"""Configuration comes from the environment only: production values pass `check --deploy`, and a
misconfiguration stops the start with a message a person can act on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "partners.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://partners.example.com",
    "DATABASE_URL": "postgres://prm@db.internal:5432/prm",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_HOST": "smtp.example.com",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Start from the real environment minus every setting prm reads, so only what the test passes counts.
    ignored = {
        *PRODUCTION,
        "DJANGO_SETTINGS_MODULE",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "EMAIL_PORT",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
    }
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({**PRODUCTION, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({**PRODUCTION, "DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({**PRODUCTION, "DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        (
            {**PRODUCTION, "REDIS_URL": "localhost:6379"},
            "REDIS_URL='localhost:6379' must start with redis://",
        ),
        ({**PRODUCTION, "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
    ],
)
def test_misconfiguration_fails_at_start_with_a_clear_message(env, message):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_bare_machine_defaults_work_with_debug_on():
    result = _manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr
