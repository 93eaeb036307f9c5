"""MDF in Django's admin: every model's list and page render, lists filter and search, budgets show their balance
in the list's own query, the ledger and proof files are read-only, and money and states of requests and claims
cannot be edited by hand (only what the partner wrote)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dealreg.models import Registration
from mdf import services
from mdf.models import Attribution, FundRequest, LedgerEntry, TierPool
from partners.models import Tier
from tests.dealreg.factories_views import RegistrationFactory
from tests.factories import PartnerFactory, UserFactory
from tests.mdf.factories import claimed_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com"))
    return client


@pytest.fixture
def world(partner_a):
    budget = funded_budget(partner_a, "10000")
    fr = claimed_request(partner=partner_a, budget=budget, title="Spring roadshow")
    tier = Tier.objects.get_or_create(name="Gold", defaults={"rank": 30, "mdf_eligible": True})[0]
    pool = TierPool.objects.create(period=budget.period, tier=tier, amount=D("5000"))
    deal = RegistrationFactory(partner=partner_a, status=Registration.Status.SUBMITTED)
    attribution = Attribution.objects.create(request=fr, registration=deal)
    return {
        "mdfsettings": services.mdf_settings(),
        "period": budget.period,
        "tierpool": pool,
        "budget": budget,
        "ledgerentry": LedgerEntry.objects.filter(budget=budget).first(),
        "fundrequest": fr,
        "claim": fr.claim,
        "prooffile": fr.claim.proofs.get(),
        "attribution": attribution,
    }


def test_every_mdf_admin_page_renders(superuser_client, world):
    for model, obj in world.items():
        assert superuser_client.get(reverse(f"admin:mdf_{model}_changelist")).status_code == 200, model
        assert superuser_client.get(reverse(f"admin:mdf_{model}_change", args=[obj.pk])).status_code == 200, model


def test_budget_list_shows_balances_and_searches(superuser_client, world, django_assert_max_num_queries):
    for _ in range(5):
        funded_budget(PartnerFactory(), "250")
    with django_assert_max_num_queries(12):
        response = superuser_client.get(reverse("admin:mdf_budget_changelist"))
    text = response.content.decode()
    assert "$10,000.00" in text  # allocated
    assert "$6,000.00" in text  # available: 4,000 reserved by the claimed request
    response = superuser_client.get(reverse("admin:mdf_budget_changelist"), {"q": "Northwind"})
    assert response.context["cl"].result_count == 1
    page = superuser_client.get(reverse("admin:mdf_budget_change", args=[world["budget"].pk])).content.decode()
    assert "available $6,000.00" in page
    assert "Reservation" in page  # the ledger inline


def test_ledger_and_proof_are_read_only(superuser_client, world):
    entry = world["ledgerentry"]
    for url in (
        reverse("admin:mdf_ledgerentry_add"),
        reverse("admin:mdf_ledgerentry_delete", args=[entry.pk]),
        reverse("admin:mdf_prooffile_delete", args=[world["prooffile"].pk]),
        reverse("admin:mdf_budget_delete", args=[world["budget"].pk]),
        reverse("admin:mdf_fundrequest_add"),
        reverse("admin:mdf_fundrequest_delete", args=[world["fundrequest"].pk]),
        reverse("admin:mdf_claim_delete", args=[world["claim"].pk]),
        reverse("admin:mdf_mdfsettings_add"),
        reverse("admin:mdf_attribution_add"),
    ):
        assert superuser_client.get(url).status_code == 403, url
    response = superuser_client.post(
        reverse("admin:mdf_ledgerentry_change", args=[entry.pk]), {"amount": "999999", "kind": "allocation"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.amount == D("10000.00")


def test_a_request_text_can_be_fixed_but_not_its_money_or_state(superuser_client, world):
    fr = world["fundrequest"]
    url = reverse("admin:mdf_fundrequest_change", args=[fr.pk])
    page = superuser_client.get(url).content.decode()
    assert 'name="title"' in page
    assert 'name="requested_amount"' not in page
    assert 'name="status"' not in page
    assert 'name="starts_on"' not in page  # decided: its dates set the claim deadline
    assert reverse("manage:mdf_request", args=[fr.pk]) in page
    data = {
        "activity_type": fr.activity_type,
        "title": "Spring roadshow (Lyon)",
        "description": fr.description,
        "expected_leads": "40",
        "expected_pipeline": "",
        "requested_amount": "1",
        "status": "approved",
        "attributions-TOTAL_FORMS": "1",
        "attributions-INITIAL_FORMS": "1",
        "attributions-MIN_NUM_FORMS": "0",
        "attributions-MAX_NUM_FORMS": "1000",
        "entries-TOTAL_FORMS": "1",
        "entries-INITIAL_FORMS": "1",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fr.refresh_from_db()
    assert fr.title == "Spring roadshow (Lyon)"
    assert (fr.requested_amount, fr.status) == (D("4000.00"), FundRequest.Status.CLAIMED)


def test_lists_filter(superuser_client, world):
    response = superuser_client.get(reverse("admin:mdf_fundrequest_changelist"), {"status__exact": "claimed"})
    assert response.context["cl"].result_count == 1
    response = superuser_client.get(reverse("admin:mdf_ledgerentry_changelist"), {"kind__exact": "payout"})
    assert response.context["cl"].result_count == 0
    response = superuser_client.get(reverse("admin:mdf_claim_changelist"), {"q": "Spring"})
    assert response.context["cl"].result_count == 1
    claim_page = superuser_client.get(reverse("admin:mdf_claim_change", args=[world["claim"].pk])).content.decode()
    assert "invoice.pdf" in claim_page
    assert reverse("manage:mdf_proof", args=[world["prooffile"].pk]) in claim_page
