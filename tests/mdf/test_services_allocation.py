"""Allocations, corrections, tier pools and the CSV import."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of
from mdf.models import LedgerEntry
from partners.models import Partner, Tier
from prm.models import AuditEvent, Notification
from tests.factories import PartnerFactory
from tests.mdf.factories import approved_request, set_mdf

D = Decimal


@pytest.fixture
def period(db):
    return services.current_period()


@pytest.fixture
def gold(db):
    return Tier.objects.create(name="Gold", rank=3, mdf_eligible=True)


def test_allocate_and_tell_the_partner(partner_a, partner_a_admin, partner_a_marketer, channel_manager, period):
    entry = services.allocation_create(
        actor=channel_manager, partner=partner_a, period=period, amount="5,000.00".replace(",", ""), memo="Q plan"
    )
    assert (entry.kind, entry.amount, entry.actor, entry.memo) == (
        "allocation",
        D("5000.00"),
        channel_manager,
        "Q plan",
    )
    assert balance_of(entry.budget).available == D("5000.00")
    recipients = set(Notification.objects.filter(template="mdf_allocated").values_list("recipient__email", flat=True))
    assert recipients == {partner_a_admin.email, partner_a_marketer.email}
    note = Notification.objects.filter(template="mdf_allocated").first()
    assert note.subject == f"$5,000.00 of market development funds for {period.name}"
    assert AuditEvent.objects.get(verb="mdf.allocated").summary == f"allocated $5,000.00 of MDF for {period.name}"


def test_a_correction_cannot_take_the_allocation_below_what_is_spent(partner_a, channel_manager, period):
    services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("5000"))
    budget = services.budget_for(partner=partner_a, period=period)
    approved_request(partner=partner_a, budget=budget, amount="3000")
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("-2500"))
    assert "$2,000.00 available" in caught.value.message_dict["amount"][0]
    services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("-2000"))
    assert balance_of(budget).available == D("0.00")
    set_mdf(allow_overspend=True)
    services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("-100"))
    assert balance_of(budget).available == D("-100.00")


def test_allocation_input_is_checked(partner_a, partner_a_admin, channel_manager, period):
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.allocation_create(actor=partner_a_admin, partner=partner_a, period=period, amount=D("1"))
    for amount in (D("0"), "lots", None):
        with pytest.raises(ValidationError) as caught:
            services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=amount)
        assert "amount" in caught.value.message_dict
    period.funds_expired_at = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("1"))
    assert "expired" in caught.value.message_dict["period"][0]


def test_a_pool_cannot_be_overdrawn(channel_manager, period, gold):
    pool = services.pool_set(actor=channel_manager, period=period, tier=gold, amount=D("10000"))
    first = PartnerFactory(tier=gold)
    second = PartnerFactory(tier=gold)
    outsider = PartnerFactory()
    services.allocation_create(actor=channel_manager, partner=first, period=period, amount=D("6000"), pool=pool)
    assert services.pool_remaining(pool) == D("4000.00")
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=second, period=period, amount=D("4000.01"), pool=pool)
    assert "$4,000.00 left" in caught.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=outsider, period=period, amount=D("1"), pool=pool)
    assert "not in the Gold tier" in caught.value.message_dict["pool"][0]
    # A correction gives back to the pool; the pool cannot shrink below what was drawn.
    services.allocation_create(actor=channel_manager, partner=first, period=period, amount=D("-1000"), pool=pool)
    assert services.pool_remaining(pool) == D("5000.00")
    with pytest.raises(ValidationError):
        services.pool_set(actor=channel_manager, period=period, tier=gold, amount=D("4999"))
    pool = services.pool_set(actor=channel_manager, period=period, tier=gold, amount=D("5000"))
    assert services.pool_remaining(pool) == D("0.00")


CSV = """partner,amount,memo
Northwind Solutions,"5,000.00",Q3 events
{contoso_id},2500,
"""


def test_import_checks_then_commits(partner_a, partner_b, channel_manager, period):
    text = CSV.format(contoso_id=partner_b.pk)
    preview = services.allocations_import(actor=channel_manager, text=text, period=period, commit=False)
    assert preview.errors == 0
    assert [(r.row_number, r.partner, r.amount, r.memo) for r in preview.rows] == [
        (2, partner_a, D("5000.00"), "Q3 events"),
        (3, partner_b, D("2500.00"), ""),
    ]
    assert preview.total == D("7500.00")
    assert not preview.committed
    assert not LedgerEntry.objects.exists()
    done = services.allocations_import(actor=channel_manager, text=text, period=period, commit=True)
    assert done.committed
    assert LedgerEntry.objects.filter(kind="allocation").count() == 2
    assert balance_of(services.budget_for(partner=partner_b, period=period)).available == D("2500.00")


def test_import_any_error_writes_nothing(partner_a, channel_manager, period):
    PartnerFactory(name="Twin Co")
    PartnerFactory(name="twin co")
    text = """Partner,Amount
Northwind Solutions,1000
Nobody Inc,100
Twin Co,100
Northwind Solutions,50
999999,10
,
Northwind Solutions,-5
Northwind Solutions,12.345
"""
    result = services.allocations_import(actor=channel_manager, text=text, period=period, commit=True)
    assert not result.committed
    errors = {r.row_number: r.error for r in result.rows}
    assert errors[2] == ""
    assert "No partner is called “Nobody Inc”" in errors[3]
    assert "2 partners are called" in errors[4]
    assert "already on line 2" in errors[5]
    assert "No partner has the id 999999" in errors[6]
    assert "not an amount" in errors[9]
    assert "more than 0" in errors[8] or "not an amount" in errors[8]
    assert result.errors == 6  # the empty line 7 is skipped
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "empty"), ("name,value\nA,1\n", "header"), ("partner,amount\n", "no rows")],
)
def test_import_file_problems(channel_manager, period, text, words):
    result = services.allocations_import(actor=channel_manager, text=text, period=period, commit=True)
    assert words in result.problem
    assert result.errors == 1
    assert not result.committed


def test_import_is_for_managers(partner_a_admin, period):
    with pytest.raises(ValidationError):
        services.allocations_import(actor=partner_a_admin, text=CSV, period=period, commit=False)
    assert Partner.objects.count() == 1
