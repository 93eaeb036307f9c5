"""Insights in Django's admin: every model's list and page render and search; direct revenue and program costs are
editable (who changed them is recorded); contracts, reviews and action items are fixed, never created or deleted
by hand, and their money, dates and states are read-only; outcomes and roll-ups are read-only."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from insights.models import (
    ActionItem,
    CustomerContract,
    DirectRevenue,
    ProgramCost,
    RegistrationMonth,
    RenewalOutcome,
    Review,
    ReviewPlan,
    SummaryState,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def world(partner_a):
    contract = CustomerContract.objects.create(
        customer_name="Acme Corp",
        partner=partner_a,
        involvement="sourced",
        starts_on=date(2025, 1, 1),
        amount=Decimal("24000"),
        currency="EUR",
        renewal_on=date(2026, 1, 1),
    )
    review = Review.objects.create(partner=partner_a, scheduled_on=date(2026, 1, 10), title="Q1 review")
    return {
        "directrevenue": DirectRevenue.objects.create(month=date(2026, 1, 1), amount=Decimal("5000"), currency="USD"),
        "programcost": ProgramCost.objects.create(
            partner=partner_a, incurred_on=date(2026, 1, 5), amount=Decimal("300"), currency="USD"
        ),
        "customercontract": contract,
        "renewaloutcome": RenewalOutcome.objects.create(
            contract=contract, due_on=date(2025, 12, 1), outcome="renewed", new_amount=Decimal("24000"), currency="EUR"
        ),
        "reviewplan": ReviewPlan.objects.create(partner=partner_a, cadence="monthly"),
        "review": review,
        "actionitem": ActionItem.objects.create(
            review=review, partner=partner_a, title="Send the logo", due_on=date(2026, 2, 1)
        ),
        "registrationmonth": RegistrationMonth.objects.create(
            month=date(2026, 1, 1), kind="won", involvement="sourced", currency="EUR", count=1, amount=Decimal("1")
        ),
        "summarystate": SummaryState.objects.create(pk=1),
    }


def test_every_insights_admin_page_renders(superuser_client, world):
    for model, obj in world.items():
        assert superuser_client.get(reverse(f"admin:insights_{model}_changelist")).status_code == 200, model
        assert superuser_client.get(reverse(f"admin:insights_{model}_change", args=[obj.pk])).status_code == 200, model


def test_lists_search(superuser_client, world):
    response = superuser_client.get(reverse("admin:insights_customercontract_changelist"), {"q": "northwind"})
    assert response.context["cl"].result_count == 1
    response = superuser_client.get(reverse("admin:insights_actionitem_changelist"), {"q": "logo"})
    assert response.context["cl"].result_count == 1


def test_app_managed_rows_are_never_added_or_deleted_by_hand(superuser_client, world):
    for model in ("customercontract", "review", "actionitem", "renewaloutcome", "reviewplan", "registrationmonth"):
        assert superuser_client.get(reverse(f"admin:insights_{model}_add")).status_code == 403, model
        obj = world[model]
        assert superuser_client.get(reverse(f"admin:insights_{model}_delete", args=[obj.pk])).status_code == 403, model


def test_contract_money_and_dates_are_read_only(superuser_client, world):
    contract = world["customercontract"]
    url = reverse("admin:insights_customercontract_change", args=[contract.pk])
    page = superuser_client.get(url).content.decode()
    assert reverse("manage:customer_detail", args=[contract.pk]) in page
    response = superuser_client.post(
        url,
        {
            "customer_name": "Acme Corporation",
            "involvement": "sourced",
            "amount": "1",
            "renewal_on": "2030-01-01",
            "status": "churned",
            "outcomes-TOTAL_FORMS": "1",
            "outcomes-INITIAL_FORMS": "1",
            "outcomes-MIN_NUM_FORMS": "0",
            "outcomes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.customer_name == "Acme Corporation"
    assert contract.amount == Decimal("24000.00")
    assert contract.renewal_on == date(2026, 1, 1)
    assert contract.status == "active"


def test_direct_revenue_records_who_changed_it(superuser_client, superuser):
    response = superuser_client.post(
        reverse("admin:insights_directrevenue_add"),
        {"month": "2026-02-01", "amount": "7000", "currency": "USD", "note": "February"},
    )
    assert response.status_code == 302
    assert DirectRevenue.objects.get(month=date(2026, 2, 1)).updated_by == superuser
