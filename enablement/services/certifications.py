"""Certifications: awarding them when a path is complete, renewing them, revoking them, and the holder's choice
to hide the public verification page.

Dates. An award is valid through `expires_at` = the award date + the certification's validity in months.
A renewal is a new award replacing the current one (`renewal_of` / `renewed_by`); it extends from the old expiry
when renewed on or before it, and from the renewal date once the old award has expired, so renewing early never
loses time and renewing late never backdates. Renewal evidence is the renewal course (or, without one, every
course of the path) completed after the current award and no earlier than RENEWAL_OPENS_DAYS before its expiry,
so taking the renewal course the day after being certified does not add a year.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from enablement.models import Certification, CertificationAward, Enrollment
from partners.models import Partner
from partners.selectors import partner_people
from prm.audit import audit_record
from prm.models import User
from prm.notifications import absolute_url, notify_each

from .common import add_months, clean_text, require_manager

# Renewal evidence counts from this many days before the expiry (the first reminder goes out at 60).
RENEWAL_OPENS_DAYS = 90


@dataclass(frozen=True)
class _Decision:
    certification: Certification
    current: CertificationAward | None  # the award being renewed, or None for a first award


def _completions(user: User) -> dict[int, datetime]:
    return dict(
        Enrollment.objects.filter(user=user, status=Enrollment.Status.COMPLETED).values_list(
            "course_id", "completed_at"
        )
    )


def _heads(user: User) -> dict[int, CertificationAward]:
    """The user's newest award of each certification that has not been replaced by a renewal."""
    heads: dict[int, CertificationAward] = {}
    for award in CertificationAward.objects.filter(user=user, renewed_by__isnull=True).order_by("awarded_at", "pk"):
        heads[award.certification_id] = award
    return heads


def _decide(
    certification: Certification,
    head: CertificationAward | None,
    completed: dict[int, datetime],
) -> _Decision | None:
    required = [course.pk for course in certification.courses.all()]
    if not required:
        return None
    path = [completed.get(pk) for pk in required]
    path_done = all(path)
    if head is None or head.revoked_at is not None:
        if not path_done:
            return None
        # After a revocation, only a path completed again after it earns the certification back.
        if head is not None and min(path) <= head.revoked_at:
            return None
        return _Decision(certification, None)
    opens = head.expires_at - timedelta(days=RENEWAL_OPENS_DAYS)

    def counts(moment: datetime | None) -> bool:
        return moment is not None and moment > head.awarded_at and timezone.localdate(moment) >= opens

    renewal_done = completed.get(certification.renewal_course_id) if certification.renewal_course_id else None
    if counts(renewal_done) or (path_done and all(counts(moment) for moment in path)):
        return _Decision(certification, head)
    return None


def certifications_check(*, user: User, partner: Partner, now: datetime | None = None) -> list[CertificationAward]:
    """Award every active certification whose path `user` completed, and renew current or expired awards whose
    renewal evidence is there. Returns the new awards (empty when nothing changed). Safe to call any time."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    created: list[CertificationAward] = []
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one check per person at a time
        completed = _completions(user)
        if not completed:
            return []
        heads = _heads(user)
        certifications = Certification.objects.filter(is_active=True).prefetch_related("courses")
        for certification in certifications:
            decision = _decide(certification, heads.get(certification.pk), completed)
            if decision is not None:
                created.append(_award(decision, user=user, partner=partner, now=now, today=today))
    return created


def _award(decision: _Decision, *, user: User, partner: Partner, now: datetime, today) -> CertificationAward:
    certification, current = decision.certification, decision.current
    if current is None:
        expires = add_months(today, certification.validity_months)
    else:
        start = current.expires_at if today <= current.expires_at else today
        expires = add_months(start, certification.validity_months)
    award = CertificationAward.objects.create(
        certification=certification,
        user=user,
        partner=partner,
        awarded_at=now,
        expires_at=expires,
        renewal_of=current,
    )
    if current is not None:
        CertificationAward.objects.filter(pk=current.pk, renewed_by__isnull=True).update(renewed_by=award)
    event = audit_record(
        actor=None,
        verb="enablement.certification_renewed" if current else "enablement.certification_awarded",
        target=award,
        partner=partner,
        before={"expires_at": current.expires_at.isoformat()} if current else {},
        after={
            "user": user.display_name,
            "certification": certification.name,
            "expires_at": expires.isoformat(),
            "code": award.code,
        },
    )
    verify = verify_path(award.code)
    notify_each(
        key=f"audit:{event.pk}:enablement_certified",
        template="enablement_certified",
        users=partner_people(partner, user),
        partner=partner,
        url=reverse("portal:training"),
        label="See your certifications",
        context={
            "award": award,
            "certification": certification,
            "holder": user,
            "renewed": current is not None,
            "previous": current,
            "verify_url": absolute_url(verify),
        },
    )
    return award


def verify_path(code: str) -> str:
    """The public verification page of a code (/verify/<code>/)."""
    return reverse("verify", args=[code])


def award_revoke(*, actor: User, award: CertificationAward, reason: str) -> CertificationAward:
    """A channel manager withdraws an award (e.g. it was obtained improperly). Its public page then says it is
    revoked; the holder and the partner's admins are told why."""
    require_manager(actor, what="revoke certifications")
    reason = clean_text(reason, what="a reason (the holder receives it)")
    now = timezone.now()
    with transaction.atomic():
        current = CertificationAward.objects.select_for_update().select_related("certification", "user", "partner")
        current = current.get(pk=award.pk)
        if current.revoked_at is not None:
            raise ValidationError("This certification was already revoked. Nothing was changed.")
        if current.renewed_by_id is not None:
            raise ValidationError("This award was replaced by a renewal: revoke the current award instead.")
        current.revoked_at, current.revoked_by, current.revoked_reason = now, actor, reason
        current.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        event = audit_record(
            actor=actor,
            verb="enablement.certification_revoked",
            target=current,
            partner=current.partner,
            before={"status": award.status_on(timezone.localdate(now))},
            after={"user": current.user.display_name, "certification": current.certification.name},
            reason=reason,
        )
        notify_each(
            key=f"audit:{event.pk}:enablement_certification_revoked",
            template="enablement_certification_revoked",
            users=partner_people(current.partner, current.user),
            partner=current.partner,
            url=reverse("portal:training"),
            label="Open your training",
            context={
                "award": current,
                "certification": current.certification,
                "holder": current.user,
                "reason": reason,
            },
        )
    award.revoked_at, award.revoked_by, award.revoked_reason = now, actor, reason
    return current


def award_set_public(*, user: User, award: CertificationAward, public: bool) -> CertificationAward:
    """The holder shows or hides the public verification page of their certification."""
    if award.user_id != user.pk:
        raise ValidationError("Only the holder can change who sees this certification.")
    public = bool(public)
    with transaction.atomic():
        changed = CertificationAward.objects.filter(pk=award.pk).exclude(public=public).update(public=public)
        if changed:
            audit_record(
                actor=user,
                verb="enablement.award_published" if public else "enablement.award_hidden",
                target=award,
                partner=award.partner,
                after={"certification": award.certification.name, "public": public},
            )
    award.public = public
    return award
