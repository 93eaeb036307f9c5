"""The public partner locator's reads: who is listed, the search with its filters, one partner's public page.

Only ACTIVE partners whose admins turned `PublicProfile.listed` on are ever returned (`listed_partners`); everything
a visitor sees goes through it. `search_listed(**filters)` answers one page of cards in a fixed number of queries
(count, page, certified people, recognition), whatever the page size or the number of partners.

What other apps know about a partner comes without importing them at module load (`partners` sits below them):
certified people through the `certified_people` metric enablement registers (partners/metrics.py), the product
certification filter and recognition through their models, looked up when a search runs and only if the app is
installed.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import ceil

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, TextField, Window
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_countries import countries as all_countries

from partners.models import Partner, PublicProfile, Tier
from prm.search import clean_query, query_terms

PER_PAGE = 12
MAX_PER_PAGE = 50
MAX_PAGE = 10_000
# The filters' choices (countries and industries of listed partners, certifications) are cached this long.
FACETS_SECONDS = 300
FACETS_KEY = "locator:facets:v1"
RECOGNITIONS_SHOWN = 3


def listed_partners() -> QuerySet[Partner]:
    """Every partner a visitor may see: active, with a listed public profile."""
    return Partner.objects.filter(status=Partner.Status.ACTIVE, public_profile__listed=True)


# --- Cards --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """What the locator shows of one partner (its list card and the top of its page)."""

    partner_id: int
    slug: str
    name: str
    headline: str
    type: str
    type_label: str
    tier: str
    regions: list[str]
    countries: list[str]
    verticals: list[str]
    certified_people: int
    recognitions: list[str]
    logo_url: str
    url: str


@dataclass(frozen=True)
class LocatorPage:
    cards: list[Card]
    total: int
    number: int
    per_page: int
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.cards else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.cards) - 1 if self.cards else 0


# --- Filters -------------------------------------------------------------------------------------------------------

FILTERS = ("q", "country", "vertical", "type", "certification", "tier")


def _json_list_has_text(field_name: str, value: str) -> tuple[str, Q]:
    """A case-insensitive "`value` is an item of this JSON list" (free-text industries are typed by hand): the
    list's JSON text contains the item in quotes. Returns the annotation name and the condition."""
    # PostgreSQL prints jsonb text with its characters as they are; SQLite keeps Django's ASCII-escaped JSON.
    encoded = json.dumps(value, ensure_ascii=connection.vendor != "postgresql")
    return f"{field_name}_text", Q(**{f"{field_name}_text__icontains": encoded})


def _certification_holders(certification: str) -> Exists | None:
    """Partners with someone holding a valid award of `certification` (its slug or id) who still works there.
    None when enablement is not installed or no such certification exists."""
    if not apps.is_installed("enablement"):
        return None
    Certification = apps.get_model("enablement", "Certification")
    Award = apps.get_model("enablement", "CertificationAward")
    by = Q(slug=certification)
    if certification.isdigit() and len(certification) < 18:
        by |= Q(pk=int(certification))
    today = timezone.localdate()
    held = Award.objects.filter(
        partner=OuterRef("pk"),
        certification__in=Certification.objects.filter(by).values("pk"),
        revoked_at__isnull=True,
        renewed_by__isnull=True,
        expires_at__gte=today,
        user__is_active=True,
        user__membership__is_active=True,
        user__membership__partner=OuterRef("pk"),
    )
    return Exists(held)


def _tier_q(tier: str) -> Q:
    if tier.isdigit() and len(tier) < 18:
        return Q(tier_id=int(tier))
    return Q(tier__name__iexact=tier)


def clean_filters(filters: dict) -> dict[str, str]:
    """The filters as searched: known keys, strings, trimmed; a country as its code; an unknown type is dropped."""
    clean: dict[str, str] = {}
    for key in FILTERS:
        value = filters.get(key)
        if value is None:
            continue
        text = clean_query(str(value))
        if not text:
            continue
        if key == "country":
            text = text.upper()
            if text not in all_countries:
                continue
        if key == "type" and text not in Partner.Type.values:
            continue
        clean[key] = text
    return clean


def _filtered(filters: dict[str, str]) -> QuerySet[Partner]:
    partners = listed_partners()
    if country := filters.get("country"):
        # Comma-separated codes: two letters between commas never straddle two codes.
        partners = partners.filter(countries__contains=country)
    if kind := filters.get("type"):
        partners = partners.filter(type=kind)
    if tier := filters.get("tier"):
        partners = partners.filter(_tier_q(tier))
    if vertical := filters.get("vertical"):
        name, condition = _json_list_has_text("verticals", vertical)
        partners = partners.annotate(**{name: Cast("verticals", TextField())}).filter(condition)
    if certification := filters.get("certification"):
        holders = _certification_holders(certification)
        partners = partners.filter(holders) if holders is not None else partners.none()
    if q := filters.get("q"):
        for term in query_terms(q):
            partners = partners.filter(
                Q(name__icontains=term)
                | Q(public_profile__headline__icontains=term)
                | Q(public_profile__description__icontains=term)
            )
    return partners


# --- What other apps know ----------------------------------------------------------------------------------------


def certified_people(partner_ids: list[int]) -> dict[int, int]:
    """People holding a valid certification, per partner (one query; 0 while enablement is not there)."""
    from partners.metrics import metric_values

    values, _tracked = metric_values("certified_people", partner_ids, timezone.now())
    return {pk: int(value) for pk, value in values.items()}


def recognitions(partner_ids: list[int]) -> dict[int, list[str]]:
    """Current recognition titles per partner, newest first (one query; none while incentives is not there)."""
    found: dict[int, list[str]] = {pk: [] for pk in partner_ids}
    if not partner_ids or not apps.is_installed("incentives"):
        return found
    Recognition = apps.get_model("incentives", "Recognition")
    rows = (
        Recognition.objects.filter(partner_id__in=partner_ids, withdrawn_at__isnull=True)
        .order_by("-awarded_on", "-pk")
        .values_list("partner_id", "title")
    )
    for partner_id, title in rows:
        found[partner_id].append(title)
    return found


def certification_choices() -> list[tuple[str, str]]:
    """(slug, name) of the active certifications, for the filter."""
    if not apps.is_installed("enablement"):
        return []
    Certification = apps.get_model("enablement", "Certification")
    return list(Certification.objects.filter(is_active=True).order_by("name", "pk").values_list("slug", "name"))


def lead_offered_to_chosen_partner(contact_request) -> bool:
    """Whether the lead made from a confirmed contact request went to the partner the visitor chose (it goes to
    the channel team when that partner could not take it)."""
    if not contact_request.lead_id or not apps.is_installed("leads"):
        return False
    Lead = apps.get_model("leads", "Lead")
    return Lead.objects.filter(pk=contact_request.lead_id, preferred_partner_id=contact_request.partner_id).exists()


# --- The search ----------------------------------------------------------------------------------------------------


def _logo_url(profile: PublicProfile | None, slug: str) -> str:
    if profile is None or not profile.logo:
        return ""
    return f"{reverse('locator_logo', args=[slug])}?v={int(profile.updated_at.timestamp())}"


def _card(partner: Partner, profile: PublicProfile, *, people: int, awards: list[str], logo_url: str, url: str) -> Card:
    return Card(
        partner_id=partner.pk,
        slug=profile.slug or "",
        name=partner.name,
        headline=profile.headline,
        type=partner.type,
        type_label=partner.get_type_display(),
        tier=partner.tier.name if partner.tier else "",
        regions=partner.labels("regions"),
        countries=[c.name for c in partner.countries],
        verticals=list(partner.verticals or []),
        certified_people=people,
        recognitions=awards[:RECOGNITIONS_SHOWN],
        logo_url=logo_url,
        url=url,
    )


def _cards(partners: list[Partner]) -> list[Card]:
    ids = [p.pk for p in partners]
    people = certified_people(ids) if ids else {}
    awards = recognitions(ids) if ids else {}
    return [
        _card(
            partner,
            partner.public_profile,
            people=people.get(partner.pk, 0),
            awards=awards.get(partner.pk, []),
            logo_url=_logo_url(partner.public_profile, partner.public_profile.slug or ""),
            url=reverse("locator_profile", args=[partner.public_profile.slug]) if partner.public_profile.slug else "",
        )
        for partner in partners
    ]


def preview_card(partner: Partner, profile: PublicProfile, *, logo_url: str) -> Card:
    """The card as visitors would see it, for the partner's own preview (listed or not)."""
    return _card(
        partner,
        profile,
        people=certified_people([partner.pk]).get(partner.pk, 0),
        awards=recognitions([partner.pk]).get(partner.pk, []),
        logo_url=logo_url,
        url="",
    )


def _page_number(value: object) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


_CARD_FIELDS = (
    "pk",
    "name",
    "type",
    "regions",
    "countries",
    "verticals",
    "tier__name",
    "tier__rank",
    "public_profile__slug",
    "public_profile__headline",
    "public_profile__logo",
    "public_profile__updated_at",
    "public_profile__partner_id",
)


def _page_rows(partners: QuerySet[Partner], number: int, per_page: int) -> list[Partner]:
    """One page, each row carrying the number of matches (`matches`, a window count: the filters run once)."""
    start = (number - 1) * per_page
    return list(
        partners.select_related("tier", "public_profile")
        .only(*_CARD_FIELDS)
        .annotate(matches=Window(Count("pk")))
        .order_by(F("tier__rank").desc(nulls_last=True), "name", "pk")[start : start + per_page]
    )


def search_listed(*, page: object = 1, per_page: int = PER_PAGE, **filters: object) -> LocatorPage:
    """One page of listed partners matching `filters` (keywords: q, country, vertical, type, certification, tier;
    unknown or empty values are ignored), the highest tier first, then by name.

    Three queries (the page with its total, certified people, recognition); a page past the end costs two more
    (the count, then the last page)."""
    clean = clean_filters(filters)
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    partners = _filtered(clean)
    number = _page_number(page)
    rows = _page_rows(partners, number, per_page)
    if rows:
        total = rows[0].matches
    else:
        total = partners.count() if number > 1 else 0
        if total:
            number = ceil(total / per_page)
            rows = _page_rows(partners, number, per_page)
        else:
            number = 1
    return LocatorPage(cards=_cards(rows), total=total, number=number, per_page=per_page, filters=clean)


# --- One partner's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    card: Card
    partner: Partner
    profile: PublicProfile
    segments: list[str]
    functions: list[str]


def access_listed(slug: str) -> PublicPage:
    """A listed partner's public page by its profile slug; 404 for anything else (unlisted, not active, unknown)."""
    partner = (
        listed_partners().select_related("tier", "public_profile").filter(public_profile__slug=slug).first()
        if slug
        else None
    )
    if partner is None:
        raise Http404("No listed partner here")
    card = _cards([partner])[0]
    return PublicPage(
        card=card,
        partner=partner,
        profile=partner.public_profile,
        segments=partner.labels("segments"),
        functions=partner.labels("functions"),
    )


# --- The filters' choices ----------------------------------------------------------------------------------------


def facets() -> dict[str, list[tuple[str, str]]]:
    """The choices the filters offer: countries and industries of listed partners, partner types, tiers and
    certifications. Cached for a few minutes (a newly listed partner's industry appears within FACETS_SECONDS)."""
    cached = cache.get(FACETS_KEY)
    if cached is not None:
        return cached
    codes: set[str] = set()
    verticals: dict[str, str] = {}
    for country_codes, industries in listed_partners().values_list("countries", "verticals"):
        codes.update(c for c in str(country_codes or "").split(",") if c)
        for item in industries or []:
            text = " ".join(str(item).split())
            if text:
                verticals.setdefault(text.lower(), text)
    result = {
        "country": sorted(((c, all_countries.name(c)) for c in codes if c in all_countries), key=lambda x: x[1]),
        "vertical": sorted(((v, v) for v in verticals.values()), key=lambda x: x[0].lower()),
        "type": [(str(v), str(label)) for v, label in Partner.Type.choices],
        "tier": [(str(pk), name) for pk, name in Tier.objects.order_by("-rank", "name").values_list("pk", "name")],
        "certification": certification_choices(),
    }
    cache.set(FACETS_KEY, result, FACETS_SECONDS)
    return result


def forget_facets() -> None:
    cache.delete(FACETS_KEY)


def filter_summary(filters: dict[str, str], choices: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The applied filters in words, for the page title and the results line: ["Germany", "Healthcare"]."""
    words = []
    for key in ("vertical", "country", "type", "tier", "certification"):
        value = filters.get(key)
        if value:
            labels = dict(choices.get(key, []))
            words.append(labels.get(value, value))
    return words


def listed_ids(partner_ids: Iterable[int]) -> set[int]:
    """Which of these partners a visitor may see."""
    return set(listed_partners().filter(pk__in=list(partner_ids)).values_list("pk", flat=True))
