"""Partner admins manage their own people in the portal: invite, change roles, remove; never the last admin."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from partners import services
from partners.models import Invitation, PartnerMembership
from prm.models import AuditEvent, Notification
from tests.factories import MembershipFactory

Role = PartnerMembership.Role


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_admin_invites_a_colleague(admin_client_a, partner_a, partner_a_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(
            "/portal/team/invite/", {"email": "lee@northwind.example.com", "role": "technical"}, follow=True
        )
    assert response.redirect_chain == [("/portal/team/", 302)]
    assert "Invitation sent to lee@northwind.example.com." in response.content.decode()
    invitation = Invitation.objects.get(email="lee@northwind.example.com")
    assert invitation.partner == partner_a
    assert invitation.role == Role.TECHNICAL
    assert invitation.invited_by == partner_a_admin
    assert [m.to for m in mail.outbox] == [["lee@northwind.example.com"]]
    assert "/invite/" in mail.outbox[0].body
    # The open invitation is listed for the admin, with a cancel button.
    assert f"/portal/invitations/{invitation.pk}/revoke/" in response.content.decode()
    event = AuditEvent.objects.get(verb="invitation.created")
    assert event.actor == partner_a_admin
    assert event.partner == partner_a


def test_invite_form_errors_stay_on_the_team_page(admin_client_a, partner_b_user):
    response = admin_client_a.post("/portal/team/invite/", {"email": partner_b_user.email, "role": "sales"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "already belongs to another partner" in body
    assert f'value="{partner_b_user.email}"' in body  # what was typed is kept
    assert not Invitation.objects.exists()

    response = admin_client_a.post("/portal/team/invite/", {"email": "not-an-email", "role": "sales"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_admin_changes_a_members_role_notifies_and_audits(
    admin_client_a, partner_a, partner_a_admin, partner_a_seller, django_capture_on_commit_callbacks
):
    membership = partner_a_seller.membership
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(f"/portal/team/{membership.pk}/role/", {"role": "technical"}, follow=True)
    assert response.status_code == 200
    assert f"{partner_a_seller.display_name} is now technical." in messages_on(response)
    membership.refresh_from_db()
    assert membership.role == Role.TECHNICAL

    event = AuditEvent.objects.get(verb="membership.role_changed")
    assert event.actor == partner_a_admin
    assert event.partner == partner_a
    assert event.target_type == "partners.partnermembership"
    assert event.target_id == str(membership.pk)
    assert event.before == {"role": "sales"}
    assert event.after == {"role": "technical", "user": membership.user.display_name}

    notification = Notification.objects.get(recipient=partner_a_seller)
    assert notification.template == "membership_role_changed"
    assert notification.url == "/portal/team/"
    assert notification.is_unread
    assert notification.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [partner_a_seller.email]
    assert "technical" in mail.outbox[0].subject
    assert "from sales to technical" in mail.outbox[0].body


def test_setting_the_same_role_changes_nothing(admin_client_a, partner_a_seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(f"/portal/team/{partner_a_seller.membership.pk}/role/", {"role": "sales"})
    assert not AuditEvent.objects.filter(verb="membership.role_changed").exists()
    assert mail.outbox == []


def test_invalid_role_is_refused(admin_client_a, partner_a_seller):
    response = admin_client_a.post(
        f"/portal/team/{partner_a_seller.membership.pk}/role/", {"role": "owner"}, follow=True
    )
    assert "Choose one of the roles." in messages_on(response)
    partner_a_seller.membership.refresh_from_db()
    assert partner_a_seller.membership.role == Role.SALES


def test_admin_removes_a_member(
    admin_client_a, partner_a, partner_a_admin, partner_a_seller, django_capture_on_commit_callbacks
):
    membership_pk = partner_a_seller.membership.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(
            f"/portal/team/{membership_pk}/remove/", {"reason": "Left the company"}, follow=True
        )
    assert f"{partner_a_seller.display_name} was removed from Northwind Solutions." in messages_on(response)
    assert not PartnerMembership.objects.filter(pk=membership_pk).exists()
    partner_a_seller.refresh_from_db()
    assert partner_a_seller.is_active  # the account stays; it just has no access
    event = AuditEvent.objects.get(verb="membership.removed")
    assert event.actor == partner_a_admin
    assert event.before == {"user": partner_a_seller.email, "role": "sales"}
    assert event.reason == "Left the company"
    assert [m.to for m in mail.outbox] == [[partner_a_seller.email]]
    assert "Left the company" in mail.outbox[0].body or "Left the company" in mail.outbox[0].alternatives[0][0]

    # The removed person no longer gets into the portal.
    client = Client()
    client.force_login(partner_a_seller)
    assert client.get("/portal/").status_code == 404


def test_last_admin_cannot_be_demoted(admin_client_a, partner_a_admin, partner_a_seller):
    membership = partner_a_admin.membership
    response = admin_client_a.post(f"/portal/team/{membership.pk}/role/", {"role": "sales"}, follow=True)
    assert "Northwind Solutions needs at least one admin. Make someone else admin first." in messages_on(response)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.exists()


def test_last_admin_cannot_be_removed(admin_client_a, partner_a_admin):
    membership = partner_a_admin.membership
    response = admin_client_a.post(f"/portal/team/{membership.pk}/remove/", follow=True)
    assert "Northwind Solutions needs at least one admin." in " ".join(messages_on(response))
    assert PartnerMembership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.exists()


def test_an_admin_can_step_down_once_there_is_another(admin_client_a, partner_a, partner_a_admin):
    MembershipFactory(partner=partner_a, role=Role.ADMIN)
    membership = partner_a_admin.membership
    admin_client_a.post(f"/portal/team/{membership.pk}/role/", {"role": "sales"})
    membership.refresh_from_db()
    assert membership.role == Role.SALES
    # No longer an admin: the next change is refused by the role guard.
    response = admin_client_a.post(f"/portal/team/{membership.pk}/role/", {"role": "admin"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.SALES


def test_seller_cannot_invite_or_change_roles(seller_client_a, partner_a_admin, partner_a_seller):
    response = seller_client_a.post("/portal/team/invite/", {"email": "x@northwind.example.com", "role": "admin"})
    assert response.status_code == 403
    assert "Only your company&#x27;s admin users can do this." in response.content.decode()
    assert not Invitation.objects.exists()

    for own_or_other in (partner_a_seller.membership, partner_a_admin.membership):
        response = seller_client_a.post(f"/portal/team/{own_or_other.pk}/role/", {"role": "admin"})
        assert response.status_code == 403
    response = seller_client_a.post(f"/portal/team/{partner_a_admin.membership.pk}/remove/")
    assert response.status_code == 403
    assert PartnerMembership.objects.get(user=partner_a_seller).role == Role.SALES
    assert PartnerMembership.objects.get(user=partner_a_admin).role == Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_admin_revokes_an_invitation(admin_client_a, partner_a, partner_a_admin):
    invitation, _ = services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="kim@northwind.example.com", role=Role.SALES
    )
    response = admin_client_a.post(f"/portal/invitations/{invitation.pk}/revoke/", follow=True)
    assert "The invitation to kim@northwind.example.com was cancelled." in messages_on(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(verb="invitation.revoked", target_id=str(invitation.pk)).count() == 1

    # A second click (double submit) changes nothing and says so.
    response = admin_client_a.post(f"/portal/invitations/{invitation.pk}/revoke/", follow=True)
    assert "This invitation was already accepted or cancelled." in messages_on(response)
    assert AuditEvent.objects.filter(verb="invitation.revoked").count() == 1


# --- Services directly ------------------------------------------------------------------------------------------


def test_services_refuse_other_partners_admin(partner_a_seller, partner_b_user):
    """The views scope by partner; the services check again, so a mistake in a view cannot leak."""
    with pytest.raises(ValidationError):
        services.membership_change_role(actor=partner_b_user, membership=partner_a_seller.membership, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.membership_remove(actor=partner_b_user, membership=partner_a_seller.membership)
    with pytest.raises(ValidationError):
        services.invitation_create(
            actor=partner_b_user, partner=partner_a_seller.membership.partner, email="z@example.com", role=Role.SALES
        )
    assert PartnerMembership.objects.get(user=partner_a_seller).role == Role.SALES
    assert not AuditEvent.objects.exists()


def test_channel_manager_can_change_any_partners_roles(channel_manager, partner_a_seller):
    services.membership_change_role(
        actor=channel_manager, membership=partner_a_seller.membership, role=Role.MARKETING, reason="Moved teams"
    )
    event = AuditEvent.objects.get(verb="membership.role_changed")
    assert event.actor_label == channel_manager.email
    assert event.reason == "Moved teams"
    assert PartnerMembership.objects.get(user=partner_a_seller).role == Role.MARKETING
