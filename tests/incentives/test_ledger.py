"""Every rule kind with worked-out amounts, through the services (and dealreg's won hook / insights' renewals)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dealreg import services as dealreg_services
from dealreg.models import Registration
from incentives.models import EarningLine
from incentives.services import (
    accrue_for_renewal,
    accrue_for_won,
    approve_due,
    calculate_for,
    line_hold,
    line_release,
    reverse_for,
)
from insights.models import CustomerContract
from prm.models import AuditEvent, Notification
from prm.money import Totals
from tests.incentives.helpers import moment, pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db

JAN1 = date(2026, 1, 1)


@pytest.fixture
def v1(db):
    version = published_version(
        1, JAN1, first_win_bonus=Decimal("1000"), first_win_currency="USD", renewal_rebate_percent=Decimal("3")
    )
    return with_rules(
        version,
        payouts=[
            {"involvement": "sourced", **pct("10"), "currency": "USD", "cap_amount": Decimal("5000")},
            {"involvement": "sourced", **pct("8")},  # any other currency, no cap
            {
                "involvement": "influenced",
                "kind": "fixed",
                "fixed_amount": Decimal("500"),
                "currency": "USD",
                "min_deal_amount": Decimal("10000"),
            },
            {"involvement": "cosell", "kind": "fixed", "fixed_amount": Decimal("750"), "currency": "USD"},
        ],
    )


def _lines(registration):
    return {line.rule_kind: line for line in EarningLine.objects.filter(registration=registration)}


def test_percent_payout_with_its_calculation_in_words(v1, partner_a):
    older = won_deal(partner_a, amount="1000", approved=date(2026, 2, 1), won=date(2026, 2, 2), name="Earlier")
    accrue_for_won(registration=older)  # takes the first-win bonus
    deal = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 20))
    lines = accrue_for_won(registration=deal)
    assert [(ln.rule_kind, ln.amount, ln.currency) for ln in lines] == [("deal_payout", Decimal("4800.00"), "USD")]
    line = lines[0]
    assert line.calculation == "10% of $48,000.00 sourced deal “Acme rollout” under plan v1"
    assert (line.base_amount, line.base_currency, line.plan_version, line.state) == (
        Decimal("48000.00"),
        "USD",
        v1,
        EarningLine.State.ACCRUED,
    )
    assert line.earned_on == date(2026, 3, 20)
    assert line.payable_on == date(2026, 4, 19)  # 30 days, the plan's default


def test_cap(v1, partner_a):
    deal = won_deal(partner_a, amount="80000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    payout = _lines(deal) or {ln.rule_kind: ln for ln in accrue_for_won(registration=deal)}
    assert payout["deal_payout"].amount == Decimal("5000.00")  # 10% = 8,000, capped
    assert "= $8,000.00, capped at $5,000.00" in payout["deal_payout"].calculation


def test_fixed_fee_and_minimum_deal_size(v1, partner_a):
    won_deal(partner_a, amount="1", approved=date(2026, 1, 5), won=date(2026, 1, 6), name="First")  # not accrued
    small = won_deal(
        partner_a, amount="9999.99", approved=date(2026, 3, 1), won=date(2026, 3, 2), involvement="influenced"
    )
    big = won_deal(partner_a, amount="10000", approved=date(2026, 3, 1), won=date(2026, 3, 3), involvement="influenced")
    assert accrue_for_won(registration=small) == []
    [line] = accrue_for_won(registration=big)
    assert (line.amount, line.currency) == (Decimal("500.00"), "USD")
    assert line.calculation == "Fixed fee of $500.00 for the $10,000.00 influenced deal “Acme rollout” under plan v1"


def test_mixed_currencies_never_add_up(v1, partner_a):
    won_deal(partner_a, amount="1", approved=date(2026, 1, 5), won=date(2026, 1, 6), name="First")
    eur = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 2), currency="EUR")
    eur_cosell = won_deal(
        partner_a, amount="20000", approved=date(2026, 3, 1), won=date(2026, 3, 4), currency="EUR", involvement="cosell"
    )
    usd = won_deal(partner_a, amount="20000", approved=date(2026, 3, 1), won=date(2026, 3, 5))
    for deal in (eur, eur_cosell, usd):
        accrue_for_won(registration=deal)
    [eur_line] = _lines(eur).values()
    assert (eur_line.amount, eur_line.currency) == (Decimal("3840.00"), "EUR")  # 8%, the any-currency rule
    [fee] = _lines(eur_cosell).values()
    assert (fee.amount, fee.currency, fee.base_currency) == (Decimal("750.00"), "USD", "EUR")  # the fee's currency
    totals = Totals((ln.amount, ln.currency) for ln in EarningLine.objects.filter(partner=partner_a))
    assert list(totals) == [(Decimal("3840.00"), "EUR"), (Decimal("2750.00"), "USD")]


def test_first_win_bonus_once_for_the_earliest_win(v1, partner_a):
    first = won_deal(partner_a, amount="2000", approved=date(2026, 2, 1), won=date(2026, 2, 10), name="First")
    second = won_deal(partner_a, amount="2000", approved=date(2026, 2, 1), won=date(2026, 2, 20), name="Second")
    accrue_for_won(registration=second)
    accrue_for_won(registration=first)
    assert set(_lines(second)) == {"deal_payout"}
    bonus = _lines(first)["first_win"]
    assert (bonus.amount, bonus.currency) == (Decimal("1000.00"), "USD")
    assert bonus.calculation == "First-win bonus of $1,000.00 under plan v1"
    assert EarningLine.objects.filter(rule_kind="first_win").count() == 1


def test_extra_percent_boost_ending_mid_period(v1, partner_a):
    partner_a.regions = ["emea"]
    partner_a.save()
    with_rules(
        v1,
        boosts=[
            {
                "name": "EMEA push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 15),
                "region": "emea",
            }
        ],
    )
    won_deal(partner_a, amount="1", approved=date(2026, 1, 5), won=date(2026, 1, 6), name="First")
    last_day = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 15), name="On time")
    day_after = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 16), name="Late")
    accrue_for_won(registration=last_day)
    accrue_for_won(registration=day_after)
    boost = _lines(last_day)["boost"]
    assert (boost.amount, boost.currency) == (Decimal("960.00"), "USD")  # 2% of 48,000
    assert boost.calculation == "+2% EMEA push boost on $48,000.00 (boost runs until Mar 15, 2026)"
    assert set(_lines(day_after)) == {"deal_payout"}


def test_boost_out_of_scope_and_multiplier(v1, partner_a):
    with_rules(
        v1,
        boosts=[
            {
                "name": "APAC push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 31),
                "region": "apac",
            },
            {
                "name": "Analytics launch",
                "kind": "multiplier",
                "value": Decimal("1.5"),
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 31),
                "product": "analytics",
            },
        ],
    )
    won_deal(partner_a, amount="1", approved=date(2026, 1, 5), won=date(2026, 1, 6), name="First")
    deal = won_deal(
        partner_a, amount="30000", approved=date(2026, 3, 1), won=date(2026, 3, 10), products="Platform, Analytics"
    )
    lines = {ln.rule_kind: ln for ln in accrue_for_won(registration=deal)}
    assert lines["deal_payout"].amount == Decimal("3000.00")
    assert lines["boost"].amount == Decimal("1500.00")  # ×1.5 of the 3,000 payout; the APAC one does not match
    assert "Analytics launch boost ×1.5 on the $3,000.00 payout" in lines["boost"].calculation


def test_approved_under_v1_won_after_v2_earns_under_v1(v1, partner_a):
    v2 = with_rules(published_version(2, date(2026, 4, 1)), payouts=[{"involvement": "sourced", **pct("12")}])
    won_deal(partner_a, amount="1", approved=date(2026, 1, 5), won=date(2026, 1, 6), name="First")
    deal = won_deal(partner_a, amount="20000", approved=date(2026, 3, 31), won=date(2026, 4, 10))
    later = won_deal(partner_a, amount="20000", approved=date(2026, 4, 1), won=date(2026, 4, 10), name="Later")
    [line] = accrue_for_won(registration=deal)
    assert (line.plan_version, line.amount) == (v1, Decimal("2000.00"))  # v1's 10%, not v2's 12%
    [other] = accrue_for_won(registration=later)
    assert (other.plan_version, other.amount) == (v2, Decimal("2400.00"))


def test_no_plan_no_lines(partner_a):
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    assert accrue_for_won(registration=deal) == []


def test_processing_the_same_win_twice_accrues_once(v1, partner_a):
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    assert len(accrue_for_won(registration=deal)) == 2  # payout + first win
    assert accrue_for_won(registration=deal) == []
    assert EarningLine.objects.count() == 2
    assert AuditEvent.objects.filter(verb="earnings.accrued").count() == 1


def test_closing_a_deal_as_won_accrues_through_the_hook(
    v1, partner_a, partner_a_admin, channel_manager, django_capture_on_commit_callbacks
):
    deal = Registration.objects.create(
        partner=partner_a,
        name="Hooked",
        status=Registration.Status.APPROVED,
        decided_at=moment(date(2026, 3, 1)),
        currency="USD",
    )
    with django_capture_on_commit_callbacks(execute=True):
        dealreg_services.registration_close(actor=partner_a_admin, registration=deal, won=True, amount="12,000")
    lines = _lines(deal)
    assert lines["deal_payout"].amount == Decimal("1200.00")
    assert lines["first_win"].amount == Decimal("1000.00")


def test_reversal_is_a_negative_line_and_keeps_the_originals(v1, partner_a, channel_manager):
    deal = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    originals = accrue_for_won(registration=deal)
    with pytest.raises(ValidationError):
        reverse_for(registration=deal, reason="  ", actor=channel_manager)
    corrections = reverse_for(registration=deal, reason="The customer cancelled", actor=channel_manager)
    assert sorted(c.amount for c in corrections) == [Decimal("-4800.00"), Decimal("-1000.00")]
    assert all(c.rule_kind == "correction" and c.reverses in originals for c in corrections)
    assert "The customer cancelled" in corrections[0].calculation
    assert reverse_for(registration=deal, reason="again", actor=channel_manager) == []
    assert EarningLine.objects.filter(registration=deal).count() == 4  # nothing edited or deleted
    assert not Totals((ln.amount, ln.currency) for ln in EarningLine.objects.filter(registration=deal))
    assert AuditEvent.objects.filter(verb="earnings.reversed", reason="The customer cancelled").exists()


def test_lines_are_never_edited_or_deleted(v1, partner_a):
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    line = accrue_for_won(registration=deal)[0]
    line.amount = Decimal("1")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    line.refresh_from_db()
    line.state = EarningLine.State.APPROVED
    line.save(update_fields=["state"])  # only the state moves


def test_approval_after_the_payable_days(v1, partner_a):
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    accrue_for_won(registration=deal)
    assert approve_due(today=date(2026, 3, 31)) == 0
    assert approve_due(today=date(2026, 4, 1)) == 2
    assert approve_due(today=date(2026, 4, 1)) == 0
    assert set(EarningLine.objects.values_list("state", flat=True)) == {"approved"}


def _contract(partner, amount="10000"):
    return CustomerContract.objects.create(
        customer_name="Globex",
        partner=partner,
        starts_on=date(2025, 3, 1),
        amount=Decimal(amount),
        currency="EUR",
        renewal_on=date(2026, 3, 1),
    )


def test_renewal_rebate_through_insights(v1, partner_a, channel_manager, django_capture_on_commit_callbacks):
    from insights.services.customers.contracts import renewal_record

    contract = _contract(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = renewal_record(actor=channel_manager, contract=contract, outcome="expanded", new_amount="12000")
    [line] = EarningLine.objects.filter(renewal=outcome)
    assert (line.rule_kind, line.amount, line.currency) == ("renewal_rebate", Decimal("360.00"), "EUR")
    assert line.calculation == "3% renewal rebate on €12,000.00 renewed by “Globex” under plan v1"
    assert accrue_for_renewal(renewal=outcome) == []  # once


def test_no_rebate_for_direct_customers_or_churn(v1, partner_a, channel_manager, django_capture_on_commit_callbacks):
    from insights.services.customers.contracts import renewal_record

    direct = _contract(None)
    churned = _contract(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        renewal_record(actor=channel_manager, contract=direct, outcome="renewed")
        renewal_record(actor=channel_manager, contract=churned, outcome="churned")
    assert not EarningLine.objects.exists()


def test_calculator_for_hypothetical_deals(v1, partner_a):
    estimate = calculate_for(
        partner=partner_a, amount=Decimal("80000"), currency="USD", involvement="sourced", on=date(2026, 3, 1)
    )
    assert estimate.version == v1
    assert [(p.kind, p.amount) for p in estimate.result.parts] == [
        ("deal_payout", Decimal("5000.00")),
        ("first_win", Decimal("1000.00")),
    ]
    nothing = calculate_for(
        partner=partner_a, amount=Decimal("100"), currency="USD", involvement="fulfilled", on=date(2026, 3, 1)
    )
    assert [p.kind for p in nothing.result.parts] == ["first_win"]  # the bonus does not depend on a payout rule
    assert nothing.result.notes == ["Plan v1 pays nothing on fulfilled deals in USD."]
    assert not EarningLine.objects.exists()


def test_calculator_for_a_registration_uses_its_approval_version(v1, partner_a):
    with_rules(published_version(2, date(2026, 4, 1)), payouts=[{"involvement": "sourced", **pct("12")}])
    deal = Registration.objects.create(
        partner=partner_a,
        name="Open",
        status=Registration.Status.APPROVED,
        decided_at=moment(date(2026, 3, 20)),
        value=Decimal("10000"),
        currency="USD",
    )
    estimate = calculate_for(deal, on=date(2026, 4, 5))
    assert estimate.version == v1
    assert estimate.result.parts[0].amount == Decimal("1000.00")


def test_payable_date_follows_the_plan_setting(v1, partner_a):
    v1.plan.payable_after_days = 10
    v1.plan.save()
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    line = accrue_for_won(registration=deal)[0]
    assert line.payable_on == date(2026, 3, 2) + timedelta(days=10)


def test_partner_is_told_what_a_win_earned(v1, partner_a, partner_a_admin, partner_a_seller, partner_b_user):
    deal = won_deal(
        partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 2), created_by=partner_a_seller
    )
    accrue_for_won(registration=deal)
    told = Notification.objects.filter(template="incentives_earned")
    assert set(told.values_list("email", flat=True)) == {partner_a_admin.email, partner_a_seller.email}
    note = told.get(email=partner_a_seller.email)
    assert note.subject == "You earned $5,800.00: Your won deal “Acme rollout”"
    assert "$4,800.00: 10% of $48,000.00 sourced deal “Acme rollout” under plan v1" in note.body_text
    accrue_for_won(registration=deal)
    assert told.count() == 2  # nothing new, nobody told twice


def test_hold_and_release_a_line(v1, partner_a, partner_a_admin, channel_manager):
    deal = won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    line = accrue_for_won(registration=deal)[0]
    with pytest.raises(ValidationError):
        line_hold(actor=channel_manager, line=line, reason="")
    held = line_hold(actor=channel_manager, line=line, reason="Waiting for the customer's payment")
    assert (held.state, held.hold_reason) == ("held", "Waiting for the customer's payment")
    assert approve_due(today=date(2026, 12, 31)) == 1  # only the other line
    note = Notification.objects.get(template="incentives_line_held", email=partner_a_admin.email)
    assert "Why: Waiting for the customer's payment" in note.body_text
    with pytest.raises(ValidationError) as exc:
        line_hold(actor=channel_manager, line=line, reason="again")
    assert "This line is held: it cannot be held." in str(exc.value)
    released = line_release(actor=channel_manager, line=line)
    assert (released.state, released.hold_reason) == ("accrued", "")
    EarningLine.objects.filter(pk=line.pk).update(state="paid")
    with pytest.raises(ValidationError) as exc:
        line_hold(actor=channel_manager, line=line, reason="too late")
    assert "This line is paid" in str(exc.value)
    assert AuditEvent.objects.filter(verb__in=["earnings.held", "earnings.released"]).count() == 2
