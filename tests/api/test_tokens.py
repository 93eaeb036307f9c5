"""Tokens: stored hashed and shown once, refused when unknown, revoked or expired (401 JSON), tied to their owner's
access, rate limited per token (429 with Retry-After), and the management command."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from api import services
from api.models import ApiToken
from partners.models import PartnerMembership
from prm.models import AuditEvent

LIST = "/api/v1/deal-registrations"


def test_plaintext_is_never_stored_only_the_hash_of_its_secret(partner_a_admin, partner_a):
    token, plaintext = services.token_create(actor=partner_a_admin, user=partner_a_admin, name="  CRM   sync ")
    marker, prefix, secret = plaintext.split("_", 2)
    assert marker == "prm"
    assert prefix == token.prefix
    assert len(prefix) == 8
    assert len(secret) >= 40
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not [value for value in row.values() if isinstance(value, str) and secret in value]
    assert token.name == "CRM sync"
    assert token.partner == partner_a  # a partner member's token acts in its partner
    event = AuditEvent.objects.get(verb="api_token.created", target_id=str(token.pk))
    assert event.partner_id == partner_a.pk
    assert secret not in str(event.after)
    assert event.after["prefix"] == prefix


def test_a_channel_managers_token_is_a_staff_token(channel_manager):
    token, _ = services.token_create(actor=channel_manager, user=channel_manager, name="CRM")
    assert token.partner is None


def test_a_user_with_no_access_gets_no_token(db):
    from tests.factories import UserFactory

    with pytest.raises(ValidationError, match="neither a channel manager nor a member"):
        services.token_create(actor=None, user=UserFactory(), name="x")


def test_names_and_expiry_are_checked(partner_a_admin):
    with pytest.raises(ValidationError, match="Give the token a name"):
        services.token_create(actor=partner_a_admin, user=partner_a_admin, name="   ")
    with pytest.raises(ValidationError, match="in the future"):
        services.token_create(
            actor=partner_a_admin, user=partner_a_admin, name="x", expires_at=timezone.now() - timedelta(minutes=1)
        )


def test_a_working_token_reads_and_records_its_use_once_a_minute(api_a, partner_a_admin):
    assert api_a.get(LIST).status_code == 200
    token = ApiToken.objects.get(user=partner_a_admin)
    first_use = token.last_used_at
    assert first_use is not None
    assert api_a.get(LIST).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not written again within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    assert api_a.get(LIST).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Send your API token"),
        ("Basic dXNlcjpwYXNz", "Use the Bearer scheme"),
        ("Bearer nonsense", "This is not an API token"),
        ("Bearer prm_abcdefgh_wrongsecretwrongsecretwrongsecret", "Unknown API token."),
    ],
)
def test_missing_or_unknown_tokens_get_401_json(api_anonymous, admin_a_token, header, detail):
    headers = {"Authorization": header} if header else {}
    response = api_anonymous.client.get(LIST, headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"].startswith(detail)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_right_prefix_with_a_wrong_secret_is_unknown(api_anonymous, admin_a_token):
    prefix = admin_a_token.split("_")[1]
    response = api_anonymous.get(LIST, token=f"prm_{prefix}_{'x' * 43}")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown API token."}


def test_a_revoked_token_gets_401(api_a, partner_a_admin, partner_a):
    token = ApiToken.objects.get(user=partner_a_admin)
    services.token_revoke(actor=partner_a_admin, token=token)
    response = api_a.get(LIST)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token was revoked."}
    event = AuditEvent.objects.get(verb="api_token.revoked", target_id=str(token.pk))
    assert event.partner_id == partner_a.pk
    with pytest.raises(ValidationError, match="already revoked"):
        services.token_revoke(actor=partner_a_admin, token=token)


def test_an_expired_token_gets_401(api_a, partner_a_admin):
    ApiToken.objects.filter(user=partner_a_admin).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_a.get(LIST)
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token has expired."}


def test_a_token_stops_working_when_its_owner_leaves_the_company(api_a, partner_a_admin):
    PartnerMembership.objects.filter(user=partner_a_admin).update(is_active=False)
    response = api_a.get(LIST)
    assert response.status_code == 401
    assert "no longer a member" in response.json()["detail"]


def test_a_staff_token_stops_working_when_its_owner_is_no_longer_a_channel_manager(api_staff, channel_manager):
    channel_manager.groups.clear()
    response = api_staff.get(LIST)
    assert response.status_code == 401
    assert "no longer a channel manager" in response.json()["detail"]


def test_only_the_owner_its_admins_or_a_manager_may_revoke(partner_a_seller, partner_a_admin, partner_b_user):
    token, _ = services.token_create(actor=partner_a_seller, user=partner_a_seller, name="Mine")
    with pytest.raises(ValidationError, match="Only the token's owner"):
        services.token_revoke(actor=partner_b_user, token=token)
    services.token_revoke(actor=partner_a_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_by == partner_a_admin


@override_settings(API_RATE_LIMIT="3/m")
def test_the_rate_limit_is_per_token_and_answers_429_with_retry_after(api_a, api_b):
    assert [api_a.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
    response = api_a.get(LIST)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json()["detail"] == (
        f"Too many requests: this token may make 3 per 60 seconds. Try again in {retry_after} seconds."
    )
    assert api_b.get(LIST).status_code == 200  # another token has its own count


def test_the_window_is_fixed_and_resets(partner_a_admin):
    token, _ = services.token_create(actor=partner_a_admin, user=partner_a_admin, name="x")
    rate = services.Rate(limit=2, period=60)
    now = [60 * 16_666_667 + 30.0]  # 30 s into a window
    services.rate_limit_hit(token, rate=rate, clock=lambda: now[0])
    services.rate_limit_hit(token, rate=rate, clock=lambda: now[0])
    with pytest.raises(services.RateLimited) as refused:
        services.rate_limit_hit(token, rate=rate, clock=lambda: now[0])
    assert refused.value.retry_after == 30
    now[0] += 30  # the next window
    services.rate_limit_hit(token, rate=rate, clock=lambda: now[0])


def test_the_command_prints_a_working_token(partner_a_admin, api_anonymous):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token", "--email", "ANNA@northwind.example.com", "--name", "Nightly", stdout=out, stderr=err
    )
    plaintext = out.getvalue().strip()
    assert plaintext.startswith("prm_")
    assert "Northwind Solutions" in err.getvalue()
    token = ApiToken.objects.get(user=partner_a_admin)
    assert token.name == "Nightly"
    assert token.created_by is None
    response = api_anonymous.get(LIST, token=plaintext)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next": None}


def test_the_command_refuses_an_unknown_email(db):
    with pytest.raises(CommandError, match=r"No user with the email nobody@example\.com"):
        call_command("create_api_token", "--email", "nobody@example.com")
