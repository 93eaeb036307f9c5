"""Reminders the partners app contributes to the daily sweep: expiring invitations, stalled onboarding steps
(reminders, then an escalation) and dormancy."""

from datetime import datetime, timedelta

from django.urls import reverse

from partners.models import Invitation
from prm import reminders
from prm.access import is_channel_manager
from prm.notifications import notify

REMIND_BEFORE_EXPIRY = timedelta(days=2)


@reminders.register("invitation-expiring")
def remind_expiring_invitations(now: datetime) -> int:
    """Tell the inviter when an invitation is about to expire unaccepted, so they can nudge or re-send.
    Only the token's hash is stored, so the reminder goes to the inviter, not the invitee. Once per invitation."""
    due = (
        Invitation.objects.filter(
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + REMIND_BEFORE_EXPIRY,
            invited_by__isnull=False,
            invited_by__is_active=True,
        )
        .select_related("partner", "invited_by")
        .order_by("pk")
    )
    sent = 0
    for invitation in due:
        inviter = invitation.invited_by
        url = (
            reverse("manage:partner_detail", args=[invitation.partner_id])
            if is_channel_manager(inviter)
            else reverse("portal:team")
        )
        key = f"invitation-expiring:{invitation.pk}"
        notification = notify(
            key=key,
            template="invitation_expiring",
            recipient=inviter,
            partner=invitation.partner,
            url=url,
            context={"invitation": invitation, "partner": invitation.partner},
        )
        sent += notification.created_at >= now
    return sent


@reminders.register("onboarding-stalled")
def remind_stalled_onboarding(now: datetime) -> int:
    """Nudge partners whose current onboarding step has waited too long; escalate to the owner later."""
    from partners.services import onboarding_remind_stalled

    return onboarding_remind_stalled(now=now)


@reminders.register("partners-dormant")
def mark_dormant_partners(now: datetime) -> int:
    """Active partners without activity for the program's dormancy period become dormant; the owner is told."""
    from partners.services import partners_mark_dormant

    return partners_mark_dormant(now=now)


PURGE_UNCONFIRMED_AFTER = timedelta(days=7)


@reminders.register("locator-contacts-purge")
def purge_unconfirmed_locator_contacts(now: datetime) -> int:
    """A visitor's request to be contacted that was never confirmed holds someone's name and email for nothing:
    a week after its link expired it is deleted. Confirmed requests stay (their lead points back to them)."""
    from partners.models.locator import ContactRequest

    deleted, _ = ContactRequest.objects.filter(
        status=ContactRequest.Status.PENDING, expires_at__lt=now - PURGE_UNCONFIRMED_AFTER
    ).delete()
    return deleted
