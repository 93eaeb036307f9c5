"""Enablement: the content library, courses with lessons and assessments, enrollments and training time,
certifications with their awards (which expire, renew and can be verified publicly).

Models hold data, invariants and small derived facts. Writes live in `enablement.services`, reads a page needs in
`enablement.selectors`.
"""

import secrets
from datetime import date
from typing import ClassVar

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from prm.uploads import private_storage, upload_path

# One lesson counts at most this long, and at most 3× its estimate (never less than 15 minutes): a tab left open
# overnight must not turn into eight training hours.
MAX_LESSON_SECONDS = 2 * 3600
MIN_LESSON_CAP_SECONDS = 15 * 60
VIDEO_FILE_SUFFIXES = (".mp4", ".webm", ".ogv", ".ogg", ".m4v", ".mov")


def lesson_seconds_cap(lesson: "Lesson") -> int:
    """The most time one lesson can count in one run of a course."""
    return min(MAX_LESSON_SECONDS, max(MIN_LESSON_CAP_SECONDS, 3 * 60 * (lesson.minutes or 0)))


# An award with this many days left (or fewer) is "expiring soon"; the first reminder goes out then too.
EXPIRING_SOON_DAYS = 60

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(source: str) -> SafeString:
    """Markdown to HTML that is safe to show: raw HTML in the source is escaped, then the result is sanitised
    (no scripts, no event handlers, only http(s)/mailto links, which get rel="noopener noreferrer nofollow")."""
    html = markdown_lib.markdown(source or "", extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


class Role(models.TextChoices):
    """The partner roles content is made for (a subset of PartnerMembership.Role)."""

    SALES = "sales", "Sales"
    TECHNICAL = "technical", "Technical"
    MARKETING = "marketing", "Marketing"


class Visibility(models.TextChoices):
    ALL = "all", "All partners"
    TYPES = "types", "Some partner types"
    TIERS = "tiers", "Some tiers"


class VisibilityMixin(models.Model):
    """Who may see a piece of content: every partner, partners of some types, or partners in some tiers."""

    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.ALL)
    partner_types = models.JSONField(
        default=list, blank=True, help_text="Partner type values (Partner.Type) when visibility is 'types'."
    )
    tiers = models.ManyToManyField(
        "partners.Tier", blank=True, related_name="+", help_text="The tiers that see it when visibility is 'tiers'."
    )

    class Meta:
        abstract = True

    def is_visible_to(self, partner) -> bool:
        """Whether `partner` may see this (one query for the 'tiers' case; selectors filter in SQL instead)."""
        if self.visibility == Visibility.TYPES:
            return partner.type in (self.partner_types or [])
        if self.visibility == Visibility.TIERS:
            return partner.tier_id is not None and self.tiers.filter(pk=partner.tier_id).exists()
        return True

    def visibility_label(self) -> str:
        """In words, for lists: "All partners", "Resellers, MSP / CSP", "Gold, Platinum"."""
        if self.visibility == Visibility.TYPES:
            from partners.models import Partner

            labels = dict(Partner.Type.choices)
            return ", ".join(str(labels.get(t, t)) for t in self.partner_types) or "No partner type chosen"
        if self.visibility == Visibility.TIERS:
            return ", ".join(t.name for t in self.tiers.all()) or "No tier chosen"
        return str(Visibility.ALL.label)


class Asset(VisibilityMixin):
    """A piece of the content library: a link (video, demo environment, page) or a privately stored document."""

    class Kind(models.TextChoices):
        PLAYBOOK = "playbook", "Playbook"
        POSITIONING = "positioning", "Positioning guide"
        BATTLECARD = "battlecard", "Battlecard"
        DEMO = "demo", "Demo environment"
        VIDEO = "video", "Video"
        DOCUMENT = "document", "Document"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    description = models.TextField(blank=True, max_length=4000)
    url = models.URLField("link", max_length=500, blank=True, help_text="Videos, demo environments, web pages.")
    file = models.FileField(
        storage=private_storage, upload_to=upload_path("enablement/assets"), max_length=300, blank=True
    )
    roles = models.JSONField(
        default=list, blank=True, help_text="Role values (sales, technical, marketing); empty means everyone."
    )
    product = models.CharField(max_length=100, blank=True, db_index=True)
    is_published = models.BooleanField(default=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "pk")

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url) and not self.file

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    def roles_label(self) -> str:
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(r, r)) for r in self.roles) or "Everyone"


class AssetView(models.Model):
    """Someone in a partner opened an asset (counts for the channel manager)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-viewed_at",)
        indexes: ClassVar = [models.Index(fields=("asset", "user", "viewed_at"))]

    def __str__(self) -> str:
        return f"{self.asset} viewed by {self.user}"


class Course(VisibilityMixin):
    """Ordered lessons and, optionally, an assessment. Part of a learning path through certifications."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="Its key: onboarding steps name courses by it.")
    summary = models.TextField(blank=True, max_length=2000)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, help_text="Blank: for everyone.")
    product = models.CharField(max_length=100, blank=True)
    is_published = models.BooleanField(default=False, db_index=True)
    estimated_minutes = models.PositiveIntegerField(default=30)
    is_renewal = models.BooleanField(
        "renewal course", default=False, help_text="A short course that renews a certification."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("title", "pk")

    def __str__(self) -> str:
        return self.title

    @cached_property
    def assessment_or_none(self) -> "Assessment | None":
        try:
            return self.assessment
        except Assessment.DoesNotExist:
            return None


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    video_url = models.URLField(max_length=500, blank=True)
    document_url = models.URLField(max_length=500, blank=True)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons")
    minutes = models.PositiveSmallIntegerField(default=5, help_text="Estimated minutes.")
    min_minutes = models.PositiveSmallIntegerField(
        "minimum minutes",
        null=True,
        blank=True,
        help_text="Time to spend before marking it done. Blank: half the estimated minutes; 0: no minimum.",
    )

    class Meta:
        ordering = ("course", "position", "pk")

    def __str__(self) -> str:
        return f"{self.course}: {self.title}"

    @property
    def required_seconds(self) -> int:
        """The time to spend on the lesson before it can be marked done: the minimum the channel manager set,
        else half the estimate (reading faster than the estimate is fine, a click-through is not); never more
        than the time a lesson can count (`lesson_seconds_cap`), so every lesson can be completed."""
        wanted = self.min_minutes * 60 if self.min_minutes is not None else (self.minutes or 0) * 30
        return min(wanted, lesson_seconds_cap(self))

    @property
    def minimum_label(self) -> str:
        """For the channel manager's lesson list: "2.5 min minimum (half the estimate)", "no minimum"."""
        if not self.required_seconds:
            return "no minimum"
        label = f"{self.required_seconds / 60:g} min minimum"
        return label if self.min_minutes is not None else f"{label} (half the estimate)"

    @property
    def video_file(self) -> bool:
        """A video the page can play itself (a direct media file), so that watching it to the end is seen."""
        return self.video_url.lower().split("?", 1)[0].endswith(VIDEO_FILE_SUFFIXES)

    @property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)


class Assessment(models.Model):
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="assessment")
    pass_mark = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text="Percent."
    )
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="0 means unlimited.")

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100),
                name="assessment_pass_mark_percent",
                violation_error_message="The pass mark is a percentage between 1 and 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment: {self.course}"

    @property
    def unlimited_attempts(self) -> bool:
        return self.max_attempts == 0


class Question(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(max_length=2000)
    multiple = models.BooleanField(
        "several correct answers", default=False, help_text="The partner must pick every correct answer."
    )

    class Meta:
        ordering = ("assessment", "position", "pk")

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ("question", "position", "pk")

    def __str__(self) -> str:
        return self.text[:80]


class Enrollment(models.Model):
    """A partner user taking a course. Progress is saved lesson by lesson; time spent counts as training hours."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(
        default=0, help_text="Training time counted on its lessons, in seconds (every run): the training hours."
    )
    counted_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Time is counted up to this moment: two lessons open side by side never count the same minute.",
    )
    run = models.PositiveSmallIntegerField(default=1, help_text="1 the first time; a retake (to renew) adds one.")
    extra_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts a channel manager granted beyond the assessment's limit (this run)."
    )

    class Meta:
        ordering = ("-last_activity_at", "pk")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("user", "course"), name="enrollment_unique_user_course"),
            models.CheckConstraint(
                condition=Q(status="in_progress", completed_at__isnull=True)
                | Q(status="completed", completed_at__isnull=False),
                name="enrollment_completed_at_matches_status",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=("partner", "status"))]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def hours_spent(self) -> float:
        return round(self.seconds_spent / 3600, 1)

    @property
    def progress_percent(self) -> int:
        """Steps done out of steps, where the steps are the lessons plus the assessment when the course has one
        (so all lessons done with the assessment to go is not 100%). 100 once completed. Selectors annotate
        `lessons_total`, `lessons_done` and `assessment_steps` so lists do not query per row."""
        if self.is_completed:
            return 100
        total = getattr(self, "lessons_total", None)
        done = getattr(self, "lessons_done", None)
        quiz = getattr(self, "assessment_steps", None)
        if total is None:
            total = self.course.lessons.count()
        if done is None:
            done = self.lesson_progress.filter(lesson__course_id=self.course_id).count()
        if quiz is None:
            quiz = int(Question.objects.filter(assessment__course_id=self.course_id).exists())
        steps = total + (1 if quiz else 0)
        if not steps:
            return 0
        return min(99, round(100 * done / steps))


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("enrollment", "lesson__position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("enrollment", "lesson"), name="lessonprogress_unique_enrollment_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.lesson.title}"


class LessonTime(models.Model):
    """The time a learner spent on a lesson in one run of a course, counted by the server: from opening the page,
    heartbeats while it is open and in view, and the moment it is marked done. Never a number the browser sent."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lesson_times")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    run = models.PositiveSmallIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now, help_text="First opened in this run.")
    last_seen_at = models.DateTimeField(default=timezone.now, help_text="Counted up to here.")
    seconds = models.PositiveIntegerField(default=0, help_text="Counted time, in seconds.")
    beats = models.PositiveIntegerField(default=0, help_text="Heartbeats received from the open page.")
    reached_end_at = models.DateTimeField(
        null=True, blank=True, help_text="The page said the learner reached the end of the text or video."
    )

    class Meta:
        ordering = ("enrollment", "run", "lesson__position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("enrollment", "lesson", "run"), name="lessontime_unique_run"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.lesson.title} ({self.seconds} s)"


class Attempt(models.Model):
    """One submitted assessment. `answers` keeps what was chosen: {"<question id>": [choice ids]}."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(help_text="1, 2, 3… across every run of the enrollment.")
    run = models.PositiveSmallIntegerField(default=1, help_text="The enrollment's run it belongs to.")
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(help_text="Percent of questions answered exactly right.")
    passed = models.BooleanField()
    answers = models.JSONField(default=dict)

    class Meta:
        ordering = ("enrollment", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("enrollment", "number"), name="attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: attempt {self.number} ({self.score}%)"


class Certification(models.Model):
    """Earned by completing a set of courses (and passing their assessments); valid for `validity_months`."""

    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=4000)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, help_text="Blank: for everyone.")
    validity_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    courses = models.ManyToManyField(Course, related_name="certifications", help_text="All are required.")
    renewal_course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renews",
        help_text="A shorter course that renews it; without one, holders renew by completing the path again.",
    )
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


def new_award_code() -> str:
    """16 characters from an alphabet without look-alikes (no 0/O, 1/I/L): ~80 bits, easy to read aloud."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class CertificationAward(models.Model):
    """A person holds a certification from `awarded_at` until `expires_at` (a date: valid through that day).

    Renewing creates a new award (`renewal_of` = this one) and points this one's `renewed_by` at it."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"  # a person × certification without an award; never stored
        ACTIVE = "active", "Active"
        EXPIRING_SOON = "expiring_soon", "Expiring soon"
        EXPIRED = "expired", "Expired"
        RENEWED = "renewed", "Renewed"
        REVOKED = "revoked", "Revoked"

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="awards")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_awards")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="certification_awards")
    awarded_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateField(db_index=True, help_text="Valid through this day.")
    code = models.CharField(max_length=32, unique=True, default=new_award_code, editable=False)
    public = models.BooleanField(default=True, help_text="The verification page shows it to anyone with the code.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True, max_length=2000)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    renewed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The award replacing it."
    )
    renewal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The award it renews."
    )

    class Meta:
        ordering = ("-awarded_at", "pk")
        indexes: ClassVar = [models.Index(fields=("partner", "certification"))]

    def __str__(self) -> str:
        return f"{self.certification} — {self.user}"

    def status_on(self, day: date) -> str:
        """The award's status on `day`: revoked and renewed win over dates; then expired, expiring soon, active."""
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.renewed_by_id is not None:
            return self.Status.RENEWED
        if day > self.expires_at:
            return self.Status.EXPIRED
        if (self.expires_at - day).days <= EXPIRING_SOON_DAYS:
            return self.Status.EXPIRING_SOON
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def is_valid_on(self, day: date) -> bool:
        """Whether it proves the certification on `day` (a renewed award stays valid until its old expiry)."""
        return self.revoked_at is None and day <= self.expires_at

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    def days_left(self, day: date | None = None) -> int:
        return (self.expires_at - (day or timezone.localdate())).days

    @property
    def holder_name(self) -> str:
        """The name shown publicly: the full name, else the part of the email before "@" (never the address)."""
        return self.user.get_full_name() or self.user.email.split("@", 1)[0]
