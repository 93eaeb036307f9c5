"""Twelve months of deal registrations for the demo partners, generated from a fixed seed so every demo tells the
same story: the program grows month after month, the mix shifts from deals partners only fulfil towards deals
they find and lead (partner-led), Atlas Distribution leads clearly, Quartz Systems sold in the first half of the
year and then went quiet (it is the dormant partner).

Rows are created directly (bulk_create with coherent fields) rather than through the services: a hundred-odd
submissions, decisions and closes through the services would take most of `seed_demo`'s time budget, and their
clocks would all read "now". Every timestamp is consistent: created → submitted → decided (a few hours to three
days later, so some decisions miss the SLA) → closed; approved deals are still protected, older ones expired.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dealreg.models import Registration
from partners.models import Partner, PartnerMembership
from prm.models import User
from prm.sla import add_business_days

SEED = 2026
EXCLUSIVITY_DAYS = 90
Status = Registration.Status


@dataclass(frozen=True)
class Profile:
    """How one demo partner sells: its currency, its customers' countries, its deal sizes, when it started and
    how its involvement moves from the first month of the year (`early`) to the last (`late`)."""

    name: str
    currency: str
    countries: tuple[str, ...]
    values: tuple[int, int]
    first_month: int  # months ago its first deal came (11 = the oldest month of the year)
    last_month: int  # months ago its last deal came (0 = this month)
    per_month: tuple[float, float]  # deals a month at its first and at the last month of the year
    early: dict[str, int]
    late: dict[str, int]
    wins: float = 1.0  # how much likelier than the others its closed deals are won


PROFILES = [
    Profile(
        "Atlas Distribution",
        "EUR",
        ("FR", "IT", "ES"),
        (25_000, 120_000),
        11,
        0,
        (2.5, 7),
        {"fulfilled": 6, "sourced": 2, "cosell": 1, "influenced": 1},
        {"fulfilled": 2, "sourced": 6, "cosell": 2, "influenced": 1},
        wins=1.3,
    ),
    Profile(
        "Northwind Solutions",
        "EUR",
        ("DE", "AT", "CH"),
        (12_000, 55_000),
        10,
        0,
        (1, 4),
        {"fulfilled": 3, "sourced": 2, "cosell": 2, "influenced": 1},
        {"fulfilled": 1, "sourced": 5, "cosell": 3, "influenced": 1},
        wins=0.9,
    ),
    Profile(
        "Brightpath Advisors",
        "USD",
        ("US", "CA"),
        (10_000, 45_000),
        9,
        0,
        (1, 3),
        {"influenced": 6, "cosell": 1, "sourced": 1, "fulfilled": 0},
        {"influenced": 5, "cosell": 2, "sourced": 2, "fulfilled": 0},
    ),
    Profile(
        "Quartz Systems",
        "EUR",
        ("NL", "BE", "US"),
        (8_000, 30_000),
        11,
        6,
        (2, 1),
        {"fulfilled": 5, "influenced": 2, "sourced": 1, "cosell": 0},
        {"fulfilled": 5, "influenced": 2, "sourced": 1, "cosell": 0},
        wins=0.9,
    ),
]

BRANDS = [
    "Alder",
    "Birch",
    "Cedar",
    "Dover",
    "Elbe",
    "Fjord",
    "Garnet",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Linden",
    "Meridian",
    "Nordic",
    "Orchard",
    "Pinnacle",
    "Quarry",
    "Riverton",
    "Sable",
    "Tamarind",
    "Umber",
    "Vantage",
    "Willow",
    "Yarrow",
    "Zenith",
    "Aurora",
    "Beacon",
    "Cascade",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Helix",
    "Ironwood",
    "Jasper",
    "Keystone",
    "Lumen",
    "Marlow",
    "Nimbus",
    "Onyx",
    "Prairie",
    "Quill",
    "Redwood",
    "Summit",
    "Tidewater",
]
TRADES = [
    "Logistics",
    "Foods",
    "Pharma",
    "Retail",
    "Energy",
    "Insurance",
    "Media",
    "Textiles",
    "Robotics",
    "Health",
    "Bank",
    "Motors",
    "Hotels",
    "Packaging",
    "Chemicals",
    "Telecom",
]
SUFFIXES = {
    "FR": ("SAS", "SA"),
    "IT": ("S.p.A.", "S.r.l."),
    "ES": ("S.L.", "S.A."),
    "DE": ("GmbH", "AG"),
    "AT": ("GmbH",),
    "CH": ("AG",),
    "NL": ("B.V.",),
    "BE": ("NV",),
    "US": ("Inc.", "LLC"),
    "CA": ("Ltd.", "Inc."),
}
TLDS = {"FR": "fr", "IT": "it", "ES": "es", "DE": "de", "AT": "at", "CH": "ch", "NL": "nl", "BE": "be"}
CONTACTS = [
    ("Claire", "Martin"),
    ("Giulia", "Bianchi"),
    ("Javier", "Lopez"),
    ("Lena", "Fischer"),
    ("Jan", "de Vries"),
    ("Emily", "Carter"),
    ("Noah", "Brooks"),
    ("Sofia", "Rossi"),
    ("Lukas", "Huber"),
    ("Chloé", "Bernard"),
]
TITLES = ("Head of Operations", "CIO", "IT Director", "COO", "Head of Finance", "Procurement lead")
PRODUCTS = ("Platform", "Platform, Analytics", "Platform, Integrations", "Analytics")
REJECTIONS = (
    "The customer is a named account of our direct team.",
    "Not enough detail on the opportunity: register it again once there is a project.",
)
LOSSES = ("Chose a legacy suite.", "Budget frozen.", "Went with an in-house build.", "No decision this year.")


def _month_start(now: datetime, months_ago: int) -> datetime:
    local = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months_ago):
        local = (local - timedelta(days=1)).replace(day=1)
    return local


def _status(rng: random.Random, age_days: float, wins: float) -> str:
    """What became of a deal submitted `age_days` ago: old deals are closed, recent ones still open."""
    if age_days > 120:
        table = {Status.WON: 45, Status.LOST: 28, Status.EXPIRED: 14, Status.REJECTED: 8, Status.APPROVED: 5}
    elif age_days > 45:
        table = {Status.WON: 30, Status.LOST: 15, Status.APPROVED: 45, Status.REJECTED: 6, Status.NEEDS_INFO: 4}
    elif age_days > 8:
        table = {Status.APPROVED: 62, Status.WON: 14, Status.LOST: 6, Status.REJECTED: 6, Status.NEEDS_INFO: 12}
    else:
        table = {Status.SUBMITTED: 60, Status.APPROVED: 40}
    return rng.choices(list(table), [w * wins if s == Status.WON else w for s, w in table.items()])[0]


def _customer(rng: random.Random, country: str, taken: set[str]) -> tuple[str, str]:
    while True:
        core = f"{rng.choice(BRANDS)} {rng.choice(TRADES)}"
        if core not in taken:
            taken.add(core)
            break
    slug = core.lower().replace(" ", "")
    website = f"https://www.{slug}.{TLDS.get(country, 'com')}"
    return f"{core} {rng.choice(SUFFIXES[country])}", website


def history_registrations(*, now: datetime, manager: User) -> list[Registration]:
    """Build (unsaved) the year's registrations of the demo partners present. Deterministic for a given `now`."""
    rng = random.Random(SEED)
    partners = {p.name: p for p in Partner.objects.filter(name__in=[p.name for p in PROFILES])}
    sellers: dict[int, list[int]] = {}
    for partner_id, user_id, role in PartnerMembership.objects.filter(partner__in=partners.values()).values_list(
        "partner_id", "user_id", "role"
    ):
        if role in (PartnerMembership.Role.ADMIN, PartnerMembership.Role.SALES):
            sellers.setdefault(partner_id, []).append(user_id)
    taken = set(Registration.objects.values_list("name", flat=True))
    rows: list[Registration] = []
    for profile in PROFILES:
        partner = partners.get(profile.name)
        if partner is None:
            continue
        span = max(profile.first_month - profile.last_month, 1)
        for months_ago in range(profile.first_month, profile.last_month - 1, -1):
            progress = (profile.first_month - months_ago) / span
            expected = profile.per_month[0] + (profile.per_month[1] - profile.per_month[0]) * progress
            count = max(0, round(expected + rng.uniform(-0.8, 0.8)))
            weights = {k: v + (profile.late[k] - v) * progress for k, v in profile.early.items()}
            start = _month_start(now, months_ago)
            end = min(_month_start(now, months_ago - 1) if months_ago else now, now - timedelta(hours=2))
            for _ in range(count):
                submitted = start + (end - start) * rng.random()
                rows.append(_registration(rng, profile, partner, sellers, submitted, now, manager, weights, taken))
    return rows


def _registration(rng, profile, partner, sellers, submitted, now, manager, weights, taken) -> Registration:
    age = (now - submitted).total_seconds() / 86_400
    status = _status(rng, age, profile.wins)
    country = rng.choice(profile.countries)
    currency = profile.currency if country not in ("US", "CA") else "USD"
    if profile.currency == "USD" and rng.random() < 0.1:
        currency = "EUR"  # a US adviser's European subsidiary deal
    name, website = _customer(rng, country, taken)
    first, last = rng.choice(CONTACTS)
    value = Decimal(rng.randrange(profile.values[0] // 500, profile.values[1] // 500) * 500)
    passed_poc = rng.random() < 0.3
    open_stage = rng.choice(("poc" if passed_poc else "discovery", "proposal", "negotiation"))
    reg = Registration(
        partner=partner,
        created_by_id=rng.choice(sellers.get(partner.pk, [None])),
        name=name,
        website=website if rng.random() < 0.9 else "",
        country=country,
        contact_name=f"{first} {last}",
        contact_email=f"{first.lower()}.{last.lower().replace(' ', '')}@{website.split('www.')[1]}",
        contact_title=rng.choice(TITLES),
        products=rng.choice(PRODUCTS),
        value=value,
        currency=currency,
        expected_close=(submitted + timedelta(days=rng.randint(30, 120))).date(),
        stage=open_stage,
        passed_poc=passed_poc,
        involvement=rng.choices(list(weights), list(weights.values()))[0],
        status=status,
        has_priority=status in Registration.ACTIVE,
        created_at=submitted - timedelta(minutes=rng.randint(5, 600)),
        updated_at=now,
        submitted_at=submitted,
        decision_due_at=add_business_days(submitted, 2),
    )
    reg.refresh_match_keys()
    if status == Status.SUBMITTED:
        return reg
    reg.decided_at = submitted + timedelta(hours=rng.choice((2, 5, 20, 26, 44, 70)) + rng.random())
    reg.decided_at = min(reg.decided_at, now - timedelta(minutes=30))  # a decision is never in the future
    reg.decided_by = manager
    if status == Status.NEEDS_INFO:
        reg.decision_reason = "Which business unit is buying, and who is the sponsor?"
        return reg
    if status == Status.REJECTED:
        reg.decision_reason = rng.choice(REJECTIONS)
        return reg
    reg.decision_reason = "Clean registration."
    reg.protected_until = reg.decided_at + timedelta(days=EXCLUSIVITY_DAYS)
    if status == Status.APPROVED and reg.protected_until <= now:
        reg.status = status = Status.EXPIRED
    if status == Status.EXPIRED and reg.protected_until > now:
        reg.status = status = Status.APPROVED
    if status in (Status.WON, Status.LOST):
        latest = min(reg.protected_until, now - timedelta(hours=3))
        if latest <= reg.decided_at + timedelta(days=1):
            reg.status = Status.APPROVED
            reg.has_priority = True
            return reg
        span = (latest - reg.decided_at).total_seconds()
        reg.closed_at = reg.decided_at + timedelta(seconds=span * rng.uniform(0.25, 1))
        reg.stage = status
        if status == Status.WON:
            reg.won_amount = (value * Decimal(str(rng.uniform(0.85, 1.15)))).quantize(Decimal("100"))
            reg.passed_poc = passed_poc or rng.random() < 0.15
        else:
            reg.decision_reason = rng.choice(LOSSES)
    reg.has_priority = reg.status in Registration.ACTIVE
    return reg
