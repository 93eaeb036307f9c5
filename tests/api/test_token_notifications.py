"""Making or revoking an API token tells the people who must know, whichever door it went through (the portal, the
manager app, the command line), and is audited: a partner token's company admins and its owner; a staff token's
owner only when someone else did it."""

from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from api.models import ApiToken
from api.services import token_create, token_revoke
from partners.models import PartnerMembership
from prm.models import AuditEvent, Notification, NotificationPreference, notification_category
from tests.factories import ChannelManagerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _sent(template: str) -> dict[str, Notification]:
    return {n.email: n for n in Notification.objects.filter(template=template)}


@pytest.fixture
def second_admin(partner_a):
    return MembershipFactory(partner=partner_a, role=PartnerMembership.Role.ADMIN).user


def test_portal_token_made_tells_the_company_admins(admin_client_a, partner_a_admin, second_admin, partner_a_seller):
    response = admin_client_a.post("/portal/api-tokens/", {"name": "HubSpot sync", "expires_on": ""})
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get(name="HubSpot sync")
    sent = _sent("api_token_created")
    assert set(sent) == {partner_a_admin.email, second_admin.email}  # not the seller
    notice = sent[second_admin.email]
    assert notice.partner_id == token.partner_id
    assert notice.url == "/portal/api-tokens/"
    assert "HubSpot sync" in notice.subject
    assert token.display_prefix in notice.body_text
    assert partner_a_admin.display_name in notice.body_text
    assert "It does not expire" in notice.body_text
    assert AuditEvent.objects.filter(verb="api_token.created", target_id=str(token.pk)).count() == 1


def test_token_notices_are_always_emailed(admin_client_a, partner_a_admin):
    """A security notice: a partner user's preference cannot switch it off (it is not in any category)."""
    NotificationPreference.objects.create(
        user=partner_a_admin, category=notification_category("incentives_earned"), delivery="off"
    )
    admin_client_a.post("/portal/api-tokens/", {"name": "Zapier", "expires_on": ""})
    notice = Notification.objects.get(template="api_token_created", recipient=partner_a_admin)
    assert notice.email_status in (Notification.EmailStatus.PENDING, Notification.EmailStatus.SENT)
    assert "always sent" in notice.body_text


def test_portal_revoke_tells_the_admins_and_the_owner(admin_client_a, partner_a_admin, partner_a_seller, partner_a):
    token, _ = token_create(actor=None, user=partner_a_seller, name="Seller's script")  # from the command line
    Notification.objects.all().delete()
    response = admin_client_a.post(f"/portal/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    sent = _sent("api_token_revoked")
    assert set(sent) == {partner_a_admin.email, partner_a_seller.email}
    assert "revoked" in sent[partner_a_seller.email].subject
    assert partner_a_admin.display_name in sent[partner_a_seller.email].body_text
    event = AuditEvent.objects.get(verb="api_token.revoked", target_id=str(token.pk))
    assert event.actor == partner_a_admin
    # Revoking again changes nothing and tells no one again.
    with pytest.raises(ValidationError, match="already revoked"):
        token_revoke(actor=partner_a_admin, token=token)
    assert Notification.objects.filter(template="api_token_revoked").count() == 2


def test_command_line_token_for_a_member(partner_a_admin, partner_a_seller):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "--email", partner_a_seller.email, "--name", "Import job", stdout=out, stderr=err)
    assert out.getvalue().startswith("prm_")
    sent = _sent("api_token_created")
    assert set(sent) == {partner_a_admin.email, partner_a_seller.email}
    assert "Someone on the server's command line" in sent[partner_a_admin.email].body_text
    event = AuditEvent.objects.get(verb="api_token.created")
    assert event.actor is None


def test_staff_token_made_by_its_owner_tells_no_one(manager_client, channel_manager):
    response = manager_client.post("/manage/api-tokens/", {"name": "My CRM sync", "expires_on": ""})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=channel_manager, name="My CRM sync").exists()
    assert not Notification.objects.filter(template__startswith="api_token_").exists()
    assert AuditEvent.objects.filter(verb="api_token.created", actor=channel_manager).exists()


def test_staff_token_made_or_revoked_by_someone_else_tells_its_owner(channel_manager):
    colleague = ChannelManagerFactory()
    token, _ = token_create(actor=colleague, user=channel_manager, name="Finance export")
    created = Notification.objects.get(template="api_token_created")
    assert created.recipient == channel_manager
    assert created.url == "/manage/api-tokens/"
    assert created.partner is None
    assert "on your account" in created.subject
    token_revoke(actor=colleague, token=token)
    revoked = Notification.objects.get(template="api_token_revoked")
    assert revoked.recipient == channel_manager
    assert "your API token" in revoked.body_text
    # The owner revoking their own staff token hears nothing.
    own, _ = token_create(actor=channel_manager, user=channel_manager, name="Own")
    token_revoke(actor=channel_manager, token=own)
    assert Notification.objects.filter(template__startswith="api_token_").count() == 2


def test_manager_revoking_a_staff_token_in_the_manager_app(manager_client, channel_manager):
    colleague = ChannelManagerFactory()
    token, _ = token_create(actor=colleague, user=colleague, name="Colleague's")
    assert not Notification.objects.exists()
    response = manager_client.post(f"/manage/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    revoked = Notification.objects.get(template="api_token_revoked")
    assert revoked.recipient == colleague
    assert channel_manager.display_name in revoked.body_text


def test_a_refused_token_notifies_no_one(partner_a_seller, partner_a_admin):
    with pytest.raises(ValidationError, match="name"):
        token_create(actor=partner_a_seller, user=partner_a_seller, name="  ")
    assert not Notification.objects.exists()
    assert not mail.outbox
