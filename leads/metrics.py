"""Lead outcomes as numbers: acceptance rate, median time to accept, lead→won, for the program or one partner, over
a period. One aggregate query each (the offers answered or the leads closed in the period)."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from leads.models import Lead, LeadOffer


@dataclass(frozen=True)
class LeadNumbers:
    offers_answered: int  # accepted, declined or expired in the period
    offers_accepted: int
    median_hours_to_accept: float | None
    leads_closed: int  # won or lost in the period
    leads_won: int

    @property
    def acceptance_rate(self) -> int | None:
        """Offers accepted / offers answered (accepted, declined or expired), in percent."""
        return round(100 * self.offers_accepted / self.offers_answered) if self.offers_answered else None

    @property
    def win_rate(self) -> int | None:
        """Leads won / leads closed (won or lost), in percent: lead→won."""
        return round(100 * self.leads_won / self.leads_closed) if self.leads_closed else None


ANSWERED = (LeadOffer.Status.ACCEPTED, LeadOffer.Status.DECLINED, LeadOffer.Status.EXPIRED)


def lead_numbers(
    *, start: datetime, end: datetime, partner_id: int | None = None, partner_lookup: dict | None = None
) -> LeadNumbers:
    """The lead metrics for offers answered and leads closed from `start` (included) to `end` (excluded), for one
    partner (`partner_id`) or the partners an insights filter selects (`partner_lookup`: `Filters.lookup()`)."""
    offers = LeadOffer.objects.filter(status__in=ANSWERED, responded_at__gte=start, responded_at__lt=end)
    leads = Lead.objects.filter(status__in=[Lead.Status.WON, Lead.Status.LOST], closed_at__gte=start, closed_at__lt=end)
    if partner_id is not None:
        offers = offers.filter(partner_id=partner_id)
        leads = leads.filter(partner_id=partner_id)
    if partner_lookup:
        offers = offers.filter(**partner_lookup)
        leads = leads.filter(**partner_lookup)
    accepted = list(
        offers.filter(status=LeadOffer.Status.ACCEPTED).values_list("offered_at", "responded_at").order_by()[:5000]
    )
    counts = offers.aggregate(answered=Count("pk"))
    outcome = leads.aggregate(closed=Count("pk"), won=Count("pk", filter=Q(status=Lead.Status.WON)))
    hours = [max((r - o).total_seconds() / 3600, 0) for o, r in accepted]
    return LeadNumbers(
        offers_answered=counts["answered"],
        offers_accepted=len(accepted),
        median_hours_to_accept=round(statistics.median(hours), 1) if hours else None,
        leads_closed=outcome["closed"],
        leads_won=outcome["won"],
    )


def lead_values(start: date, end: date, partner_filter) -> dict[str, tuple[Decimal | None, str]]:
    """The lead metrics of insights' catalogue (insights.hooks.register_value_metrics) for the days `start` to `end`
    (both included) and the dashboard's or scorecard's partner filter."""
    tz = timezone.get_current_timezone()
    begin = datetime.combine(start, time.min, tzinfo=tz)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    n = lead_numbers(start=begin, end=stop, partner_lookup=partner_filter.lookup("partner"))

    def fraction(part: int, whole: int) -> Decimal | None:
        return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None

    hours = n.median_hours_to_accept
    return {
        "lead_acceptance_rate": (
            fraction(n.offers_accepted, n.offers_answered),
            f"{n.offers_accepted} accepted of {n.offers_answered} answered",
        ),
        "lead_hours_to_accept": (
            Decimal(str(hours)) if hours is not None else None,
            f"median of {n.offers_accepted} accepted" if n.offers_accepted else "",
        ),
        "lead_win_rate": (fraction(n.leads_won, n.leads_closed), f"{n.leads_won} won of {n.leads_closed} closed"),
    }
