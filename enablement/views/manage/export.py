"""CSV exports for the channel team: awards (with the list filters), the competency grid, enrollments, and each
list page's rows (assets, courses, certifications, expiring awards) with that page's filters. Every cell goes
through `prm.csv_export`, which defuses spreadsheet formulas."""

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone

from enablement import competency, selectors
from enablement.forms.manage import AssetFilterForm, GridFilterForm
from enablement.models import Certification, CertificationAward, Course, Enrollment
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time

from .certifications import expiring_rows

AWARD_HEADER = (
    "id",
    "certification",
    "holder",
    "email",
    "partner",
    "status",
    "awarded",
    "expires",
    "code",
    "renewal of",
    "revoked",
    "revoked reason",
)
ENROLLMENT_HEADER = (
    "id",
    "partner",
    "learner",
    "email",
    "course",
    "status",
    "progress %",
    "started",
    "last activity",
    "completed",
    "hours",
    "attempts",
    "extra attempts",
    "run",
)


def _pk_or_none(model, value):
    try:
        return model.objects.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


def award_row(award: CertificationAward, today) -> list[object]:
    return [
        award.pk,
        award.certification.name,
        award.user.get_full_name(),
        award.user.email,
        award.partner.name,
        award.Status(award.status_on(today)).label,
        csv_time(award.awarded_at),
        award.expires_at.isoformat(),
        award.code,
        award.renewal_of.code if award.renewal_of else "",
        csv_time(award.revoked_at),
        award.revoked_reason,
    ]


def _enrollment_row(enrollment: Enrollment) -> list[object]:
    return [
        enrollment.pk,
        enrollment.partner.name,
        enrollment.user.get_full_name(),
        enrollment.user.email,
        enrollment.course.title,
        enrollment.get_status_display(),
        enrollment.progress_percent,
        csv_time(enrollment.started_at),
        csv_time(enrollment.last_activity_at),
        csv_time(enrollment.completed_at),
        enrollment.hours_spent,
        enrollment.attempt_count,
        enrollment.extra_attempts,
        enrollment.run,
    ]


@manager_required
def export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """Every row matching the filters in the address (not just a page), streamed."""
    today = timezone.localdate()
    params = request.GET
    if kind == "awards":
        awards = selectors.awards_list(
            status=params.get("status", ""),
            certification=_pk_or_none(Certification, params.get("certification")),
            partner=_pk_or_none(Partner, params.get("partner")),
            q=params.get("q", ""),
            today=today,
        )
        rows = (award_row(a, today) for a in awards.iterator(chunk_size=500))
        return csv_response(name="certifications", header=AWARD_HEADER, rows=rows)
    if kind == "grid":
        certs = selectors.grid_certifications()
        partners = list(selectors.grid_partners(GridFilterForm(params).filters()))
        table = competency.competency_grid(partners=partners, certifications=certs, today=today)
        header = ("partner", "type", "tier", "certified people", *(c.name for c in certs))
        rows = (
            [
                row.partner.name,
                row.partner.get_type_display(),
                row.partner.tier.name if row.partner.tier else "",
                row.certified_people,
                *row.cells,
            ]
            for row in table.rows
        )
        return csv_response(name="competency-grid", header=header, rows=rows)
    if kind == "enrollments":
        enrollments = selectors.enrollments_export(
            course=_pk_or_none(Course, params.get("course")), partner=_pk_or_none(Partner, params.get("partner"))
        )
        rows = (_enrollment_row(e) for e in enrollments.iterator(chunk_size=500))
        return csv_response(name="enrollments", header=ENROLLMENT_HEADER, rows=rows)
    if kind in LIST_EXPORTS:
        return LIST_EXPORTS[kind](request)
    raise Http404("No such export.")


def _assets(request: HttpRequest) -> StreamingHttpResponse:
    assets = selectors.assets_manage(**AssetFilterForm(request.GET).filters())
    header = ("id", "title", "kind", "product", "file or link", "who sees it", "roles", "views", "people", "published")
    rows = (
        [
            asset.pk,
            asset.title,
            asset.get_kind_display(),
            asset.product,
            asset.file_name if asset.file else asset.url,
            asset.visibility_label,
            asset.roles_label,
            asset.view_count,
            asset.viewers,
            "yes" if asset.is_published else "no",
        ]
        for asset in assets.iterator(chunk_size=500)
    )
    return csv_response(name="enablement-assets", header=header, rows=rows)


def _courses(request: HttpRequest) -> StreamingHttpResponse:
    header = (
        "id",
        "title",
        "role",
        "product",
        "minutes",
        "renewal",
        "who sees it",
        "lessons",
        "questions",
        "learners",
        "completed",
        "hours",
        "published",
    )
    rows = (
        [
            course.pk,
            course.title,
            course.get_role_display() if course.role else "Everyone",
            course.product,
            course.estimated_minutes,
            "yes" if course.is_renewal else "no",
            course.visibility_label,
            course.lesson_count,
            course.question_count,
            course.enrolled,
            course.completed_count,
            round(course.seconds / 3600, 1),
            "yes" if course.is_published else "no",
        ]
        for course in selectors.courses_manage().iterator(chunk_size=500)
    )
    return csv_response(name="courses", header=header, rows=rows)


def _certifications(request: HttpRequest) -> StreamingHttpResponse:
    header = (
        "id",
        "certification",
        "role",
        "courses",
        "renewal course",
        "valid months",
        "holders",
        "expiring",
        "active",
    )
    rows = (
        [
            c.pk,
            c.name,
            c.get_role_display() if c.role else "Everyone",
            "; ".join(course.title for course in c.courses.all()),
            c.renewal_course.title if c.renewal_course else "",
            c.validity_months,
            c.holders,
            c.expiring,
            "yes" if c.is_active else "no",
        ]
        for c in selectors.certifications_manage(today=timezone.localdate())
    )
    return csv_response(name="certification-list", header=header, rows=rows)


def _expiring(request: HttpRequest) -> StreamingHttpResponse:
    today = timezone.localdate()
    _, soon, expired = expiring_rows(request, today)
    header = ("state", "holder", "email", "partner", "certification", "expires", "days")
    rows = (
        [state, a.user.get_full_name(), a.user.email, a.partner.name, a.certification.name, a.expires_at, a.days]
        for state, awards in (("expiring", soon), ("expired", expired))
        for a in awards
    )
    return csv_response(name="expiring-certifications", header=header, rows=rows)


LIST_EXPORTS = {"assets": _assets, "courses": _courses, "certifications": _certifications, "expiring": _expiring}
