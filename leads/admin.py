"""Django admin for leads: find and look at leads and offers (list, filters, search). State changes go through the
pages (offer, accept, decline, close), which audit and tell people; the admin shows them read-only."""

from django.contrib import admin

from leads.models import DistributionSettings, Lead, LeadOffer


class OfferInline(admin.TabularInline):
    model = LeadOffer
    extra = 0
    can_delete = False
    fields = ("partner", "status", "mode", "offered_at", "deadline", "responded_at", "score", "rank", "decline_reason")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "industry", "size", "source", "status", "match_kind", "partner", "created_at")
    list_filter = ("status", "source", "match_kind", "size", "country")
    search_fields = ("name", "domain", "contact_name", "contact_email", "industry", "interest")
    list_select_related = ("partner",)
    date_hierarchy = "created_at"
    raw_id_fields = ("partner", "preferred_partner", "registration", "created_by", "match_confirmed_by")
    readonly_fields = (
        "status",
        "name_key",
        "domain",
        "match_kind",
        "match_reason",
        "match_checked_at",
        "match_confirmed_at",
        "match_confirmed_by",
        "match_confirm_reason",
        "partner",
        "registration",
        "accepted_at",
        "closed_at",
        "close_reason",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (OfferInline,)

    def has_add_permission(self, request):
        return False  # leads come in through create_lead (matcher, distribution, audit): the manager app's form


@admin.register(LeadOffer)
class LeadOfferAdmin(admin.ModelAdmin):
    list_display = ("lead", "partner", "status", "mode", "score", "rank", "offered_at", "deadline", "responded_at")
    list_filter = ("status", "mode")
    search_fields = ("lead__name", "partner__name", "decline_reason")
    list_select_related = ("lead", "partner")
    date_hierarchy = "offered_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DistributionSettings)
class DistributionSettingsAdmin(admin.ModelAdmin):
    list_display = ("mode", "top_n", "response_hours", "day_starts_at", "day_ends_at", "updated_at")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
