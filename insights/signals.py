"""What insights plugs into the apps below it, without them importing insights:

- dealreg's won hook: a won deal registration becomes a customer contract;
- partners' summaries: the partner page shows the partner's review rhythm and its customers, with links.
"""

from django.db.models import Count, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from dealreg.hooks import register_won_listener
from insights.services.customers import contract_on_won
from partners.hooks import Summary, register_partner_summary

register_won_listener("insights-customer-contract", contract_on_won)


def reviews_summary(partner) -> Summary:
    """The partner's review rhythm, next review and open action items, in one query."""
    from insights.models import ActionItem, Review, ReviewPlan
    from partners.models import Partner

    today = timezone.localdate()
    items = ActionItem.objects.filter(partner=OuterRef("pk"), done_at__isnull=True).order_by()
    row = (
        Partner.objects.filter(pk=partner.pk)
        .annotate(
            cadence=Subquery(ReviewPlan.objects.filter(partner=OuterRef("pk")).values("cadence")[:1]),
            next_on=Subquery(
                Review.objects.filter(partner=OuterRef("pk"), status=Review.Status.SCHEDULED)
                .order_by("scheduled_on")
                .values("scheduled_on")[:1]
            ),
            open_items=Subquery(items.values("partner").annotate(n=Count("id")).values("n")[:1]),
            overdue_items=Subquery(
                items.filter(due_on__lt=today).values("partner").annotate(n=Count("id")).values("n")[:1]
            ),
        )
        .values("cadence", "next_on", "open_items", "overdue_items")
        .first()
    ) or {}
    cadence = row.get("cadence")
    facts = [f"Reviewed {ReviewPlan.Cadence(cadence).label.lower()}" if cadence else "No review rhythm yet"]
    if row.get("next_on"):
        passed = " (date passed)" if row["next_on"] < today else ""
        facts.append(f"Next review {row['next_on']:%b %-d, %Y}{passed}")
    if row.get("open_items"):
        n = row["open_items"]
        overdue = f", {row['overdue_items']} overdue" if row.get("overdue_items") else ""
        facts.append(f"{n} open action item{'s' if n != 1 else ''}{overdue}")
    label = "Reviews" if cadence else "Set a review rhythm"
    return Summary("Reviews", facts, reverse("manage:partner_reviews", args=[partner.pk]), label)


def customers_summary(partner) -> Summary | None:
    from insights.models import CustomerContract

    row = CustomerContract.objects.filter(partner=partner, status=CustomerContract.Status.ACTIVE).aggregate(
        n=Count("id"), next_on=Min("renewal_on")
    )
    if not row["n"]:
        return None
    facts = [f"{row['n']} active customer{'s' if row['n'] != 1 else ''} came through this partner"]
    facts.append(f"Next renewal {row['next_on']:%b %-d, %Y}")
    return Summary("Customers", facts, f"{reverse('manage:customers')}?partner={partner.pk}", "Their customers")


register_partner_summary("insights-reviews", reviews_summary)
register_partner_summary("insights-customers", customers_summary)
