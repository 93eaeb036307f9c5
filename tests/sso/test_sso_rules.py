"""Single sign-on without a browser: the configuration read from the environment, who may sign in (prm.sso), the
sign-in page and its Content-Security-Policy, and the staff MFA requirement for an SSO session."""

import importlib.util
from pathlib import Path

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from prm import sso
from prm.models import User
from tests.factories import ChannelManagerFactory, UserFactory

SETTINGS_FILE = Path(sso.__file__).resolve().parent / "settings.py"
ISSUER = "https://idp.example.com/tenant-1"


def _load_settings(monkeypatch, **env: str):
    """prm/settings.py executed afresh (under another module name) with `env` added to the environment."""
    for name in ("SSO_OIDC_ISSUER", "SSO_OIDC_CLIENT_ID", "SSO_OIDC_SECRET", "SSO_OIDC_PROVIDER_ID", "SSO_OIDC_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SSO_OIDC_TRUSTED_EMAIL_DOMAINS", raising=False)
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("ALLOWED_HOSTS", "prm.example.com")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("prm_settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sso_is_off_unless_an_issuer_is_set(monkeypatch):
    loaded = _load_settings(monkeypatch)
    assert loaded.SOCIALACCOUNT_PROVIDERS == {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}


def test_the_environment_configures_one_provider(monkeypatch):
    loaded = _load_settings(
        monkeypatch,
        SSO_OIDC_ISSUER=ISSUER + "/",
        SSO_OIDC_CLIENT_ID="client-1",
        SSO_OIDC_SECRET="secret-1",
        SSO_OIDC_TRUSTED_EMAIL_DOMAINS="startup.example.com, startup.example.org",
    )
    [app] = loaded.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    assert app == {
        "provider_id": "company",
        "name": "Sign in with your company account",
        "client_id": "client-1",
        "secret": "secret-1",
        "settings": {"server_url": ISSUER, "verified_email": ["startup.example.com", "startup.example.org"]},
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SSO_OIDC_ISSUER": ISSUER}, "SSO_OIDC_CLIENT_ID and SSO_OIDC_SECRET are not"),
        ({"SSO_OIDC_ISSUER": ISSUER, "SSO_OIDC_CLIENT_ID": "c"}, "SSO_OIDC_SECRET is not"),
        (
            {"SSO_OIDC_ISSUER": "http://idp.example.com", "SSO_OIDC_CLIENT_ID": "c", "SSO_OIDC_SECRET": "s"},
            "must be an https:// URL",
        ),
        (
            {"SSO_OIDC_ISSUER": ISSUER, "SSO_OIDC_CLIENT_ID": "c", "SSO_OIDC_SECRET": "s", "SSO_OIDC_PROVIDER_ID": "A"},
            "must be lowercase letters",
        ),
    ],
    ids=["nothing-but-the-issuer", "no-secret", "plain-http", "bad-provider-id"],
)
def test_a_half_configuration_fails_fast_with_a_message(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        _load_settings(monkeypatch, **env)


def _configure(settings, **app_settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "test-idp",
                    "name": "Sign in with Test IdP",
                    "client_id": "prm",
                    "secret": "s",
                    "settings": {"server_url": "https://idp.example.com/o", **app_settings},
                }
            ],
        }
    }


def test_without_sso_the_sign_in_page_has_no_button_and_the_provider_urls_are_404(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"sso-sign-in" not in response.content
    assert "idp.example.com" not in response["Content-Security-Policy"]
    assert client.post("/accounts/oidc/company/login/").status_code == 404


def test_with_sso_the_sign_in_page_offers_it_and_lets_its_form_reach_the_provider(client, db, settings):
    _configure(settings)
    response = client.get("/accounts/login/?next=/manage/deals/")
    page = response.content.decode()
    assert "Sign in with Test IdP" in page
    assert 'action="/accounts/oidc/test-idp/login/?process=login&amp;next=%2Fmanage%2Fdeals%2F"' in page
    assert "form-action 'self' https://idp.example.com;" in response["Content-Security-Policy"]
    # Other pages keep the plain policy.
    assert "idp.example.com" not in client.get("/apply/")["Content-Security-Policy"]


def test_a_provider_error_returns_to_the_sign_in_page_with_a_message(client, db, settings):
    _configure(settings)
    response = client.get("/accounts/oidc/test-idp/login/callback/?error=server_error&state=unknown", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "The company sign-in did not complete" in response.content.decode()


def _provider_login(settings, claims: dict, **app_settings):
    """A SocialLogin as the callback builds it from the provider's userinfo answer, looked up like allauth does."""
    _configure(settings, **app_settings)
    request = RequestFactory().get("/accounts/oidc/test-idp/login/callback/")
    provider = get_adapter().get_provider(request, "test-idp")
    sociallogin = provider.sociallogin_from_response(request, {"userinfo": {"sub": "subject-1", **claims}})
    sociallogin.lookup()
    return sociallogin


def test_only_an_active_staff_account_with_the_verified_address_qualifies(db, settings, partner_a_seller):
    manager = ChannelManagerFactory(email="maya@startup.example.com")
    login = _provider_login(settings, {"email": "Maya@Startup.example.com", "email_verified": True})
    assert sso.staff_account_for(login) == manager

    cases = {
        "unverified": {"email": "maya@startup.example.com", "email_verified": False},
        "unknown": {"email": "nobody@startup.example.com", "email_verified": True},
        "partner": {"email": partner_a_seller.email, "email_verified": True},
    }
    for why, claims in cases.items():
        with pytest.raises(sso.SSORefused) as refused:
            sso.staff_account_for(_provider_login(settings, claims))
        assert refused.value.why == why

    UserFactory(email="former@startup.example.com", is_staff=True, is_active=False)
    UserFactory(email="plain@startup.example.com", is_staff=False)
    for email, why in [("former@startup.example.com", "inactive"), ("plain@startup.example.com", "not_staff")]:
        with pytest.raises(sso.SSORefused) as refused:
            sso.staff_account_for(_provider_login(settings, {"email": email, "email_verified": True}))
        assert refused.value.why == why
        assert refused.value.user == User.objects.get(email=email)


def test_a_provider_without_email_verified_is_trusted_only_for_listed_domains(db, settings):
    manager = ChannelManagerFactory(email="maya@startup.example.com")
    claims = {"email": "maya@startup.example.com"}  # Entra ID sends no email_verified
    with pytest.raises(sso.SSORefused):
        sso.staff_account_for(_provider_login(settings, claims))
    login = _provider_login(settings, claims, verified_email=["startup.example.com"])
    assert sso.staff_account_for(login) == manager
    login = _provider_login(settings, {"email": "maya@elsewhere.example.com"}, verified_email=["startup.example.com"])
    with pytest.raises(sso.SSORefused):
        sso.staff_account_for(login)


def test_a_subject_connected_to_one_account_cannot_sign_in_to_another(db, settings):
    first = ChannelManagerFactory(email="maya@startup.example.com")
    ChannelManagerFactory(email="priya@startup.example.com")
    SocialAccount.objects.create(user=first, provider="test-idp", uid="subject-1")
    login = _provider_login(settings, {"email": "priya@startup.example.com", "email_verified": True})
    with pytest.raises(sso.SSORefused) as refused:
        sso.staff_account_for(login)
    assert refused.value.why == "other_account"


@pytest.fixture
def staff_client(client, channel_manager, settings):
    settings.PRM_REQUIRE_MFA_FOR_STAFF = True
    client.force_login(channel_manager)
    return client


def _mark_session(client, user_pk: int) -> None:
    session = client.session
    session[sso.SESSION_KEY] = {"user": user_pk, "provider": "test-idp", "at": 0}
    session.save()


def test_an_sso_session_satisfies_the_staff_mfa_requirement(staff_client, channel_manager):
    response = staff_client.get("/manage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    _mark_session(staff_client, channel_manager.pk)
    assert staff_client.get("/manage/").status_code == 200


def test_a_mark_left_by_someone_else_counts_for_nothing(staff_client, channel_manager):
    _mark_session(staff_client, channel_manager.pk + 1000)
    assert staff_client.get("/manage/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_partner_members_who_must_use_mfa_are_not_excused_by_a_mark(client, partner_a_seller, partner_a):
    partner_a.require_mfa = True
    partner_a.save(update_fields=["require_mfa"])
    client.force_login(partner_a_seller)
    _mark_session(client, partner_a_seller.pk)
    assert client.get("/portal/")["Location"].startswith("/accounts/2fa/totp/activate/")
