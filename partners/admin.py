from django.contrib import admin
from django.db.models import Count

from partners.models import Invitation, Partner, PartnerMembership


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "status", "parent", "members", "created_at")
    list_filter = ("type", "status")
    search_fields = ("name",)
    raw_id_fields = ("parent",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent").annotate(member_count=Count("memberships"))

    @admin.display(ordering="member_count")
    def members(self, obj: Partner) -> int:
        return obj.member_count


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "partner", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "partner__type")
    search_fields = ("user__email", "user__first_name", "user__last_name", "partner__name")
    raw_id_fields = ("user", "partner")
    list_select_related = ("user", "partner")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "partner", "role", "state_label", "invited_by", "created_at", "expires_at")
    list_filter = (
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("email", "partner__name")
    list_select_related = ("partner", "invited_by")
    readonly_fields = ("token_hash", "created_at", "accepted_at", "accepted_by", "invited_by", "revoked_at")
    raw_id_fields = ("partner",)

    def has_add_permission(self, request) -> bool:
        return False  # invitations are sent from the app, which emails the link and records who sent it

    @admin.display(description="State")
    def state_label(self, obj: Invitation) -> str:
        return obj.get_state_display()
