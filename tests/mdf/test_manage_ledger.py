"""The ledger page (filters, the balance the entries add up to, bounded queries), ROI per partner and per
activity, and the MDF settings page (bad values come back next to the field; good ones are saved and audited)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dealreg.models import Registration
from mdf import services
from mdf.models import Attribution, LedgerEntry, MdfSettings
from prm.models import AuditEvent
from tests.dealreg.factories_views import RegistrationFactory
from tests.factories import PartnerFactory
from tests.mdf.factories import approved_request, claimed_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


# --- The ledger --------------------------------------------------------------------------------------------------


def test_ledger_lists_entries_and_filters(manager_client, partner_a, partner_b):
    budget_a = funded_budget(partner_a, "10000")
    approved_request(partner=partner_a, budget=budget_a, amount="2500", title="Roadshow")
    funded_budget(partner_b, "3000")
    url = reverse("manage:mdf_ledger")
    response = manager_client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
    assert response.context["balance"] is None
    text = body(response)
    assert "Roadshow" in text
    assert "Reservation" in text
    assert "$2,500.00" in text

    response = manager_client.get(url, {"partner": partner_a.pk})
    assert {e.budget.partner for e in response.context["rows"]} == {partner_a}
    balance = response.context["balance"]
    # One sum per currency (budgets in two currencies are never added at face value).
    assert [balance[k].amount("USD") for k in ("allocated", "reserved", "available")] == [
        D("10000"),
        D("2500"),
        D("7500"),
    ]
    assert "Ledger: Northwind Solutions" in body(response)

    response = manager_client.get(url, {"kind": "allocation"})
    assert {e.kind for e in response.context["rows"]} == {"allocation"}
    response = manager_client.get(url, {"period": budget_a.period_id})
    assert response.context["balance"]["allocated"].amount("USD") == D("13000")
    response = manager_client.get(url, {"kind": "theft", "partner": "me", "page": "-1"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3


def test_empty_ledger_says_what_to_do(manager_client):
    text = body(manager_client.get(reverse("manage:mdf_ledger")))
    assert "The ledger is empty" in text
    assert "allocate funds to a partner" in text


def test_ledger_queries_do_not_grow(manager_client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            partner = PartnerFactory()
            budget = funded_budget(partner, "5000")
            approved_request(partner=partner, budget=budget, amount="100")

    add(2)
    with django_assert_max_num_queries(25) as small:
        manager_client.get(reverse("manage:mdf_ledger"))
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(reverse("manage:mdf_ledger"))
    assert len(response.context["rows"]) == 50
    assert LedgerEntry.objects.count() == 64


# --- ROI ---------------------------------------------------------------------------------------------------------


def test_roi_per_partner_and_per_activity(manager_client, partner_a, partner_a_admin, channel_manager):
    budget = funded_budget(partner_a, "10000")
    fr = claimed_request(partner=partner_a, budget=budget, title="Roadshow", claimed="2000")
    claim = services.claim_approve(actor=channel_manager, claim=fr.claim)
    services.claim_pay(actor=channel_manager, claim=claim, paid_on=claim.decided_at.date(), reference="T1")
    deal = RegistrationFactory(partner=partner_a, status=Registration.Status.WON, value=D("30000"))
    Attribution.objects.create(request=fr, registration=deal)
    response = manager_client.get(reverse("manage:mdf_roi"))
    text = body(response)
    assert response.status_code == 200
    assert "Northwind Solutions" in text
    assert "$2,000.00" in text
    assert "$30,000.00" in text
    assert "15.00×" in text
    assert [item["fr"].title for item in response.context["items"]] == ["Roadshow"]
    filtered = manager_client.get(reverse("manage:mdf_roi"), {"partner": partner_a.pk})
    assert "Per activity: Northwind Solutions" in body(filtered)
    assert manager_client.get(reverse("manage:mdf_roi"), {"partner": "x", "page": "z"}).status_code == 200


def test_empty_roi(manager_client):
    text = body(manager_client.get(reverse("manage:mdf_roi")))
    assert "No MDF activity yet" in text


# --- Settings ---------------------------------------------------------------------------------------------------


def valid_settings(**overrides) -> dict:
    data = {
        "currency": "eur",
        "fiscal_year_start_month": "7",
        "period_months": "6",
        "expiry_grace_days": "15",
        "claim_days": "45",
        "review_business_days": "3",
        "admin_approval_above": "10,000",
        "allow_overspend": "",
        "claim_reminder_days": "1, 15,5",
    }
    return {**data, **overrides}


def test_settings_page_saves_and_audits(program_admin_client):
    response = program_admin_client.get(reverse("manage:mdf_settings"))
    assert response.status_code == 200
    assert "Fiscal year starts in" in body(response)
    response = program_admin_client.post(reverse("manage:mdf_settings"), valid_settings())
    assert response.status_code == 302
    saved = MdfSettings.objects.get(pk=1)
    assert (saved.currency, saved.fiscal_year_start_month, saved.period_months) == ("EUR", 7, 6)
    assert (saved.expiry_grace_days, saved.claim_days, saved.review_business_days) == (15, 45, 3)
    assert saved.admin_approval_above == D("10000.00")
    assert saved.claim_reminder_days == "15,5,1"
    assert AuditEvent.objects.filter(verb="mdf.settings_updated").exists()
    assert 'value="10000.00"' in body(program_admin_client.get(reverse("manage:mdf_settings")))
    # An empty band means one approval.
    program_admin_client.post(reverse("manage:mdf_settings"), valid_settings(admin_approval_above=""))
    assert MdfSettings.objects.get(pk=1).admin_approval_above is None


def test_settings_warn_when_the_amount_band_has_no_admin_to_approve(program_admin_client, program_admin):
    program_admin_client.post(reverse("manage:mdf_settings"), valid_settings())
    page = body(program_admin_client.get(reverse("manage:mdf_settings")))
    assert "nobody is an admin (an active superuser) yet" in page
    program_admin.is_superuser = True
    program_admin.save(update_fields=["is_superuser"])
    assert "nobody is an admin" not in body(program_admin_client.get(reverse("manage:mdf_settings")))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "dollars", "three-letter code"),
        ("currency", "U1", "three-letter code"),
        ("fiscal_year_start_month", "13", "Select a valid choice"),
        ("period_months", "5", "Select a valid choice"),
        ("claim_days", "0", "at least one day"),
        ("claim_days", "soon", "whole number of days"),
        ("expiry_grace_days", "-1", "greater than or equal to 0"),
        ("admin_approval_above", "ten k", "as a number"),
        ("admin_approval_above", "-5", "cannot be negative"),
        ("claim_reminder_days", "15;5", "numbers separated by commas"),
    ],
)
def test_settings_bad_input(program_admin_client, field, value, message):
    response = program_admin_client.post(reverse("manage:mdf_settings"), valid_settings(**{field: value}))
    assert response.status_code == 400
    assert message in body(response)
    assert "Everything you typed is still here" in body(response)
    assert services.mdf_settings().claim_days == 60


def test_a_plain_manager_reads_the_settings_and_cannot_change_them(manager_client):
    assert "Fiscal year starts in" in body(manager_client.get(reverse("manage:mdf_settings")))
    assert manager_client.post(reverse("manage:mdf_settings"), valid_settings()).status_code == 403
    assert services.mdf_settings().claim_days == 60
