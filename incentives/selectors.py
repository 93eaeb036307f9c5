"""Reads for the pages, scoped to the viewer: a partner only ever reads its own lines; a partner's admins and
finance people read all of them, everyone else only the lines of the deals they registered."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from incentives.models import Boost, EarningLine, PlanVersion
from partners.models import PartnerMembership
from prm.money import Totals

SEES_ALL = (PartnerMembership.Role.ADMIN, PartnerMembership.Role.FINANCE)


def sees_all_earnings(membership: PartnerMembership) -> bool:
    return membership.role in SEES_ALL


def earning_lines(*, membership: PartnerMembership) -> QuerySet[EarningLine]:
    lines = EarningLine.objects.filter(partner_id=membership.partner_id)
    if not sees_all_earnings(membership):
        user = membership.user_id
        lines = lines.filter(
            Q(registration__created_by_id=user) | Q(renewal__contract__registration__created_by_id=user)
        )
    return lines.select_related("plan_version", "registration", "renewal__contract").order_by("-earned_on", "-pk")


@dataclass
class StateTotals:
    accrued: Totals = field(default_factory=Totals)
    approved: Totals = field(default_factory=Totals)
    paid: Totals = field(default_factory=Totals)
    held: Totals = field(default_factory=Totals)


def earning_totals(lines) -> StateTotals:
    """Totals per state, each kept per currency (never added across currencies)."""
    totals = StateTotals()
    for state, amount, currency in lines.values_list("state", "amount", "currency"):
        getattr(totals, state).add(amount, currency)
    return totals


def active_boosts(version: PlanVersion | None, *, partner=None, today=None) -> list[Boost]:
    """The version's boosts running today; for a partner, those whose partner-level scope (region, segment, type,
    tier) it is in (country and product depend on the deal, so those boosts are listed)."""
    if version is None:
        return []
    today = today or timezone.localdate()
    boosts = list(version.boosts.filter(starts_on__lte=today, ends_on__gte=today).select_related("tier"))
    if partner is None:
        return boosts
    return [
        b
        for b in boosts
        if (not b.region or b.region in (partner.regions or ()))
        and (not b.segment or b.segment in (partner.segments or ()))
        and (not b.partner_type or b.partner_type == partner.type)
        and (not b.tier_id or b.tier_id == partner.tier_id)
    ]
