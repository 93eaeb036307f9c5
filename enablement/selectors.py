"""Every read the enablement pages need, scoped to the viewer. Portal code fetches through these (another partner's
object, or content its type/tier may not see, is a 404); lists come with their counts annotated, never N+1."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from enablement.models import (
    EXPIRING_SOON_DAYS,
    Asset,
    AssetView,
    Attempt,
    Certification,
    CertificationAward,
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Question,
    Visibility,
)
from partners.models import Partner, PartnerMembership
from prm.models import User

Status = CertificationAward.Status


def _json_list_has(field_name: str, value: str) -> Q:
    """`value` is an item of a JSON list column (PostgreSQL @>; SQLite matches the quoted item in the text)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def visible_to(partner: Partner) -> Q:
    """Content (an Asset or a Course) the partner's type and tier may see."""
    q = Q(visibility=Visibility.ALL) | (Q(visibility=Visibility.TYPES) & _json_list_has("partner_types", partner.type))
    if partner.tier_id:
        q |= Q(visibility=Visibility.TIERS, tiers=partner.tier_id)
    return q


def _visible(queryset: QuerySet, partner: Partner) -> QuerySet:
    # The tier join can repeat rows; filter by id in a subquery so annotations stay correct.
    ids = queryset.model.objects.filter(visible_to(partner), is_published=True).values("pk")
    return queryset.filter(pk__in=ids)


# --- Content library -----------------------------------------------------------------------------------------------


def _search(queryset: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()[:100]
    if not q:
        return queryset
    return queryset.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(product__icontains=q))


def _role_filter(role: str) -> Q:
    """Assets tagged for `role`, and assets for everyone (no role tagged)."""
    return _json_list_has("roles", role) | Q(roles=[])


def assets_for(
    *, partner: Partner, membership: PartnerMembership | None = None, q: str = "", kind: str = "", role: str = "",
    product: str = "",
) -> QuerySet[Asset]:  # fmt: skip
    """The published assets the partner may see, filtered; those tagged for the viewer's role come first
    (annotated `for_my_role`), and each has `view_count`."""
    queryset = _search(_visible(Asset.objects.all(), partner), q)
    if kind in Asset.Kind.values:
        queryset = queryset.filter(kind=kind)
    if role:
        queryset = queryset.filter(_role_filter(role))
    if product:
        queryset = queryset.filter(product__iexact=product.strip())
    my_role = membership.role if membership is not None else ""
    if my_role in ("sales", "technical", "marketing"):
        queryset = queryset.annotate(
            for_my_role=Case(When(_json_list_has("roles", my_role), then=Value(1)), default=Value(0))
        )
    else:
        queryset = queryset.annotate(for_my_role=Value(0, output_field=IntegerField()))
    return queryset.annotate(view_count=Count("views", distinct=True)).order_by("-for_my_role", "title", "pk")


def asset_products(*, partner: Partner | None = None) -> list[str]:
    """The product tags in use (for a filter), among what `partner` may see when given."""
    queryset = Asset.objects.exclude(product="")
    queryset = _visible(queryset, partner) if partner is not None else queryset
    return sorted(set(queryset.values_list("product", flat=True)), key=str.casefold)


def assets_manage(
    *, q: str = "", kind: str = "", role: str = "", product: str = "", published: bool | None = None
) -> QuerySet[Asset]:
    """Every asset for the channel manager, with `view_count` (all time) and `viewers` (distinct people)."""
    queryset = _search(Asset.objects.all(), q)
    if kind in Asset.Kind.values:
        queryset = queryset.filter(kind=kind)
    if role:
        queryset = queryset.filter(_role_filter(role))
    if product:
        queryset = queryset.filter(product__iexact=product.strip())
    if published is not None:
        queryset = queryset.filter(is_published=published)
    return (
        queryset.select_related("created_by")
        .prefetch_related("tiers")
        .annotate(view_count=Count("views", distinct=True), viewers=Count("views__user", distinct=True))
        .order_by("title", "pk")
    )


def access_asset(*, partner: Partner, pk: int) -> Asset:
    """A published asset the partner may see, or 404."""
    asset = _visible(Asset.objects.all(), partner).filter(pk=pk).first()
    if asset is None:
        raise Http404("Not found")
    return asset


# --- Courses -------------------------------------------------------------------------------------------------------


def courses_for(*, partner: Partner) -> QuerySet[Course]:
    """The published courses the partner may see, with `lesson_count` and `has_assessment`, by role then title."""
    return (
        _visible(Course.objects.all(), partner)
        .annotate(
            lesson_count=Count("lessons", distinct=True),
            has_assessment=Exists(Question.objects.filter(assessment__course=OuterRef("pk"))),
        )
        .order_by("is_renewal", "role", "title", "pk")
    )


def access_course(*, partner: Partner, slug: str) -> Course:
    """A published course the partner may see (lessons prefetched, in order), or 404."""
    course = (
        _visible(Course.objects.all(), partner)
        .filter(slug=slug)
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.select_related("asset").order_by("position")))
        .first()
    )
    if course is None:
        raise Http404("Not found")
    return course


def _with_progress(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Annotate `lessons_total`, `lessons_done` and `assessment_steps` (what Enrollment.progress_percent reads)."""
    done = (
        LessonProgress.objects.filter(enrollment=OuterRef("pk"), lesson__course=OuterRef("course"))
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    total = Lesson.objects.filter(course=OuterRef("course")).order_by().values("course").annotate(n=Count("pk"))
    return queryset.annotate(
        lessons_total=Coalesce(total.values("n"), 0),
        lessons_done=Coalesce(done, 0),
        assessment_steps=Exists(Question.objects.filter(assessment__course=OuterRef("course"))),
    )


def access_enrollment(*, user: User, course: Course) -> Enrollment | None:
    """The user's enrollment in the course (with progress annotated), or None when they have not started it."""
    return _with_progress(Enrollment.objects.filter(user=user, course=course)).select_related("course").first()


def enrollments_by_course(*, user: User) -> dict[int, Enrollment]:
    """{course id: the user's enrollment}, for marking a catalogue (one query)."""
    return {e.course_id: e for e in _with_progress(Enrollment.objects.filter(user=user))}


def lessons_done(*, enrollment: Enrollment) -> set[int]:
    """The ids of the lessons completed in the enrollment's current run."""
    return set(LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True))


def enrollment_attempts(*, enrollment: Enrollment) -> list[Attempt]:
    """The learner's attempts in the current run, newest first (score and pass; never the correct answers)."""
    return list(Attempt.objects.filter(enrollment=enrollment, run=enrollment.run).order_by("-number"))


# --- Assessments: what the browser may see -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceView:
    id: int
    text: str


@dataclass(frozen=True)
class QuestionView:
    """A question as the learner sees it: no `is_correct` anywhere, so a template cannot leak it."""

    id: int
    position: int
    text: str
    multiple: bool
    choices: list[ChoiceView]

    @property
    def field_name(self) -> str:
        return f"q{self.id}"


def assessment_questions_for(enrollment_or_attempt: Enrollment | Attempt) -> list[QuestionView]:
    """The questions and choices of the enrollment's (or attempt's) course, without correctness (2 queries)."""
    enrollment = getattr(enrollment_or_attempt, "enrollment", enrollment_or_attempt)
    questions = (
        Question.objects.filter(assessment__course_id=enrollment.course_id)
        .order_by("position", "pk")
        .prefetch_related("choices")
    )
    return [
        QuestionView(
            id=q.pk,
            position=number,
            text=q.text,
            multiple=q.multiple,
            choices=[ChoiceView(id=c.pk, text=c.text) for c in q.choices.all()],
        )
        for number, q in enumerate(questions, start=1)
    ]


# --- My learning ---------------------------------------------------------------------------------------------------


@dataclass
class CertificationProgress:
    """A person × certification: the status (in progress, or the current award's), the courses done of those
    required, and the current award when there is one."""

    certification: Certification
    status: str
    required: list[Course]
    done: list[Course]
    award: CertificationAward | None = None

    @property
    def percent(self) -> int:
        return round(100 * len(self.done) / len(self.required)) if self.required else 0

    @property
    def missing(self) -> list[Course]:
        done = {c.pk for c in self.done}
        return [c for c in self.required if c.pk not in done]

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


def _current_awards(user: User) -> dict[int, CertificationAward]:
    """The user's newest not-renewed award per certification (revoked and expired included)."""
    heads: dict[int, CertificationAward] = {}
    awards = (
        CertificationAward.objects.filter(user=user, renewed_by__isnull=True)
        .select_related("certification", "partner")
        .order_by("awarded_at", "pk")
    )
    for award in awards:
        heads[award.certification_id] = award
    return heads


def certification_progress(*, user: User, today: date | None = None) -> list[CertificationProgress]:
    """Every active certification the user holds, held, or has started (enrolled in one of its courses): its status
    on `today` and the courses done. "In progress": no award yet and some required course started (enrolled)."""
    today = today or timezone.localdate()
    enrollments = {e.course_id: e for e in Enrollment.objects.filter(user=user)}
    heads = _current_awards(user)
    rows = []
    for certification in Certification.objects.filter(is_active=True).prefetch_related("courses").order_by("name"):
        required = sorted(certification.courses.all(), key=lambda c: c.title.casefold())
        done = [c for c in required if c.pk in enrollments and enrollments[c.pk].is_completed]
        started = any(c.pk in enrollments for c in required)
        award = heads.get(certification.pk)
        if award is not None:
            status = award.status_on(today)
        elif started:
            status = Status.IN_PROGRESS
        else:
            continue
        rows.append(CertificationProgress(certification, status, required, done, award))
    return rows


@dataclass
class MyLearning:
    in_progress: list[Enrollment]
    completed: list[Enrollment]
    awards: list[CertificationAward]  # current awards (not renewed), newest first; revoked ones included
    certifications: list[CertificationProgress] = field(default_factory=list)

    @property
    def hours(self) -> float:
        seconds = sum(e.seconds_spent for e in self.in_progress + self.completed)
        return round(seconds / 3600, 1)

    @property
    def is_empty(self) -> bool:
        return not (self.in_progress or self.completed or self.awards)


def my_learning(*, user: User, today: date | None = None) -> MyLearning:
    """The learner's page: courses in progress (most recent first), completed ones, certifications with expiry."""
    enrollments = list(
        _with_progress(Enrollment.objects.filter(user=user)).select_related("course").order_by("-last_activity_at")
    )
    heads = _current_awards(user)
    return MyLearning(
        in_progress=[e for e in enrollments if not e.is_completed],
        completed=sorted((e for e in enrollments if e.is_completed), key=lambda e: e.completed_at, reverse=True),
        awards=sorted(heads.values(), key=lambda a: a.awarded_at, reverse=True),
        certifications=certification_progress(user=user, today=today),
    )


def access_own_award(*, user: User, pk: int) -> CertificationAward:
    """One of the user's own awards (e.g. to hide its public page), or 404."""
    award = CertificationAward.objects.filter(user=user, pk=pk).select_related("certification", "partner").first()
    if award is None:
        raise Http404("Not found")
    return award


# --- A partner's team ----------------------------------------------------------------------------------------------


@dataclass
class TeamMember:
    membership: PartnerMembership
    awards: list[CertificationAward]  # current (not renewed) awards, incl. expired and revoked
    in_progress: int  # courses in progress
    completed: int  # courses completed
    seconds_spent: int

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def hours(self) -> float:
        return round(self.seconds_spent / 3600, 1)


def team_certifications(*, partner: Partner) -> list[TeamMember]:
    """The partner's active people with their certifications and course counts (3 queries), by name."""
    members = list(
        PartnerMembership.objects.filter(partner=partner, is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )
    user_ids = [m.user_id for m in members]
    awards: dict[int, list[CertificationAward]] = {}
    for award in (
        CertificationAward.objects.filter(partner=partner, user_id__in=user_ids, renewed_by__isnull=True)
        .select_related("certification")
        .order_by("certification__name", "-awarded_at")
    ):
        awards.setdefault(award.user_id, []).append(award)
    stats = {
        row["user_id"]: row
        for row in Enrollment.objects.filter(partner=partner, user_id__in=user_ids)
        .values("user_id")
        .annotate(
            done=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
            going=Count("pk", filter=Q(status=Enrollment.Status.IN_PROGRESS)),
            seconds=Sum("seconds_spent"),
        )
        .order_by()
    }
    return [
        TeamMember(
            membership=m,
            awards=awards.get(m.user_id, []),
            in_progress=stats.get(m.user_id, {}).get("going", 0),
            completed=stats.get(m.user_id, {}).get("done", 0),
            seconds_spent=stats.get(m.user_id, {}).get("seconds") or 0,
        )
        for m in members
    ]


# --- Awards, for the channel team and the public page ------------------------------------------------------------


def award_status_q(status: str, today: date | None = None) -> Q:
    """The awards with `status` on `today`, as a filter (mirrors CertificationAward.status_on)."""
    today = today or timezone.localdate()
    live = Q(revoked_at__isnull=True, renewed_by__isnull=True)
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    return {
        Status.REVOKED: Q(revoked_at__isnull=False),
        Status.RENEWED: Q(revoked_at__isnull=True, renewed_by__isnull=False),
        Status.EXPIRED: live & Q(expires_at__lt=today),
        Status.EXPIRING_SOON: live & Q(expires_at__gte=today, expires_at__lte=soon),
        Status.ACTIVE: live & Q(expires_at__gt=soon),
    }.get(status, Q())


def valid_awards_q(today: date | None = None) -> Q:
    """Awards that prove the certification on `today` (active or expiring soon)."""
    today = today or timezone.localdate()
    return Q(revoked_at__isnull=True, renewed_by__isnull=True, expires_at__gte=today)


def awards_list(
    *,
    status: str = "",
    certification: Certification | None = None,
    partner: Partner | None = None,
    q: str = "",
    today: date | None = None,
) -> QuerySet[CertificationAward]:
    """Awards for the channel team (and its CSV export): filtered by status on `today`, certification, partner and a
    search on the holder's name or email; newest first. By default renewed (replaced) awards are left out."""
    queryset = CertificationAward.objects.select_related("certification", "user", "partner", "renewal_of")
    if status in Status.values and status != Status.IN_PROGRESS:
        queryset = queryset.filter(award_status_q(status, today))
    else:
        queryset = queryset.filter(renewed_by__isnull=True)
    if certification is not None:
        queryset = queryset.filter(certification=certification)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    q = (q or "").strip()[:100]
    if q:
        queryset = queryset.filter(
            Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(partner__name__icontains=q)
            | Q(code__iexact=q)
        )
    return queryset.order_by("-awarded_at", "pk")


def expiring_awards(
    *, within_days: int = EXPIRING_SOON_DAYS, today: date | None = None
) -> QuerySet[CertificationAward]:
    """Current awards expiring from today to `within_days` ahead, soonest first (the manager's expiring list)."""
    today = today or timezone.localdate()
    return (
        CertificationAward.objects.filter(valid_awards_q(today), expires_at__lte=today + timedelta(days=within_days))
        .select_related("certification", "user", "partner")
        .order_by("expires_at", "pk")
    )


def award_by_code(code: str, *, include_hidden: bool = False) -> CertificationAward | None:
    """The award a verification code names, or None when unknown (or hidden by its holder, which must look the same
    as unknown to the public). Revoked and renewed awards are returned: the page says so."""
    code = (code or "").strip().upper()
    if not code.isascii() or not code.isalnum() or len(code) > 32:  # also keeps NUL bytes away from PostgreSQL
        return None
    award = CertificationAward.objects.select_related("certification", "user", "partner", "renewed_by").filter(
        code=code
    )
    award = award.first()
    if award is None or (not award.public and not include_hidden):
        return None
    return award


# --- Manager lists -------------------------------------------------------------------------------------------------


def courses_manage() -> QuerySet[Course]:
    """Every course with `lesson_count`, `question_count`, `enrolled`, `completed_count` and `seconds` (training
    time), for the channel manager's list."""
    lessons = Lesson.objects.filter(course=OuterRef("pk")).order_by().values("course").annotate(n=Count("pk"))
    questions = (
        Question.objects.filter(assessment__course=OuterRef("pk"))
        .order_by()
        .values("assessment__course")
        .annotate(n=Count("pk"))
    )
    return (
        Course.objects.prefetch_related("tiers")
        .annotate(
            lesson_count=Coalesce(lessons.values("n"), 0),
            question_count=Coalesce(questions.values("n"), 0),
            enrolled=Count("enrollments", distinct=True),
            completed_count=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.COMPLETED), distinct=True
            ),
            seconds=Coalesce(Sum("enrollments__seconds_spent"), 0),
        )
        .order_by("-is_published", "title", "pk")
    )


def certifications_manage(*, today: date | None = None) -> QuerySet[Certification]:
    """Every certification with `holders` (valid awards today), `expiring` (within 60 days) and `course_count`."""
    today = today or timezone.localdate()
    valid = Q(awards__revoked_at__isnull=True, awards__renewed_by__isnull=True, awards__expires_at__gte=today)
    soon = valid & Q(awards__expires_at__lte=today + timedelta(days=EXPIRING_SOON_DAYS))
    return (
        Certification.objects.select_related("renewal_course")
        .prefetch_related("courses")
        .annotate(
            holders=Count("awards", filter=valid, distinct=True),
            expiring=Count("awards", filter=soon, distinct=True),
        )
        .order_by("-is_active", "name", "pk")
    )


def enrollments_manage(*, course: Course | None = None, partner: Partner | None = None) -> QuerySet[Enrollment]:
    """Enrollments (manager view), optionally of one course or partner, with progress annotated and the learner,
    partner and course selected, most recent activity first."""
    queryset = Enrollment.objects.all()
    if course is not None:
        queryset = queryset.filter(course=course)
    if partner is not None:
        queryset = queryset.filter(partner=partner)
    return _with_progress(queryset).select_related("user", "partner", "course").order_by("-last_activity_at", "pk")


# --- portal ---


def certification_paths_for(*, partner: Partner) -> list[Certification]:
    """The active certifications the partner's people can earn (every required course is published and visible to
    the partner), by name; each has `path_courses`, its required courses by title (3 queries)."""
    visible = _visible(Course.objects.all(), partner).order_by("title", "pk")
    certifications = Certification.objects.filter(is_active=True).prefetch_related(
        "courses", Prefetch("courses", queryset=visible, to_attr="path_courses")
    )
    return [
        c
        for c in certifications.order_by("name", "pk")
        if c.path_courses and len(c.path_courses) == len(c.courses.all())
    ]


def renewal_courses_for(*, partner: Partner, certification_ids: list[int]) -> dict[int, Course]:
    """{certification id: its renewal course}, for the certifications given whose renewal course the partner may
    take (1 query)."""
    visible = _visible(Course.objects.all(), partner).values("pk")
    rows = Certification.objects.filter(pk__in=certification_ids, renewal_course__in=visible).select_related(
        "renewal_course"
    )
    return {c.pk: c.renewal_course for c in rows}


def course_certifications(*, course: Course) -> list[Certification]:
    """The active certifications a course counts towards (part of the path, or the renewal course)."""
    return list(
        Certification.objects.filter(Q(courses=course) | Q(renewal_course=course), is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


def awards_earned(*, user: User, at) -> list[CertificationAward]:
    """The awards (first ones and renewals) the user received at the moment `at` (a completion's time)."""
    return list(CertificationAward.objects.filter(user=user, awarded_at=at).select_related("certification"))


def award_history(*, award: CertificationAward) -> list[CertificationAward]:
    """Every award of the same person and certification, newest first (renewed ones included)."""
    return list(
        CertificationAward.objects.filter(user_id=award.user_id, certification_id=award.certification_id)
        .select_related("certification")
        .order_by("-awarded_at", "-pk")
    )


def asset_visible(*, partner: Partner, asset_id: int | None) -> bool:
    """Whether a lesson's linked asset is published and visible to the partner."""
    return asset_id is not None and _visible(Asset.objects.all(), partner).filter(pk=asset_id).exists()


def held_certification_ids(*, user: User, today: date | None = None) -> set[int]:
    """The certifications the user holds a valid award of today (1 query)."""
    awards = CertificationAward.objects.filter(valid_awards_q(today), user=user)
    return set(awards.values_list("certification_id", flat=True))


# --- manage ---


@dataclass(frozen=True)
class ManageOverview:
    assets: int
    assets_published: int
    asset_views_30d: int
    courses: int
    courses_published: int
    enrollments_in_progress: int
    enrollments_completed: int
    training_seconds: int
    certifications_active: int
    valid_awards: int
    expiring: int

    @property
    def training_hours(self) -> float:
        return round(self.training_seconds / 3600, 1)


def manage_overview(*, today: date | None = None) -> ManageOverview:
    """The counts on the channel manager's enablement overview (5 queries, whatever the size of the catalogue)."""
    today = today or timezone.localdate()
    assets = Asset.objects.aggregate(total=Count("pk"), published=Count("pk", filter=Q(is_published=True)))
    views = AssetView.objects.filter(viewed_at__gte=timezone.now() - timedelta(days=30)).count()
    courses = Course.objects.aggregate(total=Count("pk"), published=Count("pk", filter=Q(is_published=True)))
    learning = Enrollment.objects.aggregate(
        going=Count("pk", filter=Q(status=Enrollment.Status.IN_PROGRESS)),
        done=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
        seconds=Sum("seconds_spent"),
    )
    soon = today + timedelta(days=EXPIRING_SOON_DAYS)
    awards = CertificationAward.objects.filter(valid_awards_q(today)).aggregate(
        valid=Count("pk"), expiring=Count("pk", filter=Q(expires_at__lte=soon))
    )
    return ManageOverview(
        assets=assets["total"],
        assets_published=assets["published"],
        asset_views_30d=views,
        courses=courses["total"],
        courses_published=courses["published"],
        enrollments_in_progress=learning["going"],
        enrollments_completed=learning["done"],
        training_seconds=learning["seconds"] or 0,
        certifications_active=Certification.objects.filter(is_active=True).count(),
        valid_awards=awards["valid"],
        expiring=awards["expiring"],
    )


# Partners that have not joined (yet) are left out of the grid.
GRID_EXCLUDED = (Partner.Status.APPLIED, Partner.Status.DECLINED)


def grid_partners(filters: dict) -> QuerySet[Partner]:
    """The partners the competency grid (and its export) shows, filtered by `tier`, `type` and `q`, by name."""
    partners = Partner.objects.exclude(status__in=GRID_EXCLUDED).select_related("tier")
    if filters.get("tier"):
        partners = partners.filter(tier=filters["tier"])
    if filters.get("type"):
        partners = partners.filter(type=filters["type"])
    if filters.get("q"):
        partners = partners.filter(name__icontains=filters["q"])
    return partners.order_by("name", "pk")


def grid_certifications() -> list[Certification]:
    """The grid's columns: the active certifications, by name."""
    return list(Certification.objects.filter(is_active=True).order_by("name", "pk"))


def recently_expired_awards(*, within_days: int, today: date | None = None) -> QuerySet[CertificationAward]:
    """Current awards (not revoked, not renewed) that expired in the last `within_days` days, most recent first."""
    today = today or timezone.localdate()
    return (
        CertificationAward.objects.filter(
            award_status_q(Status.EXPIRED, today), expires_at__gte=today - timedelta(days=within_days)
        )
        .select_related("certification", "user", "partner")
        .order_by("-expires_at", "pk")
    )


def enrollments_export(*, course: Course | None = None, partner: Partner | None = None) -> QuerySet[Enrollment]:
    """`enrollments_manage` for the CSV export: with `attempt_count`, by partner, learner and course."""
    return (
        enrollments_manage(course=course, partner=partner)
        .annotate(attempt_count=Count("attempts", distinct=True))
        .order_by("partner__name", "user__email", "course__title", "pk")
    )
