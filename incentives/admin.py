"""Django admin for the incentive plan and the ledger. Published versions and their rules are read-only; ledger
lines can be looked at, never added, changed or deleted here (a correction is a negative line, made by a service)."""

from django.contrib import admin

from incentives.models import (
    Boost,
    DealPayoutRule,
    EarningLine,
    IncentivePlan,
    LineQuestion,
    PayoutExclusion,
    PayoutRun,
    PlanVersion,
    QuestionMessage,
    Recognition,
)


class FrozenWhenPublished:
    def _published(self, obj) -> bool:
        version = obj if isinstance(obj, PlanVersion) else getattr(obj, "version", None)
        return bool(version and version.is_published)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and self._published(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and self._published(obj))


class PayoutInline(FrozenWhenPublished, admin.TabularInline):
    model = DealPayoutRule
    extra = 0


class BoostInline(FrozenWhenPublished, admin.TabularInline):
    model = Boost
    extra = 0


@admin.register(IncentivePlan)
class IncentivePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "payable_after_days", "updated_at")


@admin.register(PlanVersion)
class PlanVersionAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "effective_from",
        "published_at",
        "published_by",
        "first_win_bonus",
        "first_win_currency",
        "renewal_rebate_percent",
    )
    list_filter = ("status", "plan")
    search_fields = ("notes",)
    readonly_fields = ("status", "effective_from", "published_at", "published_by", "created_by", "created_at")
    inlines = (PayoutInline, BoostInline)


@admin.register(DealPayoutRule)
class DealPayoutRuleAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = (
        "version",
        "involvement",
        "kind",
        "percent",
        "fixed_amount",
        "currency",
        "min_deal_amount",
        "cap_amount",
    )
    list_filter = ("involvement", "kind", "version__status")


@admin.register(Boost)
class BoostAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = (
        "name",
        "version",
        "kind",
        "value",
        "starts_on",
        "ends_on",
        "region",
        "country",
        "product",
        "segment",
        "partner_type",
        "tier",
    )
    list_filter = ("kind", "region", "version__status")
    search_fields = ("name", "product")


@admin.register(EarningLine)
class EarningLineAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "partner",
        "rule_kind",
        "amount",
        "currency",
        "state",
        "earned_on",
        "payable_on",
        "plan_version",
        "registration",
    )
    list_filter = ("state", "rule_kind", "currency", "plan_version")
    search_fields = ("partner__name", "calculation", "event_key", "registration__name")
    date_hierarchy = "earned_on"
    list_select_related = ("partner", "plan_version__plan", "registration")
    raw_id_fields = ("partner", "registration", "renewal", "reverses")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the manager pages (their services audit and notify): the admin only shows."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PayoutExclusionInline(admin.TabularInline):
    model = PayoutExclusion
    extra = 0
    can_delete = False
    readonly_fields = ("line", "reason", "excluded_by", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period_start", "period_end", "status", "approved_by", "paid_on", "payment_reference")
    list_select_related = ("approved_by",)
    list_filter = ("status",)
    search_fields = ("payment_reference", "notes")
    date_hierarchy = "period_end"
    inlines = (PayoutExclusionInline,)


class QuestionMessageInline(admin.TabularInline):
    model = QuestionMessage
    extra = 0
    can_delete = False
    readonly_fields = ("author", "from_channel_team", "body", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LineQuestion)
class LineQuestionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "partner", "line", "status", "asked_by", "updated_at")
    list_filter = ("status",)
    search_fields = ("partner__name", "messages__body")
    list_select_related = ("partner", "line", "asked_by")
    inlines = (QuestionMessageInline,)


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ("title", "partner", "kind", "awarded_on", "awarded_by", "withdrawn_at")
    list_filter = ("kind", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "citation", "partner__name")
    list_select_related = ("partner", "awarded_by")
