"""Deal registration in Django's admin: for support and for fixing data. Day-to-day work happens in the app, whose
services audit and notify; decisions on registrations and the conflicts found are evidence, so read-only here."""

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest

from dealreg.models import (
    Account,
    Conflict,
    DealregPolicy,
    DirectOpportunity,
    Product,
    Registration,
    RegistrationProduct,
)
from prm.admin import ReadOnlyMixin

# --- Accounts and the direct pipeline --------------------------------------------------------------------------


class OpportunityInline(admin.TabularInline):
    model = DirectOpportunity
    extra = 0
    fields = ("title", "stage", "amount", "currency", "expected_close", "owner_name", "external_id", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "domain",
        "country",
        "is_named_account",
        "is_customer",
        "open_opportunities",
        "account_owner",
        "external_id",
        "updated_at",
    )
    list_filter = ("is_named_account", "is_customer", "size", "country")
    search_fields = ("name", "name_key", "domain", "account_owner", "=external_id")
    readonly_fields = ("name_key", "domain", "created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "website", "country", "industry", "size", "account_owner", "external_id")}),
        ("Status", {"fields": ("is_named_account", "is_customer")}),
        ("Match keys and history", {"fields": ("name_key", "domain", "created_by", "created_at", "updated_at")}),
    )
    inlines = (OpportunityInline,)

    def get_queryset(self, request: HttpRequest):
        open_stage = DirectOpportunity.Stage.OPEN
        return (
            super()
            .get_queryset(request)
            .annotate(open_count=Count("opportunities", filter=Q(opportunities__stage=open_stage)))
        )

    @admin.display(description="open opportunities", ordering="open_count")
    def open_opportunities(self, obj: Account) -> int:
        return obj.open_count

    def save_model(self, request: HttpRequest, obj: Account, form, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DirectOpportunity)
class DirectOpportunityAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "account",
        "stage",
        "amount",
        "currency",
        "expected_close",
        "owner_name",
        "external_id",
        "created_at",
    )
    list_filter = ("stage", "currency")
    list_select_related = ("account",)
    search_fields = ("title", "account__name", "account__domain", "owner_name", "=external_id")
    autocomplete_fields = ("account",)
    date_hierarchy = "created_at"


# --- The policy (one row) --------------------------------------------------------------------------------------


@admin.register(DealregPolicy)
class DealregPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "exclusivity_days",
        "decision_sla_business_days",
        "auto_approve_without_conflict",
        "max_extensions",
        "updated_at",
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DealregPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- The product catalogue ------------------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """For fixing data; program admins keep the catalogue in the app (/manage/program/products/), audited. A product
    registrations point to cannot be deleted here either (retire it: untick "offered")."""

    list_display = ("name", "code", "is_active", "order", "registration_count", "retired_at", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "description")
    ordering = ("-is_active", "order", "name")
    readonly_fields = ("retired_at", "created_at", "updated_at")
    fields = ("name", "code", "description", "is_active", "order", "retired_at", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(used=Count("registrations"))

    @admin.display(description="registrations", ordering="used")
    def registration_count(self, obj: Product) -> int:
        return obj.used


class RegistrationProductInline(admin.TabularInline):
    model = RegistrationProduct
    extra = 0
    autocomplete_fields = ("product",)
    verbose_name = "catalogue product"
    verbose_name_plural = "catalogue products (the products text above is their summary)"


# --- Registrations and their conflicts -------------------------------------------------------------------------


class ConflictInline(ReadOnlyMixin, admin.TabularInline):
    model = Conflict
    fk_name = "registration"
    extra = 0
    fields = (
        "kind",
        "verdict",
        "score",
        "other_registration",
        "account",
        "opportunity",
        "reasons",
        "found_at",
        "resolved_at",
    )
    readonly_fields = fields
    show_change_link = True


OPPORTUNITY_FIELDS = (
    "products",
    "other_products",
    "value",
    "currency",
    "expected_close",
    "stage",
    "passed_poc",
    "involvement",
    "notes",
)
DECISION_FIELDS = (
    "status",
    "submitted_at",
    "has_conflict",
    "has_priority",
    "decision_due_at",
    "decided_at",
    "decided_by",
    "decision_reason",
    "protected_until",
    "extensions_used",
    "won_amount",
    "closed_at",
)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "partner",
        "status",
        "involvement",
        "stage",
        "value",
        "currency",
        "has_conflict",
        "submitted_at",
        "protected_until",
    )
    list_filter = ("status", "involvement", "stage", "has_conflict", "has_priority", "catalogue_products")
    list_select_related = ("partner",)
    search_fields = ("name", "name_key", "domain", "partner__name", "contact_email", "products")
    date_hierarchy = "submitted_at"
    raw_id_fields = ("account",)
    readonly_fields = ("partner", "created_by", "name_key", "domain", "created_at", "updated_at", *DECISION_FIELDS)
    fieldsets = (
        ("Customer", {"fields": ("partner", "name", "website", "country", "name_key", "domain", "account")}),
        ("Contact", {"fields": ("contact_name", "contact_email", "contact_title")}),
        ("Opportunity", {"fields": OPPORTUNITY_FIELDS}),
        ("Decision", {"fields": DECISION_FIELDS}),
        ("History", {"fields": ("created_by", "created_at", "updated_at")}),
    )
    inlines = (RegistrationProductInline, ConflictInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # partners register in the portal; the service runs the conflict check


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("registration", "kind", "verdict", "score", "found_at", "resolved_at")
    list_filter = ("kind", "verdict")
    list_select_related = ("registration", "registration__partner")
    search_fields = ("registration__name", "registration__partner__name", "account__name")
    raw_id_fields = ("registration", "other_registration", "account", "opportunity")
