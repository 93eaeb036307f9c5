"""Reads for partner pages, scoped to who is looking."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404

from partners.models import Invitation, Partner, PartnerMembership, PartnerNote, Tier
from prm.access import scoped_get
from prm.models import CHANNEL_MANAGERS_GROUP, User
from prm.names import registrable_domain

# ?owner= value for "partners nobody owns yet".
UNASSIGNED = "unassigned"


def _type_order() -> Case:
    """Partner types in the order of their labels (what the user reads), not of their stored codes."""
    ranked = sorted(Partner.Type, key=lambda t: str(t.label).lower())
    return Case(*(When(type=t, then=Value(i)) for i, t in enumerate(ranked)), output_field=IntegerField())


def _lifecycle_order() -> Case:
    """Statuses in the order a partner goes through them (applied → onboarding → active → dormant…)."""
    order = [
        Partner.Status.APPLIED,
        Partner.Status.ONBOARDING,
        Partner.Status.ACTIVE,
        Partner.Status.DORMANT,
        Partner.Status.OFFBOARDED,
        Partner.Status.DECLINED,
    ]
    return Case(*(When(status=s, then=Value(i)) for i, s in enumerate(order)), output_field=IntegerField())


# ?sort= keys of the directory → the expression they order by. A leading "-" reverses.
SORTS = {
    "name": lambda: Lower("name"),
    "type": _type_order,
    "status": _lifecycle_order,
    "tier": lambda: F("tier__rank"),
    "created": lambda: F("created_at"),
    "last_activity": lambda: F("last_activity_at"),
}


@dataclass(frozen=True)
class DirectoryFilters:
    """What the directory is filtered and sorted by, as read from the query string (already cleaned)."""

    search: str = ""
    type: str = ""
    status: str = ""
    tier: str = ""  # a tier's pk, or "none"
    region: str = ""
    route_to_market: str = ""
    owner: str = ""  # a user's pk, or UNASSIGNED
    sort: str = "name"

    @classmethod
    def from_query(cls, params) -> "DirectoryFilters":
        """Read ?q=&type=&… ignoring values that are not valid (a stale bookmark shows everything, not a 500)."""

        def pick(key: str, allowed) -> str:
            value = (params.get(key) or "").strip()
            return value if value in allowed else ""

        def pk_or(key: str, extra: str) -> str:
            value = (params.get(key) or "").strip()
            return value if value == extra or (value.isdigit() and len(value) < 10) else ""

        sort = (params.get("sort") or "").strip()
        if sort.lstrip("-") not in SORTS:
            sort = "name"
        return cls(
            search=" ".join((params.get("q") or "").split())[:200],
            type=pick("type", Partner.Type.values),
            status=pick("status", Partner.Status.values),
            tier=pk_or("tier", "none"),
            region=pick("region", Partner.Region.values),
            route_to_market=pick("rtm", Partner.RouteToMarket.values),
            owner=pk_or("owner", UNASSIGNED),
            sort=sort,
        )

    @property
    def is_filtered(self) -> bool:
        return any((self.search, self.type, self.status, self.tier, self.region, self.route_to_market, self.owner))


def _json_list_has(field: str, value: str) -> Q:
    """`value` is one of the items of a JSON list column. PostgreSQL uses @> (indexable); SQLite, which has no
    JSON containment, matches the quoted item in the stored text (our choice codes contain no quotes)."""
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": f'"{value}"'})


def partner_list(
    *,
    search: str = "",
    type: str = "",
    status: str = "",
    tier: str = "",
    region: str = "",
    route_to_market: str = "",
    owner: str = "",
    sort: str = "name",
) -> QuerySet[Partner]:
    """Channel managers' directory: one query for a page (parent, tier and owner joined, active people counted in a
    subquery, so the paginator's count stays a plain COUNT over the filtered partners)."""
    active_members = (
        PartnerMembership.objects.filter(partner=OuterRef("pk"), is_active=True)
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = Partner.objects.select_related("parent", "tier", "owner").annotate(
        member_count=Coalesce(Subquery(active_members, output_field=IntegerField()), Value(0))
    )
    search = " ".join(search.split())
    if search:
        match = Q(name__icontains=search) | Q(domain__icontains=search)
        domain = registrable_domain(search) if "." in search else ""
        if domain:
            match |= Q(domain=domain)
        qs = qs.filter(match)
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if tier == "none":
        qs = qs.filter(tier__isnull=True)
    elif tier:
        qs = qs.filter(tier_id=tier)
    if region:
        qs = qs.filter(_json_list_has("regions", region))
    if route_to_market:
        qs = qs.filter(route_to_market=route_to_market)
    if owner == UNASSIGNED:
        qs = qs.filter(owner__isnull=True)
    elif owner:
        qs = qs.filter(owner_id=owner)
    return qs.order_by(*_ordering(sort))


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "name", False
    expression = SORTS[key]()
    # Empty values (no tier, never active) go last whichever way the column is sorted.
    primary = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    if key == "name":
        return [primary, "pk"]
    return [primary, Lower("name"), "pk"]


def partner_directory(filters: DirectoryFilters) -> QuerySet[Partner]:
    return partner_list(
        search=filters.search,
        type=filters.type,
        status=filters.status,
        tier=filters.tier,
        region=filters.region,
        route_to_market=filters.route_to_market,
        owner=filters.owner,
        sort=filters.sort,
    )


def channel_managers() -> QuerySet[User]:
    """Who can own a partner relationship: active staff in the channel managers group, or superusers."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=CHANNEL_MANAGERS_GROUP))
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def tier_list() -> QuerySet[Tier]:
    return Tier.objects.order_by("rank")


def partner_get(*, pk: int) -> Partner:
    """One partner for the manager's partner page, with what its header shows."""
    return get_object_or_404(Partner.objects.select_related("parent", "tier", "owner"), pk=pk)


def partner_notes(*, partner: Partner, limit: int = 50) -> QuerySet[PartnerNote]:
    return partner.notes.select_related("author").order_by("-created_at", "-pk")[:limit]


def partner_members(*, partner: Partner) -> QuerySet[PartnerMembership]:
    return partner.memberships.filter(is_active=True).select_related("user").order_by("role", "user__email")


def partner_admins(*, partner: Partner) -> QuerySet[User]:
    """The people who keep the company profile up to date (and are told when someone else changes it)."""
    return User.objects.filter(
        membership__partner=partner, membership__is_active=True, membership__role=PartnerMembership.Role.ADMIN
    ).order_by("email")


def partner_people(partner: Partner, *also: User | None, roles: tuple[str, ...] = ()) -> list[User]:
    """Who at a partner hears about something: its active admins (and active members with one of `roles`), plus
    `also` (e.g. the author), each once, active users only."""
    members = User.objects.filter(
        is_active=True,
        membership__partner=partner,
        membership__is_active=True,
        membership__role__in=(PartnerMembership.Role.ADMIN, *roles),
    ).order_by("membership__role", "email")
    people: dict[int, User] = {}
    for user in (*also, *members):
        if user is not None and user.is_active and user.pk not in people:
            people[user.pk] = user
    return list(people.values())


def owner_or_managers(partner: Partner) -> list[User]:
    """Who at the startup answers for a partner: its owner, or every channel manager while it has none."""
    if partner.owner_id and partner.owner.is_active:
        return [partner.owner]
    return list(channel_managers())


def partner_open_invitations(*, partner: Partner) -> QuerySet[Invitation]:
    return (
        partner.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


# --- Access helpers for portal views: another partner's object is a 404. ---------------------------------------


def access_membership(*, viewer: PartnerMembership, pk: int) -> PartnerMembership:
    return scoped_get(
        PartnerMembership.objects.select_related("user", "partner"),
        partner=viewer.partner,
        pk=pk,
        is_active=True,
    )


def access_invitation(*, viewer: PartnerMembership, pk: int) -> Invitation:
    return scoped_get(Invitation.objects.select_related("partner"), partner=viewer.partner, pk=pk)
