"""MDF return on investment: per activity and per partner, what was paid, the leads reported in claims, and the
pipeline and won revenue of the deal registrations attributed to the activities.

- paid: payout entries of the ledger.
- leads: the leads the partner reported in its claims.
- pipeline: the value of attributed registrations that are open or won (not rejected, lost or expired).
- won: the won amount (or, without one, the value) of attributed registrations that were won.
- roi: won / paid, two places, half up; None while nothing is paid.
Amounts are summed as recorded; registrations in another currency than the MDF program are not converted.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from mdf.ledger import balance_of, money
from mdf.models import ZERO, Attribution, Budget, Claim, FundRequest, LedgerEntry
from partners.hooks import Summary
from partners.models import Partner

PIPELINE_STATUSES = (
    Registration.Status.SUBMITTED,
    Registration.Status.NEEDS_INFO,
    Registration.Status.APPROVED,
    Registration.Status.WON,
)


@dataclass(frozen=True)
class Roi:
    paid: Decimal
    leads: int
    pipeline: Decimal
    won: Decimal
    roi: Decimal | None
    deals: int = 0

    @classmethod
    def of(cls, *, paid: Decimal, leads: int, pipeline: Decimal, won: Decimal, deals: int = 0) -> "Roi":
        ratio = (won / paid).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if paid > 0 else None
        return cls(paid=paid, leads=leads, pipeline=pipeline, won=won, roi=ratio, deals=deals)


def _attributed(filter_kwargs: dict, key: str) -> dict:
    """{key: (pipeline, won, deals)} over attributions matching the filter (one query)."""
    rows = (
        Attribution.objects.filter(**filter_kwargs)
        .values(key, "registration__status", "registration__value", "registration__won_amount")
        .order_by()
    )
    out: dict = defaultdict(lambda: [ZERO, ZERO, 0])
    for row in rows:
        status = row["registration__status"]
        value = row["registration__value"] or ZERO
        totals = out[row[key]]
        totals[2] += 1
        if status in PIPELINE_STATUSES:
            totals[0] += value
        if status == Registration.Status.WON:
            totals[1] += row["registration__won_amount"] or value
    return out


def roi_for_requests(requests: Iterable[FundRequest]) -> dict[int, Roi]:
    """{request id: Roi} for many requests in three queries (reads request.claim: select it with them)."""
    requests = list(requests)
    ids = [r.pk for r in requests]
    paid = dict(
        LedgerEntry.objects.filter(request_id__in=ids, kind=LedgerEntry.Kind.PAYOUT)
        .values("request_id")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list("request_id", "total")
    )
    leads = dict(Claim.objects.filter(request_id__in=ids).values_list("request_id", "leads"))
    attributed = _attributed({"request_id__in": ids}, "request_id")
    result = {}
    for request in requests:
        pipeline, won, deals = attributed.get(request.pk, (ZERO, ZERO, 0))
        result[request.pk] = Roi.of(
            paid=paid.get(request.pk) or ZERO, leads=leads.get(request.pk) or 0, pipeline=pipeline, won=won, deals=deals
        )
    return result


def roi_for_request(request: FundRequest) -> Roi:
    return roi_for_requests([request])[request.pk]


def roi_by_partner(*, partners: Iterable[Partner] | None = None) -> list[tuple[Partner, Roi]]:
    """(partner, Roi) for the given partners, or every partner with MDF activity, best ROI first (then most paid).
    Four queries."""
    paid_q = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT)
    leads_q = Claim.objects.exclude(status=Claim.Status.REJECTED)
    attr_filter: dict = {}
    if partners is not None:
        partners = list(partners)
        ids = [p.pk for p in partners]
        paid_q = paid_q.filter(budget__partner_id__in=ids)
        leads_q = leads_q.filter(partner_id__in=ids)
        attr_filter = {"request__partner_id__in": ids}
    paid = dict(
        paid_q.values("budget__partner_id")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list("budget__partner_id", "total")
    )
    leads = dict(
        leads_q.values("partner_id")
        .order_by()
        .annotate(total=Coalesce(Sum("leads"), 0))
        .values_list("partner_id", "total")
    )
    attributed = _attributed(attr_filter, "request__partner_id")
    if partners is None:
        active = set(paid) | set(leads) | set(attributed)
        active |= set(FundRequest.objects.values_list("partner_id", flat=True).distinct())
        partners = list(Partner.objects.filter(pk__in=active))
    rows = []
    for partner in partners:
        pipeline, won, deals = attributed.get(partner.pk, (ZERO, ZERO, 0))
        rows.append(
            (
                partner,
                Roi.of(
                    paid=paid.get(partner.pk) or ZERO,
                    leads=leads.get(partner.pk) or 0,
                    pipeline=pipeline,
                    won=won,
                    deals=deals,
                ),
            )
        )
    rows.sort(key=lambda row: (row[1].roi is None, -(row[1].roi or 0), -row[1].paid, row[0].name.lower()))
    return rows


def partner_summary(partner: Partner) -> Summary:
    """What the channel manager's partner page says about the partner's MDF: this period's balance, what waits for
    a decision, and what was paid (a few queries; creates nothing)."""
    today = timezone.localdate()
    budget = (
        Budget.objects.filter(partner=partner, period__starts_on__lte=today, period__ends_on__gte=today)
        .select_related("period")
        .first()
    )
    facts = []
    if budget is not None:
        balance = balance_of(budget)
        facts.append(
            f"{budget.period.name}: {money(balance.available, balance.currency)} available of "
            f"{money(balance.allocated, balance.currency)} allocated"
        )
    else:
        facts.append("No funds allocated for this period")
    waiting = FundRequest.objects.filter(partner=partner, status__in=FundRequest.IN_REVIEW).count()
    claims = list(
        Claim.objects.filter(partner=partner)
        .values("currency")
        .order_by("currency")
        .annotate(
            waiting=Count("pk", filter=Q(status=Claim.Status.SUBMITTED)),
            paid=Sum("paid_amount", filter=Q(status=Claim.Status.PAID)),
        )
    )
    to_review = sum(row["waiting"] for row in claims)
    if waiting or to_review:
        facts.append(
            f"Waiting for you: {waiting} request{'s' * (waiting != 1)}, {to_review} claim{'s' * (to_review != 1)}"
        )
    paid = [money(row["paid"], row["currency"]) for row in claims if row["paid"]]
    if paid:
        facts.append(" + ".join(paid) + " paid in all")
    url = reverse("manage:mdf_requests") + f"?partner={partner.pk}"
    return Summary("MDF", facts, url, "Requests and claims")
