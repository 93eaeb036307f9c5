"""One login for three audiences: where people land, who may sign up, rate limits, MFA and the admin."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import override_settings

from tests.factories import PASSWORD, UserFactory


def _login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_channel_manager_lands_on_manage(client, channel_manager):
    response = _login(client, channel_manager.email)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/manage/"


def test_partner_user_lands_on_portal(client, partner_a_seller):
    response = _login(client, partner_a_seller.email)
    assert client.get(response["Location"])["Location"] == "/portal/"


def test_login_is_by_email_and_case_insensitive(client, partner_a_seller):
    response = _login(client, partner_a_seller.email.upper())
    assert response.status_code == 302


def test_user_without_a_role_gets_a_clear_page(client, db):
    user = UserFactory(email="drifter@example.com")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"nothing here for you yet" in response.content
    assert b"ask your company" in response.content.lower()


def test_staff_outside_the_channel_managers_group_is_not_a_manager(client, db):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    assert client.get("/manage/").status_code == 404
    assert client.get("/").status_code == 403


def test_signup_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content or b"closed" in response.content.lower()
    client.post("/accounts/signup/", {"email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD})
    from prm.models import User

    assert not User.objects.filter(email="x@example.com").exists()


def test_unverified_email_must_be_verified_before_signing_in(client, db):
    user = UserFactory(email="fresh@example.com")
    user.emailaddress_set.update(verified=False)
    response = _login(client, user.email)
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]
    assert any("fresh@example.com" in m.to for m in mail.outbox)
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, partner_a_seller):
    response = client.post("/accounts/password/reset/", {"email": partner_a_seller.email})
    assert response.status_code == 302
    assert [partner_a_seller.email] in [m.to for m in mail.outbox]


def test_failed_logins_slow_down_the_failing_address(client, partner_a_seller):
    """Failures from one address make that address wait (prm/login_throttle.py); see tests/prm/test_login_throttle.py
    for the owner signing in from elsewhere, the doubling waits, the mail and the unlock link."""
    pages = [_login(client, partner_a_seller.email, "wrong-password").content for _ in range(4)]
    assert b"not correct" in pages[0]
    assert b"Too many failed sign-ins for this account from your network" in pages[-1]
    # While the wait holds, even the right password from this address is refused (and not checked).
    response = _login(client, partner_a_seller.email)
    assert response.status_code == 200
    assert b"Try again in" in response.content
    assert "_auth_user_id" not in client.session


def test_admin_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_admin_is_for_staff_only(client, partner_a_admin):
    client.force_login(partner_a_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def _reauthenticate(client):
    """allauth asks for the password again before security changes such as setting up MFA."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def test_mfa_is_available_to_partner_users(client, partner_a_seller):
    _login(client, partner_a_seller.email)
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    _reauthenticate(client)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert b"secret" in response.content.lower() or b"authenticator" in response.content.lower()


@override_settings(PRM_REQUIRE_MFA_FOR_STAFF=True)
def test_staff_must_set_up_mfa_when_required(client, channel_manager):
    _login(client, channel_manager.email)
    manager_client = client
    response = manager_client.get("/manage/partners/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    _reauthenticate(manager_client)
    assert manager_client.get(response["Location"]).status_code == 200  # the setup page itself is reachable
    Authenticator.objects.create(user=channel_manager, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert manager_client.get("/manage/partners/").status_code == 200


@override_settings(PRM_REQUIRE_MFA_FOR_STAFF=True)
def test_mfa_requirement_does_not_touch_partner_users(seller_client_a):
    assert seller_client_a.get("/portal/").status_code == 200


def test_staff_mfa_is_on_by_default_without_debug_and_check_deploy_warns_when_off():
    from tests.test_deploy_check import PRODUCTION, _manage

    show = "from django.conf import settings; print(settings.PRM_REQUIRE_MFA_FOR_STAFF)"
    assert _manage("shell", "-c", show, **PRODUCTION).stdout.strip().endswith("True")
    assert _manage("shell", "-c", show, DEBUG="1").stdout.strip().endswith("False")
    result = _manage("check", "--deploy", **PRODUCTION, REQUIRE_MFA_FOR_STAFF="0")
    assert "prm.W001" in result.stderr + result.stdout
    assert "REQUIRE_MFA_FOR_STAFF is off" in result.stderr + result.stdout


@override_settings(PRM_REQUIRE_MFA_FOR_STAFF=True)
def test_a_security_key_counts_as_a_second_factor(client, channel_manager):
    _login(client, channel_manager.email)
    assert client.get("/manage/partners/").status_code == 302
    Authenticator.objects.create(user=channel_manager, type=Authenticator.Type.WEBAUTHN, data={})
    assert client.get("/manage/partners/").status_code == 200


def test_partner_admins_can_require_mfa_for_their_company(
    client, admin_client_a, partner_a, partner_a_seller, partner_b_user, django_capture_on_commit_callbacks
):
    from prm.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post("/portal/team/mfa/", {"require_mfa": "on"})
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.require_mfa
    assert AuditEvent.objects.filter(verb="partner.mfa_required", partner=partner_a).exists()
    assert any(m.to == [partner_a_seller.email] and "requires two-factor" in m.subject for m in mail.outbox)
    # The seller is sent to set it up before any page; the setup page says why.
    client.force_login(partner_a_seller)
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?required=partner"
    # Another partner's people are untouched.
    client.force_login(partner_b_user)
    assert client.get("/portal/").status_code == 200


def test_only_partner_admins_change_the_mfa_requirement(seller_client_a, partner_a):
    response = seller_client_a.post("/portal/team/mfa/", {"require_mfa": "on"})
    assert response.status_code == 403
    partner_a.refresh_from_db()
    assert not partner_a.require_mfa
