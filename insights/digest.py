"""The weekly digest to each channel manager: what changed in the last 7 days and what waits, each with a link.

Sections: new partners (applied or approved), deal registrations waiting (and SLA breaches), certifications
expiring in 30 days, MDF claims to review and claims partners owe soon, partners turning dormant, moving to at
risk this week and at risk (the stored health of insights.health_store), renewals in the next 30 days, overdue
review actions, then what other apps register in insights.hooks (`register_digest_items`: incentives' questions
awaiting an answer and payout runs waiting for approval), one titled link each. An empty section says nothing. A
week with nothing at all still sends a short "all quiet" note, so a manager can tell a quiet week from a digest
that never came.

The program-wide facts are gathered once (a fixed number of queries whatever the number of managers); each manager's
copy marks the partners they own. Sent once per manager per ISO week (notification key
"insights-digest:<user>:<year>-W<week>"), so the beat task may run twice.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from prm.models import User
from prm.notifications import notify_once

WINDOW_DAYS = 7
SOON_DAYS = 30
CLAIM_DUE_DAYS = 14
SHOWN = 5  # lines per section; the rest is "and N more"


@dataclass
class Line:
    text: str
    url: str = ""
    owner_id: int | None = None  # the partner's owner, to mark "yours"


@dataclass
class Section:
    key: str
    title: str  # with the count, e.g. "3 registrations wait for a decision (1 past its SLA)"
    url: str
    lines: list[Line] = field(default_factory=list)
    total: int = 0

    def for_user(self, user: User) -> dict:
        """The section as one manager reads it: their partners' lines first, marked."""
        lines = sorted(self.lines, key=lambda line: line.owner_id != user.pk)
        shown = [
            {"text": line.text, "url": line.url, "yours": line.owner_id == user.pk and user.pk is not None}
            for line in lines[:SHOWN]
        ]
        return {"key": self.key, "title": self.title, "url": self.url, "lines": shown, "more": self.total - len(shown)}


def _s(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _new_partners(since: datetime) -> Section | None:
    from partners.models import Partner

    rows = list(
        Partner.objects.filter(Q(applied_at__gte=since) | Q(approved_at__gte=since))
        .order_by("-applied_at", "name")
        .values("pk", "name", "status", "applied_at", "approved_at", "owner_id")[:200]
    )
    if not rows:
        return None
    applied = [r for r in rows if r["status"] == Partner.Status.APPLIED]
    approved = [r for r in rows if r["approved_at"] and r["approved_at"] >= since]
    parts = []
    if applied:
        parts.append(f"{_s(len(applied), 'application')} to review")
    if approved:
        parts.append(f"{len(approved)} approved")
    lines = [
        Line(
            f"{r['name']}: {'applied, waiting for you' if r['status'] == Partner.Status.APPLIED else 'approved'}",
            reverse("manage:partner_detail", args=[r["pk"]]),
            r["owner_id"],
        )
        for r in rows
    ]
    return Section(
        "partners",
        f"New partners: {', '.join(parts) or _s(len(rows), 'partner')}",
        reverse("manage:application_list"),
        lines,
        len(rows),
    )


def _registrations(now: datetime) -> Section | None:
    from dealreg.models import Registration

    waiting = Registration.objects.filter(status=Registration.Status.SUBMITTED)
    total = waiting.count()
    if not total:
        return None
    breached = waiting.filter(decision_due_at__lt=now).count()
    rows = list(waiting.select_related("partner").order_by("decision_due_at", "pk")[: SHOWN * 4])
    lines = []
    for reg in rows:
        late = reg.decision_due_at is not None and reg.decision_due_at < now
        state = "past its SLA" if late else "waiting"
        lines.append(
            Line(
                f"{reg.name} from {reg.partner.name}: {state}",
                reverse("manage:deal_detail", args=[reg.pk]),
                reg.partner.owner_id,
            )
        )
    title = f"{_s(total, 'registration')} wait{'s' if total == 1 else ''} for a decision"
    if breached:
        title += f" ({breached} past the SLA)"
    return Section("registrations", title, reverse("manage:deal_review_queue"), lines, total)


def _certifications(today) -> Section | None:
    from enablement.models import CertificationAward

    expiring = CertificationAward.objects.filter(
        revoked_at__isnull=True,
        renewed_by__isnull=True,
        expires_at__gte=today,
        expires_at__lte=today + timedelta(days=SOON_DAYS),
    )
    total = expiring.count()
    if not total:
        return None
    rows = list(expiring.select_related("certification", "partner", "user").order_by("expires_at", "pk")[: SHOWN * 4])
    lines = [
        Line(
            f"{a.user.display_name} ({a.partner.name}): {a.certification.name}, expires {a.expires_at:%b %-d}",
            reverse("manage:partner_detail", args=[a.partner_id]),
            a.partner.owner_id,
        )
        for a in rows
    ]
    return Section(
        "certifications",
        f"{_s(total, 'certification')} expire{'s' if total == 1 else ''} in the next {SOON_DAYS} days",
        reverse("manage:enablement_expiring"),
        lines,
        total,
    )


def _claims(now: datetime, today) -> Section | None:
    from mdf.models import Claim, FundRequest

    in_review = Claim.objects.filter(status__in=Claim.IN_REVIEW)
    review_total = in_review.count()
    overdue = in_review.filter(decision_due_at__lt=now).count()
    owed = FundRequest.objects.filter(
        status=FundRequest.Status.APPROVED,
        claim_deadline__gte=today,
        claim_deadline__lte=today + timedelta(days=CLAIM_DUE_DAYS),
    )
    owed_total = owed.count()
    if not review_total and not owed_total:
        return None
    lines = [
        Line(
            f"Claim from {c.partner.name} for “{c.request.title}”: "
            f"{'past its review time' if c.decision_due_at and c.decision_due_at < now else 'to review'}",
            reverse("manage:mdf_claim", args=[c.pk]),
            c.partner.owner_id,
        )
        for c in in_review.select_related("partner", "request").order_by("decision_due_at", "pk")[: SHOWN * 2]
    ]
    lines += [
        Line(
            f"{r.partner.name} owes the claim for “{r.title}” by {r.claim_deadline:%b %-d}",
            reverse("manage:mdf_request", args=[r.pk]),
            r.partner.owner_id,
        )
        for r in owed.select_related("partner").order_by("claim_deadline", "pk")[: SHOWN * 2]
    ]
    parts = []
    if review_total:
        parts.append(
            f"{_s(review_total, 'claim')} to review" + (f" ({overdue} past the review time)" if overdue else "")
        )
    if owed_total:
        parts.append(f"{_s(owed_total, 'claim')} due from partners in the next {CLAIM_DUE_DAYS} days")
    return Section("claims", "MDF: " + "; ".join(parts), reverse("manage:mdf_claims"), lines, review_total + owed_total)


def _partner_risk(since: datetime, now: datetime) -> Section | None:
    """Partners that turned dormant this week, partners that MOVED to at risk this week (their stored health was
    not at risk at the start of the week and is now: insights.health_store keeps a snapshot a day), then the others
    at risk, each with the reasons that pull the score down. Before any health is stored (a fresh install, the
    nightly task has not run), the at-risk partners are scored live."""
    from partners.models import Partner

    dormant = list(
        Partner.objects.filter(status=Partner.Status.DORMANT, status_changed_at__gte=since)
        .order_by("name")
        .values("pk", "name", "owner_id")[:200]
    )
    at_risk = _stored_at_risk(since) if _health_stored() else _live_at_risk(now)
    if not dormant and not at_risk:
        return None
    lines = [
        Line(f"{row['name']}: turned dormant", reverse("manage:partner_detail", args=[row["pk"]]), row["owner_id"])
        for row in dormant
    ]
    movers = [row for row in at_risk if row["moved_from"]]
    for row in sorted(at_risk, key=lambda row: (not row["moved_from"], row["score"], row["name"])):
        why = f" ({'; '.join(row['reasons'])})" if row["reasons"] else ""
        state = f"moved to at risk this week (was {row['moved_from']})" if row["moved_from"] else "at risk"
        lines.append(
            Line(
                f"{row['name']}: {state}, health {row['score']}{why}",
                reverse("manage:partner_scorecard", args=[row["pk"]]),
                row["owner_id"],
            )
        )
    parts = []
    if dormant:
        parts.append(f"{len(dormant)} turned dormant")
    if movers:
        parts.append(f"{len(movers)} moved to at risk")
    if at_risk:
        parts.append(f"{len(at_risk)} at risk")
    return Section(
        "risk",
        f"Partners to look after: {', '.join(parts)}",
        reverse("manage:health_at_risk"),
        lines,
        len(lines),
    )


def _health_stored() -> bool:
    from insights.models import HealthSnapshot

    return HealthSnapshot.objects.filter(is_latest=True).exists()


def _stored_at_risk(since: datetime) -> list[dict]:
    """The partners whose latest stored health is at risk, each with the band it had at the start of the week when
    that was not at risk (`moved_from`: the week's movers), in two queries."""
    from insights.health import SCORED
    from insights.models import HealthSnapshot

    snapshots = list(
        HealthSnapshot.objects.filter(is_latest=True, band=HealthSnapshot.Band.AT_RISK, partner__status__in=SCORED)
        .select_related("partner")
        .order_by("score", "partner__name")[:500]
    )
    start = timezone.localdate(since)
    before: dict[int, tuple] = {}
    for partner_id, day, band in HealthSnapshot.objects.filter(
        partner_id__in=[s.partner_id for s in snapshots], day__lte=start, day__gte=start - timedelta(days=30)
    ).values_list("partner_id", "day", "band"):
        if partner_id not in before or day > before[partner_id][0]:
            before[partner_id] = (day, band)
    labels = dict(HealthSnapshot.Band.choices)
    rows = []
    for s in snapshots:
        was = before.get(s.partner_id, (None, HealthSnapshot.Band.AT_RISK))[1]
        rows.append(
            {
                "pk": s.partner_id,
                "name": s.partner.name,
                "owner_id": s.partner.owner_id,
                "score": s.score,
                "reasons": [r["text"] for r in s.negative_reasons[:2]],
                "moved_from": "" if was == HealthSnapshot.Band.AT_RISK else str(labels.get(was, was)).lower(),
            }
        )
    return rows


def _live_at_risk(now: datetime) -> list[dict]:
    from insights.health import health_for_partners
    from partners.models import Partner

    scored = {
        pk: (name, owner_id)
        for pk, name, owner_id in Partner.objects.filter(
            status__in=(Partner.Status.ACTIVE, Partner.Status.ONBOARDING)
        ).values_list("pk", "name", "owner_id")
    }
    health = health_for_partners(list(scored), now=now) if scored else {}
    return [
        {
            "pk": pk,
            "name": scored[pk][0],
            "owner_id": scored[pk][1],
            "score": h.score or 0,
            "reasons": [r.text for r in sorted(h.reasons, key=lambda r: r.points) if r.points < 0][:2],
            "moved_from": "",
        }
        for pk, h in health.items()
        if h.band == "at_risk"
    ]


def _renewals(today) -> Section | None:
    from insights.models import CustomerContract
    from prm.money import format_money

    due = CustomerContract.objects.filter(
        status=CustomerContract.Status.ACTIVE, renewal_on__lte=today + timedelta(days=SOON_DAYS)
    )
    total = due.count()
    if not total:
        return None
    rows = list(due.select_related("partner").order_by("renewal_on", "pk")[: SHOWN * 4])
    lines = []
    for c in rows:
        when = f"passed on {c.renewal_on:%b %-d}" if c.renewal_on < today else f"renews {c.renewal_on:%b %-d}"
        through = f" via {c.partner.name}" if c.partner_id else " (direct)"
        lines.append(
            Line(
                f"{c.customer_name}{through}: {format_money(c.amount, c.currency, places=0)}, {when}",
                reverse("manage:customer_detail", args=[c.pk]),
                c.owner_id or (c.partner.owner_id if c.partner_id else None),
            )
        )
    return Section(
        "renewals",
        f"{_s(total, 'renewal')} in the next {SOON_DAYS} days or passed without an outcome",
        f"{reverse('manage:customers')}?window=30",
        lines,
        total,
    )


def _actions(today) -> Section | None:
    from insights.models import ActionItem

    overdue = ActionItem.objects.filter(done_at__isnull=True, due_on__lt=today)
    total = overdue.count()
    if not total:
        return None
    rows = list(overdue.select_related("partner", "owner").order_by("due_on", "pk")[: SHOWN * 4])
    lines = [
        Line(
            f"{item.title} ({item.partner.name}; "
            f"{item.owner.display_name if item.owner_id else 'no owner'}; due {item.due_on:%b %-d})",
            reverse("manage:review_detail", args=[item.review_id]),
            item.owner_id if item.owner_id else item.partner.owner_id,
        )
        for item in rows
    ]
    return Section(
        "actions",
        f"{_s(total, 'review action')} overdue",
        f"{reverse('manage:review_actions')}?overdue=1",
        lines,
        total,
    )


def _registered(now: datetime) -> list[Section]:
    """One section per item another app registered (insights.hooks): its words and count are the title, its link
    the section's; nothing to list under it."""
    from insights.hooks import digest_items

    return [Section(f"{name}-{index}", item.text, item.url) for index, (name, item) in enumerate(digest_items(now))]


def digest_sections(*, now: datetime | None = None) -> list[Section]:
    """What the digest says this week (the same for every manager; `Section.for_user` marks theirs)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = now - timedelta(days=WINDOW_DAYS)
    found = [
        _new_partners(since),
        _registrations(now),
        _certifications(today),
        _claims(now, today),
        _partner_risk(since, now),
        _renewals(today),
        _actions(today),
    ]
    return [section for section in found if section is not None] + _registered(now)


def week_key(now: datetime) -> str:
    iso = timezone.localdate(now).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def digest_send_all(*, now: datetime | None = None) -> int:
    """Send this week's digest to every active channel manager who has not had it yet; returns how many were sent
    now (0 when the task runs a second time in the same ISO week)."""
    from partners.selectors import channel_managers

    now = now or timezone.now()
    week = week_key(now)
    managers = [user for user in channel_managers() if user.email]
    if not managers:
        return 0
    sections = digest_sections(now=now)
    url = reverse("manage:dashboard")
    sent = 0
    for user in managers:
        sent += int(
            notify_once(
                key=f"insights-digest:{user.pk}:{week}",
                template="insights_digest",
                recipient=user,
                url=url,
                action_label="Open the dashboard",
                context={
                    "sections": [section.for_user(user) for section in sections],
                    "week": week,
                    "since": timezone.localdate(now - timedelta(days=WINDOW_DAYS)),
                },
            )
        )
    return sent
