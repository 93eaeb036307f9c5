"""Partner health (DOMAIN.md "Partner health"): a 0–100 score from behaviour, always with the reasons that moved it,
and a band.

Two halves:
- `score_health(inputs)` is pure: facts about one partner in, score and reasons out. Every rule is here, so the
  tests work the answers out by hand.
- `health_for_partners(partner_ids)` gathers the facts for MANY partners in a fixed number of queries (eleven,
  whatever the number of partners), so a list, the digest or a scorecard can use it. With `now=` a past moment it
  uses only the facts known then (the backtest and the stored history replay past days with it).

Activity is the latest of: a sign-in or learning recorded on the partner, a deal registered, a course started or
completed, an MDF request (DOMAIN.md "Active partner"). insights.health_store keeps a snapshot a day.

The score starts at 50 (nothing known is neither good nor bad). Each rule adds or takes points and says why, e.g.
"No activity for 75 days −25"; the result is clamped to 0–100. A partner that does everything well reaches 100:
recent activity +15, registrations growing +10, a good win rate +10, certified people +10, people signing in +5.
Bands: healthy at 70 or more, watch 40–69, at risk below 40.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from enablement.models import EXPIRING_SOON_DAYS
from prm.money import format_money

BASE = 50
HEALTHY_FROM = 70
WATCH_FROM = 40
BANDS = (
    ("healthy", "Healthy", f"{HEALTHY_FROM} or more"),
    ("watch", "Watch", f"{WATCH_FROM}–{HEALTHY_FROM - 1}"),
    ("at_risk", "At risk", f"below {WATCH_FROM}"),
)
THRESHOLDS_TEXT = (
    f"Healthy at {HEALTHY_FROM} or more, watch from {WATCH_FROM} to {HEALTHY_FROM - 1}, at risk below {WATCH_FROM}. "
    f"The score starts at {BASE} and each reason below adds or takes points."
)
# Statuses in which a partner is expected to behave like a partner; the others get no score.
SCORED = ("onboarding", "active", "dormant")
RECENT_DAYS = 90  # registrations: this window vs the one before
WIN_RATE_DAYS = 365  # win rate over deals closed in the last year
MIN_CLOSED = 3  # fewer closed deals than this say nothing about a win rate
MDF_PERIOD_END_DAYS = 30
LOGIN_RECENT_DAYS = 30
LOGIN_STALE_DAYS = 60


@dataclass(frozen=True)
class Reason:
    text: str
    points: int
    # Which rule said it (e.g. "inactive", "claims_overdue"): the suggested next action is chosen by it.
    key: str = field(default="", compare=False)

    @property
    def signed(self) -> str:
        """ "+10", "−25" (a typographic minus), "0"."""
        if self.points > 0:
            return f"+{self.points}"
        if self.points < 0:
            return f"−{-self.points}"
        return "0"

    def __str__(self) -> str:
        return f"{self.text} {self.signed}"


@dataclass(frozen=True)
class Health:
    score: int | None
    reasons: list[Reason]
    band: str  # healthy | watch | at_risk | none (not scored)

    @property
    def band_label(self) -> str:
        return {key: label for key, label, _ in BANDS}.get(self.band, "Not scored")

    @property
    def is_scored(self) -> bool:
        return self.score is not None


def band_for(score: int) -> str:
    if score >= HEALTHY_FROM:
        return "healthy"
    if score >= WATCH_FROM:
        return "watch"
    return "at_risk"


@dataclass
class HealthInputs:
    """What health_for_partners learns about one partner (all counts are of this partner only)."""

    status: str = "active"
    status_label: str = ""
    days_since_activity: int | None = None  # None: never active
    registrations_recent: int = 0  # submitted in the last 90 days
    registrations_previous: int = 0  # submitted in the 90 days before
    won: int = 0  # closed won in the last 365 days
    lost: int = 0  # closed lost in the last 365 days
    certifications_valid: int = 0  # awards valid today
    certifications_expiring: int = 0  # valid, not renewed, expiring soon (enablement's 60 days)
    onboarding_step: str = ""  # the step onboarding waits on ("" when not onboarding or done)
    onboarding_days_waiting: int = 0
    stall_days: int = 3
    claims_overdue: int = 0  # approved MDF requests past their claim deadline, no claim filed
    mdf_unspent: list[tuple[Decimal, str, int]] = field(default_factory=list)  # (available, currency, days left)
    members: int = 0  # active people on prm
    days_since_login: int | None = None  # the most recent sign-in of any of them; None: never
    logins_known: bool = True  # False for a past date after which someone signed in (only the last is kept)
    actions_overdue: int = 0  # review action items past due and not done


def score_health(inputs: HealthInputs) -> Health:
    """The score and its reasons, by the rules in this module's docstring (pure: no database, no clock)."""
    if inputs.status not in SCORED:
        label = (inputs.status_label or inputs.status).lower()
        return Health(None, [Reason(f"Not scored while the partner is {label}", 0, "not_scored")], "none")
    onboarding = inputs.status == "onboarding"
    reasons: list[Reason] = []

    # Activity recency
    days = inputs.days_since_activity
    if days is None:
        reasons.append(Reason("No activity recorded yet", -25, "inactive"))
    elif days > 60:
        reasons.append(Reason(f"No activity for {days} days", -25, "inactive"))
    elif days > 30:
        reasons.append(Reason(f"Last activity {days} days ago", -10, "inactive"))
    elif days <= 14:
        reasons.append(Reason("Active in the last two weeks", 15, "active"))
    else:
        reasons.append(Reason(f"Active {days} days ago", 5, "active"))

    # Registrations: trend, then win rate
    recent, previous = inputs.registrations_recent, inputs.registrations_previous
    trend = f"{recent} deal{_s(recent)} registered in the last {RECENT_DAYS} days vs {previous} before"
    if recent > previous:
        reasons.append(Reason(f"More deals: {trend}", 10, "deals_up"))
    elif recent < previous:
        reasons.append(Reason(f"Fewer deals: {trend}", -10, "deals_down"))
    elif recent:
        reasons.append(Reason(f"Steady deals: {trend}", 5, "deals_steady"))
    elif not onboarding:
        reasons.append(Reason(f"No deals registered in {2 * RECENT_DAYS} days", -10, "no_deals"))

    closed = inputs.won + inputs.lost
    if closed >= MIN_CLOSED:
        rate = round(100 * inputs.won / closed)
        text = f"Win rate {rate}% ({inputs.won} of {closed} closed deals in 12 months)"
        if rate >= 50:
            reasons.append(Reason(text, 10, "win_rate"))
        elif rate < 25:
            reasons.append(Reason(text, -10, "win_rate_low"))
        else:
            reasons.append(Reason(text, 0, "win_rate"))
    elif inputs.won:
        reasons.append(Reason(f"{inputs.won} deal{_s(inputs.won)} won in 12 months", 5, "won"))

    # Certifications
    if inputs.certifications_valid:
        n = inputs.certifications_valid
        reasons.append(Reason(f"{n} current certification{_s(n)}", 10, "certified"))
    elif not onboarding:
        reasons.append(Reason("Nobody holds a current certification", -10, "not_certified"))
    if inputs.certifications_expiring:
        n = inputs.certifications_expiring
        reasons.append(
            Reason(
                f"{n} certification{_s(n)} expire{'s' if n == 1 else ''} within {EXPIRING_SOON_DAYS} days",
                -5,
                "certifications_expiring",
            )
        )

    # Onboarding stalled
    if (
        onboarding
        and inputs.onboarding_step
        and inputs.stall_days
        and inputs.onboarding_days_waiting >= inputs.stall_days
    ):
        reasons.append(
            Reason(
                f"Onboarding stalled {inputs.onboarding_days_waiting} days on “{inputs.onboarding_step}”",
                -15,
                "onboarding_stalled",
            )
        )

    # MDF
    if inputs.claims_overdue:
        n = inputs.claims_overdue
        reasons.append(Reason(f"{n} MDF claim{_s(n)} overdue", -10, "claims_overdue"))
    for available, currency, days_left in inputs.mdf_unspent:
        reasons.append(
            Reason(
                f"{format_money(available, currency, places=0)} MDF unspent, the period ends in {days_left} days",
                -5,
                "mdf_unspent",
            )
        )

    # Logins
    if not inputs.logins_known:
        pass  # a past date: who signed in then is not kept, so the rule says nothing rather than guess
    elif not inputs.members:
        reasons.append(Reason("Nobody from the partner is on prm", -10, "no_people"))
    elif inputs.days_since_login is None:
        reasons.append(Reason("Nobody has signed in yet", -10, "no_logins"))
    elif inputs.days_since_login > LOGIN_STALE_DAYS:
        reasons.append(Reason(f"Nobody signed in for {inputs.days_since_login} days", -10, "no_logins"))
    elif inputs.days_since_login <= LOGIN_RECENT_DAYS:
        reasons.append(Reason("People signed in this month", 5, "logins"))

    # Review actions
    if inputs.actions_overdue:
        n = inputs.actions_overdue
        reasons.append(Reason(f"{n} review action{_s(n)} overdue", -5 * min(n, 3), "actions_overdue"))

    score = max(0, min(100, BASE + sum(r.points for r in reasons)))
    return Health(score, reasons, band_for(score))


def _s(n: int) -> str:
    return "" if n == 1 else "s"


# --- Gathering the inputs ----------------------------------------------------------------------------------------


def _days(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max((now - then).days, 0)


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def status_as_of(partner, now: datetime) -> str:
    """The partner's status at `now`, from its dates: today's status when it has not changed since `now`; else
    applied before the approval, onboarding before the activation, active after it ("" when it did not exist yet).
    Dormant is not told apart from active (the score reads the same idleness through activity recency)."""
    created = partner.applied_at or partner.created_at
    if created is not None and created > now:
        return ""
    if partner.status_changed_at is None or partner.status_changed_at <= now:
        return partner.status
    if partner.approved_at is None or partner.approved_at > now:
        return "applied"
    if partner.activated_at is None or partner.activated_at > now:
        return "onboarding"
    return "active"


def health_inputs_for(partner_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, HealthInputs]:
    """{partner id: HealthInputs} in a fixed number of queries (eleven at most), whatever the number of ids.

    Only facts known at `now` are used, so the score of a past date (`now=` a day of last year: the backtest, the
    demo's history) is the score it would have had that day: rows created, submitted, closed, awarded, completed
    or signed in after `now` are left out, and a status that changed after `now` is read from the partner's dates
    (`status_as_of`). Two facts have no history and are left out of a past score rather than guessed: sign-ins
    (only the last one is kept: when it is after `now`, the sign-in rule says nothing) and the MDF balance of a
    budget (read from the ledger rows written by `now`, so a past date sees the allocations of that time)."""
    from dealreg.models import Registration
    from enablement.models import CertificationAward, Enrollment
    from insights.models import ActionItem
    from mdf.ledger import Balance
    from mdf.models import Budget, FundRequest, LedgerEntry
    from partners.models import Partner, PartnerMembership, PartnerStep
    from partners.services.onboarding import OnboardingProgress
    from partners.services.onboarding.common import program_settings

    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(dict.fromkeys(partner_ids))
    if not ids:
        return {}

    def last(queryset, field_name: str):
        return Subquery(
            queryset.filter(partner_id=OuterRef("pk"), **{f"{field_name}__lte": now})
            .order_by(f"-{field_name}")
            .values(field_name)[:1]
        )

    # Activity: the recorded sign-ins and learning (Partner.last_activity_at, when it is not after `now`), deals
    # registered, courses started or completed and MDF requested (DOMAIN.md "Active partner").
    partners = {
        p.pk: p
        for p in Partner.objects.filter(pk__in=ids).annotate(
            last_registered=last(Registration.objects.all(), "submitted_at"),
            last_started=last(Enrollment.objects.all(), "started_at"),
            last_completed=last(Enrollment.objects.all(), "completed_at"),
            last_requested=last(FundRequest.objects.all(), "submitted_at"),
        )
    }
    out = {}
    for pk, p in partners.items():
        status = status_as_of(p, now)
        if not status:
            continue  # it did not exist yet
        recorded = p.last_activity_at if p.last_activity_at and p.last_activity_at <= now else None
        latest = _latest(recorded, p.last_registered, p.last_started, p.last_completed, p.last_requested)
        out[pk] = HealthInputs(
            status=status,
            status_label=str(Partner.Status(status).label),
            days_since_activity=_days(now, latest),
        )
    ids = list(out)
    if not ids:
        return {}

    recent_from, previous_from = now - timedelta(days=RECENT_DAYS), now - timedelta(days=2 * RECENT_DAYS)
    closed_from = now - timedelta(days=WIN_RATE_DAYS)
    Status = Registration.Status
    closed_by_now = Q(closed_at__gte=closed_from, closed_at__lte=now)
    for row in (
        Registration.objects.filter(partner_id__in=ids)
        .filter(Q(submitted_at__gte=previous_from, submitted_at__lte=now) | closed_by_now)
        .values("partner_id")
        .order_by()
        .annotate(
            recent=Count("pk", filter=Q(submitted_at__gte=recent_from, submitted_at__lte=now)),
            previous=Count("pk", filter=Q(submitted_at__gte=previous_from, submitted_at__lt=recent_from)),
            won=Count("pk", filter=Q(closed_by_now, status=Status.WON)),
            lost=Count("pk", filter=Q(closed_by_now, status=Status.LOST)),
        )
    ):
        facts = out[row["partner_id"]]
        facts.registrations_recent, facts.registrations_previous = row["recent"], row["previous"]
        facts.won, facts.lost = row["won"], row["lost"]

    # Valid at `now`: awarded by then, not revoked by then, not yet expired, not replaced by a renewal by then (a
    # renewal made later leaves the old award counting, as it did that day).
    valid_then = (
        Q(awarded_at__lte=now, expires_at__gte=today)
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=now))
        & (Q(renewed_by__isnull=True) | Q(renewed_by__awarded_at__gt=now))
    )
    for row in (
        CertificationAward.objects.filter(valid_then, partner_id__in=ids)
        .values("partner_id")
        .order_by()
        .annotate(
            valid=Count("pk"),
            expiring=Count("pk", filter=Q(expires_at__lte=today + timedelta(days=EXPIRING_SOON_DAYS))),
        )
    ):
        out[row["partner_id"]].certifications_valid = row["valid"]
        out[row["partner_id"]].certifications_expiring = row["expiring"]

    onboarding_ids = [pk for pk in ids if out[pk].status == Partner.Status.ONBOARDING]
    if onboarding_ids:
        stall_days = program_settings().stall_days
        steps = defaultdict(list)
        for ps in (
            PartnerStep.objects.filter(partner_id__in=onboarding_ids)
            .select_related("step")
            .order_by("partner_id", "order", "pk")
        ):
            if ps.completed_at is not None and ps.completed_at > now:
                ps.completed_at = None  # done later: still waiting at `now`
            steps[ps.partner_id].append(ps)
        for pk in onboarding_ids:
            progress = OnboardingProgress(partner=partners[pk], steps=steps.get(pk, []))
            current = progress.current
            out[pk].stall_days = stall_days
            if current is not None:
                out[pk].onboarding_step = current.step.title
                out[pk].onboarding_days_waiting = progress.days_waiting(now)

    # Claims overdue at `now`: approved by then, the claim deadline passed, no claim filed by then. Read from
    # today's statuses: approved (no claim yet, or one filed after `now`), claimed or closed with the claim filed
    # after `now`, expired (not claimed in time) after `now` (the expiry sweep's write is the last update).
    RequestStatus = FundRequest.Status
    no_claim_then = Q(claim__isnull=True) | Q(claim__created_at__gt=now)
    overdue_then = (
        Q(no_claim_then, status=RequestStatus.APPROVED)
        | Q(status__in=(RequestStatus.CLAIMED, RequestStatus.CLOSED), claim__created_at__gt=now)
        | Q(no_claim_then, status=RequestStatus.EXPIRED, updated_at__gt=now)
    )
    for row in (
        FundRequest.objects.filter(partner_id__in=ids, claim_deadline__lt=today)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lte=now))
        .filter(overdue_then)
        .values("partner_id")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        out[row["partner_id"]].claims_overdue = row["n"]

    ending = list(
        Budget.objects.filter(
            partner_id__in=ids,
            period__starts_on__lte=today,
            period__ends_on__gte=today,
            period__ends_on__lte=today + timedelta(days=MDF_PERIOD_END_DAYS),
        ).select_related("period")
    )
    if ending:
        sums = {
            row["budget_id"]: row
            for row in LedgerEntry.objects.filter(budget_id__in=[b.pk for b in ending], created_at__lte=now)
            .values("budget_id")
            .order_by()
            .annotate(**_ledger_sums(LedgerEntry))
        }
        for budget in ending:
            balance = Balance.from_sums(sums.get(budget.pk, {}), budget.currency)
            if balance.allocated > 0 and balance.available > 0:
                days_left = (budget.period.ends_on - today).days
                out[budget.partner_id].mdf_unspent.append((balance.available, budget.currency, days_left))

    for row in (
        PartnerMembership.objects.filter(partner_id__in=ids, is_active=True, created_at__lte=now)
        .values("partner_id")
        .order_by()
        .annotate(
            n=Count("pk"),
            last=Max("user__last_login", filter=Q(user__last_login__lte=now)),
            later=Count("pk", filter=Q(user__last_login__gt=now)),
        )
    ):
        facts = out[row["partner_id"]]
        facts.members = row["n"]
        facts.days_since_login = _days(now, row["last"])
        facts.logins_known = not row["later"]

    for row in (
        ActionItem.objects.filter(partner_id__in=ids, due_on__lt=today, created_at__lte=now)
        .filter(Q(done_at__isnull=True) | Q(done_at__gt=now))
        .values("partner_id")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        out[row["partner_id"]].actions_overdue = row["n"]
    return out


def _ledger_sums(LedgerEntry) -> dict:
    """The ledger's sums by kind (mdf.ledger.Balance.from_sums reads them)."""
    Kind = LedgerEntry.Kind
    return {
        name: Sum("amount", filter=Q(kind=kind))
        for name, kind in (
            ("allocated", Kind.ALLOCATION),
            ("reserved", Kind.RESERVATION),
            ("released", Kind.RELEASE),
            ("paid", Kind.PAYOUT),
            ("expired", Kind.EXPIRY),
        )
    }


def health_for_partners(partner_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Health]:
    """{partner id: Health} for many partners in a fixed number of queries (unknown ids are left out)."""
    return {pk: score_health(inputs) for pk, inputs in health_inputs_for(partner_ids, now=now).items()}


def health_for(partner, *, now: datetime | None = None) -> Health:
    """One partner's health (the same queries as for many)."""
    return health_for_partners([partner.pk], now=now)[partner.pk]


def bands_legend() -> list[tuple[str, str, str]]:
    """(key, label, range) of each band, for the page that shows the thresholds."""
    return list(BANDS)
