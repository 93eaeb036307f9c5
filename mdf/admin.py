"""MDF in Django's admin: for support and for fixing data. Day-to-day work happens in the app, whose services keep
the ledger consistent, audit and notify. So here the ledger is read-only (a correction is a new entry, made on the
allocation page), and the money and state of requests and claims are read-only too: an admin may fix what a
partner wrote (a title, a description, a typo in a reference), never move money behind the ledger's back."""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from mdf.ledger import balances_for
from mdf.models import (
    ZERO,
    Attribution,
    Budget,
    Claim,
    FundRequest,
    LedgerEntry,
    MdfSettings,
    Period,
    ProofFile,
    TierPool,
)
from prm.admin import AppManagedMixin, ReadOnlyMixin
from prm.money import format_money

# --- Settings, periods, pools ----------------------------------------------------------------------------------


@admin.register(MdfSettings)
class MdfSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "currency",
        "fiscal_year_start_month",
        "period_months",
        "claim_days",
        "review_business_days",
        "admin_approval_above",
        "allow_overspend",
        "updated_at",
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MdfSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TierPoolInline(admin.TabularInline):
    model = TierPool
    extra = 0
    fields = ("tier", "amount", "currency", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "budget_count", "funds_expired_at")
    list_filter = (("funds_expired_at", admin.EmptyFieldListFilter),)
    search_fields = ("name",)
    readonly_fields = ("funds_expired_at",)
    date_hierarchy = "starts_on"
    inlines = (TierPoolInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Period]:
        return super().get_queryset(request).annotate(budget_total=Count("budgets"))

    @admin.display(description="budgets", ordering="budget_total")
    def budget_count(self, obj: Period) -> int:
        return obj.budget_total

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TierPool)
class TierPoolAdmin(admin.ModelAdmin):
    list_display = ("tier", "period", "amount", "currency", "created_at")
    list_filter = ("period", "tier")
    list_select_related = ("tier", "period")
    readonly_fields = ("created_at",)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Budgets and the ledger --------------------------------------------------------------------------------------


class LedgerEntryInline(ReadOnlyMixin, admin.TabularInline):
    model = LedgerEntry
    fk_name = "budget"
    extra = 0
    fields = ("created_at", "kind", "amount", "currency", "request", "pool", "actor", "memo")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    show_change_link = True


@admin.register(Budget)
class BudgetAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = ("partner", "period", "currency", "allocated", "available", "created_at")
    list_filter = ("period", "currency")
    list_select_related = ("partner", "period")
    search_fields = ("partner__name",)
    readonly_fields = ("partner", "period", "currency", "created_at", "balance")
    inlines = (LedgerEntryInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Budget]:
        # The list's balance columns are summed in the same query as the rows.
        kind = LedgerEntry.Kind
        amount = "entries__amount"
        return (
            super()
            .get_queryset(request)
            .annotate(
                allocated_sum=Coalesce(Sum(amount, filter=Q(entries__kind=kind.ALLOCATION)), ZERO),
                reserved_sum=Coalesce(Sum(amount, filter=Q(entries__kind=kind.RESERVATION)), ZERO),
                released_sum=Coalesce(Sum(amount, filter=Q(entries__kind=kind.RELEASE)), ZERO),
                expired_sum=Coalesce(Sum(amount, filter=Q(entries__kind=kind.EXPIRY)), ZERO),
            )
        )

    @admin.display(description="allocated", ordering="allocated_sum")
    def allocated(self, obj: Budget) -> str:
        return format_money(obj.allocated_sum, obj.currency)

    @admin.display(description="available")
    def available(self, obj: Budget) -> str:
        # available = allocated − (reserved − released − paid) − paid − expired: the payouts cancel out.
        return format_money(obj.allocated_sum - obj.reserved_sum + obj.released_sum - obj.expired_sum, obj.currency)

    @admin.display(description="balance")
    def balance(self, obj: Budget) -> str:
        b = balances_for([obj])[obj.pk]
        return (
            f"allocated {format_money(b.allocated, b.currency)} · reserved {format_money(b.reserved, b.currency)} · "
            f"paid {format_money(b.paid, b.currency)} · expired {format_money(b.expired, b.currency)} · "
            f"available {format_money(b.available, b.currency)}"
        )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "partner", "period", "kind", "amount", "currency", "request", "actor", "memo")
    list_filter = ("kind", "budget__period", "currency")
    list_select_related = ("budget__partner", "budget__period", "request", "actor")
    search_fields = ("budget__partner__name", "request__title", "memo")
    date_hierarchy = "created_at"

    @admin.display(description="partner", ordering="budget__partner__name")
    def partner(self, obj: LedgerEntry) -> str:
        return obj.budget.partner.name

    @admin.display(description="period", ordering="budget__period__starts_on")
    def period(self, obj: LedgerEntry) -> str:
        return obj.budget.period.name


# --- Requests, claims, proof, attributions -----------------------------------------------------------------------


class RequestEntryInline(LedgerEntryInline):
    fk_name = "request"
    fields = ("created_at", "kind", "amount", "currency", "budget", "actor", "memo")
    readonly_fields = fields


class AttributionInline(ReadOnlyMixin, admin.TabularInline):
    model = Attribution
    extra = 0
    fields = ("registration", "created_by", "created_at")
    readonly_fields = fields


REQUEST_STATE_FIELDS = (
    "partner",
    "budget",
    "created_by",
    "status",
    "total_cost",
    "partner_share_percent",
    "requested_amount",
    "currency",
    "submitted_at",
    "decision_due_at",
    "approved_amount",
    "first_approved_by",
    "decided_by",
    "decided_at",
    "decision_reason",
    "info_requested",
    "claim_deadline",
    "deadline_extended",
    "created_at",
    "updated_at",
    "open_in_app",
)


@admin.register(FundRequest)
class FundRequestAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "partner",
        "status",
        "activity_type",
        "requested_amount",
        "approved_amount",
        "currency",
        "submitted_at",
        "decision_due_at",
        "claim_deadline",
    )
    list_filter = ("status", "activity_type", "budget__period", "deadline_extended")
    list_select_related = ("partner",)
    search_fields = ("title", "description", "partner__name")
    date_hierarchy = "created_at"
    readonly_fields = REQUEST_STATE_FIELDS
    fieldsets = (
        (None, {"fields": ("open_in_app", "partner", "budget", "status", "created_by")}),
        (
            "The activity",
            {
                "fields": (
                    "activity_type",
                    "title",
                    "description",
                    "starts_on",
                    "ends_on",
                    "expected_leads",
                    "expected_pipeline",
                )
            },
        ),
        (
            "Money",
            {"fields": ("total_cost", "partner_share_percent", "requested_amount", "approved_amount", "currency")},
        ),
        (
            "Decision",
            {
                "fields": (
                    "submitted_at",
                    "decision_due_at",
                    "first_approved_by",
                    "decided_by",
                    "decided_at",
                    "decision_reason",
                    "info_requested",
                    "claim_deadline",
                    "deadline_extended",
                )
            },
        ),
        ("History", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (AttributionInline, RequestEntryInline)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The dates decide the claim deadline once approved: editable only before a decision.
        if obj is not None and obj.status not in (FundRequest.Status.SUBMITTED, FundRequest.Status.NEEDS_INFO):
            return (*REQUEST_STATE_FIELDS, "starts_on", "ends_on")
        return REQUEST_STATE_FIELDS

    @admin.display(description="in the app")
    def open_in_app(self, obj: FundRequest) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">Open the request page</a>', reverse("manage:mdf_request", args=[obj.pk]))


class ProofFileInline(AppManagedMixin, admin.TabularInline):
    """Partners add proof through their claim, where files are checked."""

    model = ProofFile
    extra = 0
    fields = ("original_name", "kind", "size", "uploaded_by", "uploaded_at", "download")
    readonly_fields = ("original_name", "size", "uploaded_by", "uploaded_at", "download")

    @admin.display(description="file")
    def download(self, obj: ProofFile) -> str:
        return format_html('<a href="{}">Download</a>', reverse("manage:mdf_proof", args=[obj.pk]))


CLAIM_STATE_FIELDS = (
    "request",
    "partner",
    "created_by",
    "status",
    "actual_cost",
    "amount_claimed",
    "currency",
    "submitted_at",
    "decision_due_at",
    "approved_amount",
    "decided_by",
    "decided_at",
    "decision_reason",
    "info_requested",
    "paid_amount",
    "paid_on",
    "paid_by",
    "created_at",
    "updated_at",
    "open_in_app",
)


@admin.register(Claim)
class ClaimAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = (
        "request",
        "partner",
        "status",
        "amount_claimed",
        "approved_amount",
        "paid_amount",
        "currency",
        "paid_on",
        "payout_reference",
        "submitted_at",
    )
    list_filter = ("status", "request__budget__period")
    list_select_related = ("request", "partner")
    search_fields = ("request__title", "partner__name", "payout_reference", "results")
    date_hierarchy = "submitted_at"
    readonly_fields = CLAIM_STATE_FIELDS
    fields = (*CLAIM_STATE_FIELDS[:4], "leads", "results", *CLAIM_STATE_FIELDS[4:], "payout_reference")
    inlines = (ProofFileInline,)

    @admin.display(description="in the app")
    def open_in_app(self, obj: Claim) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">Open the claim page</a>', reverse("manage:mdf_claim", args=[obj.pk]))


@admin.register(ProofFile)
class ProofFileAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("original_name", "kind", "claim", "size", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("claim__request", "uploaded_by")
    search_fields = ("original_name", "claim__request__title", "claim__partner__name")
    date_hierarchy = "uploaded_at"


@admin.register(Attribution)
class AttributionAdmin(admin.ModelAdmin):
    """Partners attribute their deals in the portal (audited there). Here an admin can only take a wrong one off."""

    list_display = ("registration", "request", "partner", "created_by", "created_at")
    list_select_related = ("registration", "request__partner", "created_by")
    search_fields = ("registration__name", "request__title", "request__partner__name")
    date_hierarchy = "created_at"

    @admin.display(description="partner", ordering="request__partner__name")
    def partner(self, obj: Attribution) -> str:
        return obj.request.partner.name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
