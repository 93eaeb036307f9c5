"""Audit events become webhook deliveries: a post_save receiver on AuditEvent (connected in WebhooksConfig.ready),
which fans out when the transaction that recorded the event commits. A rolled-back change sends nothing, and no
feature app knows webhooks exist."""

import logging
from typing import Any

from django.db import transaction

from prm.models import AuditEvent
from webhooks.events import VERB_EVENTS

logger = logging.getLogger(__name__)


def _fanout_safely(event: AuditEvent) -> None:
    from webhooks.services import webhooks_fanout

    try:
        webhooks_fanout(event=event)
    except Exception:  # the change is committed already: a webhook problem must never fail the request
        logger.exception("Webhook fan-out failed for audit event %s (%s)", event.pk, event.verb)


def audit_event_saved(sender: type, instance: AuditEvent, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or instance.verb not in VERB_EVENTS:
        return  # no query for the many verbs no webhook describes
    transaction.on_commit(lambda: _fanout_safely(instance))
