"""What waits for the channel team now: deals awaiting a decision (with their SLA clocks), conflicts, MDF requests
and claims, applications, tier proposals, stalled onboarding and overdue review actions. Each is a count with a
link to the page where it is dealt with. The dashboard's "What needs you now" and the navigation's badges read the
same numbers (computed once per request), in two queries whatever the size of the data.

Also the renewals the dashboard charts: contracts coming up for renewal month by month, and the outcomes recorded
in a period."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    DateTimeField,
    Expression,
    Func,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThan
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.models import ActionItem
from mdf.models import Claim, FundRequest
from partners.models import Application, Partner, PartnerStep, Program, TierProposal
from prm.badges import BadgeItem, register_badges
from prm.sla import sla_clock

# --- What needs me now --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    label: str  # what is counted, in words, for a count of `count`
    count: int
    url: str
    section: str  # the navigation entry whose badge counts it
    overdue: int | None = None  # for queues with an SLA: how many are past their decision time
    next_due: datetime | None = None  # the earliest decision time still ahead
    in_badge: bool = True  # False: already counted by another queue of the section (a subset of it)
    note: str = ""

    @property
    def clock(self) -> str:
        """ "next due in 5 hours" (empty when nothing waits with a decision time ahead)."""
        text, _ = sla_clock(self.next_due)
        return f"next {text}" if text else ""


def _count(qs: QuerySet) -> Subquery:
    """`SELECT COUNT(*) …` of `qs` as a scalar subquery, so many counts share one round trip."""
    return Subquery(
        qs.order_by().annotate(_n=Func(template="COUNT(*)", output_field=IntegerField())).values("_n")[:1],
        output_field=IntegerField(),
    )


def _first(qs: QuerySet, field: str) -> Subquery:
    return Subquery(qs.order_by(field).values(field)[:1])


def _url(name: str, query: str = "") -> str:
    url = reverse(name)
    return f"{url}?{query}" if query else url


class _DaysBefore(Func):
    """`moment` minus `days` days, where `days` may be a column (Django has no portable date arithmetic with an
    integer column: PostgreSQL multiplies an interval, SQLite shifts the stored text)."""

    arity = 2
    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        template = "(%(expressions)s * INTERVAL '1 day')"
        return super().as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC), which compares as text.
        template = "strftime('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f', %(expressions)s || ' days')"
        return super().as_sql(compiler, connection, template=template, arg_joiner=", '-' || ", **extra)


def stalled_onboarding(*, stall_days: int | Expression, now: datetime) -> QuerySet[Partner]:
    """Partners in onboarding whose current step (the first one not done) has waited `stall_days` or more since
    the approval or the last of the steps before it: the same rule as the checklist's "stalled" flag and the
    reminders (partners.services.onboarding), in one query. `stall_days` may be an expression (the program's
    setting, read in the same query); 0 turns stalling off."""
    steps = PartnerStep.objects.filter(partner=OuterRef("pk")).order_by()
    current = steps.filter(completed_at__isnull=True).order_by("order", "pk").values("order")[:1]
    before = (
        steps.filter(completed_at__isnull=False, order__lt=OuterRef("current_order"))
        .values("partner")
        .annotate(last=Max("completed_at"))
        .values("last")
    )
    days = stall_days if isinstance(stall_days, Expression | OuterRef) else Value(stall_days, IntegerField())
    cutoff = _DaysBefore(Value(now, DateTimeField()), days)
    return (
        Partner.objects.filter(status=Partner.Status.ONBOARDING)
        .annotate(current_order=Subquery(current))
        .filter(current_order__isnull=False)
        .annotate(started=Coalesce("approved_at", "created_at"))
        .annotate(since=Greatest("started", Coalesce(Subquery(before), "started")))
        .filter(since__lte=cutoff)
        .filter(GreaterThan(days, 0))
    )


def needs_me_now(*, now: datetime | None = None) -> list[Queue]:
    """Every queue of the channel team with its count, in one query: the program's settings row with every count
    as a subquery of it (stalled onboarding reads the row's stall_days)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    deals = Registration.objects.filter(status=Registration.Status.SUBMITTED)  # = dealreg.selectors.review_queue
    requests = FundRequest.objects.filter(status__in=FundRequest.IN_REVIEW)  # = mdf.selectors.review_queue
    claims = Claim.objects.filter(status__in=Claim.IN_REVIEW)
    counts = {
        "deals": _count(deals),
        "deals_overdue": _count(deals.filter(decision_due_at__lt=now)),
        "deals_next": _first(deals.filter(decision_due_at__gte=now), "decision_due_at"),
        "conflicts": _count(deals.filter(has_conflict=True)),
        "requests": _count(requests),
        "requests_overdue": _count(requests.filter(decision_due_at__lt=now)),
        "requests_next": _first(requests.filter(decision_due_at__gte=now), "decision_due_at"),
        "claims": _count(claims),
        "claims_overdue": _count(claims.filter(decision_due_at__lt=now)),
        "claims_next": _first(claims.filter(decision_due_at__gte=now), "decision_due_at"),
        "applications": _count(Application.objects.filter(partner__status=Partner.Status.APPLIED)),
        "proposals": _count(TierProposal.objects.filter(status=TierProposal.Status.PENDING)),
        "actions": _count(ActionItem.objects.filter(done_at__isnull=True, due_on__lt=today)),
        "stalled": _count(stalled_onboarding(stall_days=OuterRef("stall_days"), now=now)),
    }
    row = Program.objects.filter(pk=1).annotate(**counts).values("stall_days", *counts).first()
    if row is None:  # no settings row yet (a fresh install): create it as every settings page does, and ask again
        Program.objects.get_or_create(pk=1)
        row = Program.objects.filter(pk=1).annotate(**counts).values("stall_days", *counts).first()
    stall_days, stalled = row["stall_days"], row["stalled"]
    plural = lambda n, one, many: one if n == 1 else many  # noqa: E731
    return [
        Queue(
            "deals",
            plural(row["deals"], "deal awaiting a decision", "deals awaiting a decision"),
            row["deals"],
            _url("manage:deal_review_queue"),
            "deals",
            overdue=row["deals_overdue"],
            next_due=row["deals_next"],
        ),
        Queue(
            "conflicts",
            plural(row["conflicts"], "conflict to resolve", "conflicts to resolve"),
            row["conflicts"],
            _url("manage:deals", "status=submitted&conflict=1"),
            "deals",
            in_badge=False,
            note="among the deals awaiting a decision",
        ),
        Queue(
            "mdf_requests",
            plural(row["requests"], "MDF request to review", "MDF requests to review"),
            row["requests"],
            _url("manage:mdf"),
            "mdf",
            overdue=row["requests_overdue"],
            next_due=row["requests_next"],
        ),
        Queue(
            "mdf_claims",
            plural(row["claims"], "MDF claim to review", "MDF claims to review"),
            row["claims"],
            _url("manage:mdf"),
            "mdf",
            overdue=row["claims_overdue"],
            next_due=row["claims_next"],
        ),
        Queue(
            "applications",
            plural(row["applications"], "application to review", "applications to review"),
            row["applications"],
            _url("manage:application_list"),
            "partners",
        ),
        Queue(
            "proposals",
            plural(row["proposals"], "tier proposal pending", "tier proposals pending"),
            row["proposals"],
            _url("manage:tier_proposal_list"),
            "partners",
        ),
        Queue(
            "stalled",
            plural(stalled, "partner stalled in onboarding", "partners stalled in onboarding"),
            stalled,
            _url("manage:partner_list", f"status={Partner.Status.ONBOARDING}"),
            "partners",
            note=f"a step waiting {stall_days}+ days" if stall_days else "stall reminders are off",
        ),
        Queue(
            "actions",
            plural(row["actions"], "review action overdue", "review actions overdue"),
            row["actions"],
            _url("manage:review_actions", "overdue=1"),
            "insights",
        ),
    ]


def for_request(request: HttpRequest) -> list[Queue]:
    """needs_me_now(), computed once per request (the dashboard and the navigation's badges share it)."""
    queues = getattr(request, "_insights_queues", None)
    if queues is None:
        queues = needs_me_now()
        request._insights_queues = queues  # type: ignore[attr-defined]
    return queues


def badge_items(request: HttpRequest) -> list[BadgeItem]:
    return [BadgeItem(q.section, q.count, q.label) for q in for_request(request) if q.in_badge]


register_badges("insights", badge_items)
