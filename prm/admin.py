from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from prm.models import AuditEvent, Notification, NotificationPreference, User
from prm.notifications import notification_resend


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "partner", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name", "membership__partner__name")
    list_select_related = ("membership__partner",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="Partner", ordering="membership__partner__name")
    def partner(self, obj: User) -> str:
        membership = getattr(obj, "membership", None)
        return membership.partner.name if membership else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Accounts made by an admin can sign in straight away: the admin vouches for the address.
        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class ReadOnlyMixin:
    """Evidence: visible to staff, never added, edited or deleted by hand (every app's admin uses it)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AppManagedMixin:
    """Rows created and removed only in the app, where the services check them and keep the trail (a catalogue
    entry, a row the ledger refers to); the admin may still fix their fields."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_label", "verb", "target_type", "target_id", "partner", "reason")
    list_filter = ("verb", "target_type", ("partner", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_label", "verb", "target_id", "reason", "partner__name")
    date_hierarchy = "created_at"
    list_select_related = ("partner",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "email", "subject", "template", "email_status", "email_attempts", "read_at")
    list_filter = ("email_status", "template")
    search_fields = ("email", "subject", "idempotency_key", "email_last_error")
    date_hierarchy = "created_at"
    actions = ("resend_failed",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry sending the selected failed emails")
    def resend_failed(self, request: HttpRequest, queryset) -> None:
        count = notification_resend(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """People's own choices and the program's defaults (a row without a user). People change theirs on their
    notification settings page; program admins change the defaults in the program setup (audited there)."""

    list_display = ("__str__", "user", "audience", "category", "delivery", "updated_at")
    list_filter = ("category", "delivery", "audience")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
