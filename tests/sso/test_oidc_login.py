"""Single sign-on for staff against a real OpenID Connect provider (tests/sso/provider, a second process on
127.0.0.1): the whole authorization-code flow with PKCE in chromium, from prm's sign-in page to the provider's login
form and back through the callback."""

from urllib.parse import unquote

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session

from prm.models import AuditEvent
from prm.sso import SESSION_KEY
from tests.e2e.test_journeys import sign_in
from tests.sso.conftest import (
    IDP_PASSWORD,
    PARTNER_EMAIL,
    PROVIDER_ID,
    STAFF_EMAIL,
    UNKNOWN_EMAIL,
    UNVERIFIED_STAFF_EMAIL,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _session_of(user) -> dict:
    [data] = [
        data
        for data in (session.get_decoded() for session in Session.objects.all())
        if data.get("_auth_user_id") == str(user.pk)
    ]
    return data


def sso_sign_in(page, base_url: str, email: str) -> None:
    """Press the SSO button on prm's sign-in page and, if the provider asks, sign in there as `email`."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Test IdP").click()
    page.wait_for_load_state()
    if "/login/" in page.url and "Test identity provider" in page.content():
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", IDP_PASSWORD)
        page.get_by_role("button", name="Sign in to the identity provider").click()
    page.wait_for_url(lambda url: url.startswith(base_url) and "/oidc/" not in url)


def test_staff_member_signs_in_with_the_company_account(
    live_server, new_page, shot, sso_settings, channel_manager, partner_a
):
    base = live_server.url
    page = new_page()
    sso_sign_in(page, base, STAFF_EMAIL)

    # Staff MFA is required, the account has no authenticator, yet the provider's sign-in lets them through.
    response = page.goto(f"{base}/manage/")
    assert response.status == 200
    assert page.url == f"{base}/manage/", page.url
    shot(page, "sso-signed-in-manage")
    assert _session_of(channel_manager)[SESSION_KEY]["provider"] == PROVIDER_ID
    [account] = SocialAccount.objects.filter(user=channel_manager)
    assert account.provider == PROVIDER_ID
    verbs = list(AuditEvent.objects.filter(target_id=str(channel_manager.pk)).values_list("verb", flat=True))
    assert "auth.sso_connected" in verbs
    assert "auth.sso_signed_in" in verbs

    # Signed out and back in: the connected account is found by the provider's subject, not connected twice.
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    sso_sign_in(page, base, STAFF_EMAIL)
    page.goto(f"{base}/manage/")
    assert page.url == f"{base}/manage/"
    assert SocialAccount.objects.filter(user=channel_manager).count() == 1
    assert AuditEvent.objects.filter(verb="auth.sso_signed_in", target_id=str(channel_manager.pk)).count() == 2


def test_the_same_staff_member_signing_in_with_a_password_must_still_set_up_mfa(
    live_server, new_page, sso_settings, channel_manager
):
    page = new_page()
    sign_in(page, live_server.url, channel_manager.email)
    # Sent to the authenticator setup (which first asks for the password again: allauth's reauthentication).
    page.wait_for_url(lambda url: "2fa/totp/activate" in unquote(url))
    page.goto(f"{live_server.url}/manage/")
    assert "2fa/totp/activate/?required=staff" in unquote(page.url)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (UNKNOWN_EMAIL, f"There is no staff account in prm for {UNKNOWN_EMAIL}."),
        (PARTNER_EMAIL, "Single sign-on is for the startup's staff."),
        (UNVERIFIED_STAFF_EMAIL, "did not confirm that the email address of your account is verified"),
    ],
    ids=["unknown", "partner-member", "unverified"],
)
def test_anyone_but_known_staff_is_refused_with_a_message(
    live_server, new_page, shot, sso_settings, partner_a_seller, program_admin, email, message
):
    base = live_server.url
    page = new_page()
    sso_sign_in(page, base, email)

    assert page.url == f"{base}/accounts/login/"
    assert message in page.locator(".messages").inner_text()
    shot(page, f"sso-refused-{email.partition('@')[0]}")
    page.goto(f"{base}/manage/")
    assert "/accounts/login/" in page.url  # not signed in
    assert not SocialAccount.objects.exists()
    # Nobody was created for the stranger; a refused known account is in the audit trail.
    assert not type(partner_a_seller).objects.filter(email=UNKNOWN_EMAIL).exists()
    refused = AuditEvent.objects.filter(verb="auth.sso_refused")
    if email == PARTNER_EMAIL:
        [event] = refused
        assert event.target_id == str(partner_a_seller.pk)
        assert event.after["why"] == "partner"
    else:
        assert not refused.exists()


def test_partners_keep_the_local_sign_in(live_server, new_page, shot, sso_settings, partner_a_seller):
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("button", name="Sign in with Test IdP").is_visible()
    shot(page, "sso-login-page")
    sign_in(page, live_server.url, partner_a_seller.email)
    page.wait_for_url(f"{live_server.url}/portal/**")
    assert SESSION_KEY not in _session_of(partner_a_seller)  # a password session is no SSO session


def test_login_page_fits_a_phone(live_server, browser, shot, sso_settings):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        button = page.get_by_role("button", name="Sign in with Test IdP")
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "sso-login-page-phone")
    finally:
        context.close()
