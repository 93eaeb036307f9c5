"""The moment a course is complete: what it earned (the certificate with its public verification link, badge and a
text to share), how far the learner is on the certification paths it counts towards, and what to do next. Taking
the course again is never the main action here. Read through `selectors.access_course(partner=...)` and the
learner's own enrollment: someone else's completion cannot be opened."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from enablement import selectors
from enablement.models import CertificationAward, Course, Enrollment
from partners.services.program import program_get
from prm.access import partner_required

from .words import duration

SUGGESTIONS = 3
VALID = (CertificationAward.Status.ACTIVE, CertificationAward.Status.EXPIRING_SOON)


@dataclass
class Certificate:
    """A valid award the course counts towards, ready to share."""

    award: CertificationAward
    just_earned: bool
    verify_url: str
    badge_url: str
    share_text: str


@dataclass
class PathLeft:
    """A certification the course counts towards that is not earned yet: the courses still to complete."""

    name: str
    done: int
    required: int
    missing: list[Course]


def share_text(*, award: CertificationAward, program: str, verify_url: str) -> str:
    until = date_format(award.expires_at, "j F Y")
    return (
        f"I am now certified: “{award.certification.name}” ({program}), valid until {until}. "
        f"Anyone can check it here: {verify_url}"
    )


def _certificates(request: HttpRequest, course: Course, enrollment: Enrollment) -> tuple[list, list]:
    today = timezone.localdate()
    counts_towards = {c.pk for c in selectors.course_certifications(course=course)}
    earned_now = {a.pk for a in selectors.awards_earned(user=request.user, at=enrollment.completed_at)}
    program = program_get().name
    certificates, paths = [], []
    for row in selectors.certification_progress(user=request.user, today=today):
        if row.certification.pk not in counts_towards and (row.award is None or row.award.pk not in earned_now):
            continue
        if row.award is not None and row.status in VALID:
            verify_url = request.build_absolute_uri(reverse("verify", args=[row.award.code]))
            certificates.append(
                Certificate(
                    award=row.award,
                    just_earned=row.award.pk in earned_now,
                    verify_url=verify_url,
                    badge_url=request.build_absolute_uri(reverse("verify_badge", args=[row.award.code])),
                    share_text=share_text(award=row.award, program=program, verify_url=verify_url),
                )
            )
        elif row.missing:
            paths.append(PathLeft(row.certification.name, len(row.done), len(row.required), row.missing))
    certificates.sort(key=lambda c: not c.just_earned)
    return certificates, paths


def _suggestions(request: HttpRequest, course: Course) -> list[Course]:
    """Courses to take next: not started yet, for the learner's role first."""
    started = selectors.enrollments_by_course(user=request.user)
    role = request.membership.role
    courses = [
        c
        for c in selectors.courses_for(partner=request.partner)
        if c.pk != course.pk and c.pk not in started and not c.is_renewal
    ]
    courses.sort(key=lambda c: c.role not in (role, ""))
    return courses[:SUGGESTIONS]


@partner_required
def course_completed(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.access_course(partner=request.partner, slug=slug)
    enrollment = selectors.access_enrollment(user=request.user, course=course)
    if enrollment is None or not enrollment.is_completed:
        messages.info(request, "This course is not complete yet: here is where you stand.")
        return redirect("portal:training_course", slug=course.slug)
    certificates, paths = _certificates(request, course, enrollment)
    context = {
        "course": course,
        "enrollment": enrollment,
        "time_words": duration(enrollment.seconds_spent),
        "certificates": certificates,
        "paths": paths,
        "suggestions": [] if paths else _suggestions(request, course),
        "tab": "mine",
    }
    return render(request, "enablement/portal/completed.html", context)
