"""Generated program data for the insights benchmark (`python manage.py bench_insights`).

A year of a program at scale, deterministic for a seed: partners at every status with their journey dates spread
over 12–18 months (applied, approved, activated, first deal), tiers, routes to market and regions; deal
registrations from benchmarks/dealreg_data.py (its companies, match keys and COPY loading), re-stamped for a year
of history: submitted over the last 12 months with more each month, decided a few hours to three days later,
won/lost/expired coherently, in USD or EUR (a partner's deals mostly in its own currency: a third of the partners
are European), every involvement type, POCs; a few sellers carry most of the volume (Zipf-like). Then
certification awards, MDF budgets, requests, claims and their ledger, exchange rates for every month, direct
revenue, customer contracts for won deals and a review rhythm.

Rows go in with COPY on PostgreSQL (dealreg_data.load) and bulk_create elsewhere; JSON columns are given as JSON
text to COPY and as Python values to bulk_create.
"""

import json
import random
from bisect import bisect
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import DatabaseError, connection

from benchmarks import dealreg_data

D = Decimal
EUROPEAN_EVERY = 3  # partner i is European (sells mostly in EUR) when i % 3 == 0
PARTNER_STATUS = {"active": 56, "dormant": 16, "onboarding": 12, "applied": 8, "declined": 5, "offboarded": 3}
TYPES = ["var", "reseller", "si", "msp", "consultant", "distributor", "isv", "gsi", "alliance", "marketplace"]
TYPE_WEIGHTS = [25, 20, 15, 12, 10, 4, 6, 2, 3, 3]
RTM = ["resellers", "si", "distribution", "marketplaces", "alliances", ""]
REGIONS = ["na", "emea", "apac", "latam"]
REG_STATUS = {
    "won": 24,
    "lost": 18,
    "approved": 24,
    "expired": 10,
    "submitted": 9,
    "rejected": 6,
    "needs_info": 3,
    "draft": 6,
}
INVOLVEMENT = {"sourced": 40, "influenced": 30, "fulfilled": 15, "cosell": 15}
MDF_STATUS = {
    "submitted": 8,
    "approved": 22,
    "rejected": 7,
    "cancelled": 4,
    "expired": 5,
    "claimed": 16,
    "closed": 38,
}
ACTIVITIES = ["event", "webinar", "digital", "content", "training", "other"]


def size_label(n: int) -> str:
    """10000 -> "10k", 1000000 -> "1m", 250000 -> "250k"."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def months_back(today: date, count: int) -> list[date]:
    """First days of the last `count` months, oldest first, this month last."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def as_db(rows: Iterable[dict], json_fields: tuple[str, ...]) -> Iterator[dict]:
    """JSON values as text for COPY (PostgreSQL); unchanged for bulk_create."""
    if connection.vendor != "postgresql":
        yield from rows
        return
    for row in rows:
        for name in json_fields:
            row[name] = json.dumps(row[name])
        yield row


@contextmanager
def without_fk_triggers() -> Iterator[None]:
    """On PostgreSQL, load without the deferred foreign-key checks (hundreds of thousands of trigger events at
    commit, most of the load time of generated rows that are consistent by construction) when the role may
    (`session_replication_role` needs a superuser); otherwise as usual. Not for registrations: the statement
    triggers of dealreg's candidate search must fire."""
    replica = False
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            replica = True
        except DatabaseError:
            pass
    try:
        yield
    finally:
        if replica:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


# --- partners and people ------------------------------------------------------------------------------------------


def partner_currency(index: int) -> str:
    return "EUR" if index % EUROPEAN_EVERY == 0 else "USD"


def partner_rows(count: int, *, now: datetime, owner_id: int, tier_ids: list[int], seed: int) -> Iterator[dict]:
    statuses, weights = list(PARTNER_STATUS), list(PARTNER_STATUS.values())
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        status = rng.choices(statuses, weights)[0]
        applied = now - timedelta(days=rng.uniform(20, 540))
        approved = activated = first_deal = None
        if status != "applied" and status != "declined":
            approved = applied + timedelta(days=rng.uniform(1, 10))
        if status in ("active", "dormant", "offboarded") and approved:
            activated = min(approved + timedelta(days=rng.uniform(3, 45)), now - timedelta(hours=1))
        region = "emea" if i % EUROPEAN_EVERY == 0 else rng.choice(REGIONS)
        yield {
            "name": f"Bench Partner {i:05d}",
            "type": rng.choices(TYPES, TYPE_WEIGHTS)[0],
            "status": status,
            "source": rng.choice(("application", "manager")),
            "functions": rng.sample(["build", "sell", "service", "influence"], rng.randint(1, 2)),
            "influence": rng.choice(("high", "mid", "low", "")),
            "commercial_model": rng.choice(("resell", "referral", "service", "")),
            "route_to_market": rng.choice(RTM),
            "regions": [region],
            "countries": "",
            "verticals": [],
            "segments": [rng.choice(("enterprise", "midmarket", "smb"))],
            "seller_count": rng.randint(1, 60),
            "website": f"https://bench-partner-{i}.example.com",
            "domain": f"bench-partner-{i}.example.com",
            "description": "",
            "parent_id": None,
            "owner_id": owner_id,
            "tier_id": rng.choice(tier_ids) if status == "active" and rng.random() < 0.6 else None,
            "created_at": applied,
            "updated_at": now,
            "applied_at": applied,
            "approved_at": approved,
            "activated_at": activated,
            "status_changed_at": activated or approved or applied,
            "last_activity_at": now - timedelta(days=rng.uniform(0, 60 if status == "active" else 300)),
            "first_deal_at": first_deal,  # set from the registrations once they are loaded
        }


def user_rows(count: int, *, start: int, now: datetime) -> Iterator[dict]:
    for u in range(start, start + count):
        yield {
            "password": "!",  # unusable: nobody signs in with these (the benchmark uses force_login)
            "last_login": None,
            "is_superuser": False,
            "first_name": f"First{u}",
            "last_name": f"Last{u}",
            "is_staff": False,
            "is_active": True,
            "date_joined": now,
            "email": f"bench-user-{u}@bench.example.com",
        }


# --- registrations ------------------------------------------------------------------------------------------------


class PartnerPicker:
    """Which partner registered deal j: a few partners carry most of the volume (Zipf-like)."""

    def __init__(self, partner_ids: list[int], currencies: dict[int, str]) -> None:
        self.ids = partner_ids
        self.currencies = currencies
        self.cum = list(accumulate(1 / (rank + 20) for rank in range(len(partner_ids))))

    def pick(self, rng: random.Random) -> int:
        return self.ids[min(bisect(self.cum, rng.random() * self.cum[-1]), len(self.ids) - 1)]


def restamp(row: dict, j: int, *, now: datetime, picker: PartnerPicker, seed: int) -> dict:
    """A dealreg_data registration row re-stamped as one of a year of history (see the module docstring)."""
    rng = random.Random(seed * 7_777_777 + j)
    partner_id = picker.pick(rng)
    home = picker.currencies[partner_id]
    currency = home if rng.random() < 0.88 else ("USD" if home == "EUR" else "EUR")
    status = rng.choices(list(REG_STATUS), list(REG_STATUS.values()))[0]
    age = 365 * (1 - rng.random() ** 0.5)  # more deals each month: the program grows
    if status in ("submitted", "draft"):
        age = min(age, rng.uniform(0, 10))
    submitted = now - timedelta(days=age, seconds=rng.randint(0, 3600))
    value = D(rng.randrange(20, 800) * 500)
    passed_poc = rng.random() < 0.25
    row.update(
        partner_id=partner_id,
        currency=currency,
        value=value,
        status=status,
        involvement=rng.choices(list(INVOLVEMENT), list(INVOLVEMENT.values()))[0],
        passed_poc=passed_poc,
        stage=rng.choice(("poc" if passed_poc else "discovery", "proposal", "negotiation")),
        created_at=submitted - timedelta(minutes=rng.randint(5, 900)),
        updated_at=now,
        submitted_at=None if status == "draft" else submitted,
        decision_due_at=None if status == "draft" else submitted + timedelta(days=2),
        decided_at=None,
        protected_until=None,
        closed_at=None,
        won_amount=None,
        has_priority=status in ("submitted", "needs_info", "approved"),
        expected_close=(submitted + timedelta(days=rng.randint(20, 150))).date(),
    )
    if status in ("draft", "submitted"):
        return row
    decided = min(submitted + timedelta(hours=rng.uniform(1, 72)), now - timedelta(minutes=5))
    row["decided_at"] = decided
    if status in ("needs_info", "rejected"):
        return row
    protected = decided + timedelta(days=90)
    row["protected_until"] = protected
    if status == "approved" and protected <= now:
        row["status"] = status = "expired"
    elif status == "expired" and protected > now:
        row["status"] = status = "approved"
    if status in ("won", "lost"):
        latest = min(protected, now - timedelta(minutes=1))
        row["closed_at"] = decided + (latest - decided) * rng.uniform(0.2, 1)
        row["stage"] = status
        if status == "won":
            row["won_amount"] = (value * D(str(round(rng.uniform(0.8, 1.2), 2)))).quantize(D("1"))
    row["has_priority"] = row["status"] in ("submitted", "needs_info", "approved")
    return row


def registration_rows(
    universe, keys, start: int, stop: int, *, total: int, now: datetime, picker: PartnerPicker, seed: int
) -> Iterator[dict]:
    """Registrations start..stop of a `total`-registration plan; the first n of a plan are a plan of their own."""
    accounts = total // 5  # the companies' names, as bench_dealreg draws them (accounts are not loaded here)
    rows = dealreg_data.registration_rows(
        universe, keys, start, stop, accounts=accounts, registrations=total, partners=[0]
    )
    for j, row in enumerate(rows, start=start):
        yield restamp(row, j, now=now, picker=picker, seed=seed)


def prefetch_keys(universe, keys, start: int, stop: int, *, total: int) -> None:
    dealreg_data.prefetch_keys(
        universe,
        keys,
        accounts=(0, 0),
        registrations=(start, stop),
        total_accounts=total // 5,
        total_registrations=total,
    )


# --- enablement, MDF ----------------------------------------------------------------------------------------------


def award_rows(
    count: int, *, people: list[tuple[int, int]], certification_ids: list[int], now: datetime, seed: int, start: int
) -> Iterator[dict]:
    """`people` are (user_id, partner_id); each award is a distinct (person, certification) while there are
    enough pairs. Some are expired, a few revoked; validity 12 or 24 months."""
    pairs = len(people) * len(certification_ids)
    for n in range(start, start + count):
        rng = random.Random(seed * 99_991 + n)
        slot = n % pairs
        user_id, partner_id = people[slot // len(certification_ids)]
        awarded = now - timedelta(days=rng.uniform(0, 700))
        months = rng.choice((12, 24))
        revoked = awarded + timedelta(days=30) if rng.random() < 0.02 else None
        yield {
            "certification_id": certification_ids[slot % len(certification_ids)],
            "user_id": user_id,
            "partner_id": partner_id,
            "awarded_at": awarded,
            "expires_at": (awarded + timedelta(days=months * 30.4)).date(),
            "code": f"BENCH{n:012d}",
            "public": True,
            "revoked_at": revoked if revoked and revoked < now else None,
            "revoked_reason": "Left the company." if revoked and revoked < now else "",
            "revoked_by_id": None,
            "renewed_by_id": None,
            "renewal_of_id": None,
        }


def budget_rows(partner_ids: list[int], periods: list, *, now: datetime, currency: str) -> Iterator[dict]:
    for partner_id in partner_ids:
        for period in periods:
            yield {"partner_id": partner_id, "period_id": period.pk, "currency": currency, "created_at": now}


def request_rows(
    count: int, *, budgets: dict[int, list[tuple[int, date, date]]], partner_ids: list[int], now: datetime, seed: int
) -> Iterator[dict]:
    """`budgets`: partner id -> [(budget id, period start, period end)]."""
    statuses, weights = list(MDF_STATUS), list(MDF_STATUS.values())
    today = now.date()
    for n in range(count):
        rng = random.Random(seed * 31_337 + n)
        partner_id = partner_ids[n % len(partner_ids)]
        budget_id, starts, ends = rng.choice(budgets[partner_id])
        begin = starts + timedelta(days=rng.randint(0, max(0, (ends - starts).days - 5)))
        finish = begin + timedelta(days=rng.randint(0, 4))
        status = rng.choices(statuses, weights)[0]
        if finish > today and status in ("claimed", "closed", "expired"):
            status = "approved"
        cost = D(rng.randrange(20, 400) * 100)
        requested = (cost * D("0.5")).quantize(D("1"))
        submitted = datetime.combine(begin, datetime.min.time(), tzinfo=now.tzinfo) - timedelta(
            days=rng.randint(10, 40)
        )
        submitted = min(submitted, now - timedelta(hours=2))
        decided = submitted + timedelta(hours=rng.uniform(2, 96)) if status != "submitted" else None
        approved = status in ("approved", "claimed", "closed", "expired")
        yield {
            "partner_id": partner_id,
            "budget_id": budget_id,
            "created_by_id": None,
            "status": status,
            "activity_type": rng.choice(ACTIVITIES),
            "title": f"Activity {n}",
            "description": "",
            "starts_on": begin,
            "ends_on": finish,
            "expected_leads": rng.randint(5, 200),
            "expected_pipeline": cost * 10,
            "total_cost": cost,
            "partner_share_percent": D("50"),
            "requested_amount": requested,
            "currency": "USD",
            "submitted_at": submitted,
            "decision_due_at": submitted + timedelta(days=3),
            "info_requested": "",
            "approved_amount": requested if approved else None,
            "first_approved_by_id": None,
            "decided_by_id": None,
            "decided_at": min(decided, now) if decided else None,
            "decision_reason": "",
            "claim_deadline": finish + timedelta(days=60) if approved else None,
            "deadline_extended": False,
            "created_at": submitted,
            "updated_at": now,
        }


def claim_rows(requests: list[tuple], *, now: datetime) -> Iterator[dict]:
    """`requests`: (id, partner_id, status, approved_amount, ends_on) of claimed and closed requests."""
    for pk, partner_id, status, amount, ends_on in requests:
        filed = min(datetime.combine(ends_on + timedelta(days=7), datetime.min.time(), tzinfo=now.tzinfo), now)
        paid = status == "closed"
        yield {
            "request_id": pk,
            "partner_id": partner_id,
            "created_by_id": None,
            "status": "paid" if paid else "submitted",
            "actual_cost": amount * 2,
            "amount_claimed": amount,
            "currency": "USD",
            "leads": 40,
            "results": "",
            "submitted_at": filed,
            "decision_due_at": filed + timedelta(days=3),
            "info_requested": "",
            "approved_amount": amount if paid else None,
            "decided_by_id": None,
            "decided_at": filed + timedelta(days=2) if paid else None,
            "decision_reason": "",
            "paid_amount": amount if paid else None,
            "paid_on": (filed + timedelta(days=10)).date() if paid else None,
            "payout_reference": f"PAY-{pk}" if paid else "",
            "paid_by_id": None,
            "created_at": filed,
            "updated_at": now,
        }


def ledger_rows(budgets: list[int], requests: list[tuple], *, now: datetime, seed: int) -> Iterator[dict]:
    """An allocation per budget, a reservation per approved request, a payout per paid claim.
    `requests`: (id, budget_id, status, approved_amount)."""
    rng = random.Random(seed)
    base = {"currency": "USD", "pool_id": None, "actor_id": None, "memo": "", "created_at": now}
    for budget_id in budgets:
        yield {
            **base,
            "budget_id": budget_id,
            "kind": "allocation",
            "amount": D(rng.randrange(10, 60) * 1000),
            "request_id": None,
        }
    for pk, budget_id, status, amount in requests:
        if amount is None:
            continue
        yield {**base, "budget_id": budget_id, "kind": "reservation", "amount": amount, "request_id": pk}
        if status == "closed":
            yield {**base, "budget_id": budget_id, "kind": "payout", "amount": amount, "request_id": pk}
