"""MDF return on investment: per activity and per partner, what was paid, the leads reported in claims, and the
pipeline and won revenue of the deal registrations attributed to the activities.

- paid: payout entries of the ledger (at the month they were paid).
- leads: the leads the partner reported in its claims.
- pipeline: the value of attributed registrations that are open or won (not rejected, lost or expired), at the
  month they were submitted.
- won: the won amount (or, without one, the value) of attributed registrations that were won, at the month they
  were closed.
- roi: won / paid, two places, half up; None while nothing is paid.

Money comes in several currencies (a EUR deal attributed to a USD activity), so nothing is added at face value:
every sum is converted into the program's reporting currency at the startup's monthly rates (prm.money.convert),
and what has no rate is kept apart as "not converted" (`Converted.unconverted`). Each sum is also kept as
recorded, one total per currency (`*_recorded`), for the partner's own pages. The ROI ratio uses the converted
amounts only; `Roi.complete` says whether something was left out.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from mdf.ledger import balance_of
from mdf.models import Attribution, Budget, Claim, FundRequest, LedgerEntry
from partners.hooks import Summary
from partners.models import Partner
from partners.services.program import reporting_currency
from prm.money import Converted, Rates, Totals, convert, format_money, month_of

PIPELINE_STATUSES = (
    Registration.Status.SUBMITTED,
    Registration.Status.NEEDS_INFO,
    Registration.Status.APPROVED,
    Registration.Status.WON,
)

Item = tuple[Decimal, str, date | datetime]


@dataclass
class _Items:
    """The raw amounts of one row (a request or a partner), each with its currency and its date."""

    paid: list[Item] = field(default_factory=list)
    pipeline: list[Item] = field(default_factory=list)
    won: list[Item] = field(default_factory=list)
    deals: int = 0


@dataclass(frozen=True)
class Roi:
    paid: Converted
    leads: int
    pipeline: Converted
    won: Converted
    roi: Decimal | None
    deals: int = 0
    paid_recorded: Totals = field(default_factory=Totals)
    pipeline_recorded: Totals = field(default_factory=Totals)
    won_recorded: Totals = field(default_factory=Totals)

    @classmethod
    def of(
        cls,
        *,
        paid: Converted,
        leads: int,
        pipeline: Converted,
        won: Converted,
        deals: int = 0,
        recorded: tuple[Totals, Totals, Totals] | None = None,
    ) -> "Roi":
        ratio = (won.total / paid.total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if paid.total > 0 else None
        paid_recorded, pipeline_recorded, won_recorded = recorded or (Totals(), Totals(), Totals())
        return cls(
            paid=paid,
            leads=leads,
            pipeline=pipeline,
            won=won,
            roi=ratio,
            deals=deals,
            paid_recorded=paid_recorded,
            pipeline_recorded=pipeline_recorded,
            won_recorded=won_recorded,
        )

    @classmethod
    def empty(cls, currency: str) -> "Roi":
        return cls.of(paid=Converted(currency), leads=0, pipeline=Converted(currency), won=Converted(currency))

    @property
    def currency(self) -> str:
        return self.paid.currency

    @property
    def complete(self) -> bool:
        """Every amount had a rate (nothing is listed apart as not converted)."""
        return self.paid.is_complete and self.pipeline.is_complete and self.won.is_complete

    @property
    def unconverted(self) -> Totals:
        """Everything left out of the converted sums, per currency."""
        return self.paid.unconverted + self.pipeline.unconverted + self.won.unconverted

    def __add__(self, other: "Roi") -> "Roi":
        return Roi.of(
            paid=self.paid + other.paid,
            leads=self.leads + other.leads,
            pipeline=self.pipeline + other.pipeline,
            won=self.won + other.won,
            deals=self.deals + other.deals,
            recorded=(
                self.paid_recorded + other.paid_recorded,
                self.pipeline_recorded + other.pipeline_recorded,
                self.won_recorded + other.won_recorded,
            ),
        )


def roi_total(rows: Iterable[Roi], *, currency: str | None = None) -> Roi:
    """The sum of many rows (each already converted into the same reporting currency)."""
    total = Roi.empty(currency or reporting_currency())
    for row in rows:
        total = total + row
    return total


def _paid_items(filter_kwargs: dict, key: str, into: dict) -> None:
    """Payouts per key, currency and month (one query, summed in the database)."""
    rows = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT, **filter_kwargs)
        .annotate(month=TruncMonth("created_at"))
        .values(key, "currency", "month")
        .order_by()
        .annotate(total=Sum("amount"))
        .values_list(key, "currency", "month", "total")
    )
    for pk, currency, month, total in rows:
        into[pk].paid.append((total, currency, month))


def _attributed_items(filter_kwargs: dict, key: str, into: dict) -> None:
    """Pipeline and won amounts of the attributed registrations, per key (one query)."""
    rows = (
        Attribution.objects.filter(**filter_kwargs)
        .values_list(
            key,
            "registration__status",
            "registration__value",
            "registration__won_amount",
            "registration__currency",
            "registration__submitted_at",
            "registration__closed_at",
            "registration__created_at",
        )
        .order_by()
    )
    for pk, status, value, won_amount, currency, submitted_at, closed_at, created_at in rows:
        items = into[pk]
        items.deals += 1
        submitted = submitted_at or created_at
        if status in PIPELINE_STATUSES and value is not None:
            items.pipeline.append((value, currency, submitted))
        if status == Registration.Status.WON:
            amount = won_amount if won_amount is not None else value
            if amount is not None:
                items.won.append((amount, currency, closed_at or submitted))


def _rois(items_by_key: dict, leads: dict, keys: Iterable, currency: str) -> dict:
    """{key: Roi}, every amount converted with one load of the rates."""
    every = [item for items in items_by_key.values() for item in (*items.paid, *items.pipeline, *items.won)]
    rates = Rates.load(currency, months={month_of(when) for _, c, when in every if c != currency})
    result = {}
    for key in keys:
        items = items_by_key.get(key) or _Items()
        result[key] = Roi.of(
            paid=convert(items.paid, to=currency, rates=rates),
            leads=leads.get(key) or 0,
            pipeline=convert(items.pipeline, to=currency, rates=rates),
            won=convert(items.won, to=currency, rates=rates),
            deals=items.deals,
            recorded=(
                Totals((a, c) for a, c, _ in items.paid),
                Totals((a, c) for a, c, _ in items.pipeline),
                Totals((a, c) for a, c, _ in items.won),
            ),
        )
    return result


def roi_for_requests(requests: Iterable[FundRequest], *, currency: str | None = None) -> dict[int, Roi]:
    """{request id: Roi} for many requests in a handful of queries, whatever their number."""
    requests = list(requests)
    ids = [r.pk for r in requests]
    currency = currency or reporting_currency()
    items: dict = defaultdict(_Items)
    _paid_items({"request_id__in": ids}, "request_id", items)
    _attributed_items({"request_id__in": ids}, "request_id", items)
    leads = dict(Claim.objects.filter(request_id__in=ids).values_list("request_id", "leads"))
    return _rois(items, leads, ids, currency)


def roi_for_request(request: FundRequest) -> Roi:
    return roi_for_requests([request])[request.pk]


def roi_by_partner(
    *, partners: Iterable[Partner] | None = None, currency: str | None = None
) -> list[tuple[Partner, Roi]]:
    """(partner, Roi) for the given partners, or every partner with MDF activity, best ROI first (then most paid).
    A handful of queries, whatever the number of partners."""
    currency = currency or reporting_currency()
    leads_q = Claim.objects.exclude(status=Claim.Status.REJECTED)
    paid_filter: dict = {}
    attr_filter: dict = {}
    if partners is not None:
        partners = list(partners)
        ids = [p.pk for p in partners]
        paid_filter = {"budget__partner_id__in": ids}
        leads_q = leads_q.filter(partner_id__in=ids)
        attr_filter = {"request__partner_id__in": ids}
    items: dict = defaultdict(_Items)
    _paid_items(paid_filter, "budget__partner_id", items)
    _attributed_items(attr_filter, "request__partner_id", items)
    leads = dict(
        leads_q.values("partner_id")
        .order_by()
        .annotate(total=Coalesce(Sum("leads"), 0))
        .values_list("partner_id", "total")
    )
    if partners is None:
        active = set(items) | set(leads)
        active |= set(FundRequest.objects.values_list("partner_id", flat=True).distinct())
        partners = list(Partner.objects.filter(pk__in=active))
    rois = _rois(items, leads, [p.pk for p in partners], currency)
    rows = [(partner, rois[partner.pk]) for partner in partners]
    rows.sort(key=lambda row: (row[1].roi is None, -(row[1].roi or 0), -row[1].paid.total, row[0].name.lower()))
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
            f"{budget.period.name}: {format_money(balance.available, balance.currency)} available of "
            f"{format_money(balance.allocated, balance.currency)} allocated"
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
    paid = [format_money(row["paid"], row["currency"]) for row in claims if row["paid"]]
    if paid:
        facts.append(" + ".join(paid) + " paid in all")
    url = reverse("manage:mdf_requests") + f"?partner={partner.pk}"
    return Summary("MDF", facts, url, "Requests and claims")
