"""The channel team's decisions: approve, reject, ask for more information, and resolve a conflict by choosing
which registration holds the customer. Each is compare-and-set under a row lock (a double click applies once),
audited, and told to the partner in plain words with what happens next."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Conflict, Registration
from dealreg.policy import policy_get, protection_days
from prm.audit import audit_record
from prm.models import User

from .common import (
    PENDING,
    clean_text,
    open_partner_conflicts,
    refresh_flags,
    refused,
    require_manager,
    tell_partner,
)

GROUP_MAX = 50


def _locked(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("partner").get(pk=registration.pk)


def registration_approve(*, actor: User, registration: Registration, reason: str = "") -> Registration:
    """Approve a pending registration: it holds the customer for the policy's exclusivity window. One that
    collides with another partner's active registration is decided by resolving the conflict instead; one that
    collides with our own customers or direct sales needs a reason (the manager's call is recorded)."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason", required=False)
    policy = policy_get()
    with transaction.atomic():
        current = _locked(registration)
        if current.status not in PENDING:
            raise refused(current, "approved")
        if open_partner_conflicts(current):
            raise ValidationError(
                "This registration conflicts with another partner's registration of the same customer: resolve the "
                "conflict by choosing which registration holds the customer, rather than approving it."
            )
        direct = Conflict.objects.filter(registration=current, resolved_at__isnull=True).exclude(
            kind=Conflict.Kind.REGISTRATION
        )
        if direct.exists() and not reason:
            raise ValidationError(
                "This customer is already ours (an existing customer, a named account or in our direct pipeline). "
                "Give a reason for approving it anyway: it is recorded."
            )
        now = timezone.now()
        before = {"status": current.status}
        current.status = Registration.Status.APPROVED
        current.decided_at = now
        current.decided_by = actor
        current.decision_reason = reason
        current.protected_until = now + timedelta(days=protection_days(policy, current.partner))
        current.updated_at = now
        current.save(
            update_fields=["status", "decided_at", "decided_by", "decision_reason", "protected_until", "updated_at"]
        )
        direct.update(resolved_at=now)
        event = audit_record(
            actor=actor,
            verb="deal.approved",
            target=current,
            partner=current.partner,
            before=before,
            after={"status": current.status, "protected_until": current.protected_until.isoformat()},
            reason=reason,
        )
        tell_partner(registration=current, event_pk=event.pk, template="deal_approved", context={"automatic": False})
    return current


def registration_reject(*, actor: User, registration: Registration, reason: str) -> Registration:
    """Reject a pending registration. The reason is required: the partner receives it."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason")
    with transaction.atomic():
        current = _locked(registration)
        if current.status not in PENDING:
            raise refused(current, "rejected")
        now = timezone.now()
        before = {"status": current.status}
        _close(current, Registration.Status.REJECTED, actor=actor, reason=reason, now=now)
        linked = _release_conflicts({current.pk}, now)
        refresh_flags(linked - {current.pk})
        event = audit_record(
            actor=actor,
            verb="deal.rejected",
            target=current,
            partner=current.partner,
            before=before,
            after={"status": current.status},
            reason=reason,
        )
        tell_partner(registration=current, event_pk=event.pk, template="deal_rejected", context={"reason": reason})
    return current


def registration_request_info(*, actor: User, registration: Registration, question: str) -> Registration:
    """Send a submitted registration back to the partner with a question. The partner edits it and submits it
    again (which checks conflicts again and restarts the decision clock)."""
    require_manager(actor)
    question = clean_text(question, what="your question")
    with transaction.atomic():
        current = _locked(registration)
        if current.status != Registration.Status.SUBMITTED:
            raise refused(current, "sent back for more information")
        current.status = Registration.Status.NEEDS_INFO
        current.decision_reason = question
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "decision_reason", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="deal.info_requested",
            target=current,
            partner=current.partner,
            before={"status": Registration.Status.SUBMITTED},
            after={"status": current.status},
            reason=question,
        )
        tell_partner(
            registration=current,
            event_pk=event.pk,
            template="deal_info_requested",
            context={"question": question, "edit_path": reverse("portal:deal_edit", args=[current.pk])},
        )
    return current


def conflict_group(registration: Registration) -> list[Registration]:
    """The registrations tied to this one by unresolved conflicts between partners, in either direction and
    transitively (A conflicts with B, B with C), oldest submission first."""
    seen = {registration.pk}
    frontier = {registration.pk}
    while frontier and len(seen) < GROUP_MAX:
        rows = Conflict.objects.filter(kind=Conflict.Kind.REGISTRATION, resolved_at__isnull=True).filter(
            Q(registration_id__in=frontier) | Q(other_registration_id__in=frontier)
        )
        linked = set()
        for a, b in rows.values_list("registration_id", "other_registration_id")[: GROUP_MAX * 4]:
            linked.update((a, b))
        frontier = linked - seen
        seen |= frontier
    return list(
        Registration.objects.filter(pk__in=seen, status__in=Registration.ACTIVE)
        .select_related("partner")
        .order_by("submitted_at", "pk")
    )


def conflict_resolve(*, actor: User, registration: Registration, holder: Registration, reason: str) -> Registration:
    """Resolve a conflict between partners: `holder` is approved (protected for the exclusivity window) and every
    other active registration in the conflict is rejected with the reason. Everyone involved is told."""
    require_manager(actor)
    reason = clean_text(reason, what="a reason")
    policy = policy_get()
    with transaction.atomic():
        # Lock the rows in a fixed order (by pk), then check again under the lock.
        group_ids = sorted(r.pk for r in conflict_group(registration))
        locked = {r.pk: r for r in Registration.objects.select_for_update().filter(pk__in=group_ids).order_by("pk")}
        members = [r for r in conflict_group(registration) if r.pk in locked]
        if len(members) < 2:
            raise ValidationError(
                "There is no conflict between partners left to resolve on this registration (it was resolved "
                "already, or the other registrations were withdrawn or decided). Nothing was changed."
            )
        chosen = next((r for r in members if r.pk == holder.pk), None)
        if chosen is None:
            raise ValidationError("Choose the holder among the registrations in this conflict.")
        now = timezone.now()
        outcome: list[tuple[Registration, str, str]] = []  # (registration, before status, template outcome)
        before = chosen.status
        if chosen.status != Registration.Status.APPROVED:
            chosen.status = Registration.Status.APPROVED
            chosen.decided_at = now
            chosen.decided_by = actor
            chosen.decision_reason = reason
            chosen.protected_until = now + timedelta(days=protection_days(policy, chosen.partner))
            chosen.has_priority = True
            chosen.updated_at = now
            chosen.save(
                update_fields=[
                    "status",
                    "decided_at",
                    "decided_by",
                    "decision_reason",
                    "protected_until",
                    "has_priority",
                    "updated_at",
                ]
            )
        outcome.append((chosen, before, "holder"))
        for other in members:
            if other.pk == chosen.pk:
                continue
            before = other.status
            _close(other, Registration.Status.REJECTED, actor=actor, reason=reason, now=now)
            outcome.append((other, before, "rejected"))
        _release_conflicts({r.pk for r in members}, now)
        for reg, before, result in outcome:
            event = audit_record(
                actor=actor,
                verb="deal.resolved",
                target=reg,
                partner=reg.partner,
                before={"status": before},
                after={
                    "status": reg.status,
                    "holder": chosen.pk,
                    "group": [r.pk for r in members],
                    "protected_until": reg.protected_until.isoformat() if result == "holder" else None,
                },
                reason=reason,
            )
            tell_partner(
                registration=reg,
                event_pk=event.pk,
                template="deal_conflict_resolved",
                context={"is_holder": result == "holder", "reason": reason},
            )
    chosen.refresh_from_db()
    return chosen


def _close(registration: Registration, status: str, *, actor: User, reason: str, now) -> None:
    registration.status = status
    registration.decided_at = now
    registration.decided_by = actor
    registration.decision_reason = reason
    registration.has_priority = False
    registration.updated_at = now
    registration.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason", "has_priority", "updated_at"]
    )


def _release_conflicts(registration_ids: set[int], now) -> set[int]:
    """Mark the unresolved conflicts of these registrations (either side) resolved; returns every registration
    they touched, whose flags may need recomputing."""
    rows = Conflict.objects.filter(resolved_at__isnull=True).filter(
        Q(registration_id__in=registration_ids) | Q(other_registration_id__in=registration_ids)
    )
    touched = set(registration_ids)
    for a, b in rows.values_list("registration_id", "other_registration_id"):
        touched.add(a)
        if b:
            touched.add(b)
    rows.update(resolved_at=now)
    return touched
