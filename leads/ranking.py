"""Which partners should get a lead, best first, each with its score broken into reasons (points and words).

Two layers:
- `score_partner(lead, facts, ...)` is pure: what one partner's facts are worth for one lead. The points are in
  `POINTS`, the words in the reasons; tests work the numbers out by hand.
- `rank_partners(lead)` gathers the facts of every eligible partner in a fixed number of queries (never one per
  partner) and scores them.

Eligible: active partners that cover the lead's country or work in its region (for a lead without a country, those
that sell into its industry; every active partner when the lead says neither), plus the partner the customer chose,
minus those that declined this lead or let its offer expire, and minus those holding an open offer of it (they are
listed apart on the lead's page).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q, Value
from django.utils import timezone

from leads.regions import region_of

# Points per criterion. A partner's score is the sum of its reasons' points.
POINTS = {
    "country": 25,  # lists the lead's country
    "region": 15,  # works in the lead's region (and does not list the country)
    "vertical": 15,  # sells into the lead's industry
    "segment": 10,  # serves companies of the lead's size
    "certified_product": 10,  # per product of interest it holds a valid certification for...
    "certified_max": 20,  # ...up to this much
    "tier_max": 10,  # the top tier; lower tiers in proportion to their rank
    "capacity_free": 10,  # holds no open lead or offer
    "capacity_some": 5,  # holds a few, under the limit
    "capacity_full": -10,  # holds as many as the limit or more
    "fast": 10,  # most of its accepted leads (over half) accepted within FAST_HOURS
    "prompt": 5,  # ... within PROMPT_HOURS
    "slow": -5,  # most took over SLOW_HOURS
    "win_high": 10,  # won at least half of its closed leads (MIN_CLOSED or more)
    "win_some": 5,  # won at least a quarter
    "preferred": 50,  # the partner the customer chose on the locator
}
FAST_HOURS = 4
PROMPT_HOURS = 24
SLOW_HOURS = 48
MIN_CLOSED = 2
HISTORY = timedelta(days=365)  # acceptance speed looks at the offers answered in the last year

SEGMENT_WORDS = {"smb": "SMB", "midmarket": "mid-market", "enterprise": "enterprise"}


@dataclass(frozen=True)
class LeadProfile:
    """What ranking reads of a lead."""

    country: str = ""  # ISO code
    country_name: str = ""
    industry: str = ""
    size: str = ""  # smb | midmarket | enterprise
    products: tuple[str, ...] = ()  # names of the products of interest
    preferred_partner_id: int | None = None

    @property
    def region(self) -> str:
        return region_of(self.country)


@dataclass(slots=True)
class PartnerFacts:
    """What ranking knows of one partner."""

    id: int
    name: str = ""
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    verticals: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    tier_name: str = ""
    tier_rank: int | None = None
    certified: dict[str, int] = field(default_factory=dict)  # product name (lower case) -> certified people
    held: int = 0  # leads it holds (accepted or converted, not yet won or lost)
    open_offers: int = 0  # offers of other leads waiting for its answer
    accept_hours: list[float] = field(default_factory=list)  # how long it took to accept, offer by offer
    # (accepted, within FAST_HOURS, within PROMPT_HOURS, over SLOW_HOURS) when the database counted them; None:
    # counted from accept_hours.
    accepts: tuple[int, int, int, int] | None = None
    leads_won: int = 0
    leads_lost: int = 0
    # (covers the country, works in the region, sells into the industry, serves the size) when the database already
    # answered them (rank_partners); None: worked out from the lists above.
    match: tuple[bool, bool, bool, bool] | None = None


def matches(lead: LeadProfile, facts: PartnerFacts) -> tuple[bool, bool, bool, bool]:
    """Whether the partner covers the lead's country, works in its region, sells into its industry (the industry's
    words within one of the partner's industries, ignoring case) and serves its size."""
    if facts.match is not None:
        return facts.match
    industry = lead.industry.strip().lower()
    return (
        bool(lead.country) and lead.country in facts.countries,
        bool(lead.region) and lead.region in facts.regions,
        bool(industry) and any(industry in v for v in facts.verticals),
        bool(lead.size) and lead.size in facts.segments,
    )


def accept_counts(facts: "PartnerFacts") -> tuple[int, int, int, int]:
    """(accepted, within FAST_HOURS, within PROMPT_HOURS, over SLOW_HOURS) over the last year."""
    if facts.accepts is not None:
        return facts.accepts
    hours = facts.accept_hours
    return (
        len(hours),
        sum(1 for h in hours if h <= FAST_HOURS),
        sum(1 for h in hours if h <= PROMPT_HOURS),
        sum(1 for h in hours if h > SLOW_HOURS),
    )


def speed(facts: "PartnerFacts") -> tuple[str, int, int]:
    """("fast" | "prompt" | "slow" | "mixed" | "", how many of, how many accepted): over half of the accepted leads
    within FAST_HOURS is fast, within PROMPT_HOURS prompt, over SLOW_HOURS slow."""
    accepted, fast, prompt, slow = accept_counts(facts)
    if not accepted:
        return "", 0, 0
    if fast * 2 > accepted:
        return "fast", fast, accepted
    if prompt * 2 > accepted:
        return "prompt", prompt, accepted
    if slow * 2 > accepted:
        return "slow", slow, accepted
    return "mixed", prompt, accepted


def static_points(match: tuple[bool, bool, bool, bool], tier_rank: int | None, top_tier_rank: int | None) -> int:
    """Where, what and tier: the points the database's answers give."""
    country, region, vertical, segment = match
    points = POINTS["country"] if country else POINTS["region"] if region else 0
    points += (POINTS["vertical"] if vertical else 0) + (POINTS["segment"] if segment else 0)
    if tier_rank and top_tier_rank:
        points += round(POINTS["tier_max"] * tier_rank / top_tier_rank)
    return points


def dynamic_points(lead: LeadProfile, facts: "PartnerFacts", *, max_open: int) -> int:
    """Certifications, open capacity, acceptance speed and win rate: the points its history gives."""
    points = 0
    if lead.products and facts.certified:
        certified = sum(POINTS["certified_product"] for p in lead.products if facts.certified.get(p.lower()))
        points += min(certified, POINTS["certified_max"])
    holding = facts.held + facts.open_offers
    if holding == 0:
        points += POINTS["capacity_free"]
    elif holding < max_open:
        points += POINTS["capacity_some"]
    else:
        points += POINTS["capacity_full"]
    kind = speed(facts)[0]
    if kind in ("fast", "prompt", "slow"):
        points += POINTS[kind]
    closed = facts.leads_won + facts.leads_lost
    if closed >= MIN_CLOSED:
        rate = facts.leads_won / closed
        if rate >= 0.5:
            points += POINTS["win_high"]
        elif rate >= 0.25:
            points += POINTS["win_some"]
    return points


@dataclass(frozen=True)
class Reason:
    points: int
    text: str

    def as_dict(self) -> dict:
        return {"points": self.points, "text": self.text}


@dataclass(frozen=True)
class Candidate:
    partner_id: int
    name: str
    score: int
    reasons: tuple[Reason, ...]
    rank: int = 0

    def reasons_json(self) -> list[dict]:
        return [r.as_dict() for r in self.reasons]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@lru_cache(maxsize=16)
def _region_label(region: str) -> str:
    from partners.models import Partner

    return str(Partner.Region(region).label) if region in Partner.Region.values else region


def _hours(value: float) -> str:
    if value < 1:
        return "under an hour"
    if value < 48:
        return _plural(round(value), "hour")
    return _plural(round(value / 24), "day")


def score_partner(lead: LeadProfile, facts: PartnerFacts, *, top_tier_rank: int | None, max_open: int) -> Candidate:
    """One partner's score for one lead, with a reason for every criterion that moved it (and for the ones that
    did not, when the lead asks for them: "does not cover Germany")."""
    reasons: list[Reason] = []
    covers_country, in_region, sells_vertical, serves_segment = matches(lead, facts)
    # Where: the country, else the region.
    region = lead.region
    if covers_country:
        reasons.append(Reason(POINTS["country"], f"Covers {lead.country_name or lead.country}"))
    elif in_region:
        reasons.append(Reason(POINTS["region"], f"Works in {_region_label(region)}"))
    elif lead.country:
        reasons.append(Reason(0, f"Does not list {lead.country_name or lead.country} or its region"))
    # What: the industry, the size.
    if lead.industry.strip():
        if sells_vertical:
            reasons.append(Reason(POINTS["vertical"], f"Sells into {lead.industry.strip()}"))
        else:
            reasons.append(Reason(0, f"Does not list {lead.industry.strip()} among its industries"))
    if lead.size:
        words = SEGMENT_WORDS.get(lead.size, lead.size)
        if serves_segment:
            reasons.append(Reason(POINTS["segment"], f"Serves {words} companies"))
        else:
            reasons.append(Reason(0, f"Does not list {words} companies among its segments"))
    # Certifications on the products of interest.
    certified_points = 0
    for product in lead.products:
        people = facts.certified.get(product.lower(), 0)
        if people:
            points = min(POINTS["certified_product"], POINTS["certified_max"] - certified_points)
            certified_points += points
            reasons.append(Reason(points, f"Certified on {product} ({_plural(people, 'person')})"))
        else:
            reasons.append(Reason(0, f"Nobody certified on {product}"))
    # Tier.
    if facts.tier_rank and top_tier_rank:
        points = round(POINTS["tier_max"] * facts.tier_rank / top_tier_rank)
        reasons.append(Reason(points, f"{facts.tier_name} tier"))
    # Open capacity.
    holding = facts.held + facts.open_offers
    if holding == 0:
        reasons.append(Reason(POINTS["capacity_free"], "Holds no open lead"))
    elif holding < max_open:
        reasons.append(Reason(POINTS["capacity_some"], f"Holds {_plural(holding, 'open lead')} (offers included)"))
    else:
        reasons.append(
            Reason(
                POINTS["capacity_full"],
                f"Already holds {_plural(holding, 'open lead')} (offers included; {max_open} is the comfortable most)",
            )
        )
    # Past answers: speed of acceptance, then win rate on leads.
    kind, count, accepted = speed(facts)
    if kind == "fast":
        words = f"Accepts fast: {count} of {_plural(accepted, 'lead')} accepted within {FAST_HOURS} hours"
        reasons.append(Reason(POINTS["fast"], words))
    elif kind == "prompt":
        words = f"Accepts within a day: {count} of {_plural(accepted, 'lead')} accepted within {PROMPT_HOURS} hours"
        reasons.append(Reason(POINTS["prompt"], words))
    elif kind == "slow":
        words = f"Slow to accept: {count} of {_plural(accepted, 'lead')} took over {SLOW_HOURS // 24} days"
        reasons.append(Reason(POINTS["slow"], words))
    elif kind == "mixed":
        reasons.append(Reason(0, f"Accepts {count} of {_plural(accepted, 'lead')} within a day"))
    else:
        reasons.append(Reason(0, "No lead accepted yet"))
    closed = facts.leads_won + facts.leads_lost
    if closed >= MIN_CLOSED:
        rate = facts.leads_won / closed
        words = f"Won {facts.leads_won} of {closed} leads ({round(rate * 100)}%)"
        if rate >= 0.5:
            reasons.append(Reason(POINTS["win_high"], words))
        elif rate >= 0.25:
            reasons.append(Reason(POINTS["win_some"], words))
        else:
            reasons.append(Reason(0, words))
    if lead.preferred_partner_id == facts.id:
        reasons.append(Reason(POINTS["preferred"], "Chosen by the customer on the partner locator"))
    return Candidate(partner_id=facts.id, name=facts.name, score=sum(r.points for r in reasons), reasons=tuple(reasons))


def fast_score(lead: LeadProfile, facts: PartnerFacts, *, top_tier_rank: int | None, max_open: int) -> int:
    """The same total as `score_partner`, without writing the reasons: ranking scores every eligible partner this
    way and writes the reasons of the ones it shows. (A test checks the two agree.)"""
    score = static_points(matches(lead, facts), facts.tier_rank, top_tier_rank)
    score += dynamic_points(lead, facts, max_open=max_open)
    if lead.preferred_partner_id == facts.id:
        score += POINTS["preferred"]
    return score


def rank(
    lead: LeadProfile,
    facts: Iterable[PartnerFacts],
    *,
    top_tier_rank: int | None,
    max_open: int,
    limit: int | None,
    only: Iterable[int] | None = None,
) -> list[Candidate]:
    """Every partner scored and sorted best first (ties by name, then id, so the order is stable); the reasons are
    written for the first `limit` (or for the partners in `only`, each with its place in the whole ranking)."""
    keyed = sorted(
        (
            (-fast_score(lead, f, top_tier_rank=top_tier_rank, max_open=max_open), f.name.lower(), f.id, f)
            for f in facts
        ),
        key=lambda k: k[:3],
    )
    if only is not None:
        wanted = set(only)
        chosen = [(position, k[3]) for position, k in enumerate(keyed, start=1) if k[2] in wanted]
    else:
        chosen = list(enumerate(keyed if limit is None else keyed[:limit], start=1))
        chosen = [(position, k[3]) for position, k in chosen]
    out = []
    for position, f in chosen:
        c = score_partner(lead, f, top_tier_rank=top_tier_rank, max_open=max_open)
        out.append(Candidate(c.partner_id, c.name, c.score, c.reasons, rank=position))
    return out


# --- The query layer -----------------------------------------------------------------------------------------------


def lead_profile(lead) -> LeadProfile:
    """The profile of a saved lead (one query for its products)."""
    products = tuple(lead.products.order_by("name").values_list("name", flat=True)) if lead.pk else ()
    country = str(lead.country or "")
    return LeadProfile(
        country=country,
        country_name=lead.country.name if country else "",
        industry=lead.industry,
        size=lead.size,
        products=products,
        preferred_partner_id=lead.preferred_partner_id,
    )


def _json_list_has(field_name: str, value: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def eligible_partners(profile: LeadProfile, *, exclude: Iterable[int] = ()):
    """Active partners that cover the lead's country or work in its region (without a country: that sell into its
    industry; all active ones when the lead says neither), plus the partner the customer chose, minus `exclude`."""
    from partners.models import Partner

    partners = Partner.objects.filter(status=Partner.Status.ACTIVE)
    reach = Q()
    if profile.country:
        reach |= Q(countries__contains=profile.country)
    if profile.region:
        reach |= _json_list_has("regions", profile.region)
    if not profile.country and profile.industry.strip():
        reach |= Q(verticals__icontains=profile.industry.strip())
    if profile.preferred_partner_id:
        reach |= Q(pk=profile.preferred_partner_id)
    if reach:
        partners = partners.filter(reach)
    excluded = list(exclude)
    if excluded:
        partners = partners.exclude(pk__in=excluded)
    return partners


def _flag(condition: Q | None) -> ExpressionWrapper | Value:
    return ExpressionWrapper(condition, output_field=BooleanField()) if condition is not None else Value(False)


def _partner_rows(profile: LeadProfile, partners):
    """(id, name, covers the country, works in the region, sells into the industry, serves the size, tier name,
    tier rank) of each partner: the database answers the four questions (no JSON decoded here)."""
    industry = profile.industry.strip()
    annotated = partners.annotate(
        _country=_flag(Q(countries__contains=profile.country) if profile.country else None),
        _region=_flag(_json_list_has("regions", profile.region) if profile.region else None),
        _vertical=_flag(Q(verticals__icontains=industry) if industry else None),
        _segment=_flag(_json_list_has("segments", profile.size) if profile.size else None),
    )
    return annotated.values_list(
        "pk", "name", "_country", "_region", "_vertical", "_segment", "tier__name", "tier__rank"
    ).order_by()


@dataclass
class _History:
    """The partners' lead history and certifications, by partner id (only partners that have some)."""

    open_offers: dict[int, int] = field(default_factory=dict)
    accepts: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    outcomes: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # held, won, lost
    certified: dict[int, dict[str, int]] = field(default_factory=dict)

    def partner_ids(self) -> set[int]:
        return {*self.open_offers, *self.accepts, *self.outcomes, *self.certified}

    def facts(self, row: tuple) -> PartnerFacts:
        pk, name, country, region, vertical, segment, tier_name, tier_rank = row
        held, won, lost = self.outcomes.get(pk, (0, 0, 0))
        return PartnerFacts(
            id=pk,
            name=name,
            tier_name=tier_name or "",
            tier_rank=tier_rank,
            certified=self.certified.get(pk, {}),
            held=held,
            open_offers=self.open_offers.get(pk, 0),
            accepts=self.accepts.get(pk, (0, 0, 0, 0)),
            leads_won=won,
            leads_lost=lost,
            match=(bool(country), bool(region), bool(vertical), bool(segment)),
        )


def _history(profile: LeadProfile, wanted: set[int]) -> _History:
    """The lead history of the partners in `wanted`, in three queries whatever their number: open offers and the
    offers accepted in the last year, the leads held or closed in the last year, the valid certifications on the
    lead's products. Each query reads the program's rows by their own indexes (status, time, product) and keeps the
    wanted partners' here: joining the eligible partners again would cost more than the rows it saves."""
    from enablement.models import CertificationAward
    from leads.models import Lead, LeadOffer

    found = _History()
    since = timezone.now() - HISTORY
    # Open offers (capacity) and the offers accepted in the last year (speed), counted per partner in one query.
    accepted = Q(status=LeadOffer.Status.ACCEPTED)
    offers = (
        LeadOffer.objects.filter(Q(status=LeadOffer.Status.OFFERED) | Q(accepted, responded_at__gte=since))
        .values("partner_id")
        .annotate(
            open=Count("pk", filter=Q(status=LeadOffer.Status.OFFERED)),
            accepted=Count("pk", filter=accepted),
            fast=Count("pk", filter=accepted & Q(responded_at__lte=F("offered_at") + timedelta(hours=FAST_HOURS))),
            prompt=Count("pk", filter=accepted & Q(responded_at__lte=F("offered_at") + timedelta(hours=PROMPT_HOURS))),
            slow=Count("pk", filter=accepted & Q(responded_at__gt=F("offered_at") + timedelta(hours=SLOW_HOURS))),
        )
        .order_by()
    )
    for row in offers:
        partner_id = row["partner_id"]
        if partner_id not in wanted:
            continue
        if row["open"]:
            found.open_offers[partner_id] = row["open"]
        if row["accepted"]:
            found.accepts[partner_id] = (row["accepted"], row["fast"], row["prompt"], row["slow"])
    outcomes = (
        Lead.objects.filter(partner__isnull=False)
        .filter(Q(status__in=Lead.HELD) | Q(status__in=[Lead.Status.WON, Lead.Status.LOST], closed_at__gte=since))
        .values("partner_id")
        .annotate(
            held=Count("pk", filter=Q(status__in=Lead.HELD)),
            won=Count("pk", filter=Q(status=Lead.Status.WON)),
            lost=Count("pk", filter=Q(status=Lead.Status.LOST)),
        )
        .order_by()
    )
    for row in outcomes:
        if row["partner_id"] in wanted:
            found.outcomes[row["partner_id"]] = (row["held"], row["won"], row["lost"])
    if profile.products:
        by_product = Q()
        for product in profile.products:
            by_product |= Q(certification__courses__product__iexact=product)
        awards = (
            CertificationAward.objects.filter(
                by_product,
                revoked_at__isnull=True,
                expires_at__gte=timezone.localdate(),
                certification__is_active=True,
            )
            .values("partner_id", "certification__courses__product")
            .annotate(people=Count("user_id", distinct=True))
            .order_by()
        )
        for row in awards:
            if row["partner_id"] not in wanted:
                continue
            held = found.certified.setdefault(row["partner_id"], {})
            key = str(row["certification__courses__product"]).lower()
            held[key] = max(held.get(key, 0), row["people"])
    return found


def gather_facts(profile: LeadProfile, partners) -> list[PartnerFacts]:
    """Every partner's facts in four queries whatever their number (see `_partner_rows` and `_history`)."""
    rows = list(_partner_rows(profile, partners))
    if not rows:
        return []
    history = _history(profile, {row[0] for row in rows})
    return [history.facts(row) for row in rows]


def top_tier_rank() -> int | None:
    from partners.models import Tier

    return Tier.objects.aggregate(top=Max("rank"))["top"]


def rank_partners(lead, *, limit: int | None = 20, settings=None, only: Iterable[int] | None = None) -> list[Candidate]:
    """The eligible partners for a saved lead, best first, at most `limit` (with `only`: those partners, each with
    its place in the ranking). Seven queries whatever the number of partners. Every eligible partner is scored from
    the database's answers and a few numbers (no per-partner objects); the reasons are written for those returned."""
    from leads.models import LeadOffer
    from leads.services.settings import distribution_settings

    settings = settings or distribution_settings()
    profile = lead_profile(lead)
    # Declined or let it expire: not asked again. An open offer: listed apart.
    exclude = set(
        LeadOffer.objects.filter(
            lead=lead,
            status__in=[LeadOffer.Status.DECLINED, LeadOffer.Status.EXPIRED, LeadOffer.Status.OFFERED],
        ).values_list("partner_id", flat=True)
    )
    partners = eligible_partners(profile, exclude=exclude)
    rows = list(_partner_rows(profile, partners))
    if not rows:
        return []
    by_row = {row[0]: row for row in rows}
    history = _history(profile, set(by_row))
    top = top_tier_rank()
    max_open = settings.max_open_leads
    # Points from history for the partners that have some; every other partner holds nothing (free capacity).
    dynamic = {
        pk: dynamic_points(profile, history.facts(by_row[pk]), max_open=max_open)
        for pk in history.partner_ids()
        if pk in by_row
    }
    free = POINTS["capacity_free"]
    preferred = profile.preferred_partner_id
    tier_points = {}
    keyed = []
    for row in rows:
        pk, name, country, region, vertical, segment, _, tier_rank = row
        if tier_rank not in tier_points:
            tier_points[tier_rank] = static_points((False, False, False, False), tier_rank, top)
        score = (
            (POINTS["country"] if country else POINTS["region"] if region else 0)
            + (POINTS["vertical"] if vertical else 0)
            + (POINTS["segment"] if segment else 0)
            + tier_points[tier_rank]
            + dynamic.get(pk, free)
            + (POINTS["preferred"] if pk == preferred else 0)
        )
        keyed.append((-score, name.lower(), pk))
    keyed.sort()
    if only is not None:
        wanted = set(only)
        chosen = [(position, key[2]) for position, key in enumerate(keyed, start=1) if key[2] in wanted]
    else:
        chosen = list(enumerate((key[2] for key in (keyed if limit is None else keyed[:limit])), start=1))
    out = []
    for position, pk in chosen:
        c = score_partner(profile, history.facts(by_row[pk]), top_tier_rank=top, max_open=max_open)
        out.append(Candidate(c.partner_id, c.name, c.score, c.reasons, rank=position))
    return out
