"""Ideal-partner fit (issue 18, item 5): how much an applicant or a prospect looks like the program's best partners
and like the partner types the program's PMI stage should recruit, as a 0–100 score with its reasons.

Two halves, like insights/health.py:
- `build_profile(best, stage)` and `score_fit(candidate, profile)` are pure: facts in, profile and score out, so the
  tests work the answers out by hand.
- `best_partners()` and `ideal_profile()` gather the facts in a fixed number of queries.

The best partners are the active partners with won revenue in the last 12 months, ranked by a value that mixes
revenue (60%), activation speed (20%) and health (20%), the BEST_SIZE first. `partners` knows none of the apps
that own those numbers: won revenue comes through `partners.metrics` (the tier requirement's provider, registered
by insights) and health through `register_health_source` below (insights registers its health score), so this
module never imports upward. With neither registered the profile is empty and only the stage speaks.

Points (they add up to 100): type 30, the stage's recommended types 15, regions and countries 20, industries 15,
segments 10, number of sellers 10. A part the best partners say nothing about (none records its sellers) is left
out, and the score is the share of the points that could be judged: "judged on 90 of 100 points".
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partners.models import Partner, Program

BEST_SIZE = 5  # "4 of your 5 best partners are VARs"
POOL_SIZE = 25  # partners with the most revenue whose health and speed are read to pick the best
REVENUE_WINDOW = timedelta(days=365)
SLOW_ACTIVATION_DAYS = 180  # activating this slowly (or slower) earns nothing for speed
WEIGHTS = {"revenue": Decimal("0.6"), "speed": Decimal("0.2"), "health": Decimal("0.2")}

POINTS_TYPE = 30
POINTS_STAGE = 15
POINTS_REACH = 20
POINTS_VERTICALS = 15
POINTS_SEGMENTS = 10
POINTS_SELLERS = 10

# DOMAIN.md's PMI table: the partner profiles each stage should prioritise, and why.
STAGE_NAMES = {
    Program.Stage.VALIDATION: "Validation",
    Program.Stage.EXPANSION: "Expansion",
    Program.Stage.ECOSYSTEM: "Ecosystem growth",
    Program.Stage.GLOBAL: "Global orchestration",
}
STAGE_TYPES: dict[int, tuple[str, ...]] = {
    Program.Stage.VALIDATION: (Partner.Type.DESIGN, Partner.Type.ALLIANCE, Partner.Type.VAR),
    Program.Stage.EXPANSION: (Partner.Type.VAR, Partner.Type.SI, Partner.Type.RESELLER, Partner.Type.ALLIANCE),
    Program.Stage.ECOSYSTEM: (
        Partner.Type.ALLIANCE,
        Partner.Type.DISTRIBUTOR,
        Partner.Type.GSI,
        Partner.Type.ISV,
    ),
    # "Tiered partners across all routes": every type that sells, delivers or distributes.
    Program.Stage.GLOBAL: (
        Partner.Type.GSI,
        Partner.Type.SI,
        Partner.Type.ISV,
        Partner.Type.RESELLER,
        Partner.Type.DISTRIBUTOR,
        Partner.Type.VAR,
        Partner.Type.MSP,
        Partner.Type.ALLIANCE,
        Partner.Type.MARKETPLACE,
    ),
}

# --- The health source ------------------------------------------------------------------------------------------
# insights owns partner health; it registers `func(partner_ids) -> {partner_id: Health or int}` in its ready().

HealthSource = Callable[[list[int]], Mapping[int, Any]]
_HEALTH: dict[str, HealthSource] = {}


def register_health_source(func: HealthSource) -> HealthSource:
    """Make `func` the source of partner health scores (0–100) for picking the best partners."""
    _HEALTH["health"] = func
    return func


def unregister_health_source() -> None:
    _HEALTH.pop("health", None)


def _health_scores(partner_ids: list[int]) -> dict[int, int]:
    func = _HEALTH.get("health")
    if func is None or not partner_ids:
        return {}
    found = {}
    for pk, value in func(partner_ids).items():
        score = getattr(value, "score", value)
        if score is not None:
            found[pk] = int(score)
    return found


# --- Facts ------------------------------------------------------------------------------------------------------


def _codes(values: Iterable[Any] | None) -> tuple[str, ...]:
    """Country codes from a CountryField (Country objects) or a JSON list (strings), upper-case."""
    return tuple(str(getattr(v, "code", v)).upper() for v in values or () if str(getattr(v, "code", v)))


def _words(values: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in values or () if str(v).strip())


@dataclass(frozen=True)
class Candidate:
    """What fit reads of an applicant or a prospect."""

    type: str
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    verticals: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    seller_count: int | None = None

    @classmethod
    def of(cls, obj: Any) -> "Candidate":
        """A Partner (an applicant) or a Prospect."""
        return cls(
            type=obj.type,
            regions=_words(obj.regions),
            countries=_codes(obj.countries),
            verticals=_words(obj.verticals),
            segments=_words(obj.segments),
            seller_count=obj.seller_count,
        )


@dataclass(frozen=True)
class BestPartner:
    """One partner the profile learns from, with why it is among the best."""

    pk: int
    name: str
    candidate: Candidate
    won_revenue: Decimal = Decimal(0)
    days_to_activate: int | None = None
    health: int | None = None
    value: Decimal = Decimal(0)  # 0–1: the mix of revenue, speed and health it was ranked by

    @property
    def type_label(self) -> str:
        return _label(Partner.Type, self.candidate.type)


def partner_value(*, revenue: Decimal, top_revenue: Decimal, days: int | None, health: int | None) -> Decimal:
    """0–1: revenue as a share of the top partner's (60%), activation speed (20%: activated the day it was
    approved 1, in SLOW_ACTIVATION_DAYS or more 0, unknown 0) and health (20%: score / 100, unknown 0.5)."""
    revenue_part = revenue / top_revenue if top_revenue > 0 else Decimal(0)
    speed = Decimal(0) if days is None else Decimal(max(0, SLOW_ACTIVATION_DAYS - days)) / SLOW_ACTIVATION_DAYS
    health_part = Decimal("0.5") if health is None else Decimal(health) / 100
    value = WEIGHTS["revenue"] * revenue_part + WEIGHTS["speed"] * speed + WEIGHTS["health"] * health_part
    return value.quantize(Decimal("0.0001"))


def rank_best(pool: list[BestPartner], size: int = BEST_SIZE) -> list[BestPartner]:
    """The `size` best of `pool` (partners with won revenue): highest value first, then revenue, then id."""
    top = max((p.won_revenue for p in pool), default=Decimal(0))
    valued = [
        BestPartner(
            **{
                **p.__dict__,
                "value": partner_value(
                    revenue=p.won_revenue, top_revenue=top, days=p.days_to_activate, health=p.health
                ),
            }
        )
        for p in pool
        if p.won_revenue > 0
    ]
    valued.sort(key=lambda p: (-p.value, -p.won_revenue, p.pk))
    return valued[:size]


# --- The profile ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdealProfile:
    best: list[BestPartner]
    stage: int
    types: Counter = field(default_factory=Counter)
    regions: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    verticals: Counter = field(default_factory=Counter)  # keyed by casefolded industry
    vertical_names: dict[str, str] = field(default_factory=dict)  # casefolded → as first written
    segments: Counter = field(default_factory=Counter)
    sellers: tuple[int, int] | None = None  # the best partners' smallest and largest seller count
    with_sellers: int = 0

    @property
    def size(self) -> int:
        return len(self.best)

    @property
    def stage_name(self) -> str:
        return STAGE_NAMES.get(self.stage, STAGE_NAMES[Program.Stage.VALIDATION])

    @property
    def recommended_types(self) -> tuple[str, ...]:
        return STAGE_TYPES.get(self.stage, STAGE_TYPES[Program.Stage.VALIDATION])

    def summary(self) -> list[str]:
        """The profile in words, for the manager's pages."""
        if not self.best:
            return ["No partner has won revenue in the last 12 months yet: fit is judged on your stage alone."]
        lines = []
        kind, n = self.types.most_common(1)[0]
        if n * 2 > self.size:
            lines.append(f"Mostly {_type_plural(kind)} ({n} of {self.size})")
        else:
            lines.append("Types: " + ", ".join(f"{_type_short(k)} ({c})" for k, c in self.types.most_common(4)))
        if self.regions:
            lines.append("Regions: " + ", ".join(_region(r) for r, _ in self.regions.most_common(3)))
        if self.verticals:
            lines.append("Industries: " + ", ".join(self.vertical_names[v] for v, _ in self.verticals.most_common(3)))
        if self.segments:
            lines.append("Segments: " + ", ".join(_segment(s) for s, _ in self.segments.most_common(3)))
        if self.sellers:
            lines.append(f"Sellers: {_range(self.sellers)}")
        return lines


def build_profile(best: list[BestPartner], stage: int) -> IdealProfile:
    """What the best partners have in common: how many of them have each type, region, country, industry and
    segment, and the range of their seller counts."""
    types, regions, countries, verticals, segments = Counter(), Counter(), Counter(), Counter(), Counter()
    names: dict[str, str] = {}
    sellers = []
    for p in best:
        c = p.candidate
        types[c.type] += 1
        regions.update(set(c.regions))
        countries.update(set(c.countries))
        for v in c.verticals:
            names.setdefault(v.casefold(), v)
        verticals.update({v.casefold() for v in c.verticals})
        segments.update(set(c.segments))
        if c.seller_count is not None:
            sellers.append(c.seller_count)
    return IdealProfile(
        best=list(best),
        stage=stage,
        types=types,
        regions=regions,
        countries=countries,
        verticals=verticals,
        vertical_names=names,
        segments=segments,
        sellers=(min(sellers), max(sellers)) if sellers else None,
        with_sellers=len(sellers),
    )


# --- The score --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    text: str
    points: int
    out_of: int

    @property
    def signed(self) -> str:
        return f"+{self.points}" if self.points > 0 else "0"

    def __str__(self) -> str:
        return f"{self.text} ({self.signed} of {self.out_of})"


@dataclass(frozen=True)
class Fit:
    score: int  # 0–100
    reasons: list[Reason]
    judged: int  # how many of the 100 points could be judged
    note: str = ""

    @property
    def band(self) -> str:
        return "strong" if self.score >= 70 else "fair" if self.score >= 40 else "weak"

    @property
    def band_label(self) -> str:
        return {"strong": "Strong fit", "fair": "Fair fit", "weak": "Weak fit"}[self.band]

    @property
    def top_reasons(self) -> list[Reason]:
        """The reasons that earned points, most first (then the rest), for a short list."""
        return sorted(self.reasons, key=lambda r: -r.points)[:3]


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _type_plural(kind: str) -> str:
    short = {Partner.Type.VAR: "VAR", Partner.Type.GSI: "GSI", Partner.Type.SI: "SI", Partner.Type.MSP: "MSP"}
    if kind in short:
        return f"{short[kind]}s"
    label = _label(Partner.Type, kind)
    return label if label.endswith("s") else f"{label}s"


def _type_short(kind: str) -> str:
    short = {Partner.Type.VAR: "VAR", Partner.Type.GSI: "GSI", Partner.Type.SI: "SI", Partner.Type.MSP: "MSP"}
    return short.get(kind, _label(Partner.Type, kind))


def _region(value: str) -> str:
    return _label(Partner.Region, value)


def _segment(value: str) -> str:
    return _label(Partner.Segment, value)


def _range(sellers: tuple[int, int]) -> str:
    low, high = sellers
    return f"{low}" if low == high else f"{low}–{high}"


def _of_best(n: int, size: int) -> str:
    return "all" if n == size and size > 1 else f"{n}"


def _points(share_count: int, size: int, out_of: int) -> int:
    return round(out_of * share_count / size) if size else 0


def _country_name(code: str) -> str:
    from django_countries import countries

    return countries.name(code) or code


def score_fit(candidate: Candidate, profile: IdealProfile) -> Fit:
    """How much `candidate` looks like the profile's best partners and the stage's recommended types, 0–100, with a
    reason per part. Pure."""
    reasons: list[Reason] = []
    size = profile.size
    judged = POINTS_STAGE
    left_out: list[str] = []

    # Type: the share of the best partners of the same type.
    if size:
        judged += POINTS_TYPE
        n = profile.types.get(candidate.type, 0)
        kind = _type_short(candidate.type)
        if n and size == 1:
            text = f"Type {kind}: like your best partner"
        elif n == 1:
            text = f"Type {kind}: 1 of your {size} best partners has this type"
        elif n:
            text = f"Type {kind}: {_of_best(n, size)} of your {size} best partners are {_type_plural(candidate.type)}"
        else:
            text = f"Type {kind}: none of your {size} best partners is one"
        reasons.append(Reason(text, _points(n, size, POINTS_TYPE), POINTS_TYPE))

    # The stage's recommended types.
    if candidate.type in profile.recommended_types:
        reasons.append(Reason(f"Recommended type for your stage ({profile.stage_name})", POINTS_STAGE, POINTS_STAGE))
    else:
        reasons.append(Reason(f"Not a type your stage ({profile.stage_name}) recommends", 0, POINTS_STAGE))

    # Reach: the best partners sharing a region or a country with it.
    if size and (profile.regions or profile.countries):
        judged += POINTS_REACH
        if not candidate.regions and not candidate.countries:
            reasons.append(Reason("Regions and countries not given", 0, POINTS_REACH))
        else:
            regions, countries = set(candidate.regions), set(candidate.countries)
            sharing = [
                p for p in profile.best if regions & set(p.candidate.regions) or countries & set(p.candidate.countries)
            ]
            shared_regions = [r for r in candidate.regions if profile.regions.get(r)]
            shared_countries = [c for c in candidate.countries if profile.countries.get(c)]
            places = [_region(r) for r in shared_regions] + [_country_name(c) for c in shared_countries]
            if sharing:
                text = f"Covers {', '.join(places[:3])} like {_of_best(len(sharing), size)} of your best"
            else:
                text = "Covers none of the regions or countries of your best partners"
            reasons.append(Reason(text, _points(len(sharing), size, POINTS_REACH), POINTS_REACH))
    elif size:
        left_out.append("regions")

    # Industries.
    if size and profile.verticals:
        judged += POINTS_VERTICALS
        mine = {v.casefold(): v for v in candidate.verticals}
        if not mine:
            reasons.append(Reason("Industries not given", 0, POINTS_VERTICALS))
        else:
            sharing = [p for p in profile.best if set(mine) & {v.casefold() for v in p.candidate.verticals}]
            shared = [profile.vertical_names[v] for v in mine if profile.verticals.get(v)]
            if sharing:
                text = f"Sells into {', '.join(shared[:3])} like {_of_best(len(sharing), size)} of your best"
            else:
                text = "Sells into none of the industries of your best partners"
            reasons.append(Reason(text, _points(len(sharing), size, POINTS_VERTICALS), POINTS_VERTICALS))
    elif size:
        left_out.append("industries")

    # Segments.
    if size and profile.segments:
        judged += POINTS_SEGMENTS
        if not candidate.segments:
            reasons.append(Reason("Customer segments not given", 0, POINTS_SEGMENTS))
        else:
            mine_s = set(candidate.segments)
            sharing = [p for p in profile.best if mine_s & set(p.candidate.segments)]
            shared = [_segment(s) for s in candidate.segments if profile.segments.get(s)]
            if sharing:
                text = f"Serves {', '.join(shared)} like {_of_best(len(sharing), size)} of your best"
            else:
                text = "Serves none of the segments of your best partners"
            reasons.append(Reason(text, _points(len(sharing), size, POINTS_SEGMENTS), POINTS_SEGMENTS))
    elif size:
        left_out.append("segments")

    # Sellers: inside the best partners' range.
    if size and profile.sellers:
        judged += POINTS_SELLERS
        span = _range(profile.sellers)
        if candidate.seller_count is None:
            reasons.append(Reason("Number of sellers not given", 0, POINTS_SELLERS))
        elif profile.sellers[0] <= candidate.seller_count <= profile.sellers[1]:
            text = f"{candidate.seller_count} sellers, like your best partners ({span})"
            reasons.append(Reason(text, POINTS_SELLERS, POINTS_SELLERS))
        else:
            text = f"{candidate.seller_count} sellers; your best partners have {span}"
            reasons.append(Reason(text, 0, POINTS_SELLERS))
    elif size:
        left_out.append("sellers")

    earned = sum(r.points for r in reasons)
    score = round(100 * earned / judged) if judged else 0
    if not size:
        note = "No partner has won revenue in the last 12 months yet: judged on your stage alone."
    elif left_out:
        note = f"Judged on {judged} of 100 points: your best partners record no {', '.join(left_out)}."
    else:
        note = ""
    return Fit(score=max(0, min(100, score)), reasons=reasons, judged=judged, note=note)


# --- Gathering --------------------------------------------------------------------------------------------------


def best_partners(*, now: datetime | None = None, size: int = BEST_SIZE) -> list[BestPartner]:
    """The program's best partners: active partners with won revenue in the last 12 months, the POOL_SIZE with the
    most revenue valued by revenue, activation speed and health, the `size` best. A fixed number of queries."""
    from partners.metrics import metric_values

    now = now or timezone.now()
    active = list(Partner.objects.filter(status=Partner.Status.ACTIVE).values_list("pk", flat=True))
    revenue, tracked = metric_values("won_revenue", active, now - REVENUE_WINDOW)
    if not tracked:
        return []
    pool_ids = [pk for pk, amount in sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0])) if amount > 0]
    pool_ids = pool_ids[:POOL_SIZE]
    if not pool_ids:
        return []
    health = _health_scores(pool_ids)
    pool = []
    for partner in Partner.objects.filter(pk__in=pool_ids):
        delta = partner.time_to_activate
        pool.append(
            BestPartner(
                pk=partner.pk,
                name=partner.name,
                candidate=Candidate.of(partner),
                won_revenue=revenue[partner.pk],
                days_to_activate=max(0, delta.days) if delta is not None else None,
                health=health.get(partner.pk),
            )
        )
    return rank_best(pool, size)


def ideal_profile(*, now: datetime | None = None) -> IdealProfile:
    """The program's ideal-partner profile today (its best partners and its PMI stage)."""
    stage = Program.objects.filter(pk=1).values_list("pmi_stage", flat=True).first() or Program.Stage.VALIDATION
    return build_profile(best_partners(now=now), stage)


def fit_for(obj: Any, profile: IdealProfile) -> Fit:
    """The fit of a Partner (an applicant) or a Prospect."""
    return score_fit(Candidate.of(obj), profile)


# --- Customer overlap -------------------------------------------------------------------------------------------
# dealreg owns accounts and the account matcher; it registers `func(rows) -> int`: how many of the (name, website)
# rows are companies we know (the playbook's "shared customer bases"). Only the count leaves it, never a name.

CustomerMatcher = Callable[[list[tuple[str, str]]], int]
_MATCHERS: dict[str, CustomerMatcher] = {}


def register_customer_matcher(func: CustomerMatcher) -> CustomerMatcher:
    _MATCHERS["customers"] = func
    return func


def unregister_customer_matcher() -> None:
    _MATCHERS.pop("customers", None)


def customer_matcher() -> CustomerMatcher | None:
    return _MATCHERS.get("customers")
