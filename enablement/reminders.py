"""What enablement contributes to the daily sweep:

- before a certification expires (60, 30 and 7 days by default: settings.PRM_CERTIFICATION_REMINDER_DAYS), the
  holder and the partner's admins are reminded, with how to renew;
- when it has expired, both are told; when that takes the partner below the "certified people" requirement of
  its current tier, the partner's owner (or every channel manager) is told as well;
- learners whose course sat untouched for 14 days get a nudge.

Each notification key names the award (or enrollment), the date it is about and the threshold, so running the
sweep twice sends nothing twice, and a renewed award (new expiry) gets its own reminders.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from enablement.competency import certified_people_count
from enablement.models import CertificationAward, Enrollment
from partners.models import Partner, TierRequirement
from partners.selectors import owner_or_managers, partner_people
from prm import reminders
from prm.audit import audit_record
from prm.models import AuditEvent, User
from prm.notifications import notify_once

NUDGE_AFTER = timedelta(days=14)
# Expiries older than this are not announced (e.g. when enablement is switched on over old data).
EXPIRY_NOTICE_WINDOW = timedelta(days=14)
BATCH = 1000


def reminder_days() -> list[int]:
    """The CERTIFICATION_REMINDER_DAYS setting (checked at start), largest first."""
    return sorted(set(settings.PRM_CERTIFICATION_REMINDER_DAYS), reverse=True)


def _send_once(*, key: str, user: User, template: str, partner: Partner, url: str, label: str, **context) -> bool:
    """Send unless this key was sent before; True when it was sent now."""
    return notify_once(
        key=key,
        template=template,
        recipient=user,
        partner=partner,
        url=url,
        action_label=label,
        context={"partner": partner, **context},
    )


def _held_by_members():
    """Current awards whose holder still works at the award's partner."""
    return CertificationAward.objects.filter(
        revoked_at__isnull=True,
        renewed_by__isnull=True,
        user__is_active=True,
        user__membership__is_active=True,
        user__membership__partner=F("partner"),
    ).select_related("certification", "certification__renewal_course", "user", "partner", "partner__tier")


def _threshold(days_left: int, days: list[int]) -> int | None:
    """The smallest reminder day count the days left fall within (a missed sweep sends the one that applies now)."""
    fitting = [d for d in days if days_left <= d]
    return min(fitting) if fitting else None


def _recipients(award: CertificationAward) -> list[User]:
    return partner_people(award.partner, award.user)


def _url_for(user: User, award: CertificationAward) -> tuple[str, str]:
    if user.pk == award.user_id:
        return reverse("portal:training"), "Renew your certification"
    return reverse("portal:training_team"), "See your team's certifications"


@reminders.register("enablement-expiry-reminder")
def remind_expiry(now: datetime) -> int:
    """Holders and their partner admins are reminded at each threshold before the expiry (once per award, expiry
    date, threshold and person)."""
    days = reminder_days()
    if not days:
        return 0
    today = timezone.localdate(now)
    ending = _held_by_members().filter(expires_at__gte=today, expires_at__lte=today + timedelta(days=days[0]))
    sent = 0
    for award in ending.order_by("expires_at", "pk")[:BATCH]:
        days_left = (award.expires_at - today).days
        threshold = _threshold(days_left, days)
        if threshold is None:
            continue
        for user in _recipients(award):
            url, label = _url_for(user, award)
            sent += _send_once(
                key=f"enablement-expiry-reminder:{award.pk}:{award.expires_at.isoformat()}:{threshold}:{user.pk}",
                user=user,
                template="enablement_expiry_reminder",
                partner=award.partner,
                url=url,
                label=label,
                award=award,
                certification=award.certification,
                holder=award.user,
                for_holder=user.pk == award.user_id,
                days_left=days_left,
            )
    return sent


def tier_shortfall(partner: Partner, *, before: date, today: date) -> dict | None:
    """When the partner met its current tier's certified-people requirement on `before` and no longer does today:
    {"tier", "requirement", "threshold", "before", "now"}; else None."""
    if partner.tier_id is None:
        return None
    requirement = (
        TierRequirement.objects.filter(tier_id=partner.tier_id, kind=TierRequirement.Kind.CERTIFIED_PEOPLE)
        .order_by("-threshold")
        .first()
    )
    if requirement is None or requirement.threshold is None:
        return None
    had = certified_people_count(partner, today=before)
    has = certified_people_count(partner, today=today)
    if has < requirement.threshold <= had:
        return {
            "tier": partner.tier,
            "requirement": requirement,
            "threshold": int(requirement.threshold),
            "before": had,
            "now": has,
        }
    return None


@reminders.register("enablement-expired")
def announce_expired(now: datetime) -> int:
    """Certifications that expired (in the last two weeks, not renewed): the holder and the partner's admins are
    told once; the partner's owner or the channel managers hear when it drops the partner below its tier's
    certified-people requirement (once per partner and expiry date)."""
    today = timezone.localdate(now)
    expired = _held_by_members().filter(expires_at__lt=today, expires_at__gte=today - EXPIRY_NOTICE_WINDOW)
    sent = 0
    shortfalls: dict[tuple[int, date], dict | None] = {}
    for award in expired.order_by("expires_at", "pk")[:BATCH]:
        partner = award.partner
        marker = (partner.pk, award.expires_at)
        if marker not in shortfalls:
            shortfalls[marker] = tier_shortfall(partner, before=award.expires_at, today=today)
        shortfall = shortfalls[marker]
        if not AuditEvent.objects.filter(
            verb="enablement.certification_expired",
            target_type="enablement.certificationaward",
            target_id=str(award.pk),
        ).exists():
            audit_record(
                actor=None,
                verb="enablement.certification_expired",
                target=award,
                partner=partner,
                after={
                    "user": award.user.display_name,
                    "certification": award.certification.name,
                    "expires_at": award.expires_at.isoformat(),
                },
            )
        for user in _recipients(award):
            url, label = _url_for(user, award)
            sent += _send_once(
                key=f"enablement-expired:{award.pk}:{award.expires_at.isoformat()}:{user.pk}",
                user=user,
                template="enablement_expired",
                partner=partner,
                url=url,
                label=label,
                award=award,
                certification=award.certification,
                holder=award.user,
                for_holder=user.pk == award.user_id,
                shortfall=shortfall,
            )
        if shortfall is not None:
            for manager in owner_or_managers(partner):
                sent += _send_once(
                    key=f"enablement-tier-shortfall:{partner.pk}:{award.expires_at.isoformat()}:{manager.pk}",
                    user=manager,
                    template="enablement_tier_shortfall",
                    partner=partner,
                    url=reverse("manage:partner_detail", args=[partner.pk]),
                    label="Open the partner",
                    award=award,
                    certification=award.certification,
                    holder=award.user,
                    shortfall=shortfall,
                )
    return sent


@reminders.register("enablement-nudge")
def nudge_idle_learners(now: datetime) -> int:
    """Learners whose course has been untouched for 14 days get one nudge per idle spell (activity, then 14 more
    quiet days, earns another)."""
    idle = (
        Enrollment.objects.filter(
            status=Enrollment.Status.IN_PROGRESS,
            last_activity_at__lte=now - NUDGE_AFTER,
            course__is_published=True,
            user__is_active=True,
            user__membership__is_active=True,
            user__membership__partner=F("partner"),
        )
        .select_related("course", "user", "partner")
        .order_by("last_activity_at", "pk")[:BATCH]
    )
    sent = 0
    for enrollment in idle:
        idle_days = (now - enrollment.last_activity_at).days
        sent += _send_once(
            key=f"enablement-nudge:{enrollment.pk}:{enrollment.last_activity_at.isoformat()}",
            user=enrollment.user,
            template="enablement_nudge",
            partner=enrollment.partner,
            url=reverse("portal:training_course", args=[enrollment.course.slug]),
            label="Pick up where you left off",
            enrollment=enrollment,
            course=enrollment.course,
            idle_days=idle_days,
        )
    return sent
