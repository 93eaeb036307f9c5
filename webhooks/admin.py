from django.contrib import admin

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "description", "is_active", "failure_count", "created_by", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    exclude = ("secret",)  # shown once in the manager app; never in the admin
    readonly_fields = ("failure_count", "failing_since", "disabled_at", "created_by", "created_at", "updated_at")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "manual",
        "started_at",
        "succeeded",
        "response_code",
        "latency_ms",
        "response_excerpt",
        "error",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "response_code", "created_at", "delivered_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "endpoint__url")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = (AttemptInline,)

    def has_add_permission(self, request) -> bool:
        return False
