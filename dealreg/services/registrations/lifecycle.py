"""After approval: the partner asks for a longer protection and a channel manager decides; the deal is closed as
won (with the amount) or lost; protection ends at the close of the exclusivity window. Each change is
compare-and-set under a row lock (a double click applies once), audited, and told in plain words."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dealreg.hooks import announce_won
from dealreg.models import DealregPolicy, Registration
from dealreg.policy import policy_get
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.money import parse_money

from .common import clean_text, refused, require_manager, require_member, tell_managers, tell_partner

Status = Registration.Status
EXPIRE_BATCH = 500


def _locked(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("partner").get(pk=registration.pk)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def extension_refusal(registration: Registration, policy: DealregPolicy, now: datetime | None = None) -> str:
    """Why the partner cannot ask for an extension now, in plain words; "" when it can."""
    now = now or timezone.now()
    if registration.status != Status.APPROVED or registration.protected_until is None:
        return "Only an approved registration can be extended."
    if registration.protected_until <= now:
        return "The protection has already ended."
    if registration.extension_requested_at is not None:
        return "Your request for an extension is waiting for a channel manager's decision."
    if registration.extensions_used >= policy.max_extensions:
        if policy.max_extensions == 0:
            return "The program does not extend protection."
        used = "it" if policy.max_extensions == 1 else "them all"
        return (
            f"The program allows {_plural(policy.max_extensions, 'extension')} per registration, "
            f"and this one has used {used}."
        )
    return ""


def registration_request_extension(*, actor: User, registration: Registration, reason: str) -> Registration:
    """The partner asks for a longer protection, with a reason; a channel manager decides."""
    require_member(actor, registration.partner)
    reason = clean_text(reason, what="a reason for the extension")
    policy = policy_get()
    with transaction.atomic():
        current = _locked(registration)
        now = timezone.now()
        why_not = extension_refusal(current, policy, now)
        if why_not:
            raise ValidationError(f"{why_not} Nothing was changed.")
        current.extension_requested_at = now
        current.extension_reason = reason
        current.updated_at = now
        current.save(update_fields=["extension_requested_at", "extension_reason", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="deal.extension_requested",
            target=current,
            partner=current.partner,
            after={"protected_until": current.protected_until.isoformat(), "extensions_used": current.extensions_used},
            reason=reason,
        )
        context = {"reason": reason, "extension_days": policy.extension_days}
        tell_partner(
            registration=current,
            event_pk=event.pk,
            template="deal_extension_requested",
            context={**context, "for_manager": False},
        )
        tell_managers(
            registration=current,
            event_pk=event.pk,
            template="deal_extension_requested",
            context={**context, "for_manager": True},
        )
    return current


def registration_decide_extension(
    *, actor: User, registration: Registration, approve: bool, reason: str = ""
) -> Registration:
    """A channel manager grants (protection moves out by the policy's extension days) or refuses (a reason is
    required: the partner reads it) a pending extension request."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason", required=not approve)
    policy = policy_get()
    with transaction.atomic():
        current = _locked(registration)
        now = timezone.now()
        if current.status != Status.APPROVED:
            raise refused(current, "extended")
        if current.extension_requested_at is None:
            raise ValidationError(
                "There is no pending extension request on this registration (it was decided already). "
                "Nothing was changed."
            )
        before = {"protected_until": current.protected_until.isoformat(), "extensions_used": current.extensions_used}
        if approve:
            current.protected_until += timedelta(days=policy.extension_days)
            current.extensions_used += 1
        current.extension_requested_at = None
        current.extension_reason = ""
        current.updated_at = now
        current.save(
            update_fields=[
                "protected_until",
                "extensions_used",
                "extension_requested_at",
                "extension_reason",
                "updated_at",
            ]
        )
        event = audit_record(
            actor=actor,
            verb="deal.extension_decided",
            target=current,
            partner=current.partner,
            before=before,
            after={
                "approved": approve,
                "protected_until": current.protected_until.isoformat(),
                "extensions_used": current.extensions_used,
            },
            reason=reason,
        )
        tell_partner(
            registration=current,
            event_pk=event.pk,
            template="deal_extension_decided",
            context={"approved": approve, "reason": reason, "extension_days": policy.extension_days},
        )
    return current


def _amount(value) -> Decimal:
    if value in (None, ""):
        raise ValidationError("Give the amount the deal was won for.")
    amount = parse_money(value, label="amount won", allow_negative=True)
    if amount <= 0:
        raise ValidationError("The amount must be more than zero.")
    return amount


def registration_close(
    *, actor: User, registration: Registration, won: bool, amount=None, reason: str = ""
) -> Registration:
    """Close an approved registration as won (the amount is required) or lost. The partner or a channel manager
    may do it; the partner is told, and the channel team hears about wins."""
    if not is_channel_manager(actor):
        require_member(actor, registration.partner)
    reason = clean_text(reason, what="a note", required=False)
    won_amount = _amount(amount) if won else None
    with transaction.atomic():
        current = _locked(registration)
        if current.status != Status.APPROVED:
            raise refused(current, "closed as won" if won else "closed as lost")
        now = timezone.now()
        before = {"status": current.status, "stage": current.stage}
        current.status = Status.WON if won else Status.LOST
        current.stage = Registration.Stage.WON if won else Registration.Stage.LOST
        current.won_amount = won_amount
        current.closed_at = now
        current.extension_requested_at = None
        current.extension_reason = ""
        current.updated_at = now
        current.save(
            update_fields=[
                "status",
                "stage",
                "won_amount",
                "closed_at",
                "extension_requested_at",
                "extension_reason",
                "updated_at",
            ]
        )
        after = {"status": current.status, "stage": current.stage}
        if won:
            after["won_amount"] = str(won_amount)
        event = audit_record(
            actor=actor,
            verb="deal.won" if won else "deal.lost",
            target=current,
            partner=current.partner,
            before=before,
            after=after,
            reason=reason,
        )
        context = {"won": won, "amount": won_amount, "reason": reason, "by_manager": is_channel_manager(actor)}
        tell_partner(registration=current, event_pk=event.pk, template="deal_closed", context=context)
        if won:
            tell_managers(
                registration=current,
                event_pk=event.pk,
                template="deal_closed",
                context={**context, "for_manager": True},
            )
            # Apps built on dealreg (insights: the customer contract) hear of the win once it is committed.
            transaction.on_commit(lambda: announce_won(registration=current, actor=actor))
    return current


def registration_expire_due(*, now: datetime) -> int:
    """Approved registrations whose protection ended by `now` expire (a pending extension request lapses with
    them). Each is compare-and-set, so running twice (or two workers at once) expires each one once."""
    due_ids = list(
        Registration.objects.filter(status=Status.APPROVED, protected_until__lte=now)
        .order_by("protected_until", "pk")
        .values_list("pk", flat=True)[:EXPIRE_BATCH]
    )
    expired = 0
    for pk in due_ids:
        with transaction.atomic():
            changed = Registration.objects.filter(pk=pk, status=Status.APPROVED, protected_until__lte=now).update(
                status=Status.EXPIRED,
                extension_requested_at=None,
                extension_reason="",
                updated_at=timezone.now(),
            )
            if changed != 1:
                continue
            current = Registration.objects.select_related("partner", "created_by").get(pk=pk)
            event = audit_record(
                actor=None,
                verb="deal.expired",
                target=current,
                partner=current.partner,
                before={"status": Status.APPROVED},
                after={"status": current.status, "protected_until": current.protected_until.isoformat()},
                reason="The protection window ended.",
            )
            tell_partner(registration=current, event_pk=event.pk, template="deal_expired", context={})
            expired += 1
    return expired
