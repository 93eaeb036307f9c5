"""Write, redact and verify the audit trail. Services call `audit_record` inside their transaction.

Each event keeps a snapshot of what happened (ids, names and labels as they were, plain values), and the chain
hashes that snapshot with a key kept outside the database (prm.models.audit_hmac_key): deleting a user or a partner
only clears foreign keys the hash does not cover, and someone who edits the table cannot recompute the hashes.
Personal data in old events is blanked by `audit_redact`, which records a redaction event carrying the original
digest, so the verifier still checks the redacted event. A beat task (prm.audit_tasks) writes signed checkpoints of
the chain head to files (and mails them to the admins), which `verify_audit` compares with the chain: even someone
holding the key cannot rewrite history that a checkpoint has seen.
"""

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from prm.models import (
    REDACTABLE_FIELDS,
    REDACTED,
    AuditChainHead,
    AuditEvent,
    User,
    _canonical,
    audit_chain_hash,
    audit_hmac_key,
    audit_mac,
    audit_snapshot_digest,
)
from prm.timeline import Line, manager_lines

logger = logging.getLogger(__name__)

REDACTION_VERB = "audit.redacted"
CHAIN_VERBS = frozenset({REDACTION_VERB, "audit.rechained"})  # their before/after is the chain's own bookkeeping
REDACTIONS_PER_EVENT = 100


class AuditError(Exception):
    """A redaction or checkpoint refused, with a message a person can act on."""


def _label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.email


class _NoQueries(Exception):
    pass


def _refuse_queries(execute, sql, params, many, context):
    raise _NoQueries


def _target_label(target: models.Model) -> str:
    """How the target reads (its `str`), if that needs no query: a label must never cost a service a query per
    event, so a `__str__` that reaches for a relation not yet loaded falls back to "<model> #<id>"."""
    try:
        with connection.execute_wrapper(_refuse_queries):
            label = str(target)
    except _NoQueries:
        label = f"{target._meta.verbose_name} #{target.pk}"
    return label[:200]


def audit_record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model,
    partner: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. `actor=None` means the system (a worker, a sweep). `label` names the target
    when its `str` would not do (it becomes part of the immutable snapshot)."""
    created_at = timezone.now()
    # Round-trip through JSON so the snapshot hashed now is exactly what is read back later.
    snapshot = json.loads(
        _canonical(
            {
                "time": created_at.isoformat(),
                "actor_id": actor.pk if actor is not None else None,
                "actor_label": _label(actor),
                "actor_name": actor.get_full_name() if actor is not None else "",
                "partner_id": partner.pk if partner is not None else None,
                "partner_name": str(getattr(partner, "name", partner)) if partner is not None else "",
                "target_type": target._meta.label_lower,
                "target_id": str(target.pk),
                "target_label": _target_label(target) if label is None else label,
                "verb": verb,
                "before": before or {},
                "after": after or {},
                "reason": reason,
            }
        )
    )
    key = audit_hmac_key()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            created_at=created_at,
            actor=actor,
            actor_label=snapshot["actor_label"],
            verb=verb,
            target_type=snapshot["target_type"],
            target_id=snapshot["target_id"],
            partner=partner,
            before=snapshot["before"],
            after=snapshot["after"],
            reason=reason,
            snapshot=snapshot,
            prev_hash=head.last_hash,
        )
        event.hash = audit_chain_hash(head.last_hash, audit_snapshot_digest(snapshot, key=key), key=key)
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


# --- Redaction -----------------------------------------------------------------------------------------------------


def _redactions(*, event_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """The newest redaction of each event: {event id: {"by": redaction event id, "original_digest", ...}}."""
    wanted = set(event_ids) if event_ids is not None else None
    found: dict[int, dict[str, Any]] = {}
    rows = AuditEvent.objects.filter(verb=REDACTION_VERB).order_by("id").values_list("id", "snapshot")
    for redaction_id, snapshot in rows:
        after = snapshot.get("after") if isinstance(snapshot, dict) else None
        covers = after.get("covers") if isinstance(after, dict) else None
        for item in covers if isinstance(covers, list) else []:
            event_id = item.get("event_id") if isinstance(item, dict) else None
            # Only a later event can vouch for an earlier one.
            if isinstance(event_id, int) and event_id < redaction_id and (wanted is None or event_id in wanted):
                found[event_id] = {**item, "by": redaction_id}
    return found


def _get_path(snapshot: dict[str, Any], path: str) -> tuple[bool, Any]:
    if path in REDACTABLE_FIELDS:
        return path in snapshot, snapshot.get(path)
    section, _, name = path.partition(".")
    data = snapshot.get(section) if section in ("before", "after") else None
    if not name or not isinstance(data, dict) or name not in data:
        return False, None
    return True, data[name]


def _check_paths(event: AuditEvent, paths: Iterable[str]) -> list[str]:
    wanted = sorted(set(paths))
    for path in wanted:
        exists, _ = _get_path(event.snapshot, path)
        allowed = path in REDACTABLE_FIELDS or (
            event.verb not in CHAIN_VERBS and path.startswith(("before.", "after."))
        )
        if not (allowed and exists):
            raise AuditError(
                f"Event #{event.pk} has no field “{path}” that can be redacted: use one of "
                f"{', '.join(REDACTABLE_FIELDS)} or a value inside before/after (“before.email”)."
            )
    return wanted


def _original_digest(event: AuditEvent, redaction: dict[str, Any] | None, key: bytes) -> str:
    """The digest the event's hash was made from; refuses an event that does not verify (redacting must never
    launder an edit)."""
    if redaction is None:
        digest = event.snapshot_digest(key=key)
    else:
        digest = str(redaction.get("original_digest", ""))
        if event.snapshot_digest(key=key) != redaction.get("redacted_digest"):
            digest = ""
    if audit_chain_hash(event.prev_hash, digest, key=key) != event.hash:
        raise AuditError(f"Event #{event.pk} does not match its hash: run verify_audit before redacting it.")
    return digest


def _redact_events(*, actor: User | None, plans: dict[int, list[str]], reason: str, label: str) -> list[AuditEvent]:
    """Blank `plans` ({event id: snapshot paths}) and record one redaction event per REDACTIONS_PER_EVENT events."""
    if not reason.strip():
        raise AuditError("Say why the data is redacted (for example the erasure request it answers).")
    key = audit_hmac_key()
    recorded: list[AuditEvent] = []
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)  # no append while we rewrite snapshots
        events = list(AuditEvent.objects.select_for_update().filter(pk__in=plans).order_by("id"))
        earlier = _redactions(event_ids=plans)
        covers: list[dict[str, Any]] = []
        for event in events:
            paths = _check_paths(event, plans[event.pk])
            original = _original_digest(event, earlier.get(event.pk), key)
            snapshot = json.loads(_canonical(event.snapshot))
            macs = {}
            for path in paths:
                _, value = _get_path(snapshot, path)
                if value == REDACTED:
                    continue
                macs[path] = audit_mac("field:" + _canonical(value), key=key)
                if path in REDACTABLE_FIELDS:
                    snapshot[path] = REDACTED
                else:
                    section, _, name = path.partition(".")
                    snapshot[section][name] = REDACTED
            if not macs:
                continue  # redacted already
            snapshot["redacted"] = sorted({*snapshot.get("redacted", []), *macs})
            AuditEvent.objects.filter(pk=event.pk).update(
                snapshot=snapshot,
                actor_label=snapshot["actor_label"],
                reason=snapshot["reason"],
                before=snapshot["before"],
                after=snapshot["after"],
            )
            covers.append(
                {
                    "event_id": event.pk,
                    "fields": sorted(macs),
                    "field_macs": macs,  # HMACs of the removed values: whoever holds a value can prove it was there
                    "original_digest": original,
                    "redacted_digest": audit_snapshot_digest(snapshot, key=key),
                }
            )
        for start in range(0, len(covers), REDACTIONS_PER_EVENT):
            chunk = covers[start : start + REDACTIONS_PER_EVENT]
            target = AuditEvent(pk=chunk[0]["event_id"])
            recorded.append(
                audit_record(
                    actor=actor,
                    verb=REDACTION_VERB,
                    target=target,
                    label=label,
                    after={"events": len(chunk), "covers": chunk},
                    reason=reason,
                )
            )
    return recorded


def audit_redact(*, actor: User | None, event: AuditEvent, fields: Iterable[str], reason: str) -> AuditEvent | None:
    """Blank personal data in one recorded event: `fields` are snapshot fields (actor_label, actor_name,
    partner_name, target_label, reason) or single values inside before/after ("before.user"). Records an
    "audit.redacted" event holding the original digest, which lets `verify_audit` check the event without the data.
    Returns the redaction event, or None when those fields were redacted already."""
    recorded = _redact_events(
        actor=actor, plans={event.pk: list(fields)}, reason=reason, label=f"audit event #{event.pk}"
    )
    return recorded[0] if recorded else None


def _mentions(value: Any, patterns: list[re.Pattern[str]]) -> bool:
    return isinstance(value, str) and value != REDACTED and any(p.search(value) for p in patterns)


def audit_redact_user(*, actor: User | None, user: User, reason: str) -> int:
    """Erase a person from the audit trail (a GDPR erasure): blank their email and name wherever an event recorded
    them (as the actor, the target, or a value in before/after or the reason), keeping ids, verbs and times. Call
    it before deleting the user. Returns how many events were redacted. Running it again redacts nothing more."""
    name = user.get_full_name().strip()
    # The email anywhere in a value; the full name as whole words ("Jon" is not in "jonathan@…").
    needles = [re.compile(re.escape(user.email), re.IGNORECASE)]
    if name:
        needles.append(re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE))
    candidates = AuditEvent.objects.filter(
        Q(actor_id=user.pk)
        | Q(snapshot__actor_id=user.pk)
        | Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(snapshot__icontains=user.email)
        | (Q(snapshot__icontains=name) if name else Q(pk__in=[]))
    ).order_by("id")
    plans: dict[int, list[str]] = {}
    for event in candidates.iterator():
        snap = event.snapshot
        paths = []
        if snap.get("actor_id") == user.pk or _mentions(snap.get("actor_label"), needles):
            paths += [p for p in ("actor_label", "actor_name") if snap.get(p) not in ("", REDACTED)]
        is_target = snap.get("target_type") == User._meta.label_lower and snap.get("target_id") == str(user.pk)
        if (is_target and snap.get("target_label") not in ("", REDACTED)) or _mentions(
            snap.get("target_label"), needles
        ):
            paths.append("target_label")
        if _mentions(snap.get("reason"), needles):
            paths.append("reason")
        if event.verb not in CHAIN_VERBS:
            for section in ("before", "after"):
                data = snap.get(section)
                for field, value in data.items() if isinstance(data, dict) else ():
                    if _mentions(value, needles):
                        paths.append(f"{section}.{field}")
        if paths:
            plans[event.pk] = paths
    if not plans:
        return 0
    _redact_events(actor=actor, plans=plans, reason=reason, label=f"user #{user.pk}")
    return len(plans)


# --- Verification --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    event_id: int  # 0: not one event (the chain head, or a checkpoint file)
    problem: str
    created_at: datetime | None = None
    verb: str = ""
    intact_before: int | None = None
    where: str = ""  # what broke when it is not an event ("the checkpoint in checkpoints-2026-05.jsonl line 3")


@dataclass(frozen=True)
class Verification:
    events: int
    checkpoints: int
    broken: ChainBreak | None


def audit_verify(*, batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain oldest first and compare it with every checkpoint. Returns (events checked, the first
    broken link or None)."""
    result = audit_check(batch_size=batch_size)
    return result.events, result.broken


def audit_check(*, batch_size: int = 2000) -> Verification:
    """The chain with the key, then the checkpoints; the earliest problem wins."""
    key = audit_hmac_key()
    checked, chain_break, last_hash = _walk(key=key, batch_size=batch_size)
    if chain_break is None:
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and head.last_hash != last_hash:
            chain_break = ChainBreak(
                0, "the newest event is missing (the chain head points past the last row)", intact_before=checked
            )
    checkpoints, checkpoint_break = _verify_checkpoints(key=key)
    breaks = [b for b in (chain_break, checkpoint_break) if b is not None]
    broken = min(breaks, key=lambda b: (b.event_id == 0, b.event_id)) if breaks else None
    return Verification(events=checked, checkpoints=checkpoints, broken=broken)


def _break(event: AuditEvent, problem: str, checked: int) -> ChainBreak:
    return ChainBreak(event.id, problem, event.created_at, event.verb, checked)


def _walk(
    *, key: bytes, batch_size: int = 2000, after_id: int = 0, prev_hash: str = ""
) -> tuple[int, ChainBreak | None, str]:
    """Check the events after `after_id`, the first of which must follow `prev_hash`. Returns (events checked,
    the first break or None, the last hash)."""
    redactions = _redactions()
    user_model = AuditEvent._meta.get_field("actor").related_model
    partner_model = AuditEvent._meta.get_field("partner").related_model
    checked = 0
    for batch in _batches(batch_size, after_id):
        # A cleared foreign key is fine when the row it pointed at is gone (an erasure), not while it still exists.
        live_users = _still_existing(user_model, [e for e in batch if e.actor_id is None], "actor_id")
        live_partners = _still_existing(partner_model, [e for e in batch if e.partner_id is None], "partner_id")
        for event in batch:
            problem = _event_problem(event, prev_hash, key, redactions.get(event.id), live_users, live_partners)
            if problem:
                return checked, _break(event, problem, checked), prev_hash
            prev_hash = event.hash
            checked += 1
    return checked, None, prev_hash


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _still_existing(model: Any, events: list[AuditEvent], field: str) -> set[int]:
    """Which of the ids these events recorded in `field` still exist (one query)."""
    ids = {e.snapshot.get(field) for e in events if _is_dict(e.snapshot)}
    ids = {i for i in ids if isinstance(i, int)}
    return set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


def _event_problem(
    event: AuditEvent,
    prev_hash: str,
    key: bytes,
    redaction: dict[str, Any] | None,
    live_users: set[int],
    live_partners: set[int],
) -> str:
    if event.prev_hash != prev_hash:
        return "it does not point at the previous event (a row was removed or reordered)"
    snapshot = event.snapshot if _is_dict(event.snapshot) else {}
    digest = audit_snapshot_digest(snapshot, key=key)
    if redaction is not None:
        # Redacted: the snapshot must be exactly what the redaction left, and the hash must come from the original.
        if digest != redaction.get("redacted_digest"):
            return "its content does not match its hash (the redacted row was altered)"
        digest = str(redaction.get("original_digest", ""))
    elif snapshot.get("redacted"):
        return "its content does not match its hash (it is marked redacted, but no redaction event covers it)"
    if audit_chain_hash(prev_hash, digest, key=key) != event.hash:
        return "its content does not match its hash (the row was altered, or hashed without the key)"
    columns = event.columns_snapshot()
    for name, value in columns.items():
        if snapshot.get(name) != value:
            return f"its content does not match its hash (the row was altered: “{name}” differs from the snapshot)"
    for column, field, live in (("actor_id", "actor_id", live_users), ("partner_id", "partner_id", live_partners)):
        recorded, current = snapshot.get(field), getattr(event, column)
        if current is not None and current != recorded:
            return f"its content does not match its hash (the row was altered: “{column}” differs from the snapshot)"
        if current is None and recorded in live:
            return f"its content does not match its hash (“{column}” was cleared, but #{recorded} still exists)"
    return ""


def _batches(batch_size: int, after_id: int = 0) -> Iterator[list[AuditEvent]]:
    last_id = after_id
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


# --- Checkpoints ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    data: dict[str, Any]
    source: str  # "file.jsonl line 3"
    signed: bool


def _checkpoint_dir() -> Path:
    return Path(getattr(settings, "AUDIT_CHECKPOINT_DIR", None) or settings.BASE_DIR / "var" / "audit-checkpoints")


def _checkpoint_signature(data: dict[str, Any], key: bytes) -> str:
    unsigned = {k: v for k, v in data.items() if k != "signature"}
    return audit_mac("checkpoint:" + _canonical(unsigned), key=key)


def _read_checkpoints(key: bytes) -> list[Checkpoint]:
    directory = _checkpoint_dir()
    found: list[Checkpoint] = []
    for path in sorted(directory.glob("*.jsonl")) if directory.is_dir() else []:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            source = f"{path.name} line {number}"
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            if not isinstance(data, dict) or not isinstance(data.get("event_id"), int):
                found.append(Checkpoint({}, source, signed=False))
                continue
            found.append(Checkpoint(data, source, signed=_checkpoint_signature(data, key) == data.get("signature")))
    return found


def _verify_checkpoints(*, key: bytes) -> tuple[int, ChainBreak | None]:
    checkpoints = _read_checkpoints(key)
    for checkpoint in checkpoints:
        if not checkpoint.signed:
            return 0, ChainBreak(
                0,
                "it is not signed with this key (it was forged, damaged, or written with another AUDIT_HMAC_KEY)",
                where=f"the checkpoint in {checkpoint.source}",
            )
    ordered = sorted(checkpoints, key=lambda c: c.data["event_id"])
    rows = {
        row[0]: row
        for row in AuditEvent.objects.filter(pk__in=[c.data["event_id"] for c in ordered]).values_list(
            "id", "hash", "created_at", "verb"
        )
    }
    last_good = 0
    for matched, checkpoint in enumerate(ordered):
        data = checkpoint.data
        row = rows.get(data["event_id"])
        if row is not None and row[1] == data.get("hash"):
            last_good = row[0]
            continue
        intact = AuditEvent.objects.filter(id__lte=last_good).count()
        written = data.get("written_at", "?")
        if row is None:
            return matched, ChainBreak(
                data["event_id"],
                f"it is missing, but the checkpoint written {written} ({checkpoint.source}) names it "
                "(rows were removed)",
                parse_datetime(str(data.get("event_time", ""))),
                str(data.get("verb", "")),
                intact,
            )
        since = f"after event #{last_good}" if last_good else "from the start"
        return matched, ChainBreak(
            row[0],
            f"it does not match the checkpoint written {written} ({checkpoint.source}): the chain was rewritten "
            f"{since}, at or before this event",
            row[2],
            row[3],
            intact,
        )
    return len(ordered), None


def audit_checkpoint_write(*, now: datetime | None = None) -> dict[str, Any] | None:
    """Sign the chain head and append it as a JSON line to this month's file in AUDIT_CHECKPOINT_DIR, and mail it
    to the ADMINS (if any). Checks the events since the last checkpoint first: a chain that does not verify is
    not signed (the admins are told instead). Returns the checkpoint, or None when the head has not moved."""
    now = now or timezone.now()
    key = audit_hmac_key()
    newest = AuditEvent.objects.order_by("-id").only("id", "hash", "created_at", "verb").first()
    if newest is None:
        return None
    previous = [c for c in _read_checkpoints(key) if c.signed]
    last = max(previous, key=lambda c: c.data["event_id"], default=None)
    after_id, prev_hash = (last.data["event_id"], last.data["hash"]) if last else (0, "")
    if last is not None and (newest.id, newest.hash) == (after_id, prev_hash):
        return None
    _, broken, _ = _walk(key=key, after_id=after_id, prev_hash=prev_hash)
    if broken is None and newest.id <= after_id:
        broken = ChainBreak(newest.id, "the newest event is older than the last checkpoint (rows were removed)")
    if broken is not None:
        message = f"Audit chain broken at event #{broken.event_id}: {broken.problem}. No checkpoint was written."
        logger.error(message)
        if settings.ADMINS:
            mail_admins("Audit chain broken: no checkpoint written", message + "\nRun `manage.py verify_audit`.")
        return None
    data = {
        "event_id": newest.id,
        "hash": newest.hash,
        "event_time": newest.created_at.isoformat(),
        "verb": newest.verb,
        "written_at": now.isoformat(),
    }
    data["signature"] = _checkpoint_signature(data, key)
    line = json.dumps(data, sort_keys=True)
    directory = _checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"checkpoints-{now:%Y-%m}.jsonl", "a", encoding="utf-8") as file:
        file.write(line + "\n")
        file.flush()
        os.fsync(file.fileno())
    if settings.ADMINS:
        mail_admins(
            f"Audit checkpoint: event #{newest.id}",
            "The audit trail's head, signed. Keep this mail: to check the chain against it, add the line below to a "
            "file ending in .jsonl in AUDIT_CHECKPOINT_DIR and run `manage.py verify_audit`.\n\n" + line + "\n",
        )
    return data


def audit_timeline(*, partner: Any, limit: int = 50) -> list[Line]:
    """The newest events concerning one partner, newest first, as the channel team reads them (one query)."""
    events = AuditEvent.objects.filter(partner=partner).select_related("actor").order_by("-created_at", "-id")[:limit]
    return manager_lines(events)
