"""Failed sign-ins an attacker cannot turn against the owner (issue 19, item 2): counted per account and address,
slowed down rather than locked, the right password from an address that has not failed gets through, the owner is
emailed after repeated failures with a link that lifts the waits, and each throttle is in the audit trail."""

import re

import pytest
from django.core import mail

from prm import login_throttle
from prm.models import AuditEvent, Notification
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD, ip="198.51.100.7"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_from_one_address_do_not_stop_the_owner_elsewhere(client, partner_a_seller):
    for _ in range(5):
        _login(client, partner_a_seller.email, "wrong-password", ip="203.0.113.66")
    response = _login(client, partner_a_seller.email, ip="198.51.100.7")  # the owner, at the office
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(partner_a_seller.pk)


def test_the_failing_address_waits_longer_after_each_failure(client, partner_a_seller, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(login_throttle.time, "time", lambda: clock[0])
    email, attacker = partner_a_seller.email, "203.0.113.66"
    for _ in range(3):  # three free failures
        assert b"not correct" in _login(client, email, "wrong", ip=attacker).content
    assert login_throttle.wait_seconds(email, attacker) == 2
    assert b"Try again in 2 seconds" in _login(client, email, "wrong", ip=attacker).content  # refused, not counted
    clock[0] += 2
    assert b"not correct" in _login(client, email, "wrong", ip=attacker).content  # the 4th real failure
    assert login_throttle.wait_seconds(email, attacker) == 4
    clock[0] += 4
    _login(client, email, "wrong", ip=attacker)
    assert login_throttle.wait_seconds(email, attacker) == 8
    assert [login_throttle.delay_for(n) for n in (2, 3, 4, 5, 12, 30)] == [0, 2, 4, 8, 900, 900]
    # Once the wait is over, the right password from that address signs in and forgets its failures.
    clock[0] += 8
    assert _login(client, email, ip=attacker).status_code == 302
    assert login_throttle.wait_seconds(email, attacker) == 0


def test_a_throttle_is_recorded_in_the_audit_trail(client, partner_a_seller):
    for _ in range(3):
        _login(client, partner_a_seller.email, "wrong", ip="203.0.113.66")
    [event] = AuditEvent.objects.filter(verb="auth.sign_in_throttled")
    assert event.target_id == str(partner_a_seller.pk)
    assert "3 failed sign-ins from 203.0.113.66" in event.reason


def test_the_owner_is_emailed_after_ten_failures_and_the_link_lifts_the_waits(
    client, partner_a_seller, django_capture_on_commit_callbacks
):
    email = partner_a_seller.email
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(login_throttle.OWNER_ALERT_AT + 2):  # from many addresses, each under its own limit
            _login(client, email, "wrong", ip=f"203.0.113.{n % 4 + 1}")
    [alert] = Notification.objects.filter(template="security_sign_in_failures")  # once, not per failure
    assert alert.recipient == partner_a_seller
    [message] = [m for m in mail.outbox if m.to == [email]]
    assert "10 failed sign-ins" in message.subject
    link = re.search(r"http://\S+/accounts/unlock/(\S+)/", message.body)
    assert link is not None
    unlock = f"/accounts/unlock/{link.group(1)}/"
    assert login_throttle.wait_seconds(email, "203.0.113.1") > 0
    assert client.get(unlock).status_code == 200  # a mail scanner following the link changes nothing
    assert login_throttle.wait_seconds(email, "203.0.113.1") > 0
    response = client.post(unlock)
    assert response.status_code == 302
    assert login_throttle.wait_seconds(email, "203.0.113.1") == 0
    assert _login(client, email, ip="203.0.113.1").status_code == 302


def test_a_bad_unlock_link_changes_nothing(client, partner_a_seller):
    for _ in range(4):
        _login(client, partner_a_seller.email, "wrong", ip="203.0.113.66")
    response = client.post("/accounts/unlock/not-a-token/")
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert login_throttle.wait_seconds(partner_a_seller.email, "203.0.113.66") > 0


def test_unknown_addresses_are_throttled_the_same_and_nobody_is_told(client, db):
    for _ in range(12):
        _login(client, "nobody@example.com", "wrong", ip="203.0.113.66")
    assert login_throttle.wait_seconds("nobody@example.com", "203.0.113.66") > 0
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(verb="auth.sign_in_throttled").exists()
