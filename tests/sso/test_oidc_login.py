"""Single sign-on for staff against a real OpenID Connect provider (tests/sso/provider, a second process on
127.0.0.1): the whole authorization-code flow with PKCE in chromium, from prm's sign-in page to the provider's login
form and back through the callback. Few tests, each a journey: every live-server test pays for a database flush."""

from urllib.parse import unquote

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session

from prm.models import AuditEvent, User
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

BUTTON = "Sign in with Test IdP"


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
    with page.expect_navigation():  # through prm, the provider's authorize endpoint and its redirects
        page.get_by_role("button", name=BUTTON).click()
    if not page.url.startswith(base_url):  # at the provider: its sign-in form (once per browser session)
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", IDP_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in to the identity provider").click()
    assert page.url.startswith(base_url)
    assert "/oidc/" not in page.url


def test_staff_member_signs_in_with_the_company_account(
    live_server, new_page, shot, sso_settings, channel_manager, partner_a
):
    base = live_server.url
    page = new_page()
    sso_sign_in(page, base, STAFF_EMAIL)

    # Staff MFA is required and the account has no authenticator, yet the provider's sign-in lets them through.
    response = page.goto(f"{base}/manage/")
    assert response.status == 200
    assert page.url == f"{base}/manage/"
    shot(page, "sso-signed-in-manage")
    assert _session_of(channel_manager)[SESSION_KEY]["provider"] == PROVIDER_ID
    [account] = SocialAccount.objects.filter(user=channel_manager)
    assert account.provider == PROVIDER_ID
    assert account.extra_data["userinfo"]["email"] == STAFF_EMAIL
    [connected] = AuditEvent.objects.filter(verb="auth.sso_connected", target_id=str(channel_manager.pk))
    assert connected.after["subject"] == account.uid
    assert AuditEvent.objects.filter(verb="auth.sso_signed_in", actor=channel_manager).count() == 1

    # Signed out and back in: the connected account is found by the provider's subject, not connected twice.
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    sso_sign_in(page, base, STAFF_EMAIL)
    assert page.goto(f"{base}/manage/").status == 200
    assert page.url == f"{base}/manage/"
    assert SocialAccount.objects.filter(user=channel_manager).count() == 1
    assert AuditEvent.objects.filter(verb="auth.sso_signed_in", actor=channel_manager).count() == 2

    # The same person signing in with a password is a password session: the authenticator setup comes first.
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    sign_in(page, base, channel_manager.email)
    page.wait_for_url(lambda url: "2fa/totp/activate" in unquote(url))  # (after allauth's reauthentication)
    page.goto(f"{base}/manage/")
    assert "2fa/totp/activate/?required=staff" in unquote(page.url)
    assert SESSION_KEY not in _session_of(channel_manager)


def test_anyone_but_known_staff_is_refused_and_partners_keep_the_local_sign_in(
    live_server, browser, new_page, shot, sso_settings, partner_a_seller, program_admin
):
    base = live_server.url
    refusals = {
        UNKNOWN_EMAIL: f"There is no staff account in prm for {UNKNOWN_EMAIL}.",
        PARTNER_EMAIL: "Single sign-on is for the startup's staff.",
        # A staff member's address that the provider does not vouch for (email_verified false).
        UNVERIFIED_STAFF_EMAIL: "did not confirm that the email address of your account is verified",
    }
    pages = {}
    for email, message in refusals.items():
        page = pages[email] = new_page()  # a browser of its own: the provider's session is per person
        sso_sign_in(page, base, email)
        assert page.url == f"{base}/accounts/login/", email
        assert message in page.locator(".messages").inner_text(), email
        shot(page, f"sso-refused-{email.partition('@')[0]}")
        page.goto(f"{base}/manage/")
        assert "/accounts/login/" in page.url, email  # not signed in

    assert not SocialAccount.objects.exists()
    assert not User.objects.filter(email=UNKNOWN_EMAIL).exists()  # nobody is created
    # The refusal of a known account is in its audit trail; a stranger's only in the log.
    [refused] = AuditEvent.objects.filter(verb="auth.sso_refused")
    assert refused.target_id == str(partner_a_seller.pk)
    assert refused.after["why"] == "partner"
    assert not AuditEvent.objects.filter(verb__startswith="auth.sso_", target_id=str(program_admin.pk)).exists()

    # The partner member, refused above, signs in with a password as before.
    page = pages[PARTNER_EMAIL]
    sign_in(page, base, partner_a_seller.email)
    page.wait_for_url(f"{base}/portal/**")
    assert SESSION_KEY not in _session_of(partner_a_seller)

    # The sign-in page with its button fits a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        small = phone.new_page()
        small.goto(f"{base}/accounts/login/")
        box = small.get_by_role("button", name=BUTTON).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        shot(small, "sso-login-page-phone")
    finally:
        phone.close()
