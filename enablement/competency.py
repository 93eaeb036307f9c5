"""Partner-level competency: who is certified (by certification and by role), training hours, completion rate.

"Certified people" are the partner's active people holding at least one valid award today (not revoked, not
expired; an award replaced by a renewal counts through its successor). It feeds the tier requirement kind
`certified_people` (registered in EnablementConfig.ready) and the scorecards; the onboarding step "complete a
course" is answered by `course_step_done`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from enablement.models import Certification, CertificationAward, Enrollment
from partners.models import ChecklistStep, Partner, PartnerMembership


def _valid_held(today: date) -> Q:
    """Valid awards held by someone still active at the award's partner."""
    return Q(
        revoked_at__isnull=True,
        renewed_by__isnull=True,
        expires_at__gte=today,
        user__is_active=True,
        user__membership__is_active=True,
        user__membership__partner=F("partner"),
    )


def certified_people_by_partner(partner_ids: list[int], since: datetime | None = None) -> dict[int, Decimal]:
    """The `certified_people` tier metric: {partner id: people holding a valid certification today} in one query.
    `since` (the metrics window) does not apply: a certification counts while it is valid, however old."""
    today = timezone.localdate()
    rows = (
        CertificationAward.objects.filter(_valid_held(today), partner_id__in=partner_ids)
        .values("partner_id")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
    )
    return {row["partner_id"]: Decimal(row["people"]) for row in rows}


def certified_people_count(partner: Partner, *, today: date | None = None, exclude_award: int | None = None) -> int:
    queryset = CertificationAward.objects.filter(_valid_held(today or timezone.localdate()), partner=partner)
    if exclude_award is not None:
        queryset = queryset.exclude(pk=exclude_award)
    return queryset.values("user_id").distinct().count()


@dataclass(frozen=True)
class CertificationCount:
    certification: Certification
    people: int


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    people: int


@dataclass(frozen=True)
class PartnerCompetency:
    certified_people: int
    by_certification: list[CertificationCount]
    by_role: list[RoleCount]
    training_seconds: int
    enrollments: int
    completed: int

    @property
    def training_hours(self) -> Decimal:
        return (Decimal(self.training_seconds) / 3600).quantize(Decimal("0.1"))

    @property
    def completion_rate(self) -> int:
        """Percent of the partner's enrollments that are completed (0 with none)."""
        return round(100 * self.completed / self.enrollments) if self.enrollments else 0


def partner_competency(*, partner: Partner, today: date | None = None) -> PartnerCompetency:
    """One partner's competency (4 queries)."""
    today = today or timezone.localdate()
    valid = CertificationAward.objects.filter(_valid_held(today), partner=partner)
    per_certification = dict(
        valid.values("certification_id")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
        .values_list("certification_id", "people")
    )
    per_role = dict(
        valid.values("user__membership__role")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
        .values_list("user__membership__role", "people")
    )
    certifications = Certification.objects.filter(Q(is_active=True) | Q(pk__in=list(per_certification)))
    learning = Enrollment.objects.filter(partner=partner).aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
        seconds=Sum("seconds_spent"),
    )
    return PartnerCompetency(
        certified_people=valid.values("user_id").distinct().count(),
        by_certification=[
            CertificationCount(c, per_certification.get(c.pk, 0)) for c in certifications.order_by("name")
        ],
        by_role=[
            RoleCount(value, str(label), per_role[value])
            for value, label in PartnerMembership.Role.choices
            if per_role.get(value)
        ],
        training_seconds=learning["seconds"] or 0,
        enrollments=learning["total"],
        completed=learning["completed"],
    )


@dataclass(frozen=True)
class GridRow:
    partner: Partner
    cells: list[int]  # people holding each certification, in the grid's certification order
    certified_people: int  # distinct people holding any of them

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass(frozen=True)
class CompetencyGrid:
    certifications: list[Certification]
    rows: list[GridRow]


def competency_grid(*, partners, certifications, today: date | None = None) -> CompetencyGrid:
    """Partners × certifications: how many of each partner's people hold each certification today. The counts come
    from one query (plus one for the distinct people per partner), whatever the number of partners."""
    today = today or timezone.localdate()
    partners, certifications = list(partners), list(certifications)
    partner_ids = [p.pk for p in partners]
    counts = {
        (row["partner_id"], row["certification_id"]): row["people"]
        for row in CertificationAward.objects.filter(
            _valid_held(today), partner_id__in=partner_ids, certification__in=certifications
        )
        .values("partner_id", "certification_id")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
    }
    people = dict(
        CertificationAward.objects.filter(
            _valid_held(today), partner_id__in=partner_ids, certification__in=certifications
        )
        .values("partner_id")
        .annotate(people=Count("user_id", distinct=True))
        .order_by()
        .values_list("partner_id", "people")
    )
    rows = [
        GridRow(
            partner=p,
            cells=[counts.get((p.pk, c.pk), 0) for c in certifications],
            certified_people=people.get(p.pk, 0),
        )
        for p in partners
    ]
    return CompetencyGrid(certifications=certifications, rows=rows)


def course_step_done(partner: Partner, step: ChecklistStep) -> bool:
    """The onboarding step "complete a course": someone at the partner completed the course named by the step's
    `course_key` (a course slug), or any course when the key is blank."""
    completed = Enrollment.objects.filter(partner=partner, status=Enrollment.Status.COMPLETED)
    key = (step.course_key or "").strip()
    if key:
        completed = completed.filter(course__slug=key)
    return completed.exists()


def partner_summary(partner: Partner):
    """What the channel manager's partner page says about the partner's enablement (4 queries)."""
    from django.urls import reverse

    from partners.hooks import Summary

    competency = partner_competency(partner=partner)
    people = competency.certified_people
    held = ", ".join(f"{row.people} {row.certification.name}" for row in competency.by_certification if row.people)
    facts = [
        f"{people} certified {'person' if people == 1 else 'people'}" + (f": {held}" if held else ""),
        f"{competency.training_hours} hours of training",
        f"{competency.completed} of {competency.enrollments} courses completed ({competency.completion_rate}%)"
        if competency.enrollments
        else "No course started yet",
    ]
    return Summary("Enablement", facts, reverse("manage:enablement_partner", args=[partner.pk]), "Competency")
