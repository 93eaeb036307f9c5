"""Write and verify the audit trail. Services call `audit_record` inside their transaction."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from prm.models import AuditChainHead, AuditEvent, User
from prm.timeline import Line, manager_lines


def _label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.email


def audit_record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model,
    partner: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain. `actor=None` means the system (a worker, a sweep)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor,
            actor_label=_label(actor),
            verb=verb,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            partner=partner,
            before=before or {},
            after=after or {},
            reason=reason,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def audit_verify(*, batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain oldest first. Returns (events checked, the first broken link or None)."""
    checked = 0
    prev_hash = ""
    for event in _iter_events(batch_size):
        if event.prev_hash != prev_hash:
            return checked, ChainBreak(
                event.id, "it does not point at the previous event (a row was removed or reordered)"
            )
        if event.compute_hash() != event.hash:
            return checked, ChainBreak(event.id, "its content does not match its hash (the row was altered)")
        prev_hash = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev_hash:
        return checked, ChainBreak(0, "the newest event is missing (the chain head points past the last row)")
    return checked, None


def _iter_events(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def audit_timeline(*, partner: Any, limit: int = 50) -> list[Line]:
    """The newest events concerning one partner, newest first, as the channel team reads them (one query)."""
    events = AuditEvent.objects.filter(partner=partner).select_related("actor").order_by("-created_at", "-id")[:limit]
    return manager_lines(events)
