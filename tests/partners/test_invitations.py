"""Invitations: the one public door into the product. Walked through the client at /invite/<token>/ and
through the services, from the channel manager's invite to the invitee landing in the portal."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from partners import services
from partners.models import Invitation, PartnerMembership
from prm.models import AuditEvent, Notification, User
from tests.factories import UserFactory

NEW_PASSWORD = "plum-orchard-lantern-42"
TOKEN_RE = re.compile(r"/invite/([^/\s]+)/")


def token_from(message) -> str:
    """The token of the invitation link in an email, as the invitee would click it."""
    match = TOKEN_RE.search(message.body)
    assert match, f"no invitation link in: {message.body!r}"
    return match.group(1)


def invite(actor, partner, email, role=PartnerMembership.Role.SALES) -> tuple[Invitation, str]:
    return services.invitation_create(actor=actor, partner=partner, email=email, role=role)


def field_error(content: str, field: str) -> str:
    match = re.search(rf'<small class="field-error" id="id_{field}-error">(.*?)</small>', content, re.S)
    return match.group(1) if match else ""


# --- The whole journey ---------------------------------------------------------------------------------------


def test_manager_invites_first_admin_who_signs_up_and_lands_in_portal(
    manager_client, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            f"/manage/partners/{partner_a.pk}/invite/", {"email": "Priya@Northwind.example.com", "role": "admin"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"/manage/partners/{partner_a.pk}/"

    invitation = Invitation.objects.get(partner=partner_a)
    assert invitation.email == "priya@northwind.example.com"  # normalised
    assert invitation.role == PartnerMembership.Role.ADMIN
    assert invitation.invited_by == channel_manager
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["priya@northwind.example.com"]
    assert "Northwind Solutions" in message.subject or "Northwind Solutions" in message.body
    token = token_from(message)
    assert len(token) > 30
    assert Invitation.find(token) == invitation
    assert invitation.token_hash != token  # only the hash is stored

    visitor = Client()
    page = visitor.get(f"/invite/{token}/")
    assert page.status_code == 200
    assert "Join Northwind Solutions" in page.content.decode()
    assert "priya@northwind.example.com" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(
            f"/invite/{token}/",
            {"first_name": "Priya", "last_name": "Raman", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"

    user = User.objects.get(email="priya@northwind.example.com")
    assert user.first_name == "Priya"
    assert user.check_password(NEW_PASSWORD)
    assert user.membership.partner == partner_a
    assert user.membership.role == PartnerMembership.Role.ADMIN
    assert EmailAddress.objects.get(user=user).verified is True
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None

    portal = visitor.get("/portal/")
    assert portal.status_code == 200
    body = portal.content.decode()
    assert "Welcome, Priya" in body
    assert "you are admin" in body
    assert "Welcome to Northwind Solutions! Your account is ready." in body

    verbs = list(AuditEvent.objects.filter(partner=partner_a).order_by("id").values_list("verb", flat=True))
    assert verbs == ["invitation.created", "invitation.accepted", "membership.created"]
    # The inviter hears about it (a channel manager: email + inbox entry).
    accepted = Notification.objects.get(template="invitation_accepted")
    assert accepted.recipient == channel_manager
    assert mail.outbox[-1].to == [channel_manager.email]

    # The link works once.
    again = Client().get(f"/invite/{token}/")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    # Even for the person it was for, signed in now.
    assert visitor.get(f"/invite/{token}/").status_code == 410
    assert PartnerMembership.objects.filter(partner=partner_a).count() == 1


def test_expired_invitation_shows_expired_page(channel_manager, partner_a):
    invitation, token = invite(channel_manager, partner_a, "late@northwind.example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = Client().get(f"/invite/{token}/")
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    response = Client().post(
        f"/invite/{token}/", {"first_name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="late@northwind.example.com").exists()


def test_garbage_token_is_404_with_a_clear_page(db):
    response = Client().get("/invite/not-a-real-token/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We can't use this invitation" in body
    assert "This invitation link is not valid" in body


def test_reinviting_revokes_the_earlier_link(channel_manager, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, first_token = invite(channel_manager, partner_a, "bo@northwind.example.com")
        second, second_token = invite(
            channel_manager, partner_a, "BO@northwind.example.com", role=PartnerMembership.Role.TECHNICAL
        )
    assert len(mail.outbox) == 2
    assert token_from(mail.outbox[1]) == second_token

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert list(Invitation.objects.pending()) == [second]
    created = AuditEvent.objects.filter(verb="invitation.created").order_by("id").last()
    assert created.after["replaces"] == [first.pk]

    old = Client().get(f"/invite/{first_token}/")
    assert old.status_code == 410
    assert "no longer valid" in old.content.decode()
    assert Client().get(f"/invite/{second_token}/").status_code == 200


def test_signed_in_user_with_other_email_is_not_made_a_member(channel_manager, partner_a):
    _, token = invite(channel_manager, partner_a, "carla@northwind.example.com")
    stranger = UserFactory(email="someone.else@example.com")
    client = Client()
    client.force_login(stranger)

    page = client.get(f"/invite/{token}/")
    assert page.status_code == 403
    body = page.content.decode()
    assert "This invitation is for someone else" in body
    assert "signed in as someone.else@example.com" in body

    response = client.post(f"/invite/{token}/")
    assert response.status_code == 403
    assert "for someone else" in response.content.decode()
    assert not PartnerMembership.objects.filter(user=stranger).exists()
    assert Invitation.objects.get(email="carla@northwind.example.com").accepted_at is None


def test_existing_account_with_matching_email_accepts_with_a_post(
    channel_manager, partner_a, django_capture_on_commit_callbacks
):
    user = UserFactory(email="dana@northwind.example.com", first_name="Dana")
    _, token = invite(channel_manager, partner_a, "dana@northwind.example.com", role=PartnerMembership.Role.FINANCE)

    # Anonymous: sent to sign in first (there is already an account, so no sign-up form).
    anonymous = Client().get(f"/invite/{token}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")

    client = Client()
    client.force_login(user)
    confirm = client.get(f"/invite/{token}/")
    assert confirm.status_code == 200
    assert "Accept the invitation" in confirm.content.decode()
    assert not PartnerMembership.objects.filter(user=user).exists()  # a GET changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/invite/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    membership = PartnerMembership.objects.get(user=user)
    assert membership.partner == partner_a
    assert membership.role == PartnerMembership.Role.FINANCE
    assert "Welcome to Northwind Solutions!" in client.get("/portal/").content.decode()


def test_inviting_someone_from_another_partner_is_refused_on_the_page(
    manager_client, partner_a, partner_b_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            f"/manage/partners/{partner_a.pk}/invite/", {"email": partner_b_user.email, "role": "sales"}
        )
    assert response.status_code == 400
    assert "already belongs to another partner" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(verb="invitation.created").exists()
    assert mail.outbox == []


def test_service_refuses_existing_member_staff_and_bad_role(channel_manager, partner_a, partner_a_seller):
    with pytest.raises(ValidationError, match="already a member of Northwind Solutions"):
        invite(channel_manager, partner_a, partner_a_seller.email)
    with pytest.raises(ValidationError, match="staff account"):
        invite(channel_manager, partner_a, channel_manager.email)
    with pytest.raises(ValidationError, match="Choose a role"):
        invite(channel_manager, partner_a, "new@northwind.example.com", role="owner")
    assert not Invitation.objects.exists()


def test_service_accept_twice_makes_one_membership(channel_manager, partner_a):
    invitation, _ = invite(channel_manager, partner_a, "eli@northwind.example.com")
    membership = services.invitation_accept_new_user(
        invitation=invitation, first_name="Eli", last_name="", password=NEW_PASSWORD
    )
    with pytest.raises(services.InvitationProblem) as problem:
        services.invitation_accept(invitation=invitation, user=membership.user)
    assert problem.value.problem == "used"
    assert PartnerMembership.objects.filter(user=membership.user).count() == 1
    assert AuditEvent.objects.filter(verb="membership.created").count() == 1


def test_password_mismatch_shows_error_next_to_field_and_keeps_first_name(channel_manager, partner_a):
    _, token = invite(channel_manager, partner_a, "fay@northwind.example.com")
    response = Client().post(
        f"/invite/{token}/",
        {"first_name": "Fayola", "last_name": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert field_error(body, "password2") == "The two passwords differ."
    assert 'value="Fayola"' in body
    assert not User.objects.filter(email="fay@northwind.example.com").exists()


def test_weak_password_shows_error_next_to_field_and_keeps_first_name(channel_manager, partner_a):
    _, token = invite(channel_manager, partner_a, "gus@northwind.example.com")
    response = Client().post(
        f"/invite/{token}/",
        {"first_name": "Gustavo", "last_name": "", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    error = field_error(body, "password1")
    assert "too short" in error or "too common" in error
    assert 'value="Gustavo"' in body
    assert not User.objects.filter(email="gus@northwind.example.com").exists()
    assert Invitation.objects.get(email="gus@northwind.example.com").accepted_at is None
