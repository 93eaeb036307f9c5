"""Balances derived from the ledger, and the one way to append to it.

A budget's balance is never stored: it is the sum of its entries, by kind, computed in the database.

    allocation: allocated += amount   (negative: a correction)
    reservation: reserved += amount   (a request was approved)
    release: reserved -= amount       (a cancel, a partial or rejected claim, an approval that expired)
    payout: reserved -= amount, paid += amount
    expiry: expired += amount         (unused funds at the period's end + grace)
    available = allocated − reserved − paid − expired

Money is `Decimal` with two places (prm.money); amounts are rounded to the cent half up (`to_cents`), except the
most a partner may request, which is rounded down (`max_request`) so the partner's share is never undercut. Floats
are refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from mdf.models import ZERO, Budget, FundRequest, LedgerEntry, TierPool
from partners.models import Partner
from prm.models import User
from prm.money import Totals, cents_down, to_cents


def max_request(total_cost: Decimal, share_percent: Decimal) -> Decimal:
    """The most a partner may ask for: the cost minus its own share, rounded DOWN to the cent."""
    raw = Decimal(total_cost) * (Decimal(100) - Decimal(share_percent)) / Decimal(100)
    return max(cents_down(raw), ZERO)


@dataclass(frozen=True)
class Balance:
    allocated: Decimal
    reserved: Decimal
    paid: Decimal
    expired: Decimal
    available: Decimal
    currency: str

    @classmethod
    def empty(cls, currency: str) -> "Balance":
        return cls(ZERO, ZERO, ZERO, ZERO, ZERO, currency)

    @classmethod
    def from_sums(cls, sums: dict, currency: str) -> "Balance":
        allocated = sums.get("allocated") or ZERO
        reserved = (sums.get("reserved") or ZERO) - (sums.get("released") or ZERO) - (sums.get("paid") or ZERO)
        paid = sums.get("paid") or ZERO
        expired = sums.get("expired") or ZERO
        return cls(
            allocated=allocated,
            reserved=reserved,
            paid=paid,
            expired=expired,
            available=allocated - reserved - paid - expired,
            currency=currency,
        )

    def __add__(self, other: "Balance") -> "Balance":
        if other.currency != self.currency:
            # Two currencies are never added at face value: sum them with balance_totals instead.
            raise ValueError(f"Cannot add a {other.currency} balance to a {self.currency} balance.")
        return Balance(
            allocated=self.allocated + other.allocated,
            reserved=self.reserved + other.reserved,
            paid=self.paid + other.paid,
            expired=self.expired + other.expired,
            available=self.available + other.available,
            currency=self.currency,
        )

    @property
    def spent(self) -> Decimal:
        """Reserved plus paid: what approvals have taken."""
        return self.reserved + self.paid

    @property
    def overspent(self) -> bool:
        return self.available < 0


BALANCE_FIELDS = ("allocated", "reserved", "paid", "expired", "available")


def balance_totals(balances: Iterable[Balance]) -> dict[str, Totals]:
    """Many balances summed field by field, one sum per currency (budgets of a period whose currency changed are
    never added at face value): {"allocated": Totals, ..., "available": Totals}."""
    totals = {name: Totals() for name in BALANCE_FIELDS}
    for balance in balances:
        for name in BALANCE_FIELDS:
            totals[name].add(getattr(balance, name), balance.currency)
    return totals


def _sums(prefix: str = "") -> dict:
    kind = f"{prefix}kind"
    amount = f"{prefix}amount"
    return {
        "allocated": Sum(amount, filter=Q(**{kind: LedgerEntry.Kind.ALLOCATION})),
        "reserved": Sum(amount, filter=Q(**{kind: LedgerEntry.Kind.RESERVATION})),
        "released": Sum(amount, filter=Q(**{kind: LedgerEntry.Kind.RELEASE})),
        "paid": Sum(amount, filter=Q(**{kind: LedgerEntry.Kind.PAYOUT})),
        "expired": Sum(amount, filter=Q(**{kind: LedgerEntry.Kind.EXPIRY})),
    }


def balance_of(budget: Budget) -> Balance:
    """The budget's balance, summed from its entries in one query."""
    return Balance.from_sums(LedgerEntry.objects.filter(budget=budget).aggregate(**_sums()), budget.currency)


def balances_for(budgets: Iterable[Budget]) -> dict[int, Balance]:
    """{budget id: Balance} for many budgets in ONE query (budgets without entries get an empty balance)."""
    budgets = list(budgets)
    if not budgets:
        return {}
    rows = (
        LedgerEntry.objects.filter(budget_id__in=[b.pk for b in budgets])
        .values("budget_id")
        .order_by()
        .annotate(**_sums())
    )
    by_id = {row["budget_id"]: row for row in rows}
    return {b.pk: Balance.from_sums(by_id.get(b.pk, {}), b.currency) for b in budgets}


def _open_periods(today: date, grace_days: int, period: str = "period") -> Q:
    """Periods whose funds have not expired: not swept yet, and ended at most `grace_days` ago."""
    return Q(
        **{f"{period}__funds_expired_at__isnull": True, f"{period}__ends_on__gte": today - timedelta(days=grace_days)}
    )


def _grace() -> int:
    from mdf.services.periods import mdf_settings

    return mdf_settings().expiry_grace_days


def open_budgets(*, partner: Partner, today: date | None = None) -> list[tuple[Budget, Balance]]:
    """The budgets a new request may draw on: periods whose funds have not expired (the current one, future ones,
    and a past one still in its grace days), soonest first, each with its balance (two queries)."""
    today = today or timezone.localdate()
    budgets = list(
        Budget.objects.filter(_open_periods(today, _grace()), partner=partner)
        .select_related("period")
        .order_by("period__starts_on")
    )
    balances = balances_for(budgets)
    return [(b, balances[b.pk]) for b in budgets]


def partner_balance(*, partner: Partner, today: date | None = None) -> Balance:
    """The partner's balance over its budgets whose funds have not expired (zero when it has none)."""
    from mdf.services.periods import mdf_settings

    today = today or timezone.localdate()
    settings = mdf_settings()
    sums = LedgerEntry.objects.filter(
        _open_periods(today, settings.expiry_grace_days, "budget__period"), budget__partner=partner
    ).aggregate(**_sums())
    return Balance.from_sums(sums, settings.currency)


def lock_budget(budget: Budget) -> Budget:
    """The budget row, locked until the transaction ends: every write that depends on a balance takes it first,
    so two approvals against the same budget are serialised (the second sees the first's reservation)."""
    return Budget.objects.select_for_update(of=("self",)).select_related("period", "partner").get(pk=budget.pk)


def entry_add(
    *,
    budget: Budget,
    kind: str,
    amount: Decimal,
    actor: User | None = None,
    request: FundRequest | None = None,
    pool: TierPool | None = None,
    memo: str = "",
) -> LedgerEntry:
    """Append one entry. The caller holds the budget's lock (lock_budget) and has checked the balance."""
    amount = to_cents(amount)
    if kind != LedgerEntry.Kind.ALLOCATION and amount <= 0:
        raise ValueError(f"A {kind} entry must be positive (got {amount}).")
    return LedgerEntry.objects.create(
        budget=budget,
        kind=kind,
        amount=amount,
        currency=budget.currency,
        request=request,
        pool=pool,
        actor=actor,
        memo=memo[:300],
    )


def request_reserved(request: FundRequest) -> Decimal:
    """What the request still holds on its budget: its reservations minus its releases and payouts."""
    sums = LedgerEntry.objects.filter(request=request).aggregate(**_sums())
    return Balance.from_sums(sums, request.currency).reserved


# --- The ledger read as a statement: signed amounts and a running balance --------------------------------------

# How each kind moves what is available (allocated − reserved − paid − expired): an allocation adds (a negative
# one takes back), an approval's reservation takes, a release gives back, an expiry takes; a payout pays out what
# its approval already took, so it moves money from reserved to paid and leaves what is available as it was.
AVAILABLE_SIGN = {
    LedgerEntry.Kind.ALLOCATION: 1,
    LedgerEntry.Kind.RESERVATION: -1,
    LedgerEntry.Kind.RELEASE: 1,
    LedgerEntry.Kind.PAYOUT: 0,
    LedgerEntry.Kind.EXPIRY: -1,
}


def available_change(entry: LedgerEntry) -> Decimal:
    """What the entry does to the available balance: +allocation, −reservation, +release, −expiry, 0 for a payout."""
    return entry.amount * AVAILABLE_SIGN[entry.kind]


def _change_expression() -> Case:
    return Case(
        *[When(kind=kind, then=F("amount") * sign) for kind, sign in AVAILABLE_SIGN.items() if sign],
        default=Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def running_balance(entries: QuerySet[LedgerEntry], rows: list[LedgerEntry]) -> None:
    """Give each of `rows` (one page of `entries`, newest first) its signed `change` and the available `balance`
    after it, per currency: the sum of every entry of `entries` up to and including it (one query for what came
    before the page, whatever its length). Two currencies are never added: each row's balance is in its own."""
    if not rows:
        return
    oldest = rows[-1]
    earlier = entries.filter(
        Q(created_at__lt=oldest.created_at) | Q(created_at=oldest.created_at, pk__lt=oldest.pk)
    ).order_by()
    balances = {
        row["currency"]: row["total"] or ZERO
        for row in earlier.values("currency").annotate(total=Sum(_change_expression()))
    }
    for entry in reversed(rows):
        entry.change = available_change(entry)
        balances[entry.currency] = balances.get(entry.currency, ZERO) + entry.change
        entry.balance = balances[entry.currency]
