"""MDF eligibility is a tier benefit shown to partners, so allocation applies it: once the program has tiers, funds
go only to partners in an MDF-eligible tier; taking funds back is always possible; a program without tiers is one
level where every partner may receive funds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mdf import services
from mdf.ledger import balance_of
from partners.models import Partner, Tier

D = Decimal


@pytest.fixture
def period(db):
    return services.current_period()


def test_without_tiers_every_partner_may_receive_funds(partner_a, channel_manager, period):
    entry = services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("500"))
    assert balance_of(entry.budget).available == D("500.00")


def test_a_partner_outside_an_eligible_tier_gets_none(partner_a, channel_manager, period):
    registered = Tier.objects.create(name="Registered", rank=1, mdf_eligible=False)
    silver = Tier.objects.create(name="Silver", rank=2, mdf_eligible=True)
    Partner.objects.filter(pk=partner_a.pk).update(tier=registered)
    partner_a.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("500"))
    assert "its tier, Registered, is not MDF eligible" in caught.value.message_dict["partner"][0]

    Partner.objects.filter(pk=partner_a.pk).update(tier=None)
    partner_a.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("500"))
    assert "it has no tier" in caught.value.message_dict["partner"][0]

    Partner.objects.filter(pk=partner_a.pk).update(tier=silver)
    partner_a.refresh_from_db()
    entry = services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("500"))
    Partner.objects.filter(pk=partner_a.pk).update(tier=registered)  # demoted: what it had can be taken back
    partner_a.refresh_from_db()
    services.allocation_create(actor=channel_manager, partner=partner_a, period=period, amount=D("-200"))
    assert balance_of(entry.budget).available == D("300.00")


def test_the_allocate_page_says_why(manager_client, partner_a, period):
    Tier.objects.create(name="Registered", rank=1, mdf_eligible=False)
    response = manager_client.post(
        "/manage/mdf/budgets/allocate/",
        {"partner": partner_a.pk, "period": period.pk, "amount": "500", "memo": ""},
    )
    assert response.status_code == 400
    assert "is not MDF eligible" in response.content.decode()


def test_the_csv_import_lists_ineligible_partners_in_the_preview(partner_a, partner_b, channel_manager, period):
    silver = Tier.objects.create(name="Silver", rank=2, mdf_eligible=True)
    Partner.objects.filter(pk=partner_a.pk).update(tier=silver)
    text = f"partner,amount\n{partner_a.pk},1000\n{partner_b.pk},500\n"
    result = services.allocations_import(actor=channel_manager, text=text, period=period, commit=True)
    assert not result.committed
    errors = {row.partner.pk: row.error for row in result.rows}
    assert errors[partner_a.pk] == ""
    assert "is not in an MDF-eligible tier (no tier)" in errors[partner_b.pk]
