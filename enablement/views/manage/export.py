"""CSV exports for the channel team: awards (with the list filters), the competency grid, and enrollments. Every
cell goes through `prm.csv_export`, which defuses spreadsheet formulas."""

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone

from enablement import competency, selectors
from enablement.forms.manage import GridFilterForm
from enablement.models import Certification, CertificationAward, Course, Enrollment
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time

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
    raise Http404("No such export.")
