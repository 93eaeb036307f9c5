"""What the learner reads about their courses and certifications: where they stand and what to do next."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.formats import date_format

from enablement import services
from enablement.models import Certification, CertificationAward, Course, Enrollment, Lesson
from enablement.services import AttemptsInfo

Status = CertificationAward.Status
RETAKE_NOTE = "Lessons and attempts start over; your hours are kept."


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class AwardCard:
    """An award as "My learning" and its page show it: status, the sentence that explains it, how to renew."""

    award: CertificationAward
    status: str
    summary: str
    renewal_course: Course | None
    renewal_open: bool
    renewal_opens_on: date

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def certification(self) -> Certification:
        return self.award.certification

    @property
    def is_revoked(self) -> bool:
        return self.status == Status.REVOKED

    @property
    def needs_renewal(self) -> bool:
        return self.status in (Status.EXPIRING_SOON, Status.EXPIRED)


def award_card(award: CertificationAward, *, today: date, renewal_course: Course | None) -> AwardCard:
    status = award.status_on(today)
    opens = award.expires_at - timedelta(days=services.RENEWAL_OPENS_DAYS)
    days = award.days_left(today)
    if status == Status.REVOKED:
        revoked_on = _day(timezone.localdate(award.revoked_at))
        summary = f"Revoked on {revoked_on}: it no longer counts and its public page says so."
    elif status == Status.RENEWED:
        summary = f"Replaced by a renewal (it was valid until {_day(award.expires_at)})."
    elif status == Status.EXPIRED:
        summary = f"Expired on {_day(award.expires_at)}. Renew it to be certified again."
    elif status == Status.EXPIRING_SOON:
        left = "today is its last day" if days == 0 else f"{plural(days, 'day')} left"
        summary = (
            f"Valid until {_day(award.expires_at)} ({left}). Renew it now: the new period starts when this one ends."
        )
    else:
        summary = f"Valid until {_day(award.expires_at)}."
    return AwardCard(
        award=award,
        status=status,
        summary=summary,
        renewal_course=renewal_course,
        renewal_open=status in (Status.ACTIVE, Status.EXPIRING_SOON, Status.EXPIRED) and today >= opens,
        renewal_opens_on=opens,
    )


@dataclass
class NextStep:
    """The one thing to do next on a course page."""

    kind: str  # enroll | lesson | assessment | wait | completed | empty
    label: str
    lesson: Lesson | None = None
    note: str = ""


def course_next_step(
    *,
    enrollment: Enrollment | None,
    lessons: list[Lesson],
    done: set[int],
    has_assessment: bool,
    attempts: AttemptsInfo | None,
) -> NextStep:
    if not lessons and not has_assessment:
        return NextStep("empty", "This course has no lessons yet", note="Come back soon: it is being written.")
    if enrollment is None:
        return NextStep("enroll", "Start the course")
    if enrollment.is_completed:
        # The moment is the certificate and what comes next; taking it again is a quiet option on the course page.
        return NextStep("completed", "Your certificate and what's next", note=RETAKE_NOTE)
    remaining = [lesson for lesson in lessons if lesson.pk not in done]
    if remaining:
        label = "Start the first lesson" if not done else f"Continue: {remaining[0].title}"
        return NextStep("lesson", label, lesson=remaining[0])
    if has_assessment and attempts is not None and attempts.exhausted:
        return NextStep(
            "wait",
            "No attempts left",
            note=f"You used all {plural(attempts.allowed, 'attempt')}. Ask your channel manager for another "
            "one; your lessons stay done.",
        )
    if has_assessment:
        return NextStep("assessment", "Take the assessment")
    return NextStep("empty", "Every lesson is done")


def duration(seconds: int) -> str:
    """Training time in words: "25 minutes", "1.5 hours"."""
    minutes = round((seconds or 0) / 60)
    if minutes < 60:
        return plural(minutes, "minute")
    hours = round(seconds / 3600, 1)
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def time_stat(seconds: int) -> tuple[str, str]:
    """Training time for a big number and its unit: ("25", "minutes"), ("1.5", "hours")."""
    if seconds < 3600:
        return str(round(seconds / 60)), "minutes"
    return f"{seconds / 3600:.1f}".removesuffix(".0"), "hours"


def attempts_sentence(info: AttemptsInfo) -> str:
    if info.allowed is None:
        return "Unlimited attempts."
    if info.used == 0:
        return f"{plural(info.allowed, 'attempt')}."
    return f"{plural(info.left, 'attempt')} left of {info.allowed}."
