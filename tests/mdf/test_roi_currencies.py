"""MDF ROI across currencies: every amount converted into the reporting currency at its month's rate, what has no
rate listed apart (never added at face value), and the partner's own amounts kept in their own currencies."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from mdf import selectors, services
from partners.models import Program
from prm.models import ExchangeRate
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import PartnerFactory
from tests.mdf.factories import claimed_request, funded_budget

D = Decimal


def at(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime(year, month, 10, 12))


def paid_activity(partner, channel_manager, amount="1000"):
    request = claimed_request(partner=partner, budget=funded_budget(partner, "5000"), amount=amount, claimed=amount)
    claim = services.claim_approve(actor=channel_manager, claim=request.claim)
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="R")
    return request


def won(partner, currency: str, amount: str, closed: datetime, **extra):
    return RegistrationFactory(
        partner=partner,
        status=Registration.Status.WON,
        currency=currency,
        value=D(amount),
        won_amount=D(amount),
        submitted_at=closed,
        closed_at=closed,
        **extra,
    )


@pytest.fixture
def activity(partner_a, partner_a_admin, channel_manager):
    request = paid_activity(partner_a, channel_manager)
    deals = [
        won(partner_a, "USD", "3000", at(2026, 3)),
        won(partner_a, "EUR", "1000", at(2026, 3)),  # rate 1.10 -> 1,100.00
        won(partner_a, "EUR", "500", at(2026, 4)),  # no April rate: apart
    ]
    for deal in deals:
        services.attribution_add(actor=partner_a_admin, request=request, registration=deal)
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 3, 1), rate=D("1.10"))
    return request


def test_roi_converts_at_the_month_rate_and_lists_the_rest_apart(activity):
    roi = selectors.roi_for_request(activity)
    assert roi.paid.total == D("1000.00")
    assert roi.won.total == D("4100.00")  # 3,000 + 1,000 x 1.10; the April EUR 500 is not added
    assert roi.won.unconverted.amount("EUR") == D("500.00")
    assert roi.pipeline.total == D("4100.00")
    assert roi.roi == D("4.10")
    assert not roi.complete
    assert roi.won.note == "converted at March 2026 rates"
    assert roi.won_recorded.amount("EUR") == D("1500.00")
    assert roi.won_recorded.amount("USD") == D("3000.00")


def test_roi_pages_show_the_conversion_and_what_is_apart(manager_client, admin_client_a, activity):
    text = manager_client.get(reverse("manage:mdf_roi")).content.decode()
    assert "$4,100.00" in text
    assert "€500.00 not converted" in text
    assert "converted at March 2026 rates" in text
    assert "4,600" not in text
    assert "4600" not in text
    portal = admin_client_a.get(reverse("portal:mdf_request", args=[activity.pk])).content.decode()
    assert "€1,500.00 + $3,000.00" in portal  # the partner's own amounts, in their own currencies


def test_roi_in_another_reporting_currency(activity):
    Program.objects.filter(pk=1).update(reporting_currency="EUR")
    ExchangeRate.objects.create(currency="USD", to_currency="EUR", month=date(2026, 3, 1), rate=D("0.90"))
    roi = selectors.roi_for_request(activity)
    assert roi.currency == "EUR"
    assert roi.won.total == D("4200.00")  # 3,000 x 0.90 + 1,000 + 500
    # The payout (this month) has no USD->EUR rate: it is apart, so no ratio can be honest yet.
    assert roi.paid.total == D("0.00")
    assert roi.paid.unconverted.amount("USD") == D("1000.00")
    assert roi.roi is None


def test_roi_page_queries_do_not_grow_with_partners(manager_client, channel_manager, django_assert_max_num_queries):
    def add_partner():
        partner = PartnerFactory()
        request = paid_activity(partner, channel_manager, amount="100")
        deal = won(partner, "EUR", "50", at(2026, 3))
        request.attributions.create(registration=deal)

    add_partner()
    with django_assert_max_num_queries(40) as few:
        manager_client.get(reverse("manage:mdf_roi"))
    for _ in range(4):
        add_partner()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(reverse("manage:mdf_roi"))
    assert len(response.context["partners"]) == 5
