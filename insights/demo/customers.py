"""Demo customers and reviews: a contract for every won registration, older customers (partner-acquired and
direct, imported as a startup would from its billing system) whose renewals came up this year with their
outcomes, a few renewals due in the next 30 and 60 days, and the quarterly review rhythm of the active partners
(last quarter's review held with notes and action items, one of them overdue; the next one scheduled)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from dealreg.models import Registration
from enablement.services.common import add_months
from insights.models import ActionItem, CustomerContract, RenewalOutcome, Review, ReviewPlan
from partners.models import Partner, PartnerMembership
from prm.models import User

D = Decimal
Outcome = RenewalOutcome.Outcome

# customer, partner (None: direct), involvement, months since start, amount, currency, outcome at the last renewal
# (None: not due yet), new amount
IMPORTED = [
    ("Helvetia Freight AG", "Northwind Solutions", "sourced", 14, "36000", "EUR", Outcome.EXPANDED, "48000"),
    ("Lyon Textiles SAS", "Atlas Distribution", "fulfilled", 16, "52000", "EUR", Outcome.RENEWED, "52000"),
    ("Milano Foods S.p.A.", "Atlas Distribution", "sourced", 19, "64000", "EUR", Outcome.EXPANDED, "80000"),
    ("Valencia Ports S.A.", "Atlas Distribution", "fulfilled", 21, "28000", "EUR", Outcome.CHURNED, None),
    ("Maple Insurance Inc.", "Brightpath Advisors", "influenced", 15, "30000", "USD", Outcome.RENEWED, "30000"),
    ("Delft Energy B.V.", "Quartz Systems", "fulfilled", 18, "18000", "EUR", Outcome.CHURNED, None),
    ("Salzburg Hotels GmbH", "Northwind Solutions", "cosell", 11, "24000", "EUR", None, None),
    ("Toulouse Aero SAS", "Atlas Distribution", "sourced", 10, "45000", "EUR", None, None),
    ("Acme Robotics Inc.", None, "", 17, "90000", "USD", Outcome.RENEWED, "95000"),
    ("Stark Logistics LLC", None, "", 20, "60000", "USD", Outcome.CHURNED, None),
    ("Wayne Health Inc.", None, "", 13, "120000", "USD", Outcome.EXPANDED, "150000"),
    ("Gotham Media LLC", None, "", 15, "40000", "USD", Outcome.RENEWED, "40000"),
    ("Berlin Retail GmbH", None, "", 22, "35000", "EUR", Outcome.CHURNED, None),
    ("Pacific Bank Ltd.", None, "", 11, "75000", "USD", None, None),
]
# Renewals coming up: days from today (the reminders go out 60 and 30 days before).
DUE_IN = {"Salzburg Hotels GmbH": 24, "Pacific Bank Ltd.": 41, "Toulouse Aero SAS": 52}
NOTES = {
    Outcome.RENEWED: "Renewed for another year at the same scope.",
    Outcome.EXPANDED: "Renewed with two more business units.",
    Outcome.CHURNED: "Moved to a competitor after a budget cut.",
}


def seed_contracts(*, today: date, manager: User) -> int:
    """Contracts for won registrations that have none, and the imported customers (once). Returns how many."""
    made = 0
    won = Registration.objects.filter(status=Registration.Status.WON, contract__isnull=True).select_related("partner")
    contracts = []
    for reg in won:
        starts = timezone.localtime(reg.closed_at).date() if reg.closed_at else today
        contracts.append(
            CustomerContract(
                customer_name=reg.name,
                account_id=reg.account_id,
                registration=reg,
                partner=reg.partner,
                involvement=reg.involvement,
                starts_on=starts,
                term_months=12,
                amount=reg.won_amount or reg.value or D("0"),
                currency=reg.currency,
                renewal_on=add_months(starts, 12),
                source=CustomerContract.Source.REGISTRATION,
                owner=reg.partner.owner or manager,
            )
        )
    CustomerContract.objects.bulk_create(contracts)
    _dated_on_start(contracts)
    made += len(contracts)
    if CustomerContract.objects.filter(source=CustomerContract.Source.IMPORT).exists():
        return made
    partners = {p.name: p for p in Partner.objects.filter(name__in={row[1] for row in IMPORTED if row[1]})}
    for name, partner_name, involvement, months, amount, currency, outcome, new_amount in IMPORTED:
        partner = partners.get(partner_name) if partner_name else None
        if partner_name and partner is None:
            continue
        # Spread the start days, so renewals do not all fall on the same day of the month.
        starts = add_months(today, -months) + timedelta(days=(len(name) * 3) % 25 - 12)
        if name in DUE_IN:
            starts = add_months(today + timedelta(days=DUE_IN[name]), -12)
        due = add_months(starts, 12)
        contract = CustomerContract.objects.create(
            customer_name=name,
            partner=partner,
            involvement=involvement,
            starts_on=starts,
            term_months=12,
            amount=D(new_amount or amount),
            currency=currency,
            renewal_on=add_months(due, 12) if outcome in RenewalOutcome.RETAINED else due,
            status=CustomerContract.Status.CHURNED if outcome == Outcome.CHURNED else CustomerContract.Status.ACTIVE,
            source=CustomerContract.Source.IMPORT,
            owner=(partner.owner if partner else None) or manager,
        )
        made += 1
        if outcome is None:
            continue
        recorded = RenewalOutcome.objects.create(
            contract=contract,
            due_on=due,
            outcome=outcome,
            new_amount=D(new_amount) if new_amount else None,
            currency=currency,
            note=NOTES[outcome],
            recorded_by=manager,
        )
        stamp = timezone.make_aware(datetime.combine(due + timedelta(days=2), time(15, 0)))
        RenewalOutcome.objects.filter(pk=recorded.pk).update(recorded_at=stamp)
    return made


def _dated_on_start(contracts: list[CustomerContract]) -> None:
    """A contract is recorded when it starts (the deal's close), not when the demo ran."""
    now = timezone.now()
    for contract in contracts:
        start = timezone.make_aware(datetime.combine(contract.starts_on, time(9)))
        contract.created_at = min(start, now)
    CustomerContract.objects.bulk_update(contracts, ["created_at"], batch_size=500)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def seed_reviews(*, today: date, manager: User) -> int:
    """The quarterly rhythm of the active partners: a plan, last quarter's review held (notes, action items: one
    done, one open, and for the leading partner one overdue), the next review scheduled. Once per partner."""
    this_quarter = _quarter_start(today)
    last_quarter = add_months(this_quarter, -3)
    quarter_name = f"Q{(last_quarter.month - 1) // 3 + 1} {last_quarter.year}"
    next_name = f"Q{(this_quarter.month - 1) // 3 + 1} {this_quarter.year}"
    made = 0
    active = Partner.objects.filter(status=Partner.Status.ACTIVE, review_plan__isnull=True).order_by("name")
    admins = dict(
        PartnerMembership.objects.filter(role=PartnerMembership.Role.ADMIN, partner__in=active).values_list(
            "partner_id", "user_id"
        )
    )
    for offset, partner in enumerate(active):
        ReviewPlan.objects.create(partner=partner, cadence=ReviewPlan.Cadence.QUARTERLY, updated_by=manager)
        held_on = last_quarter + timedelta(days=40 + 9 * offset)
        held = Review.objects.create(
            partner=partner,
            scheduled_on=held_on,
            status=Review.Status.HELD,
            title=f"{quarter_name} business review",
            notes=(
                f"Pipeline and wins of {quarter_name} reviewed with {partner.name}. Agreed to focus on two "
                "reference customers, get one more seller certified, and plan a joint webinar."
            ),
            held_at=timezone.make_aware(datetime.combine(held_on, time(10, 0))),
            created_by=manager,
        )
        admin_id = admins.get(partner.pk)
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    review=held,
                    partner=partner,
                    title="Share the reference-customer shortlist",
                    owner_id=admin_id,
                    due_on=held_on + timedelta(days=14),
                    done_at=timezone.make_aware(datetime.combine(held_on + timedelta(days=11), time(16, 0))),
                    done_by_id=admin_id,
                ),
                ActionItem(
                    review=held,
                    partner=partner,
                    title="Plan the joint webinar (date, topic, speakers)",
                    owner=manager,
                    due_on=today + timedelta(days=10 + 5 * offset),
                ),
            ]
        )
        if partner.name == "Atlas Distribution":
            ActionItem.objects.create(
                review=held,
                partner=partner,
                title="Get a second seller through the sales certification",
                owner_id=admin_id,
                due_on=today - timedelta(days=9),
            )
        Review.objects.create(
            partner=partner,
            scheduled_on=max(today + timedelta(days=6 + 8 * offset), this_quarter + timedelta(days=40 + 9 * offset)),
            title=f"{next_name} business review",
            created_by=manager,
        )
        made += 1
    return made
