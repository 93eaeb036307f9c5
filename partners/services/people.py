"""Writes on partners' people: creating a partner, invitations and memberships. Each is audited and told to the
people concerned."""

__all__ = [
    "InvitationProblem",
    "invitation_accept",
    "invitation_accept_new_user",
    "invitation_check",
    "invitation_create",
    "invitation_revoke",
    "membership_change_role",
    "membership_remove",
    "partner_create",
    "partner_require_mfa",
]

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import Invitation, Partner, PartnerMembership
from partners.services.onboarding import onboarding_refresh, onboarding_start
from prm.access import is_channel_manager, user_membership
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify


def _require_people_admin(actor: User, partner: Partner) -> None:
    """Channel managers manage every partner's people; a partner admin manages its own company's."""
    if is_channel_manager(actor):
        return
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner.pk or not membership.is_admin:
        raise ValidationError("Only your company's admins can invite people or change their roles.")


def partner_create(*, actor: User, name: str, type: str, parent: Partner | None = None) -> Partner:
    """Create a partner directly (channel managers). It starts in onboarding."""
    name = " ".join(name.split())
    if Partner.objects.filter(name__iexact=name).exists():
        raise ValidationError(f"A partner named “{name}” already exists.")
    with transaction.atomic():
        now = timezone.now()
        partner = Partner.objects.create(
            name=name, type=type, parent=parent, source=Partner.Source.MANAGER, approved_at=now, status_changed_at=now
        )
        audit_record(
            actor=actor,
            verb="partner.created",
            target=partner,
            partner=partner,
            after={
                "name": partner.name,
                "type": partner.type,
                "status": partner.status,
                "parent": parent and parent.pk,
            },
        )
        onboarding_start(partner=partner, actor=actor)
    return partner


# --- Invitations -----------------------------------------------------------------------------------------------


def invitation_create(*, actor: User, partner: Partner, email: str, role: str) -> tuple[Invitation, str]:
    """Invite someone to join `partner` with `role`. Returns the invitation and the one-time token of its link.

    Re-inviting the same address replaces the earlier open invitation (its link stops working)."""
    _require_people_admin(actor, partner)
    email = email.strip().lower()
    if role not in PartnerMembership.Role.values:
        raise ValidationError("Choose a role.")
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None:
        existing = user_membership(existing_user)
        if existing is not None and existing.partner_id == partner.pk:
            raise ValidationError(f"{email} is already a member of {partner.name}.")
        if existing is not None:
            raise ValidationError(f"{email} already belongs to another partner; a person can belong to only one.")
        if existing_user.is_staff:
            raise ValidationError(f"{email} is a staff account and cannot join a partner.")
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        replaced = list(
            Invitation.objects.select_for_update().filter(
                partner=partner, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
            )
        )
        now = timezone.now()
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            partner=partner, email=email, role=role, token_hash=token_hash, invited_by=actor
        )
        audit_record(
            actor=actor,
            verb="invitation.created",
            target=invitation,
            partner=partner,
            after={
                "email": email,
                "role": role,
                "expires_at": invitation.expires_at,
                "replaces": [o.pk for o in replaced],
            },
        )
        link = reverse("invitation_accept", args=[token])
        notify(
            key=f"invitation:{invitation.pk}",
            template="invitation",
            email=email,
            partner=partner,
            context={"invitation": invitation, "inviter": actor, "partner": partner, "link": link},
        )
        onboarding_refresh(partner=partner, actor=actor)
    return invitation, token


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    _require_people_admin(actor, invitation.partner)
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated != 1:
            raise ValidationError("This invitation was already accepted or cancelled.")
        audit_record(
            actor=actor,
            verb="invitation.revoked",
            target=invitation,
            partner=invitation.partner,
            before={"email": invitation.email, "role": invitation.role},
        )


class InvitationProblem(ValidationError):
    """Why an invitation link cannot be used, in words for the person holding it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.problem = code


def invitation_check(*, invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationProblem("invalid", "This invitation link is not valid. Check that you copied all of it.")
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationProblem("used", "This invitation has already been used. Sign in with the account it created.")
    if state == Invitation.State.REVOKED:
        raise InvitationProblem("revoked", "This invitation was cancelled or replaced by a newer one.")
    if state == Invitation.State.EXPIRED:
        raise InvitationProblem("expired", "This invitation has expired. Ask the person who invited you for a new one.")
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> PartnerMembership:
    """The invited person (signed in as the invited email) joins the partner. Works once."""
    if user.email.lower() != invitation.email.lower():
        raise InvitationProblem(
            "wrong_email",
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and open the link again.",
        )
    if user.is_staff:
        raise InvitationProblem("staff", "Staff accounts cannot join a partner.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("partner").get(pk=invitation.pk)
        invitation_check(invitation=locked)
        if PartnerMembership.objects.filter(user=user).exists():
            raise InvitationProblem("member", "You already belong to a partner; a person can belong to only one.")
        now = timezone.now()
        locked.accepted_at = now
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        membership = PartnerMembership.objects.create(user=user, partner=locked.partner, role=locked.role)
        EmailAddress.objects.update_or_create(
            user=user,
            email__iexact=user.email,
            defaults={"email": user.email, "verified": True, "primary": True},
        )
        audit_record(
            actor=user,
            verb="invitation.accepted",
            target=locked,
            partner=locked.partner,
            after={"membership": membership.pk, "role": membership.role},
        )
        audit_record(
            actor=user,
            verb="membership.created",
            target=membership,
            partner=locked.partner,
            after={"user": user.email, "role": membership.role},
        )
        if locked.invited_by_id:
            notify(
                key=f"invitation-accepted:{locked.pk}",
                template="invitation_accepted",
                recipient=locked.invited_by,
                partner=locked.partner,
                url=_team_url_for(locked.invited_by),
                context={"member": user, "partner": locked.partner, "role": membership.get_role_display()},
            )
        onboarding_refresh(partner=locked.partner, actor=user)
    user._prm_membership = membership  # the request's cached view of the user is now out of date
    return membership


def invitation_accept_new_user(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> PartnerMembership:
    """Create the account for an invited person (the only way to sign up) and accept in one transaction.
    The email is verified: the link reached its inbox."""
    invitation_check(invitation=invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationProblem("has_account", f"An account for {invitation.email} exists already. Sign in first.")
    with transaction.atomic():
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        return invitation_accept(invitation=invitation, user=user)


def _team_url_for(user: User) -> str:
    if is_channel_manager(user):
        return ""
    return reverse("portal:team")


# --- Memberships -----------------------------------------------------------------------------------------------


def _other_admins(membership: PartnerMembership) -> bool:
    return (
        PartnerMembership.objects.filter(
            partner_id=membership.partner_id, role=PartnerMembership.Role.ADMIN, is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_change_role(
    *, actor: User, membership: PartnerMembership, role: str, reason: str = ""
) -> PartnerMembership:
    _require_people_admin(actor, membership.partner)
    if role not in PartnerMembership.Role.values:
        raise ValidationError("Choose a role.")
    with transaction.atomic():
        locked = PartnerMembership.objects.select_for_update().select_related("user", "partner").get(pk=membership.pk)
        before = locked.role
        if before == role:
            return locked
        if before == PartnerMembership.Role.ADMIN and not _other_admins(locked):
            raise ValidationError(f"{locked.partner.name} needs at least one admin. Make someone else admin first.")
        locked.role = role
        locked.save(update_fields=["role"])
        event = audit_record(
            actor=actor,
            verb="membership.role_changed",
            target=locked,
            partner=locked.partner,
            before={"role": before},
            after={"role": role, "user": locked.user.display_name},  # the timeline says whose role it was
            reason=reason,
        )
        notify(
            key=f"audit:{event.pk}:member",  # one message per recorded change
            template="membership_role_changed",
            recipient=locked.user,
            partner=locked.partner,
            url=reverse("portal:team"),
            context={
                "membership": locked,
                "actor": actor,
                "before": PartnerMembership.Role(before).label,
                "after": locked.get_role_display(),
                "reason": reason,
            },
        )
    return locked


def membership_remove(*, actor: User, membership: PartnerMembership, reason: str = "") -> None:
    """Remove a person from the partner. Their account stays (they can be invited elsewhere) but has no access."""
    _require_people_admin(actor, membership.partner)
    with transaction.atomic():
        locked = PartnerMembership.objects.select_for_update().select_related("user", "partner").get(pk=membership.pk)
        if locked.role == PartnerMembership.Role.ADMIN and not _other_admins(locked):
            raise ValidationError(f"{locked.partner.name} needs at least one admin. Make someone else admin first.")
        snapshot: dict[str, Any] = {"user": locked.user.email, "role": locked.role}
        audit_record(
            actor=actor,
            verb="membership.removed",
            target=locked,
            partner=locked.partner,
            before=snapshot,
            reason=reason,
        )
        notify(
            key=f"membership-removed:{locked.pk}",
            template="membership_removed",
            email=locked.user.email,
            partner=locked.partner,
            context={"partner": locked.partner, "actor": actor, "reason": reason, "member": locked.user},
        )
        locked.delete()


def partner_require_mfa(*, actor: User, partner: Partner, required: bool) -> Partner:
    """A partner admin requires (or stops requiring) two-factor authentication for everyone in the company. Those
    without it are sent to set it up at their next page; each member is told."""
    _require_people_admin(actor, partner)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.require_mfa == required:
            return locked
        locked.require_mfa = required
        locked.save(update_fields=["require_mfa", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="partner.mfa_required" if required else "partner.mfa_optional",
            target=locked,
            partner=locked,
            before={"require_mfa": not required},
            after={"require_mfa": required},
        )
        members = PartnerMembership.objects.filter(partner=locked, is_active=True).select_related("user")
        for membership in members:
            if membership.user_id == actor.pk:
                continue
            notify(
                key=f"audit:{event.pk}:mfa:{membership.user_id}",
                template="membership_mfa_required",
                recipient=membership.user,
                partner=locked,
                url=reverse("mfa_index"),
                action_label="Set up two-factor authentication" if required else "Your security settings",
                context={"partner": locked, "actor": actor, "required": required},
            )
    return locked
