from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed webhooks: endpoints the channel team registers, events from the audit trail, delivery by Celery."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"
