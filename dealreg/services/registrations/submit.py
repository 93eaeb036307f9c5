"""Submission: the conflict check, race-free on PostgreSQL, the first-to-register policy, the SLA clock, and
the automatic approval the program may allow when nothing conflicts at all."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from dealreg.models import Account, Conflict, DirectOpportunity, Registration
from dealreg.policy import add_business_days, policy_get, protection_days
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User

from .common import refresh_flags, require_member, tell_managers, tell_partner

AUTO_APPROVED = "approved automatically: no conflict"

# What the partner is told about each kind of conflict: why in plain words, never who.
PARTNER_WORDING = {
    Conflict.Kind.REGISTRATION: "another registration already covers this customer",
    Conflict.Kind.OPPORTUNITY: "our own sales team is working with this customer",
    Conflict.Kind.NAMED_ACCOUNT: "this customer is one our own sales team looks after",
    Conflict.Kind.CUSTOMER: "this company is already our customer, so this would be a renewal or expansion",
}


@dataclass
class Detection:
    conflicts: list[Conflict] = field(default_factory=list)  # unsaved
    account: Account | None = None
    not_conflicts: list[str] = field(default_factory=list)


def lock_key(key: str) -> int:
    """A stable signed 64-bit number for pg_advisory_xact_lock (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _lock_customer(name_key: str, domain: str) -> None:
    """Serialise submissions of the same customer until this transaction ends, so the check-and-insert of two
    partners submitting it at the same moment cannot interleave. SQLite writes are serialised anyway
    (IMMEDIATE transactions), and it has no advisory locks."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {lock_key(f"dealreg:{kind}:{value}") for kind, value in (("domain", domain), ("name", name_key)) if value}
    )
    with connection.cursor() as cursor:
        for key in keys:  # always the same order, so two submissions never wait on each other crosswise
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _products(value: str) -> set[str]:
    return {p for p in (" ".join(part.split()).lower() for part in re.split(r"[,;/\n]", value or "")) if p}


def detect(registration: Registration) -> Detection:
    """Everything this registration collides with: other partners' active registrations of the same (or
    possibly the same) customer, and known accounts that are customers, named accounts or in the direct pipeline."""
    from dealreg.candidates import find_candidates

    found = Detection()
    now = timezone.now()
    mine = _products(registration.products)
    candidates = find_candidates(
        name=registration.name,
        website=registration.website,
        country=str(registration.country or ""),
        exclude_partner_id=registration.partner_id,
        exclude_registration_id=registration.pk,
    )
    # The open direct opportunities of every account found, in one query (up to 10 each, oldest first).
    opportunities: dict[int, list[DirectOpportunity]] = {}
    account_ids = [c.obj.pk for c in candidates if c.kind == "account"]
    if account_ids:
        ranked = DirectOpportunity.objects.filter(account_id__in=account_ids, stage=DirectOpportunity.Stage.OPEN)
        ranked = ranked.annotate(rank=Window(RowNumber(), partition_by=[F("account_id")], order_by=F("pk").asc()))
        for opportunity in ranked.filter(rank__lte=10).order_by("pk"):
            opportunities.setdefault(opportunity.account_id, []).append(opportunity)
    for candidate in candidates:
        result = candidate.result
        common = {"verdict": result.verdict, "score": result.score, "reasons": list(result.reasons)}
        if candidate.kind == "registration":
            other: Registration = candidate.obj
            if other.status not in Registration.ACTIVE or other.partner_id == registration.partner_id:
                continue
            if other.status == Registration.Status.APPROVED and other.protected_until and other.protected_until < now:
                continue  # its protection ended: the expiry sweep will mark it, it no longer holds the customer
            theirs = _products(other.products)
            if mine and theirs and not mine & theirs:
                found.not_conflicts.append(
                    f"registration {other.pk}: a similar customer, but for other products "
                    f"({', '.join(sorted(theirs))}), so not a conflict"
                )
                continue
            found.conflicts.append(
                Conflict(registration=registration, kind=Conflict.Kind.REGISTRATION, other_registration=other, **common)
            )
            continue
        account: Account = candidate.obj
        if found.account is None and result.verdict == "same":
            found.account = account
        if account.is_customer:
            found.conflicts.append(
                Conflict(registration=registration, kind=Conflict.Kind.CUSTOMER, account=account, **common)
            )
        if account.is_named_account:
            found.conflicts.append(
                Conflict(registration=registration, kind=Conflict.Kind.NAMED_ACCOUNT, account=account, **common)
            )
        for opportunity in opportunities.get(account.pk, []):
            found.conflicts.append(
                Conflict(
                    registration=registration,
                    kind=Conflict.Kind.OPPORTUNITY,
                    account=account,
                    opportunity=opportunity,
                    **common,
                )
            )
    return found


def registration_submit(*, actor: User, registration: Registration) -> Registration:
    """Submit a draft (or resubmit after a request for information). Checks conflicts, records them with the
    matcher's reasons, applies the first-to-register policy, starts the decision clock, tells the partner in
    plain words and the channel managers; approves at once only if the policy allows and nothing conflicts."""
    require_member(actor, registration.partner)
    policy = policy_get()
    with transaction.atomic():
        row = Registration.objects.filter(pk=registration.pk).values("status", "name_key", "domain").first()
        if row is None:
            raise ValidationError("This registration no longer exists.")
        _lock_customer(row["name_key"], row["domain"])
        now = timezone.now()
        before_status = row["status"]
        # Compare-and-set: a double click submits once. The first submission time is kept on a resubmission:
        # first to register is first to register.
        changed = Registration.objects.filter(
            pk=registration.pk, status__in=[Registration.Status.DRAFT, Registration.Status.NEEDS_INFO]
        ).update(
            status=Registration.Status.SUBMITTED,
            decision_due_at=add_business_days(now, policy.decision_sla_business_days),
            decided_at=None,
            decided_by=None,
            decision_reason="",
            updated_at=now,
        )
        if changed != 1:
            raise ValidationError(
                "This registration was already submitted. Nothing was changed."
                if before_status in Registration.ACTIVE
                else "Only drafts and registrations sent back for more information can be submitted."
            )
        Registration.objects.filter(pk=registration.pk, submitted_at__isnull=True).update(submitted_at=now)
        Partner.objects.filter(pk=registration.partner_id, first_deal_at__isnull=True).update(first_deal_at=now)
        registration.refresh_from_db()

        # A resubmission checks again from scratch: what it collided with before may have changed.
        Conflict.objects.filter(registration=registration, resolved_at__isnull=True).delete()
        detection = detect(registration)
        Conflict.objects.bulk_create(detection.conflicts)
        others = {c.other_registration_id for c in detection.conflicts if c.other_registration_id}
        refresh_flags({registration.pk, *others})
        Registration.objects.filter(pk=registration.pk).update(account=detection.account)
        registration.refresh_from_db()

        event = audit_record(
            actor=actor,
            verb="deal.submitted",
            target=registration,
            partner=registration.partner,
            before={"status": before_status},
            after={
                "status": registration.status,
                "has_conflict": registration.has_conflict,
                "has_priority": registration.has_priority,
                "decision_due_at": registration.decision_due_at.isoformat(),
                "account": registration.account_id,
                "conflicts": [
                    {
                        "kind": c.kind,
                        "verdict": c.verdict,
                        "score": c.score,
                        "other_registration": c.other_registration_id,
                        "account": c.account_id,
                        "opportunity": c.opportunity_id,
                    }
                    for c in detection.conflicts
                ],
                "not_conflicts": detection.not_conflicts,
            },
        )
        if policy.auto_approve_without_conflict and not detection.conflicts and not registration.has_conflict:
            return _auto_approve(registration, protection_days(policy, registration.partner), submitted_event=event.pk)
        kinds = list(dict.fromkeys(c.kind for c in detection.conflicts))
        tell_partner(
            registration=registration,
            event_pk=event.pk,
            template="deal_submitted",
            context={
                "has_conflict": registration.has_conflict,
                "has_priority": registration.has_priority,
                "conflict_words": [PARTNER_WORDING[k] for k in kinds],
                "has_partner_conflict": Conflict.Kind.REGISTRATION in kinds,
            },
        )
        tell_managers(
            registration=registration,
            event_pk=event.pk,
            template="deal_new",
            context={"conflicts": detection.conflicts, "partner": registration.partner},
        )
    # A first submitted deal completes the onboarding step "register a first deal" (partners.hooks).
    from partners.hooks import notify_step_event

    notify_step_event(partner=registration.partner, actor=actor)
    return registration


def _auto_approve(registration: Registration, exclusivity_days: int, *, submitted_event: int) -> Registration:
    now = timezone.now()
    # The submission's own transaction holds the row (it has just updated it): nobody can decide in between.
    Registration.objects.filter(pk=registration.pk, status=Registration.Status.SUBMITTED).update(
        status=Registration.Status.APPROVED,
        decided_at=now,
        decided_by=None,
        decision_reason=AUTO_APPROVED,
        protected_until=now + timedelta(days=exclusivity_days),
        updated_at=now,
    )
    registration.refresh_from_db()
    event = audit_record(
        actor=None,
        verb="deal.approved",
        target=registration,
        partner=registration.partner,
        before={"status": Registration.Status.SUBMITTED},
        after={"status": registration.status, "protected_until": registration.protected_until.isoformat()},
        reason=AUTO_APPROVED,
    )
    tell_partner(registration=registration, event_pk=event.pk, template="deal_approved", context={"automatic": True})
    return registration
