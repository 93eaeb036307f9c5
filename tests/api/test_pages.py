"""The token pages: partner admins make and revoke their company's tokens in the portal, channel managers staff
tokens in the manager app; the new token is shown once; another partner's token is a 404; phones fit."""

import re
from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken
from api.services import token_create
from partners.models import PartnerMembership

PORTAL = "/portal/api-tokens/"
MANAGE = "/manage/api-tokens/"


def _shown_token(response) -> str:
    match = re.search(r'value="(prm_[0-9a-f]{8}_[A-Za-z0-9_-]+)"', response.content.decode())
    assert match, "the new token is not on the page"
    return match.group(1)


def test_a_partner_admin_makes_a_token_and_sees_it_once(admin_client_a, partner_a, partner_a_admin, api_anonymous):
    assert admin_client_a.get(PORTAL).status_code == 200
    day = timezone.localdate() + timedelta(days=30)
    response = admin_client_a.post(PORTAL, {"name": "Salesforce sync", "expires_on": day.isoformat()})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = _shown_token(response)
    assert "it is shown only this once" in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.partner, token.name) == (partner_a_admin, partner_a, "Salesforce sync")
    assert timezone.localtime(token.expires_at).date() == day + timedelta(days=1)
    # It works, and the page never shows it again.
    assert api_anonymous.get("/api/v1/deal-registrations", token=plaintext).status_code == 200
    again = admin_client_a.get(PORTAL).content.decode()
    assert plaintext not in again
    assert f"prm_{token.prefix}_…" in again
    assert "Salesforce sync" in again


def test_bad_input_is_shown_on_the_form_and_makes_nothing(admin_client_a):
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = admin_client_a.post(PORTAL, {"name": "  ", "expires_on": past})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the token a name that says what uses it." in html
    assert "Pick today or a later day." in html
    junk = admin_client_a.post(PORTAL, {"name": "x" * 500, "expires_on": "2026-13-45"})
    assert junk.status_code == 400
    assert "Enter a date, like 2027-03-31." in junk.content.decode()
    assert not ApiToken.objects.exists()


def test_only_admins_use_the_portal_page(seller_client_a):
    assert seller_client_a.get(PORTAL).status_code == 403
    assert seller_client_a.post(PORTAL, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_partner_admin_revokes_a_colleagues_token_but_not_another_partners(
    admin_client_a, partner_a_seller, partner_b_user
):
    mine, _ = token_create(actor=partner_a_seller, user=partner_a_seller, name="Seller's script")
    theirs, _ = token_create(actor=partner_b_user, user=partner_b_user, name="Contoso CRM")
    page = admin_client_a.get(PORTAL).content.decode()
    assert "Seller&#x27;s script" in page
    assert "Contoso CRM" not in page
    assert admin_client_a.post(f"{PORTAL}{theirs.pk}/revoke/").status_code == 404
    response = admin_client_a.post(f"{PORTAL}{mine.pk}/revoke/", follow=True)
    assert "revoked: it no longer works" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None
    # Revoking twice says so, and changes nothing.
    twice = admin_client_a.post(f"{PORTAL}{mine.pk}/revoke/", follow=True)
    assert "already revoked" in twice.content.decode()
    assert admin_client_a.get(f"{PORTAL}{mine.pk}/revoke/").status_code == 405


def test_a_channel_manager_makes_and_revokes_staff_tokens(manager_client, channel_manager, partner_a_admin):
    partner_token, _ = token_create(actor=partner_a_admin, user=partner_a_admin, name="Partner one")
    response = manager_client.post(MANAGE, {"name": "HubSpot"})
    assert response.status_code == 200
    _shown_token(response)
    token = ApiToken.objects.get(user=channel_manager)
    assert token.partner is None
    assert token.expires_at is None
    page = manager_client.get(MANAGE).content.decode()
    assert "HubSpot" in page
    assert "Partner one" not in page
    assert manager_client.post(f"{MANAGE}{partner_token.pk}/revoke/").status_code == 404
    manager_client.post(f"{MANAGE}{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_by == channel_manager


def test_the_pages_fit_a_phone(admin_client_a, manager_client, partner_a_admin, channel_manager):
    token_create(actor=partner_a_admin, user=partner_a_admin, name="A" * 100)
    token_create(actor=channel_manager, user=channel_manager, name="B" * 100)
    for client, url in ((admin_client_a, PORTAL), (manager_client, MANAGE)):
        html = client.get(url).content.decode()
        assert '<div class="api-token-table">' in html  # the table scrolls inside its box
        assert ".api-token-table { overflow-x: auto; }" in html
        assert 'name="viewport"' in html


def test_a_member_who_left_has_no_page(admin_client_a, partner_a_admin):
    PartnerMembership.objects.filter(user=partner_a_admin).update(is_active=False)
    assert admin_client_a.get(PORTAL).status_code == 404
