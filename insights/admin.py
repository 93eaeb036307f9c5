"""Insights in Django's admin: for support and for fixing data. Day-to-day work happens in the app, whose services
keep the trail (audit events) and the rhythm (the next review, the renewal date). So here:

- direct revenue and program costs are plain data the startup enters: editable (who changed them is recorded);
- contracts, reviews and action items are created in the app; the admin may fix a name, a title, a note or an
  owner, never the money, the dates that drive reminders or the state (a renewal is recorded on the contract's page);
- renewal outcomes and the registration roll-ups are evidence and computed data: read-only.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from insights.models import (
    ActionItem,
    CustomerContract,
    DirectRevenue,
    ProgramCost,
    RegistrationMonth,
    RenewalOutcome,
    Review,
    ReviewPlan,
    SummaryState,
)
from prm.admin import AppManagedMixin, ReadOnlyMixin


def _open_in_app(url_name: str, pk: int | None, label: str = "Open in the app") -> str:
    if pk is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[pk]), label)


# --- What the startup enters ------------------------------------------------------------------------------------


@admin.register(DirectRevenue)
class DirectRevenueAdmin(admin.ModelAdmin):
    list_display = ("month", "amount", "currency", "note", "updated_by", "updated_at")
    list_filter = ("currency",)
    search_fields = ("note",)
    date_hierarchy = "month"
    readonly_fields = ("updated_by", "updated_at")
    list_select_related = ("updated_by",)

    def save_model(self, request: HttpRequest, obj: DirectRevenue, form, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ProgramCost)
class ProgramCostAdmin(admin.ModelAdmin):
    list_display = ("incurred_on", "partner", "kind", "amount", "currency", "note", "created_by")
    list_filter = ("kind", "currency")
    search_fields = ("partner__name", "note")
    date_hierarchy = "incurred_on"
    raw_id_fields = ("partner",)
    readonly_fields = ("created_by", "created_at")
    list_select_related = ("partner", "created_by")

    def save_model(self, request: HttpRequest, obj: ProgramCost, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Customers and renewals -------------------------------------------------------------------------------------


class RenewalOutcomeInline(admin.TabularInline):
    model = RenewalOutcome
    extra = 0
    can_delete = False
    fields = ("due_on", "outcome", "new_amount", "currency", "note", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(CustomerContract)
class CustomerContractAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = (
        "customer_name",
        "partner",
        "involvement",
        "amount",
        "currency",
        "starts_on",
        "term_months",
        "renewal_on",
        "status",
        "source",
        "owner",
    )
    list_filter = ("status", "source", "currency", "involvement", ("partner", admin.EmptyFieldListFilter))
    search_fields = ("customer_name", "partner__name", "owner__email")
    date_hierarchy = "renewal_on"
    list_select_related = ("partner", "owner")
    raw_id_fields = ("account", "owner")
    readonly_fields = (
        "open_in_app",
        "registration",
        "partner",
        "amount",
        "currency",
        "starts_on",
        "term_months",
        "renewal_on",
        "status",
        "source",
        "created_at",
        "updated_at",
    )
    fields = ("open_in_app", "customer_name", "account", "involvement", "owner", *readonly_fields[1:])
    inlines = (RenewalOutcomeInline,)

    @admin.display(description="In the app")
    def open_in_app(self, obj: CustomerContract) -> str:
        return _open_in_app("manage:customer_detail", obj.pk, "Edit the term or record a renewal")


@admin.register(RenewalOutcome)
class RenewalOutcomeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("contract", "due_on", "outcome", "new_amount", "currency", "recorded_by", "recorded_at")
    list_filter = ("outcome", "currency")
    search_fields = ("contract__customer_name", "note")
    date_hierarchy = "due_on"
    list_select_related = ("contract", "recorded_by")


# --- Reviews ----------------------------------------------------------------------------------------------------


@admin.register(ReviewPlan)
class ReviewPlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Changing a cadence schedules the next review: done on the partner's reviews page."""

    list_display = ("partner", "cadence", "updated_by", "updated_at", "open_in_app")
    list_filter = ("cadence",)
    search_fields = ("partner__name",)
    list_select_related = ("partner", "updated_by")

    @admin.display(description="In the app")
    def open_in_app(self, obj: ReviewPlan) -> str:
        return _open_in_app("manage:partner_reviews", obj.partner_id, "Change the rhythm")


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    can_delete = False
    fields = ("title", "owner", "due_on", "done_at", "done_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = ("scheduled_on", "partner", "title", "status", "held_at", "agenda_built_at")
    list_filter = ("status",)
    search_fields = ("partner__name", "title", "notes")
    date_hierarchy = "scheduled_on"
    list_select_related = ("partner",)
    readonly_fields = (
        "open_in_app",
        "partner",
        "scheduled_on",
        "status",
        "held_at",
        "agenda",
        "agenda_built_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = ("open_in_app", "title", "notes", *readonly_fields[1:])
    inlines = (ActionItemInline,)

    @admin.display(description="In the app")
    def open_in_app(self, obj: Review) -> str:
        return _open_in_app("manage:review_detail", obj.pk)


@admin.register(ActionItem)
class ActionItemAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = ("title", "partner", "owner", "due_on", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "partner__name", "owner__email")
    date_hierarchy = "due_on"
    list_select_related = ("partner", "owner")
    raw_id_fields = ("owner",)
    readonly_fields = ("review", "partner", "done_at", "done_by", "created_at")


# --- Roll-ups (computed by insights.summary) --------------------------------------------------------------------


@admin.register(RegistrationMonth)
class RegistrationMonthAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("month", "kind", "involvement", "currency", "status", "passed_poc", "count", "amount")
    list_filter = ("kind", "involvement", "currency", "passed_poc")
    date_hierarchy = "month"


@admin.register(SummaryState)
class SummaryStateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("pk", "watermark", "computed_at", "full_rebuild_at")
