"""The partner's side of a request: submit with clear validation, answer a question, cancel; the manager's
extension of a claim deadline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of
from mdf.models import FundRequest, MdfSettings
from prm.models import AuditEvent, Notification
from tests.mdf.factories import approved_request, funded_budget

D = Decimal


def _data(budget, **overrides):
    start = timezone.localdate() + timedelta(days=10)
    data = {
        "budget": budget,
        "activity_type": "webinar",
        "title": "Automation webinar",
        "description": "Live demo for 200 invited prospects.",
        "starts_on": start,
        "ends_on": start,
        "expected_leads": 60,
        "expected_pipeline": D("150000"),
        "total_cost": D("6000"),
        "partner_share_percent": D("25"),
        "requested_amount": D("4500"),
    }
    return {**data, **overrides}


def test_a_marketer_submits_a_request_and_the_managers_are_told(
    partner_a, partner_a_marketer, channel_manager, budget_a
):
    request = services.request_submit(actor=partner_a_marketer, partner=partner_a, **_data(budget_a))
    assert request.status == FundRequest.Status.SUBMITTED
    assert request.created_by == partner_a_marketer
    assert request.currency == "USD"
    assert request.decision_due_at > timezone.now()
    assert AuditEvent.objects.filter(verb="mdf.request_submitted", target_id=str(request.pk)).exists()
    note = Notification.objects.get(recipient=channel_manager, template="mdf_request_submitted")
    assert "Automation webinar" in note.subject
    assert "$4,500.00" in note.subject
    assert "What happens next" in note.body_text
    # Submitting reserves nothing: only an approval does.
    assert balance_of(budget_a).available == D("10000.00")


def test_sellers_and_outsiders_cannot_request(partner_a, partner_a_seller, partner_b_user, budget_a):
    with pytest.raises(ValidationError, match="admin or marketing"):
        services.request_submit(actor=partner_a_seller, partner=partner_a, **_data(budget_a))
    with pytest.raises(ValidationError, match="your company's people"):
        services.request_submit(actor=partner_b_user, partner=partner_a, **_data(budget_a))


def test_validation_names_each_field_at_fault(partner_a, partner_a_admin, budget_a):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            **_data(
                budget_a,
                activity_type="party",
                title=" ",
                starts_on=today + timedelta(days=5),
                ends_on=today + timedelta(days=4),
                partner_share_percent=D("120"),
                total_cost="abc",
                expected_leads=-3,
            ),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"activity_type", "title", "ends_on", "partner_share_percent", "total_cost", "expected_leads"}
    assert "ends before it starts" in errors["ends_on"][0]


def test_the_amount_is_at_most_the_cost_minus_the_share(partner_a, partner_a_admin, budget_a):
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            **_data(budget_a, total_cost=D("100.01"), partner_share_percent=D("50"), requested_amount=D("50.01")),
        )
    assert caught.value.message_dict["requested_amount"] == [
        "You can ask for at most $50.00: the total cost of $100.01 minus your share of 50%."
    ]


def test_the_amount_is_within_the_available_balance(partner_a, partner_a_admin, budget_a):
    approved_request(partner=partner_a, budget=budget_a, amount="7000")
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            **_data(budget_a, total_cost=D("8000"), requested_amount=D("3500")),
        )
    message = caught.value.message_dict["requested_amount"][0]
    assert "available balance" in message
    assert "$3,000.00" in message


def test_only_the_partners_open_budgets(partner_a, partner_b, partner_a_admin, budget_a):
    other = funded_budget(partner_b, "5000")
    with pytest.raises(ValidationError) as caught:
        services.request_submit(actor=partner_a_admin, partner=partner_a, **_data(other))
    assert "budget" in caught.value.message_dict
    past = funded_budget(partner_a, "5000", period=services.period_for(timezone.localdate() - timedelta(days=200)))
    with pytest.raises(ValidationError) as caught:
        services.request_submit(actor=partner_a_admin, partner=partner_a, **_data(past))
    assert "expired" in caught.value.message_dict["budget"][0]


def test_an_activity_that_already_ended_is_refused(partner_a, partner_a_admin, budget_a):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin, partner=partner_a, **_data(budget_a, starts_on=yesterday, ends_on=yesterday)
        )
    assert "already ended" in caught.value.message_dict["ends_on"][0]


def test_resubmit_answers_a_question_and_restarts_the_clock(partner_a, partner_a_admin, channel_manager, budget_a):
    request = services.request_submit(actor=partner_a_admin, partner=partner_a, **_data(budget_a))
    services.request_ask_info(actor=channel_manager, request=request, question="Who is invited?")
    request.refresh_from_db()
    assert request.status == FundRequest.Status.NEEDS_INFO
    with pytest.raises(ValidationError) as caught:
        services.request_resubmit(actor=partner_a_admin, request=request, requested_amount=D("4600"))
    assert "at most $4,500.00" in caught.value.message_dict["requested_amount"][0]
    again = services.request_resubmit(
        actor=partner_a_admin,
        request=request,
        description="200 CIOs from our customer list.",
        requested_amount=D("4000"),
    )
    assert again.status == FundRequest.Status.SUBMITTED
    assert again.requested_amount == D("4000.00")
    assert again.description == "200 CIOs from our customer list."
    assert Notification.objects.filter(
        template="mdf_request_submitted", subject__startswith="MDF request updated"
    ).exists()
    with pytest.raises(ValidationError, match="cannot be sent again"):
        services.request_resubmit(actor=partner_a_admin, request=again, title="x")


def test_cancel_an_approved_request_releases_its_reservation(partner_a, partner_a_admin, channel_manager, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, amount="3000")
    assert balance_of(budget_a).available == D("7000.00")
    services.request_cancel(actor=partner_a_admin, request=request, reason="Event moved to next year")
    request.refresh_from_db()
    assert request.status == FundRequest.Status.CANCELLED
    balance = balance_of(budget_a)
    assert (balance.available, balance.reserved) == (D("10000.00"), D("0.00"))
    assert Notification.objects.filter(recipient=channel_manager, template="mdf_request_cancelled").exists()
    with pytest.raises(ValidationError, match="cancelled"):
        services.request_cancel(actor=partner_a_admin, request=request)


def test_a_claimed_request_cannot_be_cancelled(partner_a, partner_a_admin, budget_a):
    from tests.mdf.factories import claimed_request

    request = claimed_request(partner=partner_a, budget=budget_a)
    with pytest.raises(ValidationError):
        services.request_cancel(actor=partner_a_admin, request=request)


def test_extend_a_claim_deadline_and_revive_an_expired_approval(partner_a, partner_a_admin, channel_manager, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, amount="2000")
    later = request.claim_deadline + timedelta(days=30)
    with pytest.raises(ValidationError):
        services.request_extend_deadline(actor=partner_a_admin, request=request, deadline=later, reason="x")
    with pytest.raises(ValidationError) as caught:
        services.request_extend_deadline(
            actor=channel_manager, request=request, deadline=request.claim_deadline, reason="x"
        )
    assert "later day" in caught.value.message_dict["deadline"][0]
    extended = services.request_extend_deadline(
        actor=channel_manager, request=request, deadline=later, reason="Invoices from the venue are late"
    )
    assert (extended.claim_deadline, extended.deadline_extended) == (later, True)
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_deadline_extended").exists()
    assert AuditEvent.objects.filter(verb="mdf.deadline_extended", reason="Invoices from the venue are late").exists()

    # An approval that expired is reserved again when the money is still there.
    expired = approved_request(partner=partner_a, budget=budget_a, amount="1000")
    from mdf.ledger import entry_add
    from mdf.models import LedgerEntry

    entry_add(budget=budget_a, kind=LedgerEntry.Kind.RELEASE, amount=D("1000"), request=expired)
    FundRequest.objects.filter(pk=expired.pk).update(
        status=FundRequest.Status.EXPIRED, claim_deadline=timezone.localdate() - timedelta(days=1)
    )
    services.request_extend_deadline(
        actor=channel_manager, request=expired, deadline=timezone.localdate() + timedelta(days=10), reason="Late"
    )
    expired.refresh_from_db()
    assert expired.status == FundRequest.Status.APPROVED
    assert balance_of(budget_a).reserved == D("3000.00")


def test_settings_update_is_audited(channel_manager):
    services.mdf_settings_update(actor=channel_manager, claim_days=45, admin_approval_above=D("10000"))
    settings = MdfSettings.objects.get(pk=1)
    assert (settings.claim_days, settings.admin_approval_above) == (45, D("10000.00"))
    assert AuditEvent.objects.filter(verb="mdf.settings_updated").exists()


def test_bad_input_of_any_kind_is_a_validation_error(partner_a, partner_a_admin, budget_a):
    """Whatever a form lets through (missing values, wrong types), the service answers with field errors."""
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            budget=None,
            activity_type=None,
            title=None,
            starts_on=None,
            ends_on="2026-01-01",
            total_cost=None,
            partner_share_percent="half",
            requested_amount="",
        )
    assert set(caught.value.message_dict) == {
        "budget",
        "activity_type",
        "title",
        "starts_on",
        "ends_on",
        "total_cost",
        "partner_share_percent",
        "requested_amount",
    }


def test_numbers_too_large_for_the_columns_are_refused(partner_a, partner_a_admin, budget_a):
    with pytest.raises(ValidationError) as caught:
        services.request_submit(
            actor=partner_a_admin,
            partner=partner_a,
            **_data(budget_a, total_cost="1e20", expected_leads=10**12, expected_pipeline=D("1e15")),
        )
    assert set(caught.value.message_dict) == {"total_cost", "expected_leads", "expected_pipeline"}
