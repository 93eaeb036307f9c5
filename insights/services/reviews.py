"""The review rhythm (QBR/MBR): a cadence per partner, the next review always scheduled, an agenda built from the
partner's scorecard, notes, and action items with an owner and a due date.

- Setting a partner's cadence schedules its first review; holding (or cancelling) a review schedules the next one
  from the cadence, so the rhythm never silently stops.
- Preparing a review snapshots the partner's numbers into `Review.agenda` (insights.metrics.partner_snapshot for
  this quarter, plus the open action items and what the last review agreed), so the record keeps what was discussed
  even when the numbers move later.
- Holding or cancelling a review and adding an action item tell the partner's admins. Every change is audited.
"""

import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from insights.models import ActionItem, Review, ReviewPlan
from insights.services.customers import add_months
from partners.models import Partner, PartnerMembership
from partners.selectors import channel_managers, partner_people
from prm.access import is_channel_manager, scoped_get, user_membership
from prm.audit import audit_record
from prm.models import User
from prm.money import Totals
from prm.notifications import notify_each

logger = logging.getLogger(__name__)

Cadence = ReviewPlan.Cadence
Status = Review.Status
UPCOMING_DAYS = 30
TITLE_MAX = 160
ITEM_TITLE_MAX = 300
NOTES_MAX = 20000


def _require_manager(actor: User | None) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can run partner reviews.")


def next_review_on(after: date, cadence: str) -> date:
    """The review after one on `after`: a week, a month or a quarter later."""
    if cadence == Cadence.WEEKLY:
        return after + timedelta(days=7)
    return add_months(after, 1 if cadence == Cadence.MONTHLY else 3)


def default_title(on: date, cadence: str | None) -> str:
    if cadence == Cadence.WEEKLY:
        return f"Weekly check-in, week {on.isocalendar().week}"
    if cadence == Cadence.MONTHLY:
        return f"{on:%B %Y} business review"
    return f"Q{(on.month - 1) // 3 + 1} {on.year} business review"


def _clean_title(title: str, *, required: bool = False) -> str:
    title = " ".join(str(title or "").split())
    if required and not title:
        raise ValidationError({"title": ["Give it a title."]})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": [f"At most {TITLE_MAX} characters."]})
    return title


def _tell_partner(*, review: Review, key: str, template: str, url: str, label: str, **context: Any) -> int:
    return notify_each(
        key=key,
        template=template,
        users=partner_people(review.partner),
        partner=review.partner,
        url=url,
        label=label,
        context={"review": review, **context},
    )


def _portal_url(review: Review) -> str:
    from django.urls import reverse

    return reverse("portal:review_detail", args=[review.pk])


# --- Cadence and scheduling ---------------------------------------------------------------------------------------


def _create_review(*, actor: User | None, partner: Partner, on: date, title: str, cadence: str | None) -> Review:
    review = Review.objects.create(
        partner=partner, scheduled_on=on, title=title or default_title(on, cadence), created_by=actor
    )
    audit_record(
        actor=actor,
        verb="review.scheduled",
        target=review,
        partner=partner,
        after={"scheduled_on": on.isoformat(), "title": review.title},
    )
    return review


def review_plan_set(*, actor: User, partner: Partner, cadence: str, next_on: date | None = None) -> ReviewPlan:
    """Set how often the partner is reviewed. Without a scheduled review, the first one is scheduled (on `next_on`,
    or one cadence from today); with one, `next_on` moves it."""
    _require_manager(actor)
    if cadence not in Cadence.values:
        raise ValidationError({"cadence": ["Choose weekly, monthly or quarterly."]})
    today = timezone.localdate()
    if next_on is not None and next_on < today:
        raise ValidationError({"next_on": ["The next review is today or later."]})
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one plan change per partner at a time
        plan, created = ReviewPlan.objects.get_or_create(
            partner=partner, defaults={"cadence": cadence, "updated_by": actor}
        )
        if created or plan.cadence != cadence:
            before = {} if created else {"cadence": plan.cadence}
            plan.cadence, plan.updated_by = cadence, actor
            plan.save()
            audit_record(
                actor=actor,
                verb="review_plan.set",
                target=plan,
                partner=partner,
                before=before,
                after={"cadence": cadence},
            )
        scheduled = partner.reviews.filter(status=Status.SCHEDULED).order_by("scheduled_on", "pk").first()
        if scheduled is None:
            on = next_on or next_review_on(today, cadence)
            _create_review(actor=actor, partner=partner, on=on, title="", cadence=cadence)
        elif next_on is not None and next_on != scheduled.scheduled_on:
            _reschedule(actor=actor, review=scheduled, on=next_on)
    return plan


def review_schedule(*, actor: User, partner: Partner, scheduled_on: date | None, title: str = "") -> Review:
    """Schedule a review by hand (besides the rhythm's own)."""
    _require_manager(actor)
    if scheduled_on is None:
        raise ValidationError({"scheduled_on": ["Give the date of the review."]})
    if scheduled_on < timezone.localdate():
        raise ValidationError({"scheduled_on": ["A new review is today or later."]})
    title = _clean_title(title)
    plan = ReviewPlan.objects.filter(partner=partner).first()
    with transaction.atomic():
        return _create_review(
            actor=actor, partner=partner, on=scheduled_on, title=title, cadence=plan.cadence if plan else None
        )


def _reschedule(*, actor: User, review: Review, on: date) -> None:
    before = review.scheduled_on
    changed = Review.objects.filter(pk=review.pk, status=Status.SCHEDULED).update(
        scheduled_on=on, updated_at=timezone.now()
    )
    if changed != 1:
        raise ValidationError("This review is no longer scheduled: it was held or cancelled meanwhile.")
    review.scheduled_on = on
    audit_record(
        actor=actor,
        verb="review.rescheduled",
        target=review,
        partner=review.partner,
        before={"scheduled_on": before.isoformat()},
        after={"scheduled_on": on.isoformat()},
    )


def review_reschedule(*, actor: User, review: Review, scheduled_on: date | None) -> Review:
    _require_manager(actor)
    if scheduled_on is None:
        raise ValidationError({"scheduled_on": ["Give the new date."]})
    if scheduled_on < timezone.localdate():
        raise ValidationError({"scheduled_on": ["The new date is today or later."]})
    with transaction.atomic():
        if scheduled_on != review.scheduled_on:
            _reschedule(actor=actor, review=review, on=scheduled_on)
    return review


def _schedule_next(*, actor: User | None, review: Review) -> Review | None:
    """After a review is held or cancelled: the next one from the partner's cadence (kept on the rhythm's dates,
    never in the past), unless another review is scheduled already or the partner has no cadence."""
    plan = ReviewPlan.objects.filter(partner_id=review.partner_id).first()
    if plan is None or Review.objects.filter(partner_id=review.partner_id, status=Status.SCHEDULED).exists():
        return None
    today = timezone.localdate()
    on = next_review_on(review.scheduled_on, plan.cadence)
    while on <= today:
        on = next_review_on(on, plan.cadence)
    return _create_review(actor=actor, partner=review.partner, on=on, title="", cadence=plan.cadence)


# --- The agenda ---------------------------------------------------------------------------------------------------


def _scorecard_section(partner: Partner) -> dict | None:
    """The partner's numbers for this quarter from the metrics module (the scorecard's own), lead metrics first."""
    try:
        from insights.metrics import Period, partner_snapshot

        snap = partner_snapshot(partner=partner, period=Period.named("this_quarter"))
        lines = []
        for metric in [*snap.lead_metrics(), *snap.other_metrics()]:
            if metric.value is None:
                continue
            line = f"{metric.label}: {metric.display}"
            if metric.detail:
                line += f" ({metric.detail})"
            if metric.unconverted:
                line += f"; not converted: {metric.unconverted.words(places=0)}"
            if metric.previous is not None:
                line += f"; previous quarter {metric.previous_display}"
            lines.append(line)
        as_of = timezone.localtime(snap.computed_at)
        return {
            "title": f"Scorecard, {snap.period.label}",
            "lines": lines,
            "note": f"As of {as_of:%b %-d, %Y %H:%M}.",
        }
    except Exception:  # the agenda must build even when a number cannot be computed; say what is missing
        logger.exception("Scorecard for the agenda of partner %s failed", partner.pk)
        return None


def _fact_sections(partner: Partner, today: date) -> list[dict]:
    """Simple facts, read directly: open deals, won this quarter, certifications."""
    from dealreg.models import Registration
    from enablement.models import CertificationAward

    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    regs = Registration.objects.filter(partner=partner)
    open_regs = list(regs.filter(status__in=Registration.ACTIVE).values_list("value", "currency"))
    won = list(
        regs.filter(status=Registration.Status.WON, closed_at__date__gte=quarter_start).values_list(
            "won_amount", "currency"
        )
    )
    lost = regs.filter(status=Registration.Status.LOST, closed_at__date__gte=quarter_start).count()
    awards = CertificationAward.objects.filter(partner=partner, revoked_at__isnull=True, expires_at__gte=today)
    certified = awards.values("user").distinct().count()
    expiring = awards.filter(expires_at__lte=today + timedelta(days=60)).count()
    return [
        {
            "title": "Deals",
            "lines": [
                f"Open registrations: {len(open_regs)} ({Totals(open_regs).words(places=0)})",
                f"Won this quarter: {len(won)} ({Totals(won).words(places=0)})",
                f"Lost this quarter: {lost}",
            ],
        },
        {
            "title": "Certifications",
            "lines": [
                f"Certified people: {certified}",
                f"Certifications expiring in the next 60 days: {expiring}",
            ],
        },
    ]


def _item_line(item: ActionItem, today: date) -> str:
    owner = item.owner.display_name if item.owner_id else "no owner"
    if item.done_at:
        state = f"done {timezone.localtime(item.done_at):%b %-d}"
    elif item.due_on < today:
        state = f"overdue since {item.due_on:%b %-d}"
    else:
        state = f"due {item.due_on:%b %-d}"
    return f"{item.title} ({owner}; {state})"


def review_agenda(*, partner: Partner, review: Review | None = None, today: date | None = None) -> list[dict]:
    """The agenda's sections (each {"title", "lines", "note"?}): the scorecard (or, when the metrics cannot be
    computed, the simple facts), what the last held review agreed, and the other open action items."""
    today = today or timezone.localdate()
    sections: list[dict] = []
    scorecard = _scorecard_section(partner)
    if scorecard is not None:
        sections.append(scorecard)
    else:
        sections.extend(_fact_sections(partner, today))
    last = (
        Review.objects.filter(partner=partner, status=Status.HELD)
        .exclude(pk=review.pk if review else None)
        .order_by("-scheduled_on", "-pk")
        .first()
    )
    last_items = []
    if last is not None:
        last_items = list(last.action_items.select_related("owner").order_by("due_on", "pk"))
        sections.append(
            {
                "title": f"Agreed at the last review ({last.scheduled_on:%b %-d, %Y})",
                "lines": [_item_line(item, today) for item in last_items] or ["No action items were agreed."],
            }
        )
    others = (
        ActionItem.objects.filter(partner=partner, done_at__isnull=True)
        .exclude(pk__in=[item.pk for item in last_items])
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    lines = [_item_line(item, today) for item in others]
    sections.append({"title": "Open action items", "lines": lines or ["None open."]})
    return sections


def review_prepare(*, actor: User, review: Review) -> Review:
    """Build (or rebuild) the agenda of a scheduled review from the partner's numbers as they are now."""
    _require_manager(actor)
    agenda = review_agenda(partner=review.partner, review=review)
    now = timezone.now()
    with transaction.atomic():
        changed = Review.objects.filter(pk=review.pk, status=Status.SCHEDULED).update(
            agenda=agenda, agenda_built_at=now, updated_at=now
        )
        if changed != 1:
            raise ValidationError("Only a scheduled review's agenda is prepared: this one was held or cancelled.")
        review.agenda, review.agenda_built_at = agenda, now
        audit_record(
            actor=actor,
            verb="review.prepared",
            target=review,
            partner=review.partner,
            after={"sections": [section["title"] for section in agenda]},
        )
    return review


# --- Notes, holding, cancelling -----------------------------------------------------------------------------------


def review_notes_save(*, actor: User, review: Review, notes: str, title: str | None = None) -> Review:
    """Save the notes (and the title). The partner reads them in its portal."""
    _require_manager(actor)
    notes = str(notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise ValidationError({"notes": [f"The notes are at most {NOTES_MAX:,} characters."]})
    title = review.title if title is None else _clean_title(title, required=True)
    if review.status == Status.CANCELLED:
        raise ValidationError("This review was cancelled: its notes are closed.")
    if notes == review.notes and title == review.title:
        return review
    with transaction.atomic():
        before = {"title": review.title, "notes_chars": len(review.notes)}
        Review.objects.filter(pk=review.pk).update(notes=notes, title=title, updated_at=timezone.now())
        review.notes, review.title = notes, title
        audit_record(
            actor=actor,
            verb="review.notes",
            target=review,
            partner=review.partner,
            before=before,
            after={"title": title, "notes_chars": len(notes)},
        )
    return review


def review_hold(*, actor: User, review: Review, notes: str | None = None) -> tuple[Review, Review | None]:
    """Mark a scheduled review held (its agenda is built now if it never was); the partner's admins are told and
    the next review is scheduled from the cadence. Returns (the review, the next one or None)."""
    _require_manager(actor)
    if notes is not None:
        review_notes_save(actor=actor, review=review, notes=notes)
    agenda = review.agenda if review.agenda_built_at else review_agenda(partner=review.partner, review=review)
    now = timezone.now()
    with transaction.atomic():
        fields = {"status": Status.HELD, "held_at": now, "updated_at": now}
        if not review.agenda_built_at:
            fields |= {"agenda": agenda, "agenda_built_at": now}
        changed = Review.objects.filter(pk=review.pk, status=Status.SCHEDULED).update(**fields)
        if changed != 1:
            raise ValidationError("This review is not scheduled any more: it was held or cancelled already.")
        for name, value in fields.items():
            setattr(review, name, value)
        audit_record(
            actor=actor,
            verb="review.held",
            target=review,
            partner=review.partner,
            before={"status": Status.SCHEDULED},
            after={"status": Status.HELD, "held_at": now.isoformat()},
        )
        following = _schedule_next(actor=actor, review=review)
        items = list(review.action_items.select_related("owner").order_by("due_on", "pk"))
        _tell_partner(
            review=review,
            key=f"insights-review-held:{review.pk}",
            template="insights_review_held",
            url=_portal_url(review),
            label="See the review",
            items=items,
            following=following,
        )
    return review, following


def review_cancel(*, actor: User, review: Review, reason: str = "") -> tuple[Review, Review | None]:
    """Cancel a scheduled review; the partner's admins are told, and the next one is scheduled from the cadence."""
    _require_manager(actor)
    reason = " ".join(str(reason or "").split())[:500]
    now = timezone.now()
    with transaction.atomic():
        changed = Review.objects.filter(pk=review.pk, status=Status.SCHEDULED).update(
            status=Status.CANCELLED, updated_at=now
        )
        if changed != 1:
            raise ValidationError("This review is not scheduled any more: it was held or cancelled already.")
        review.status = Status.CANCELLED
        audit_record(
            actor=actor,
            verb="review.cancelled",
            target=review,
            partner=review.partner,
            before={"status": Status.SCHEDULED},
            after={"status": Status.CANCELLED},
            reason=reason,
        )
        following = _schedule_next(actor=actor, review=review)
        _tell_partner(
            review=review,
            key=f"insights-review-cancelled:{review.pk}",
            template="insights_review_cancelled",
            url=_portal_url(following or review),
            label="See your reviews",
            reason=reason,
            following=following,
        )
    return review, following


# --- Action items -------------------------------------------------------------------------------------------------


def action_owner_choices(partner: Partner) -> list[User]:
    """Who can own an action item of this partner's reviews: a channel manager or one of the partner's people."""
    members = list(
        User.objects.filter(is_active=True, membership__partner=partner, membership__is_active=True).order_by(
            "first_name", "last_name", "email"
        )
    )
    return [*channel_managers(), *members]


def _is_partner_member(user: User | None, partner_id: int) -> bool:
    return (
        user is not None and PartnerMembership.objects.filter(user=user, partner_id=partner_id, is_active=True).exists()
    )


def action_item_add(*, actor: User, review: Review, title: str, owner: User | None, due_on: date | None) -> ActionItem:
    """Record something agreed in a review. The partner's admins (and the owner) are told."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    title = " ".join(str(title or "").split())
    if not title:
        errors["title"] = ["Say what is to be done."]
    elif len(title) > ITEM_TITLE_MAX:
        errors["title"] = [f"At most {ITEM_TITLE_MAX} characters."]
    if due_on is None:
        errors["due_on"] = ["Give the date it is due."]
    if owner is not None and not (
        owner.is_active and (is_channel_manager(owner) or _is_partner_member(owner, review.partner_id))
    ):
        errors["owner"] = ["The owner is a channel manager or one of the partner's people."]
    if errors:
        raise ValidationError(errors)
    if review.status == Status.CANCELLED:
        raise ValidationError("This review was cancelled: add the action to another review.")
    with transaction.atomic():
        item = ActionItem.objects.create(review=review, partner=review.partner, title=title, owner=owner, due_on=due_on)
        audit_record(
            actor=actor,
            verb="review.action_added",
            target=item,
            partner=review.partner,
            after={
                "review": review.pk,
                "title": title,
                "owner": owner.email if owner else "",
                "due_on": due_on.isoformat(),
            },
        )
        people = partner_people(review.partner, owner if owner and not is_channel_manager(owner) else None)
        if owner is not None and owner.pk != actor.pk and is_channel_manager(owner):
            people.append(owner)
        notify_each(
            key=f"insights-action-added:{item.pk}",
            template="insights_action_added",
            users=people,
            partner=review.partner,
            url=_portal_url(review),
            label="See the action items",
            context={"review": review, "item": item},
        )
    return item


def can_mark_done(user: User, item: ActionItem) -> bool:
    """Channel managers may close any item; the partner's people close the items owned at the partner (or owned by
    nobody), not the channel team's."""
    if is_channel_manager(user):
        return True
    membership = user_membership(user)
    if membership is None or membership.partner_id != item.partner_id:
        return False
    return item.owner_id is None or item.owner_id == user.pk or _is_partner_member(item.owner, item.partner_id)


def action_item_done(*, actor: User, item: ActionItem) -> ActionItem:
    """Mark an action item done (once: a second click changes nothing)."""
    if not can_mark_done(actor, item):
        raise ValidationError("This action is the channel team's: they mark it done.")
    now = timezone.now()
    with transaction.atomic():
        changed = ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=now, done_by=actor)
        if changed != 1:
            item.refresh_from_db()
            return item
        item.done_at, item.done_by = now, actor
        audit_record(
            actor=actor,
            verb="review.action_done",
            target=item,
            partner=item.partner,
            before={"done": False},
            after={"done": True},
        )
    return item


# --- Reads ----------------------------------------------------------------------------------------------------


def upcoming_reviews(*, today: date | None = None, days: int = UPCOMING_DAYS) -> QuerySet[Review]:
    """Scheduled reviews up to `days` ahead, the overdue ones (date passed, never held) first."""
    today = today or timezone.localdate()
    return (
        Review.objects.filter(status=Status.SCHEDULED, scheduled_on__lte=today + timedelta(days=days))
        .select_related("partner", "partner__owner")
        .annotate(open_items=Count("partner__review_actions", filter=Q(partner__review_actions__done_at__isnull=True)))
        .order_by("scheduled_on", "pk")
    )


def open_action_items(*, today: date | None = None, overdue_only: bool = False) -> QuerySet[ActionItem]:
    today = today or timezone.localdate()
    qs = ActionItem.objects.filter(done_at__isnull=True)
    if overdue_only:
        qs = qs.filter(due_on__lt=today)
    return qs.select_related("partner", "owner", "review").order_by("due_on", "pk")


def partner_reviews(*, partner: Partner) -> QuerySet[Review]:
    """A partner's reviews, the next first, with their action item counts."""
    return (
        Review.objects.filter(partner=partner)
        .annotate(
            item_count=Count("action_items"),
            open_count=Count("action_items", filter=Q(action_items__done_at__isnull=True)),
        )
        .order_by("-scheduled_on", "-pk")
    )


def review_items(*, review: Review) -> QuerySet[ActionItem]:
    return review.action_items.select_related("owner", "done_by").order_by("done_at", "due_on", "pk")


def partner_action_items(*, partner: Partner) -> QuerySet[ActionItem]:
    """The partner's action items, open ones first (soonest due first), then done ones, newest first."""
    return (
        ActionItem.objects.filter(partner=partner).select_related("owner", "review").order_by("done_at", "due_on", "pk")
    )


def access_review(*, partner: Partner, pk: int) -> Review:
    """One of the partner's own reviews (another partner's is a 404)."""
    return scoped_get(Review.objects.select_related("partner"), partner=partner, pk=pk)


def access_action_item(*, partner: Partner, pk: int) -> ActionItem:
    return scoped_get(ActionItem.objects.select_related("partner", "owner"), partner=partner, pk=pk)
