"""Personal enablement (issue 18, item 6): the next courses and content for one partner user, each with the reason
it is recommended.

Two halves, like insights/health.py:
- `rank(items, facts)` is pure: the courses and assets the person may see and the facts about them in, the ranked
  recommendations with their reasons out. Every rule is here, so the tests work the answers out by hand.
- `gather(user, partner)` reads the facts in a fixed number of queries, all scoped to the person and their own
  company: another partner's people, awards or deals never feed the list.

Reasons and points (an item collects every reason that applies; highest total first):
- a certification of theirs expires within EXPIRING_SOON_DAYS (or expired in the last EXPIRED_RECENT_DAYS): its
  renewal course, or its path's courses when it has none: 50 ("Your Security Specialist certificate expires on
  12 Jan 2027");
- their company needs more certified people for the next tier, and they are not certified: the courses of the
  certification paths they do not hold, 40 (+5 when the path is for their role) ("Your company needs 2 more
  certified people for Gold");
- products in their open deal registrations: courses and content about that product, 30, +5 per further deal up
  to 45 ("You have 2 open deals with Product X");
- a course they started and have not finished: 20 ("You are 40% through it");
- their company needs more approved deal registrations for the next tier: sales courses and content, for sellers
  and admins, 10 ("Your company needs 3 more approved deal registrations for Gold");
- made for their role: 15 ("Made for sales people"); for everyone: 5 ("For every role"), only with another
  reason or when nothing else is left to suggest.
Completed courses and content already opened are left out, except a course that renews their certification;
renewal courses are only for the people whose certification they renew.
Courses made for another role are left out unless another reason brings them in.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from enablement.models import EXPIRING_SOON_DAYS, Asset, AssetView, CertificationAward, Enrollment, Role

EXPIRED_RECENT_DAYS = 90
POINTS_EXPIRY = 50
POINTS_TIER_CERT = 40
POINTS_PATH_ROLE = 5
POINTS_DEAL = 30
POINTS_DEAL_MORE = 5
POINTS_DEAL_MAX = 45
POINTS_IN_PROGRESS = 20
POINTS_TIER_SALES = 10
POINTS_ROLE = 15
POINTS_EVERYONE = 5
HOME_LIMIT = 5
PAGE_LIMIT = 12

# --- Products of open deals: dealreg registers `func(partner_id=..., user_id=...) -> {product name: deals}` -------

DealProducts = Callable[..., dict[str, int]]
_DEALS: dict[str, DealProducts] = {}


def register_deal_products(func: DealProducts) -> DealProducts:
    _DEALS["deals"] = func
    return func


def unregister_deal_products() -> None:
    _DEALS.pop("deals", None)


# --- Facts --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A course or a piece of content the person may see."""

    kind: str  # "course" | "asset"
    pk: int
    title: str
    url: str
    roles: tuple[str, ...] = ()  # empty: for everyone
    product: str = ""
    meta: str = ""  # "4 lessons · about 30 min", "Video"
    is_renewal: bool = False  # a course that renews a certification: only for the people whose one expires


@dataclass(frozen=True)
class Expiry:
    certification: str
    expires_on: date
    course_ids: tuple[int, ...]  # its renewal course, else its path's courses


@dataclass(frozen=True)
class Path:
    certification: str
    role: str
    course_ids: tuple[int, ...]


@dataclass(frozen=True)
class Gap:
    kind: str  # TierRequirement.Kind value
    missing: Decimal
    tier: str
    words: str  # "2 more certified people"


@dataclass(frozen=True)
class Facts:
    role: str
    today: date
    completed: frozenset[int] = frozenset()  # course ids
    progress: dict[int, int] = field(default_factory=dict)  # course id → percent, started and not finished
    viewed: frozenset[int] = frozenset()  # asset ids
    certified: bool = False  # holds a valid award
    held: frozenset[str] = frozenset()  # names of certifications held (valid)
    paths: tuple[Path, ...] = ()
    expiring: tuple[Expiry, ...] = ()
    gaps: tuple[Gap, ...] = ()
    deal_products: dict[str, int] = field(default_factory=dict)  # product name → open deals


@dataclass(frozen=True)
class Reason:
    text: str
    points: int


@dataclass(frozen=True)
class Recommendation:
    item: Item
    reasons: tuple[Reason, ...]

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)

    @property
    def reason(self) -> str:
        """The strongest reason, for a one-line list."""
        return max(self.reasons, key=lambda r: r.points).text


ROLE_WORDS = {Role.SALES: "sales people", Role.TECHNICAL: "technical people", Role.MARKETING: "marketing people"}


def _day(day: date) -> str:
    return date_format(day, "j M Y")


def _deals(n: int) -> str:
    return "1 open deal" if n == 1 else f"{n} open deals"


def rank(items: list[Item], facts: Facts, *, limit: int = PAGE_LIMIT) -> list[Recommendation]:
    """The items worth recommending to the person, best first, each with its reasons. Pure."""
    renewing: dict[int, list[Expiry]] = {}
    for expiry in facts.expiring:
        for pk in expiry.course_ids:
            renewing.setdefault(pk, []).append(expiry)
    cert_gap = next((g for g in facts.gaps if g.kind == "certified_people"), None)
    sales_gaps = [g for g in facts.gaps if g.kind == "approved_registrations"]
    path_of: dict[int, list[Path]] = {}
    if cert_gap is not None and not facts.certified:
        for path in facts.paths:
            if path.certification not in facts.held:
                for pk in path.course_ids:
                    path_of.setdefault(pk, []).append(path)
    products = {name.casefold(): (name, n) for name, n in facts.deal_products.items() if n > 0}

    found: list[Recommendation] = []
    for item in items:
        is_course = item.kind == "course"
        renews = renewing.get(item.pk, []) if is_course else []
        if is_course and (item.pk in facts.completed or item.is_renewal) and not renews:
            continue
        if not is_course and item.pk in facts.viewed:
            continue
        reasons: list[Reason] = []
        for expiry in renews[:1]:
            verb = "expired on" if expiry.expires_on < facts.today else "expires on"
            text = f"Your {expiry.certification} certificate {verb} {_day(expiry.expires_on)}"
            reasons.append(Reason(text, POINTS_EXPIRY))
        if is_course and item.pk in path_of and cert_gap is not None:
            bonus = POINTS_PATH_ROLE if any(p.role == facts.role for p in path_of[item.pk]) else 0
            text = f"Your company needs {cert_gap.words} for {cert_gap.tier}: this leads to "
            reasons.append(Reason(text + path_of[item.pk][0].certification, POINTS_TIER_CERT + bonus))
        if item.product and item.product.casefold() in products:
            _, n = products[item.product.casefold()]
            points = min(POINTS_DEAL_MAX, POINTS_DEAL + POINTS_DEAL_MORE * (n - 1))
            reasons.append(Reason(f"You have {_deals(n)} with {item.product}", points))
        if is_course and item.pk in facts.progress:
            reasons.append(Reason(f"You are {facts.progress[item.pk]}% through it", POINTS_IN_PROGRESS))
        if sales_gaps and facts.role in ("sales", "admin") and "sales" in item.roles:
            gap = sales_gaps[0]
            reasons.append(Reason(f"Your company needs {gap.words} for {gap.tier}", POINTS_TIER_SALES))
        if facts.role in item.roles:
            reasons.append(Reason(f"Made for {ROLE_WORDS.get(facts.role, facts.role)}", POINTS_ROLE))
        elif not item.roles:
            reasons.append(Reason("For every role", POINTS_EVERYONE))
        elif not reasons:
            continue  # made for another role, and nothing else brings it in
        found.append(Recommendation(item, tuple(reasons)))
    # An item whose only reason is being for everyone fills the list only when nothing better is left.
    strong = [r for r in found if r.score > POINTS_EVERYONE]
    weak = [r for r in found if r.score <= POINTS_EVERYONE]
    key = lambda r: (-r.score, r.item.kind != "course", r.item.title.casefold(), r.item.pk)  # noqa: E731
    return (sorted(strong, key=key) + sorted(weak, key=key))[:limit]


# --- Gathering ----------------------------------------------------------------------------------------------------


def _gap_words(kind: str, missing: Decimal) -> str:
    n = int(missing) if missing == missing.to_integral_value() else missing
    if kind == "certified_people":
        return "1 more certified person" if n == 1 else f"{n} more certified people"
    return "1 more approved deal registration" if n == 1 else f"{n} more approved deal registrations"


# The next tier's requirements a person can help with through training: certified people (take a path) and approved
# registrations (sales content). Won revenue is money, not a course: left out, and never measured here.
GAP_KINDS = ("certified_people", "approved_registrations")


def _gaps(partner: Any, now) -> tuple[Gap, ...]:
    """What the partner's next tier still needs of GAP_KINDS, measured like the tier evaluation (partners.metrics,
    the same 12-month window): two queries for the tiers, one per measured kind."""
    from partners.metrics import WINDOW, metric_values
    from partners.models import Tier

    tiers = list(Tier.objects.order_by("rank").prefetch_related("requirements"))
    current = next((t for t in tiers if t.pk == partner.tier_id), None)
    following = next((t for t in tiers if current is None or t.rank > current.rank), None)
    if following is None:
        return ()
    gaps = []
    for requirement in following.requirements.all():
        if requirement.kind not in GAP_KINDS or not requirement.threshold:
            continue
        values, tracked = metric_values(requirement.kind, [partner.pk], now - WINDOW)
        missing = requirement.threshold - values[partner.pk]
        if tracked and missing > 0:
            gaps.append(Gap(requirement.kind, missing, following.name, _gap_words(requirement.kind, missing)))
    return tuple(gaps)


def gather(*, user: Any, partner: Any, membership: Any, now=None) -> tuple[list[Item], Facts]:
    """The items `user` (a member of `partner`) may see and the facts about them, in a fixed number of queries."""
    from enablement import selectors

    now = now or timezone.now()
    today = timezone.localdate(now)
    courses = list(selectors.courses_for(partner=partner))
    items = [
        Item(
            kind="course",
            pk=c.pk,
            title=c.title,
            url=reverse("portal:training_course", args=[c.slug]),
            roles=(c.role,) if c.role else (),
            product=c.product,
            meta=f"{'Renewal · ' if c.is_renewal else ''}{c.lesson_count} lesson{'s' if c.lesson_count != 1 else ''}"
            f" · about {c.estimated_minutes} min",
            is_renewal=c.is_renewal,
        )
        for c in courses
    ]
    assets = selectors._visible(Asset.objects.all(), partner).only("pk", "title", "kind", "roles", "product")
    items += [
        Item(
            kind="asset",
            pk=a.pk,
            title=a.title,
            url=reverse("portal:training_asset", args=[a.pk]),
            roles=tuple(a.roles or ()),
            product=a.product,
            meta=a.get_kind_display(),
        )
        for a in assets
    ]
    enrollments = list(selectors._with_progress(Enrollment.objects.filter(user=user, partner=partner)))
    awards = list(
        CertificationAward.objects.filter(user=user, partner=partner, renewed_by__isnull=True, revoked_at__isnull=True)
        .select_related("certification", "certification__renewal_course")
        .prefetch_related("certification__courses")
    )
    held = frozenset(a.certification.name for a in awards if a.is_valid_on(today))
    expiring = []
    visible_ids = {c.pk for c in courses}
    for award in awards:
        days = (award.expires_at - today).days
        if not (-EXPIRED_RECENT_DAYS <= days <= EXPIRING_SOON_DAYS) or not award.certification.is_active:
            continue
        renewal = award.certification.renewal_course
        ids = (renewal.pk,) if renewal is not None and renewal.pk in visible_ids else ()
        ids = ids or tuple(c.pk for c in award.certification.courses.all() if c.pk in visible_ids)
        expiring.append(Expiry(award.certification.name, award.expires_at, ids))
    paths = tuple(
        Path(c.name, c.role, tuple(course.pk for course in c.path_courses))
        for c in selectors.certification_paths_for(partner=partner)
    )
    func = _DEALS.get("deals")
    facts = Facts(
        role=membership.role,
        today=today,
        completed=frozenset(e.course_id for e in enrollments if e.is_completed),
        progress={e.course_id: e.progress_percent for e in enrollments if not e.is_completed},
        viewed=frozenset(AssetView.objects.filter(user=user, partner=partner).values_list("asset_id", flat=True)),
        certified=bool(held),
        held=held,
        paths=paths,
        expiring=tuple(expiring),
        gaps=_gaps(partner, now),
        deal_products=func(partner_id=partner.pk, user_id=user.pk) if func is not None else {},
    )
    return items, facts


def recommendations_for(*, user: Any, partner: Any, membership: Any, limit: int = PAGE_LIMIT) -> list[Recommendation]:
    items, facts = gather(user=user, partner=partner, membership=membership)
    return rank(items, facts, limit=limit)


def portal_panel(partner: Any, user: Any):
    """The portal home's "Next for you" panel: the top HOME_LIMIT, each with its strongest reason."""
    from partners.hooks import Panel, PanelItem

    membership = getattr(user, "membership", None)
    if membership is None or membership.partner_id != partner.pk or not membership.is_active:
        return None
    found = recommendations_for(user=user, partner=partner, membership=membership, limit=HOME_LIMIT)
    if not found:
        return None
    items = [PanelItem(title=r.item.title, meta=r.item.meta, text=r.reason, url=r.item.url) for r in found]
    return Panel(
        "Next for you in training",
        items,
        note="Picked for your role, your company's next tier, your certificates and your open deals.",
        url=reverse("portal:training") + "#recommended",
        link_label="All recommendations",
        key="next-training",
    )


def register() -> None:
    from partners.hooks import register_portal_panel

    register_portal_panel("next-training", portal_panel, per_user=True)
