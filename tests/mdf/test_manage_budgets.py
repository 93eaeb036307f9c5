"""Budgets per partner and period, tier pools, one allocation at a time, and the CSV bulk allocation: a preview
with every row checked, row errors in words, nothing written while any row is wrong, all rows written at once."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of
from mdf.models import Budget, LedgerEntry, TierPool
from partners.models import Tier
from prm.models import AuditEvent, Notification
from tests.factories import PartnerFactory
from tests.mdf.factories import approved_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def gold(db):
    return Tier.objects.get_or_create(name="Gold", defaults={"rank": 30, "mdf_eligible": True})[0]


@pytest.fixture
def period(db):
    return services.current_period()


# --- Budgets -----------------------------------------------------------------------------------------------------


def test_budgets_page_shows_each_partner_and_eligible_partners_without_funds(manager_client, partner_a, gold, period):
    budget = funded_budget(partner_a, "10000")
    approved_request(partner=partner_a, budget=budget, amount="2500")
    PartnerFactory(name="Fabrikam Gold", tier=gold)
    response = manager_client.get(reverse("manage:mdf_budgets"))
    text = body(response)
    assert response.status_code == 200
    assert f"Budgets: {period.name}" in text
    assert "Northwind Solutions" in text
    assert "$2,500.00" in text
    assert "$7,500.00" in text
    assert "Fabrikam Gold" in text
    assert "eligible, nothing allocated" in text
    assert f"?partner={partner_a.pk}&amp;period={period.pk}" in text  # allocate and ledger links


def test_budgets_page_for_another_period_and_search(manager_client, partner_a, partner_b, period):
    funded_budget(partner_a, "10000")
    later = services.next_period(period)
    funded_budget(partner_b, "777", period=later)
    text = body(manager_client.get(reverse("manage:mdf_budgets"), {"period": later.pk}))
    assert "Contoso Partners" in text
    assert "$777.00" in text
    assert "Northwind Solutions" not in text
    text = body(manager_client.get(reverse("manage:mdf_budgets"), {"q": "north"}))
    assert "Northwind Solutions" in text
    # Nonsense falls back to the current period.
    response = manager_client.get(reverse("manage:mdf_budgets"), {"period": "x", "page": "y"})
    assert response.status_code == 200
    assert response.context["period"] == period


def test_empty_budgets_page_says_what_to_do(manager_client):
    text = body(manager_client.get(reverse("manage:mdf_budgets")))
    assert "No budgets in" in text
    assert "Allocate funds to a partner" in text
    assert "import allocations from a CSV file" in text


def test_budgets_queries_do_not_grow(manager_client, gold, django_assert_max_num_queries):
    for _ in range(3):
        funded_budget(PartnerFactory(tier=gold), "1000")
    with django_assert_max_num_queries(30) as small:
        manager_client.get(reverse("manage:mdf_budgets"))
    for _ in range(30):
        funded_budget(PartnerFactory(tier=gold), "1000")
        PartnerFactory(tier=gold)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(reverse("manage:mdf_budgets"))
    assert len(response.context["items"]) == 50


# --- Tier pools --------------------------------------------------------------------------------------------------


def test_set_a_pool_and_allocate_from_it(manager_client, gold, period):
    member = PartnerFactory(name="Gold Member", tier=gold)
    response = manager_client.post(
        reverse("manage:mdf_pool_set"), {"period": period.pk, "tier": gold.pk, "amount": "20,000"}
    )
    assert response.status_code == 302
    pool = TierPool.objects.get(period=period, tier=gold)
    assert pool.amount == D("20000.00")
    response = manager_client.post(
        reverse("manage:mdf_allocate"),
        {"partner": member.pk, "period": period.pk, "amount": "15000", "pool": pool.pk, "memo": "Gold share"},
    )
    assert response.status_code == 302
    text = body(manager_client.get(reverse("manage:mdf_budgets")))
    assert "$5,000.00" in text  # left in the pool
    # Over-drawing the pool is refused next to the amount.
    response = manager_client.post(
        reverse("manage:mdf_allocate"), {"partner": member.pk, "period": period.pk, "amount": "6000", "pool": pool.pk}
    )
    assert response.status_code == 400
    assert "The Gold pool has $5,000.00 left" in body(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tier": "", "amount": "100"}, "Choose the tier."),
        ({"tier": "TIER", "amount": ""}, "Give the pool amount."),
        ({"tier": "TIER", "amount": "-5"}, "cannot be negative"),
        ({"tier": "987654", "amount": "5"}, "That tier does not exist."),
    ],
)
def test_pool_bad_input(manager_client, gold, period, data, message):
    data = {k: (str(gold.pk) if v == "TIER" else v) for k, v in data.items()}
    response = manager_client.post(reverse("manage:mdf_pool_set"), {"period": period.pk, **data})
    assert response.status_code == 400
    assert message in body(response)
    assert not TierPool.objects.exists()


def test_a_pool_cannot_shrink_below_what_was_drawn(manager_client, gold, period, channel_manager):
    pool = services.pool_set(actor=channel_manager, period=period, tier=gold, amount=D("1000"))
    services.allocation_create(
        actor=channel_manager, partner=PartnerFactory(tier=gold), period=period, amount=D("800"), pool=pool
    )
    response = manager_client.post(
        reverse("manage:mdf_pool_set"), {"period": period.pk, "tier": gold.pk, "amount": "500"}
    )
    assert response.status_code == 400
    assert "already drew $800.00 from this pool" in body(response)


# --- One allocation ---------------------------------------------------------------------------------------------


def test_allocate_page_prefills_and_shows_the_balance(manager_client, partner_a, period):
    funded_budget(partner_a, "1200")
    response = manager_client.get(reverse("manage:mdf_allocate"), {"partner": partner_a.pk, "period": period.pk})
    text = body(response)
    assert response.status_code == 200
    assert f"Northwind Solutions, {period.name}:" in text
    assert "$1,200.00 available" in text
    assert (
        manager_client.get(reverse("manage:mdf_allocate"), {"partner": "x", "period": "99999999999999"}).status_code
        == 200
    )


def test_allocate_and_correct(manager_client, partner_a, partner_a_admin, period):
    response = manager_client.post(
        reverse("manage:mdf_allocate"),
        {"partner": partner_a.pk, "period": period.pk, "amount": "5,000", "memo": "Q plan"},
    )
    assert response.status_code == 302
    budget = Budget.objects.get(partner=partner_a, period=period)
    assert balance_of(budget).allocated == D("5000.00")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_allocated").exists()
    assert AuditEvent.objects.filter(verb="mdf.allocated").exists()
    response = manager_client.post(
        reverse("manage:mdf_allocate"), {"partner": partner_a.pk, "period": period.pk, "amount": "-1000"}
    )
    assert response.status_code == 302
    assert balance_of(budget).allocated == D("4000.00")
    assert "Corrected the allocation by" in body(manager_client.get(response["Location"]))


def test_a_correction_cannot_take_back_reserved_money(manager_client, partner_a, budget_a, period):
    approved_request(partner=partner_a, budget=budget_a, amount="8000")
    response = manager_client.post(
        reverse("manage:mdf_allocate"), {"partner": partner_a.pk, "period": period.pk, "amount": "-3000"}
    )
    assert response.status_code == 400
    assert "Northwind Solutions has $2,000.00 available" in body(response)
    assert 'value="-3000"' in body(response)
    assert balance_of(budget_a).allocated == D("10000.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"partner": "", "amount": "100"}, "Choose the partner."),
        ({"partner": "987654", "amount": "100"}, "That partner does not exist."),
        ({"partner": "A", "amount": ""}, "Give the amount."),
        ({"partner": "A", "amount": "ten"}, "as a number"),
        ({"partner": "A", "amount": "0"}, "more or less than 0"),
        ({"partner": "A", "amount": "100", "period": "987654"}, "Choose one of the periods listed"),
        ({"partner": "A", "amount": "100", "pool": "987654"}, "Choose one of the pools listed."),
        ({"partner": "A", "amount": "100", "memo": "x" * 301}, "Keep the note under 300 characters"),
    ],
)
def test_allocate_bad_input(manager_client, partner_a, period, data, message):
    data = {"period": period.pk, **{k: (str(partner_a.pk) if v == "A" else v) for k, v in data.items()}}
    response = manager_client.post(reverse("manage:mdf_allocate"), data)
    assert response.status_code == 400
    assert message in body(response)
    assert not LedgerEntry.objects.exists()


def test_expired_periods_cannot_receive_funds(manager_client, partner_a, period):
    period.funds_expired_at = timezone.now()
    period.save(update_fields=["funds_expired_at"])
    response = manager_client.post(
        reverse("manage:mdf_allocate"), {"partner": partner_a.pk, "period": period.pk, "amount": "100"}
    )
    assert response.status_code == 400
    assert "Choose one of the periods listed" in body(response)


# --- CSV import --------------------------------------------------------------------------------------------------


def test_import_page(manager_client):
    text = body(manager_client.get(reverse("manage:mdf_import")))
    assert "Import allocations from a CSV file" in text
    assert "partner,amount" in text


def test_import_preview_then_confirm(manager_client, partner_a, partner_b, period, partner_a_admin):
    csv_text = f'partner,amount,memo\nNorthwind Solutions,"5,000.00",Events\n{partner_b.pk},2500,\n'
    upload = SimpleUploadedFile("alloc.csv", csv_text.encode(), content_type="text/csv")
    response = manager_client.post(reverse("manage:mdf_import"), {"period": period.pk, "file": upload})
    text = body(response)
    assert response.status_code == 200
    assert "2 rows, $7,500.00 in all" in text
    assert "Nothing is written yet" in text
    assert "Allocate $7,500.00 to 2 partners" in text
    assert not LedgerEntry.objects.exists()
    response = manager_client.post(
        reverse("manage:mdf_import"), {"period": period.pk, "text": csv_text, "confirm": "1"}
    )
    assert response.status_code == 302
    assert balance_of(Budget.objects.get(partner=partner_a, period=period)).allocated == D("5000.00")
    assert balance_of(Budget.objects.get(partner=partner_b, period=period)).allocated == D("2500.00")
    assert Notification.objects.filter(recipient=partner_a_admin, template="mdf_allocated").exists()
    assert "Allocated $7,500.00 to 2 partners" in body(manager_client.get(response["Location"]))


def test_import_row_errors_write_nothing_and_keep_the_rows(manager_client, partner_a, period):
    csv_text = "partner,amount\nNorthwind Solutions,5000\nNobody Inc,100\nNorthwind Solutions,abc\n,5\n"
    for confirm in ("", "1"):  # a tampered confirm is checked again: still nothing written
        response = manager_client.post(
            reverse("manage:mdf_import"), {"period": period.pk, "text": csv_text, "confirm": confirm}
        )
        text = body(response)
        assert response.status_code == 400
        assert "Nothing is written while a row has a problem" in text
        assert "No partner is called “Nobody Inc”" in text
        assert "“abc” is not an amount" in text
        assert "The partner is missing" in text
        assert "Northwind Solutions is already on line 2" in text
        assert "Nobody Inc,100" in text  # the rows are kept, to correct them in place
        assert "Check again" in text
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,value\nX,1\n", "The first line must be the header partner,amount"),
        ("partner,amount\n", "The file has a header but no rows."),
    ],
)
def test_import_file_problems(manager_client, period, text, message):
    response = manager_client.post(reverse("manage:mdf_import"), {"period": period.pk, "text": text})
    assert response.status_code == 400
    assert message in body(response)


def test_import_form_errors(manager_client, period):
    response = manager_client.post(reverse("manage:mdf_import"), {"period": period.pk, "text": "  "})
    assert response.status_code == 400
    assert "Choose a CSV file, or paste the rows below." in body(response)
    binary = SimpleUploadedFile("a.csv", b"\x00\x01\x02binary", content_type="text/csv")
    response = manager_client.post(reverse("manage:mdf_import"), {"period": period.pk, "file": binary})
    assert response.status_code == 400
    assert "does not look like a CSV file" in body(response)
    response = manager_client.post(reverse("manage:mdf_import"), {"period": "987654", "text": "partner,amount\nA,1"})
    assert response.status_code == 400
    assert "Choose one of the periods listed" in body(response)


def test_import_reads_latin1_files(manager_client, period):
    PartnerFactory(name="Société Générale Conseil")
    upload = SimpleUploadedFile("a.csv", "partner,amount\nSociété Générale Conseil,900\n".encode("latin-1"))
    response = manager_client.post(reverse("manage:mdf_import"), {"period": period.pk, "file": upload})
    assert response.status_code == 200
    assert "Allocate $900.00 to 1 partner" in body(response)
