"""The audit chain moves to keyed hashes over an immutable snapshot (issue 19, item 3).

Before: each event's hash was SHA-256 over its columns, including the actor and partner foreign keys, so deleting a
user or partner (set to null) broke the chain, and anyone who could write the table could recompute every hash.
After: each event stores a `snapshot` (ids, names and labels as plain values) and its hash is
HMAC-SHA256(key, previous hash + HMAC-SHA256(key, "snapshot:" + canonical JSON of the snapshot)), with the key
from AUDIT_HMAC_KEY (or derived from SECRET_KEY), never stored in the database.

This migration fills the snapshot of every existing event from its current values (the actor's and partner's names
as they are now; a target's label was never recorded, so it stays empty) and re-chains all of them under the key.
The old chain is therefore re-anchored here: it is checked first with the old rule, and the result, the old head
and the count are recorded in an "audit.rechained" event at the end of the new chain. A database with no events
gets no such event.

The hashing is a frozen copy of prm.models.audit_* at the time of writing: a migration must not change behaviour
when the application code changes later.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.utils import timezone
from django.utils.crypto import salted_hmac


def _canonical(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)


def _key():
    configured = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if configured:
        return configured.encode()
    return salted_hmac("prm.audit.chain", "audit-hmac-key", secret=settings.SECRET_KEY, algorithm="sha256").digest()


def _mac(key, message):
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _chain_hash(key, prev_hash, snapshot):
    return _mac(key, prev_hash + _mac(key, "snapshot:" + _canonical(snapshot)))


def _old_hash(event):
    content = json.loads(
        _canonical(
            {
                "created_at": event.created_at.isoformat(),
                "actor_id": event.actor_id,
                "actor_label": event.actor_label,
                "verb": event.verb,
                "target_type": event.target_type,
                "target_id": str(event.target_id),
                "partner_id": event.partner_id,
                "before": event.before,
                "after": event.after,
                "reason": event.reason,
            }
        )
    )
    return hashlib.sha256((event.prev_hash + _canonical(content)).encode()).hexdigest()


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("prm", "AuditEvent")
    AuditChainHead = apps.get_model("prm", "AuditChainHead")
    User = apps.get_model("prm", "User")
    Partner = apps.get_model("partners", "Partner")
    events = AuditEvent.objects.order_by("id")
    if not events.exists():
        return
    key = _key()
    names = {u.pk: f"{u.first_name} {u.last_name}".strip() for u in User.objects.only("first_name", "last_name")}
    partners = dict(Partner.objects.values_list("pk", "name"))
    head = AuditChainHead.objects.filter(pk=1).first()
    old_head = head.last_hash if head else ""
    prev_old, prev_new, count, first_id, last_id = "", "", 0, None, None
    old_intact, old_break = True, None
    for event in events.iterator(chunk_size=2000):
        if old_intact and (event.prev_hash != prev_old or _old_hash(event) != event.hash):
            old_intact, old_break = False, event.pk
        prev_old = event.hash
        snapshot = json.loads(
            _canonical(
                {
                    "time": event.created_at.isoformat(),
                    "actor_id": event.actor_id,
                    "actor_label": event.actor_label,
                    "actor_name": names.get(event.actor_id, ""),
                    "partner_id": event.partner_id,
                    "partner_name": partners.get(event.partner_id, ""),
                    "target_type": event.target_type,
                    "target_id": str(event.target_id),
                    "target_label": "",
                    "verb": event.verb,
                    "before": event.before,
                    "after": event.after,
                    "reason": event.reason,
                }
            )
        )
        new_hash = _chain_hash(key, prev_new, snapshot)
        AuditEvent.objects.filter(pk=event.pk).update(snapshot=snapshot, prev_hash=prev_new, hash=new_hash)
        prev_new = new_hash
        count += 1
        first_id = first_id or event.pk
        last_id = event.pk
    if old_intact and old_head and old_head != prev_old:
        old_intact, old_break = False, 0
    now = timezone.now()
    after = {
        "events": count,
        "first_event_id": first_id,
        "last_event_id": last_id,
        "old_chain_intact": old_intact,
        "old_chain_first_break": old_break,
    }
    reason = (
        "Migration prm.0005 re-anchored the audit chain: the hash now covers an immutable snapshot of each event and "
        "is keyed (HMAC-SHA256). Snapshots of the events before this one were filled from their values at the time "
        "of the migration."
    )
    snapshot = json.loads(
        _canonical(
            {
                "time": now.isoformat(),
                "actor_id": None,
                "actor_label": "system",
                "actor_name": "",
                "partner_id": None,
                "partner_name": "",
                "target_type": "prm.auditchainhead",
                "target_id": "1",
                "target_label": "audit chain",
                "verb": "audit.rechained",
                "before": {"head": old_head, "algorithm": "sha256"},
                "after": after,
                "reason": reason,
            }
        )
    )
    new_hash = _chain_hash(key, prev_new, snapshot)
    AuditEvent.objects.create(
        created_at=now,
        actor_label="system",
        verb="audit.rechained",
        target_type="prm.auditchainhead",
        target_id="1",
        before=snapshot["before"],
        after=after,
        reason=reason,
        snapshot=snapshot,
        prev_hash=prev_new,
        hash=new_hash,
    )
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": new_hash})


class Migration(migrations.Migration):
    dependencies = [
        ("prm", "0004_notification_preferences"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="snapshot",
            field=models.JSONField(
                blank=True,
                default=dict,
                encoder=DjangoJSONEncoder,
                help_text="What the hash covers: ids, names and labels as they were when the event was recorded.",
            ),
        ),
        # Going back leaves the keyed hashes in place (the old verifier would report them): there is no way back
        # to the plain chain without the old hashes, and keeping them would keep the forgeable chain.
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
