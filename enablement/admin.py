"""Enablement in Django's admin: for support and for fixing data. Day-to-day work happens in the manager app, whose
services check uploads, audit and notify. So here:

- the catalogue (assets, courses with their lessons, assessments with their questions, certifications) can be
  searched, filtered and its texts fixed; publishing and activating go through actions that call the services
  (audited; a course with no lesson is not published), and new rows are created in the app;
- learning records (enrollments, attempts, asset views) and certification awards are evidence: read-only. An award
  links to its page in the app, where it can be revoked with a reason the holder receives.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from enablement import services
from enablement.models import (
    Assessment,
    Asset,
    AssetView,
    Attempt,
    Certification,
    CertificationAward,
    Choice,
    Course,
    Enrollment,
    Lesson,
    Question,
)
from enablement.selectors import award_status_q
from enablement.views.manage.export import AWARD_HEADER, award_row
from prm.admin import AppManagedMixin, ReadOnlyMixin
from prm.csv_export import csv_response

# Links are typed without a scheme sometimes: read them as https (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def _open_in_app(url_name: str, obj, label: str) -> str:
    if obj is None or obj.pk is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), label)


def _flag_action(field: str, value: bool, *, update, keyword: str, description: str, done: str):
    """An admin action that sets `field` to `value` on the selected rows through the service `update` (called as
    `update(actor=..., <keyword>=row, <field>=value)`, so the change is checked, audited and told)."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        rows = queryset.filter(**{field: not value})
        _run(modeladmin, request, rows, lambda row: update(actor=request.user, **{keyword: row, field: value}), done)

    return action


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, rows, change, done: str) -> None:
    """Apply `change(row)` (a service call) to each row; report what changed and each refusal."""
    changed = 0
    for row in rows:
        try:
            change(row)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{row}: {' '.join(exc.messages)}", messages.ERROR)
        else:
            changed += 1
    if changed:
        modeladmin.message_user(request, f"{changed} {done}.", messages.SUCCESS)


# --- The library ---------------------------------------------------------------------------------------------------


@admin.register(Asset)
class AssetAdmin(AppManagedMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("title", "kind", "product", "visibility", "is_published", "view_count", "created_by", "updated_at")
    list_filter = ("is_published", "kind", "visibility", "tiers")
    list_select_related = ("created_by",)
    search_fields = ("title", "description", "product", "url")
    date_hierarchy = "created_at"
    readonly_fields = (
        "open_in_app",
        "file",
        "roles",
        "is_published",
        "visibility",
        "partner_types",
        "created_by",
        "created_at",
        "updated_at",
    )
    fields = (
        "open_in_app",
        "title",
        "kind",
        "description",
        "url",
        "file",
        "roles",
        "product",
        "visibility",
        "partner_types",
        "is_published",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = ("publish", "unpublish")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Asset]:
        return super().get_queryset(request).annotate(views_total=Count("views"))

    @admin.display(description="views", ordering="views_total")
    def view_count(self, obj: Asset) -> int:
        return obj.views_total

    @admin.display(description="in the app")
    def open_in_app(self, obj: Asset) -> str:
        return _open_in_app("manage:enablement_asset_edit", obj, "Open the asset page (file, visibility)")

    publish = _flag_action(
        "is_published",
        True,
        update=services.asset_update,
        keyword="asset",
        description="Publish the selected assets",
        done="asset(s) published",
    )

    unpublish = _flag_action(
        "is_published",
        False,
        update=services.asset_update,
        keyword="asset",
        description="Unpublish the selected assets",
        done="asset(s) unpublished",
    )


@admin.register(AssetView)
class AssetViewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("asset", "user", "partner", "viewed_at")
    list_filter = ("asset__kind",)
    list_select_related = ("asset", "user", "partner")
    search_fields = ("asset__title", "user__email", "partner__name")
    date_hierarchy = "viewed_at"


# --- Courses -------------------------------------------------------------------------------------------------------


class LessonInline(AppManagedMixin, admin.StackedInline):
    """Lessons are added on the course page (at the end of the course) and removed there (it keeps a published
    course's last lesson); here their texts can be fixed."""

    formfield_overrides = URL_FIELDS
    model = Lesson
    extra = 0
    fields = ("position", "title", "minutes", "min_minutes", "body", "video_url", "document_url", "asset")
    autocomplete_fields = ("asset",)
    ordering = ("position", "pk")
    show_change_link = True


@admin.register(Course)
class CourseAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "slug",
        "role",
        "product",
        "is_published",
        "is_renewal",
        "lessons_total",
        "learners",
        "updated_at",
    )
    list_filter = ("is_published", "role", "is_renewal", "visibility")
    search_fields = ("title", "slug", "summary", "product")
    readonly_fields = ("open_in_app", "slug", "is_published", "visibility", "partner_types", "created_by", "created_at")
    fields = (
        "open_in_app",
        "title",
        "slug",
        "summary",
        "role",
        "product",
        "estimated_minutes",
        "is_renewal",
        "visibility",
        "partner_types",
        "is_published",
        "created_by",
        "created_at",
    )
    inlines = (LessonInline,)
    actions = ("publish", "unpublish")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        return (
            super()
            .get_queryset(request)
            .annotate(lesson_total=Count("lessons", distinct=True), learner_total=Count("enrollments", distinct=True))
        )

    @admin.display(description="lessons", ordering="lesson_total")
    def lessons_total(self, obj: Course) -> int:
        return obj.lesson_total

    @admin.display(description="learners", ordering="learner_total")
    def learners(self, obj: Course) -> int:
        return obj.learner_total

    @admin.display(description="in the app")
    def open_in_app(self, obj: Course) -> str:
        return _open_in_app("manage:enablement_course", obj, "Open the course page (lessons, assessment, learners)")

    publish = _flag_action(
        "is_published",
        True,
        update=services.course_update,
        keyword="course",
        description="Publish the selected courses",
        done="course(s) published",
    )

    unpublish = _flag_action(
        "is_published",
        False,
        update=services.course_update,
        keyword="course",
        description="Unpublish the selected courses",
        done="course(s) unpublished",
    )


@admin.register(Lesson)
class LessonAdmin(AppManagedMixin, admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ("title", "course", "position", "minutes", "min_minutes")
    list_filter = ("course__is_published",)
    list_select_related = ("course",)
    search_fields = ("title", "body", "course__title")
    readonly_fields = ("course", "position")
    autocomplete_fields = ("asset",)


class ChoiceInline(AppManagedMixin, admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("position", "text", "is_correct")
    readonly_fields = ("is_correct",)  # the right answers are set on the question page, which checks them


@admin.register(Question)
class QuestionAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = ("__str__", "course", "position", "multiple")
    list_select_related = ("assessment__course",)
    search_fields = ("text", "assessment__course__title")
    readonly_fields = ("assessment", "position", "multiple")
    inlines = (ChoiceInline,)

    @admin.display(description="course", ordering="assessment__course__title")
    def course(self, obj: Question) -> str:
        return obj.assessment.course.title


class QuestionInline(AppManagedMixin, admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "text", "multiple")
    readonly_fields = fields
    show_change_link = True


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("course", "pass_mark", "max_attempts", "question_total")
    list_select_related = ("course",)
    search_fields = ("course__title",)
    inlines = (QuestionInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        return super().get_queryset(request).annotate(questions_n=Count("questions"))

    @admin.display(description="questions", ordering="questions_n")
    def question_total(self, obj: Assessment) -> int:
        return obj.questions_n


# --- Learning records ----------------------------------------------------------------------------------------------


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = Attempt
    extra = 0
    fields = ("number", "run", "submitted_at", "score", "passed")
    readonly_fields = fields


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "partner", "course", "status", "run", "hours", "extra_attempts", "last_activity_at")
    list_filter = ("status", "course")
    list_select_related = ("user", "partner", "course")
    search_fields = ("user__email", "user__first_name", "user__last_name", "partner__name", "course__title")
    date_hierarchy = "last_activity_at"
    inlines = (AttemptInline,)

    @admin.display(description="hours", ordering="seconds_spent")
    def hours(self, obj: Enrollment) -> float:
        return obj.hours_spent


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("enrollment", "number", "run", "score", "passed", "submitted_at")
    list_filter = ("passed", "enrollment__course")
    list_select_related = ("enrollment__user", "enrollment__course")
    search_fields = ("enrollment__user__email", "enrollment__course__title", "enrollment__partner__name")
    date_hierarchy = "submitted_at"


# --- Certifications ------------------------------------------------------------------------------------------------


@admin.register(Certification)
class CertificationAdmin(AppManagedMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "role", "validity_months", "is_active", "holders", "renewal_course")
    list_filter = ("is_active", "role")
    list_select_related = ("renewal_course",)
    search_fields = ("name", "slug", "description")
    readonly_fields = ("open_in_app", "slug", "is_active", "validity_months", "courses_list", "renewal_course")
    fields = (
        "open_in_app",
        "name",
        "slug",
        "description",
        "role",
        "validity_months",
        "courses_list",
        "renewal_course",
        "is_active",
    )
    actions = ("activate", "deactivate")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Certification]:
        valid = Q(
            awards__revoked_at__isnull=True,
            awards__renewed_by__isnull=True,
            awards__expires_at__gte=timezone.localdate(),
        )
        return super().get_queryset(request).annotate(holders_n=Count("awards", filter=valid))

    @admin.display(description="valid holders", ordering="holders_n")
    def holders(self, obj: Certification) -> int:
        return obj.holders_n

    @admin.display(description="courses (all required)")
    def courses_list(self, obj: Certification) -> str:
        return ", ".join(c.title for c in obj.courses.all()) or "—"

    @admin.display(description="in the app")
    def open_in_app(self, obj: Certification) -> str:
        return _open_in_app("manage:enablement_certification_edit", obj, "Open it in the app (path, validity)")

    activate = _flag_action(
        "is_active",
        True,
        update=services.certification_update,
        keyword="certification",
        description="Activate the selected certifications",
        done="certification(s) activated",
    )

    deactivate = _flag_action(
        "is_active",
        False,
        update=services.certification_update,
        keyword="certification",
        description="Deactivate the selected certifications (no new awards; existing ones stay valid)",
        done="certification(s) deactivated",
    )


class AwardStatusFilter(admin.SimpleListFilter):
    title = "status today"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in CertificationAward.Status.choices if value != "in_progress"]

    def queryset(self, request, queryset):
        if self.value() in CertificationAward.Status.values:
            return queryset.filter(award_status_q(self.value()))
        return queryset


@admin.register(CertificationAward)
class CertificationAwardAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("certification", "user", "partner", "status_today", "awarded_at", "expires_at", "code", "public")
    list_filter = (AwardStatusFilter, "certification", "public")
    list_select_related = ("certification", "user", "partner")
    search_fields = ("code", "user__email", "user__first_name", "user__last_name", "partner__name")
    date_hierarchy = "awarded_at"
    readonly_fields = (
        "open_in_app",
        "certification",
        "user",
        "partner",
        "awarded_at",
        "expires_at",
        "code",
        "public",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
        "renewal_of",
        "renewed_by",
    )
    fields = readonly_fields
    actions = ("export_csv",)

    @admin.display(description="status")
    def status_today(self, obj: CertificationAward) -> str:
        return obj.get_status_display()

    @admin.display(description="in the app")
    def open_in_app(self, obj: CertificationAward) -> str:
        return _open_in_app("manage:enablement_award", obj, "Open the award page (revoke with a reason)")

    @admin.action(description="Export the selected awards (CSV)")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[CertificationAward]):
        today = timezone.localdate()
        awards = queryset.select_related("certification", "user", "partner", "renewal_of").order_by("-awarded_at")
        return csv_response(
            name="certifications", header=AWARD_HEADER, rows=(award_row(a, today) for a in awards.iterator())
        )
