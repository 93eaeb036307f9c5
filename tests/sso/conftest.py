"""A real OpenID Connect provider for the single sign-on tests: tests/sso/provider/ (django-oauth-toolkit) started
as a second process on 127.0.0.1, with prm registered as its client and a few users of its own."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

# The page fixtures (and the CSP watch) of the e2e suite; the session `browser` is in tests/conftest.py.
from tests.e2e.conftest import CHROMIUM, new_page, no_csp_violations, shot  # noqa: F401

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
PROVIDER_ID = "test-idp"
CLIENT_ID = "prm-staff-sso"
CLIENT_SECRET = "test-client-secret-not-secret"
IDP_PASSWORD = "idp-password-for-tests"
START_TIMEOUT = 20  # seconds for the provider to answer its discovery document

# The provider's people: prm's staff (tests/conftest.py personas), a partner member, a stranger, and a staff member
# whose address the provider does not vouch for.
STAFF_EMAIL = "maya@startup.example.com"
PARTNER_EMAIL = "sam@northwind.example.com"
UNKNOWN_EMAIL = "nobody@startup.example.com"
UNVERIFIED_STAFF_EMAIL = "priya@startup.example.com"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords and str(item.fspath).startswith(str(Path(__file__).parent)):
            item.add_marker(skip)


@dataclass(frozen=True)
class IdentityProvider:
    url: str  # the issuer: http://127.0.0.1:<port>/o

    def provider_settings(self) -> dict:
        """SOCIALACCOUNT_PROVIDERS as prm.settings builds it from SSO_OIDC_* (with this provider's issuer)."""
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": PROVIDER_ID,
                        "name": "Sign in with Test IdP",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.url, "verified_email": False},
                    }
                ],
            }
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _provider_env(state_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"IDP_STATE_DIR": state_dir, "PYTHONPATH": str(PROVIDER_DIR), "PYTHONUNBUFFERED": "1"})
    return env


@pytest.fixture(scope="session")
def identity_provider(live_server):
    pytest.importorskip("oauth2_provider", reason="django-oauth-toolkit is not installed (pip install -e '.[dev]')")
    state_dir = tempfile.mkdtemp(prefix="prm-test-idp-")
    env = _provider_env(state_dir)
    manage = [sys.executable, str(PROVIDER_DIR / "manage.py")]
    users = [STAFF_EMAIL, PARTNER_EMAIL, UNKNOWN_EMAIL, f"{UNVERIFIED_STAFF_EMAIL}:unverified"]
    subprocess.run(
        [
            *manage,
            "setup_idp",
            f"--redirect-uri={live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--password={IDP_PASSWORD}",
            *(f"--user={user}" for user in users),
        ],
        cwd=PROVIDER_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = _free_port()
    log = open(Path(state_dir) / "server.log", "wb")  # noqa: SIM115 -- open for the server's whole life
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"The test identity provider exited: {(Path(state_dir) / 'server.log').read_text()}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"The test identity provider did not answer within {START_TIMEOUT} s")
            time.sleep(0.1)
        yield IdentityProvider(url=issuer)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def sso_settings(settings, identity_provider):
    """prm configured for the test provider, with the staff MFA requirement on (as in production)."""
    settings.SOCIALACCOUNT_PROVIDERS = identity_provider.provider_settings()
    settings.PRM_REQUIRE_MFA_FOR_STAFF = True
    return settings
