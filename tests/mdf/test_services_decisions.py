"""The channel team's decisions: approve fully or partly (reserving the amount, never beyond the balance),
the admin band, reject, ask for more information."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mdf import services
from mdf.ledger import balance_of
from mdf.models import FundRequest, LedgerEntry
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory
from tests.mdf.factories import FundRequestFactory, set_mdf

D = Decimal


@pytest.fixture
def submitted(partner_a, partner_a_admin, budget_a):
    return FundRequestFactory(partner=partner_a, budget=budget_a, created_by=partner_a_admin)


def test_full_approval_reserves_the_amount_and_sets_the_claim_deadline(
    submitted, channel_manager, budget_a, partner_a_admin
):
    request = services.request_approve(actor=channel_manager, request=submitted)
    assert request.status == FundRequest.Status.APPROVED
    assert request.approved_amount == D("4000.00")
    assert request.claim_deadline == request.ends_on + timedelta(days=60)
    assert (request.decided_by, request.first_approved_by) == (channel_manager, None)
    entry = LedgerEntry.objects.get(request=request)
    assert (entry.kind, entry.amount, entry.actor) == ("reservation", D("4000.00"), channel_manager)
    balance = balance_of(budget_a)
    assert (balance.reserved, balance.available) == (D("4000.00"), D("6000.00"))
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_request_approved")
    assert "$4,000.00 is reserved" in note.body_text
    assert "What happens next" in note.body_text
    assert AuditEvent.objects.get(verb="mdf.request_approved").summary == (
        f"approved the MDF request “{request.title}” ($4,000.00)"
    )


def test_partial_approval(submitted, channel_manager, partner_a_admin):
    request = services.request_approve(
        actor=channel_manager, request=submitted, amount=D("2500"), reason="Half the venue"
    )
    assert request.approved_amount == D("2500.00")
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_request_approved")
    assert "approved in part" in note.subject
    assert "you asked for $4,000.00" in note.body_text
    assert AuditEvent.objects.filter(verb="mdf.request_approved_partly", reason="Half the venue").exists()


def test_approval_amount_is_checked(submitted, channel_manager):
    for amount, words in [(D("4000.01"), "approve that or less"), (D("0"), "more than 0"), ("x", "as a number")]:
        with pytest.raises(ValidationError) as caught:
            services.request_approve(actor=channel_manager, request=submitted, amount=amount)
        assert words in caught.value.message_dict["amount"][0]
    assert not LedgerEntry.objects.filter(request=submitted).exists()


def test_never_beyond_the_available_balance(partner_a, budget_a, channel_manager):
    first = FundRequestFactory(partner=partner_a, budget=budget_a, total_cost=D("14000"), requested_amount=D("7000"))
    second = FundRequestFactory(partner=partner_a, budget=budget_a, total_cost=D("14000"), requested_amount=D("7000"))
    services.request_approve(actor=channel_manager, request=first)
    with pytest.raises(ValidationError) as caught:
        services.request_approve(actor=channel_manager, request=second)
    assert "$3,000.00 available" in caught.value.message_dict["amount"][0]
    services.request_approve(actor=channel_manager, request=second, amount=D("3000"))
    assert balance_of(budget_a).available == D("0.00")


def test_overspend_when_the_settings_allow_it(partner_a, budget_a, channel_manager):
    set_mdf(allow_overspend=True)
    big = FundRequestFactory(partner=partner_a, budget=budget_a, total_cost=D("30000"), requested_amount=D("12000"))
    services.request_approve(actor=channel_manager, request=big)
    assert balance_of(budget_a).available == D("-2000.00")


def test_above_the_band_an_admin_approves_too(partner_a, budget_a, channel_manager, mdf_admin, partner_a_admin):
    set_mdf(admin_approval_above=D("3000"))
    request = FundRequestFactory(partner=partner_a, budget=budget_a, created_by=partner_a_admin)
    first = services.request_approve(actor=channel_manager, request=request, amount=D("3500"))
    assert first.status == FundRequest.Status.AWAITING_ADMIN
    assert first.first_approved_by == channel_manager
    assert balance_of(budget_a).reserved == D("0.00")  # nothing reserved yet
    assert Notification.objects.filter(recipient=mdf_admin, template="mdf_request_awaiting_admin").exists()
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_request_first_approval").exists()
    # Another channel manager cannot give the second approval; only an admin.
    with pytest.raises(ValidationError, match="an admin approves it"):
        services.request_approve(actor=ChannelManagerFactory(), request=first)
    final = services.request_approve(actor=mdf_admin, request=first)
    assert final.status == FundRequest.Status.APPROVED
    assert final.approved_amount == D("3500.00")  # the first approver's amount
    assert (final.first_approved_by, final.decided_by) == (channel_manager, mdf_admin)
    assert balance_of(budget_a).reserved == D("3500.00")


def test_within_the_band_or_by_an_admin_one_approval_is_enough(partner_a, budget_a, channel_manager, mdf_admin):
    set_mdf(admin_approval_above=D("3000"))
    small = FundRequestFactory(partner=partner_a, budget=budget_a, requested_amount=D("3000"))
    assert services.request_approve(actor=channel_manager, request=small).status == FundRequest.Status.APPROVED
    large = FundRequestFactory(partner=partner_a, budget=budget_a)
    assert services.request_approve(actor=mdf_admin, request=large).status == FundRequest.Status.APPROVED


def test_the_first_approver_cannot_give_the_second(partner_a, budget_a, channel_manager, mdf_admin):
    set_mdf(admin_approval_above=D("1000"))
    request = FundRequestFactory(partner=partner_a, budget=budget_a)
    services.request_approve(actor=channel_manager, request=request)
    FundRequest.objects.filter(pk=request.pk).update(first_approved_by=mdf_admin)
    with pytest.raises(ValidationError, match="another admin"):
        services.request_approve(actor=mdf_admin, request=request)


def test_reject_needs_a_reason_and_tells_the_partner(submitted, channel_manager, partner_a_admin, budget_a):
    with pytest.raises(ValidationError, match="reason"):
        services.request_reject(actor=channel_manager, request=submitted, reason="  ")
    request = services.request_reject(actor=channel_manager, request=submitted, reason="Outside the program's focus")
    assert request.status == FundRequest.Status.REJECTED
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_request_rejected")
    assert "Outside the program's focus" in note.body_text
    assert balance_of(budget_a).available == D("10000.00")
    with pytest.raises(ValidationError, match=r"cannot be approved now"):
        services.request_approve(actor=channel_manager, request=request)


def test_ask_info_forgets_a_first_approval(partner_a, budget_a, channel_manager, partner_a_admin):
    set_mdf(admin_approval_above=D("1000"))
    request = FundRequestFactory(partner=partner_a, budget=budget_a, created_by=partner_a_admin)
    services.request_approve(actor=channel_manager, request=request)
    asked = services.request_ask_info(actor=channel_manager, request=request, question="Which venue?")
    assert asked.status == FundRequest.Status.NEEDS_INFO
    assert (asked.first_approved_by, asked.approved_amount, asked.info_requested) == (None, None, "Which venue?")
    note = Notification.objects.get(recipient=partner_a_admin, template="mdf_request_info_requested")
    assert "Which venue?" in note.body_text


def test_only_channel_managers_decide(submitted, partner_a_admin):
    for call in (services.request_approve, services.request_reject, services.request_ask_info):
        kwargs = {"reason": "x"} if call is services.request_reject else {}
        if call is services.request_ask_info:
            kwargs = {"question": "x"}
        with pytest.raises(ValidationError, match="Only channel managers"):
            call(actor=partner_a_admin, request=submitted, **kwargs)
