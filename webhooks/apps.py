from django.apps import AppConfig
from django.db.models.signals import post_save


class WebhooksConfig(AppConfig):
    """Signed webhooks: endpoints the channel team registers, events from the audit trail, delivery by Celery."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from prm.models import AUDIT_SENTENCES, AuditEvent
        from webhooks.signals import audit_event_saved

        post_save.connect(audit_event_saved, sender=AuditEvent, dispatch_uid="webhooks.audit_event_saved")
        AUDIT_SENTENCES.update(
            {
                "webhooks.endpoint_created": "added the webhook endpoint {url}",
                "webhooks.endpoint_updated": "changed a webhook endpoint",
                "webhooks.secret_rotated": "rotated the signing secret of a webhook endpoint",
                "webhooks.endpoint_enabled": "turned a webhook endpoint back on",
                "webhooks.endpoint_disabled": "turned a webhook endpoint off",
                "webhooks.delivery_redelivered": "redelivered the webhook event {event_type}",
            }
        )
