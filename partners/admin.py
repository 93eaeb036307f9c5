"""The partners app in Django's admin: for support and for fixing data. Day-to-day work happens in the app, whose
services audit and notify; records that are evidence (acceptances, applications, tier decisions) are read-only."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    Application,
    Checklist,
    ChecklistStep,
    Invitation,
    Partner,
    PartnerMembership,
    PartnerNote,
    PartnerStep,
    Program,
    RequirementTick,
    Tier,
    TierProposal,
    TierRequirement,
)
from partners.models.locator import ContactRequest
from prm.admin import ReadOnlyMixin

# --- Partners, their people and notes -------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)


class NoteInline(admin.TabularInline):
    model = PartnerNote
    extra = 0
    fields = ("body", "author", "created_at")
    readonly_fields = ("author", "created_at")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # notes are written in the app (audited); the admin shows them


class PartnerStepInline(ReadOnlyMixin, admin.TabularInline):
    model = PartnerStep
    extra = 0
    fields = ("order", "step", "completed_at", "completed_by", "detected")
    readonly_fields = fields


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "type",
        "status",
        "tier",
        "owner",
        "route_to_market",
        "parent",
        "members",
        "created_at",
        "last_activity_at",
    )
    list_filter = (
        "status",
        "type",
        "tier",
        "route_to_market",
        ("owner", admin.RelatedOnlyFieldListFilter),
        "source",
        "influence",
        "commercial_model",
        ("parent", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "domain", "website")
    list_select_related = ("parent", "tier", "owner")
    autocomplete_fields = ("parent", "owner")
    date_hierarchy = "created_at"
    readonly_fields = (
        "tier",  # changes go through tier proposals or the partner page, which audit and tell the partner
        "domain",
        "created_at",
        "updated_at",
        "applied_at",
        "approved_at",
        "activated_at",
        "status_changed_at",
        "last_activity_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "type", "status", "source", "website", "domain", "description")}),
        (
            "Classification",
            {"fields": ("functions", "influence", "commercial_model", "route_to_market")},
        ),
        ("Reach", {"fields": ("regions", "countries", "verticals", "segments", "seller_count")}),
        ("Relationship", {"fields": ("owner", "parent", "tier")}),
        (
            "Dates",
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "applied_at",
                    "approved_at",
                    "activated_at",
                    "status_changed_at",
                    "last_activity_at",
                )
            },
        ),
    )
    inlines = (MembershipInline, NoteInline, PartnerStepInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        )

    @admin.display(ordering="member_count")
    def members(self, obj: Partner) -> int:
        return obj.member_count

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, PartnerNote) and instance.author_id is None:
                instance.author = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "partner", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "partner__type")
    search_fields = ("user__email", "user__first_name", "user__last_name", "partner__name")
    raw_id_fields = ("user", "partner")
    list_select_related = ("user", "partner")
    readonly_fields = ("created_at",)


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


@admin.register(PartnerNote)
class PartnerNoteAdmin(admin.ModelAdmin):
    list_display = ("partner", "author", "excerpt", "created_at")
    list_filter = (("author", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("body", "partner__name", "author__email")
    list_select_related = ("partner", "author")
    autocomplete_fields = ("partner",)
    readonly_fields = ("author", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description="Note")
    def excerpt(self, obj: PartnerNote) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    """Visitors' requests from the partner locator: read-only (a confirmed one became a lead; an unconfirmed one
    is deleted a week after its link expired, by the daily sweep)."""

    list_display = ("company_name", "partner", "contact_email", "status", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("company_name", "contact_email", "contact_name", "partner__name")
    list_select_related = ("partner",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- Program and tiers ----------------------------------------------------------------------------------------


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it; it can be neither added twice nor deleted."""

    list_display = ("name", "pmi_stage", "require_agreement_first", "stall_days", "dormancy_days", "updated_at")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "description", "pmi_stage")}),
        ("Onboarding", {"fields": ("require_agreement_first", "stall_days", "second_reminder_days")}),
        ("Escalation and dormancy", {"fields": ("escalation_days", "dormancy_days", "updated_at")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Program.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        program = Program.objects.order_by("pk").first()
        if program is not None:
            return HttpResponseRedirect(reverse("admin:partners_program_change", args=[program.pk]))
        return super().changelist_view(request, extra_context)


class TierRequirementInline(admin.TabularInline):
    model = TierRequirement
    extra = 0
    fields = ("order", "kind", "threshold", "label")
    ordering = ("order", "pk")


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "discount_percent", "mdf_eligible", "deal_protection_days", "partner_count")
    search_fields = ("name",)
    inlines = (TierRequirementInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(partner_count=Count("partners"))

    @admin.display(description="Partners", ordering="partner_count")
    def partner_count(self, obj: Tier) -> int:
        return obj.partner_count


@admin.register(TierRequirement)
class TierRequirementAdmin(admin.ModelAdmin):
    list_display = ("tier", "order", "kind", "threshold", "label")
    list_filter = ("tier", "kind")
    search_fields = ("label", "tier__name")
    list_select_related = ("tier",)


@admin.register(RequirementTick)
class RequirementTickAdmin(admin.ModelAdmin):
    list_display = ("partner", "requirement", "ticked_by", "ticked_at", "note")
    list_filter = ("requirement__tier", ("ticked_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("partner__name", "requirement__label", "note")
    list_select_related = ("partner", "requirement__tier", "ticked_by")
    autocomplete_fields = ("partner",)
    readonly_fields = ("ticked_by", "ticked_at")

    def save_model(self, request, obj, form, change):
        if obj.ticked_by_id is None:
            obj.ticked_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TierProposal)
class TierProposalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Decided in the app (Partners › Tier proposals), where the decision is audited and told to the partner."""

    list_display = (
        "partner",
        "current_tier",
        "proposed_tier",
        "is_promotion",
        "status",
        "created_at",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "is_promotion", "proposed_tier", "current_tier")
    search_fields = ("partner__name", "reason")
    list_select_related = ("partner", "current_tier", "proposed_tier", "decided_by")
    date_hierarchy = "created_at"


# --- Onboarding -----------------------------------------------------------------------------------------------


class ChecklistStepInline(admin.StackedInline):
    model = ChecklistStep
    extra = 0
    fields = (("order", "kind"), "title", "help_text", "course_key")
    ordering = ("order", "pk")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ("name", "partner_type_label", "step_count")
    search_fields = ("name",)
    inlines = (ChecklistStepInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description="For partner type", ordering="partner_type")
    def partner_type_label(self, obj: Checklist) -> str:
        return obj.get_partner_type_display() if obj.partner_type else "Default (all other types)"

    @admin.display(description="Steps", ordering="step_count")
    def step_count(self, obj: Checklist) -> int:
        return obj.step_count


@admin.register(ChecklistStep)
class ChecklistStepAdmin(admin.ModelAdmin):
    list_display = ("checklist", "order", "kind", "title")
    list_filter = ("checklist", "kind")
    search_fields = ("title", "help_text")
    list_select_related = ("checklist",)


@admin.register(PartnerStep)
class PartnerStepAdmin(admin.ModelAdmin):
    """Completed in the app (detected, or ticked by a channel manager); here, fix a step's date if needed."""

    list_display = ("partner", "order", "step", "completed_at", "completed_by", "detected")
    list_filter = ("detected", ("completed_at", admin.EmptyFieldListFilter), "step__kind", "partner__status")
    search_fields = ("partner__name", "step__title")
    list_select_related = ("partner", "step__checklist", "completed_by")
    readonly_fields = ("partner", "step", "order", "completed_by", "detected")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # steps are copied from the checklist when a partner is approved


class AcceptanceInline(ReadOnlyMixin, admin.TabularInline):
    model = AgreementAcceptance
    extra = 0
    fields = ("partner", "signer_name", "signer_title", "user", "accepted_at", "ip_address")
    readonly_fields = fields
    ordering = ("-accepted_at",)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "is_current", "published_at", "acceptance_count")
    list_filter = ("is_current",)
    search_fields = ("version", "title", "body")
    readonly_fields = ("published_at", "is_current")
    inlines = (AcceptanceInline,)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new text goes through the service: it becomes the one current version and partners are told.
        from partners import services

        published = services.agreement_publish(actor=request.user, version=obj.version, title=obj.title, body=obj.body)
        obj.pk = published.pk
        obj.is_current = True
        obj.published_at = published.published_at

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    @admin.display(description="Accepted by", ordering="acceptance_count")
    def acceptance_count(self, obj: AgreementVersion) -> int:
        return obj.acceptance_count

    def get_readonly_fields(self, request, obj=None):
        # Once someone signed a version its text is evidence: publish a new version instead of editing it.
        if obj is not None and obj.acceptances.exists():
            return (*self.readonly_fields, "version", "body")
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is None or not obj.acceptances.exists()


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("partner", "version", "signer_name", "signer_title", "user", "accepted_at", "ip_address")
    list_filter = ("version",)
    search_fields = ("partner__name", "signer_name", "user__email")
    list_select_related = ("partner", "version", "user")
    date_hierarchy = "accepted_at"


# --- Recruitment ----------------------------------------------------------------------------------------------


class FlaggedFilter(admin.SimpleListFilter):
    title = "duplicate check"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return (("yes", "Possible duplicate"), ("no", "No match found"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(duplicates=[])
        if self.value() == "no":
            return queryset.filter(duplicates=[])
        return queryset


@admin.register(Application)
class ApplicationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Reviewed in the app (Partners › Applications), where approving invites the contact and declining emails
    the reason. Here: read what was submitted and what the duplicate check found."""

    list_display = (
        "partner",
        "contact_name",
        "contact_email",
        "flagged",
        "invited_by_partner",
        "submitted_at",
        "partner_status",
        "decided_at",
    )
    list_filter = (
        FlaggedFilter,
        "partner__status",
        "partner__type",
        ("invited_by_partner", admin.EmptyFieldListFilter),
    )
    search_fields = ("partner__name", "contact_name", "contact_email", "why")
    list_select_related = ("partner", "invited_by_partner")
    date_hierarchy = "submitted_at"

    @admin.display(boolean=True, description="Possible duplicate")
    def flagged(self, obj: Application) -> bool:
        return obj.is_flagged

    @admin.display(description="Status", ordering="partner__status")
    def partner_status(self, obj: Application) -> str:
        return obj.partner.get_status_display()
