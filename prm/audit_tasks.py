"""The audit chain's checkpoint, written by the beat every hour (CELERY_BEAT_SCHEDULE "audit-checkpoint").

Each run signs the chain head (event id, hash, time) with the audit key and appends it as a JSON line to
AUDIT_CHECKPOINT_DIR/checkpoints-<year>-<month>.jsonl, and mails it to the ADMINS when there are any. Keep the
files (and the mails) somewhere the database's users cannot write: `verify_audit` compares the chain with every
checkpoint it finds. A run with nothing new since the last checkpoint writes nothing, so running twice is harmless.
"""

from typing import Any

from celery import shared_task

from prm.audit import audit_checkpoint_write


@shared_task
def audit_checkpoint() -> dict[str, Any] | None:
    return audit_checkpoint_write()
