"""The ledger read as a statement: signed amounts (+ allocations and releases, − approvals and expiries, a payout
paid from its hold) and a running available balance per currency, on the channel team's and the partner's page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mdf.ledger import available_change, balance_of, entry_add, running_balance
from mdf.models import Budget, LedgerEntry
from tests.mdf.factories import approved_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal
Kind = LedgerEntry.Kind


def story(partner) -> Budget:
    """10,000 allocated; 2,500 approved for a roadshow; 500 of it given back; 2,000 paid; 1,000 expired; and a
    correction taking 300 back."""
    budget = funded_budget(partner, "10000")
    roadshow = approved_request(partner=partner, budget=budget, amount="2500", title="Roadshow")
    entry_add(budget=budget, kind=Kind.RELEASE, amount=D("500"), request=roadshow, memo="internal: claim for less")
    entry_add(budget=budget, kind=Kind.PAYOUT, amount=D("2000"), request=roadshow)
    entry_add(budget=budget, kind=Kind.EXPIRY, amount=D("1000"))
    entry_add(budget=budget, kind=Kind.ALLOCATION, amount=D("-300"), memo="internal: moved to the pool")
    return budget


def newest_first(**filters):
    return LedgerEntry.objects.filter(**filters).order_by("-created_at", "-pk")


def test_signs_follow_what_each_kind_does_to_what_is_available(partner_a):
    story(partner_a)
    changes = [(e.kind, available_change(e)) for e in newest_first().reverse()]
    assert changes == [
        (Kind.ALLOCATION, D("10000")),
        (Kind.RESERVATION, D("-2500")),
        (Kind.RELEASE, D("500")),
        (Kind.PAYOUT, D("0")),  # the approval already took it
        (Kind.EXPIRY, D("-1000")),
        (Kind.ALLOCATION, D("-300")),
    ]


def test_running_balance_adds_up_to_the_budget_balance_on_every_page(partner_a, django_assert_num_queries):
    budget = story(partner_a)
    entries = newest_first(budget=budget)
    rows = list(entries)
    running_balance(entries, rows)
    assert [r.balance for r in reversed(rows)] == [D("10000"), D("7500"), D("8000"), D("8000"), D("7000"), D("6700")]
    assert rows[0].balance == balance_of(budget).available

    # A later page starts from what came before it: one query, whatever the history.
    older_page = list(entries[3:5])
    with django_assert_num_queries(1):
        running_balance(entries, older_page)
    assert [r.balance for r in older_page] == [D("8000"), D("7500")]  # the release, then the approval


def test_each_currency_keeps_its_own_balance(partner_a, partner_b):
    story(partner_a)
    euro = Budget.objects.get(pk=funded_budget(partner_b, "0").pk)
    Budget.objects.filter(pk=euro.pk).update(currency="EUR")
    euro.refresh_from_db()
    entry_add(budget=euro, kind=Kind.ALLOCATION, amount=D("4000"))
    entries = newest_first()
    rows = list(entries)
    running_balance(entries, rows)
    newest_eur = next(r for r in rows if r.currency == "EUR")
    newest_usd = next(r for r in rows if r.currency == "USD")
    assert newest_eur.balance == D("4000")
    assert newest_usd.balance == D("6700")  # partner B's zero allocation in USD changes nothing


def test_manager_ledger_shows_signed_amounts_and_the_balance(manager_client, partner_a):
    story(partner_a)
    url = reverse("manage:mdf_ledger")
    text = manager_client.get(url, {"partner": partner_a.pk}).content.decode()
    for signed in ("+$10,000.00", "−$2,500.00", "+$500.00", "−$1,000.00", "−$300.00"):
        assert signed in text
    assert "paid from the hold" in text
    assert 'class="num mdf-balance">$6,700.00<' in text  # the newest row
    assert 'class="num mdf-balance">$10,000.00<' in text  # the first

    text = manager_client.get(url, {"kind": "allocation"}).content.decode()
    assert "+$10,000.00" in text
    assert "mdf-balance" not in text  # a running balance of one kind would mean nothing


def test_portal_ledger_is_the_partners_own_statement_in_its_words(admin_client_a, partner_a, partner_b):
    story(partner_a)
    funded_budget(partner_b, "777")
    response = admin_client_a.get(reverse("portal:mdf_ledger"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Funds for" in text
    assert "Approved: “Roadshow”" in text
    assert "Given back from “Roadshow”" in text
    assert "Paid for “Roadshow”" in text
    assert "Correction to the funds for" in text
    assert "+$10,000.00" in text
    assert "−$2,500.00" in text
    assert 'class="num mdf-balance">$6,700.00<' in text
    assert "$777.00" not in text  # another partner's movements never show
    assert "internal:" not in text
    assert "test allocation" not in text


def test_portal_ledger_empty_and_bounded(outsider_client, admin_client_a, partner_a, django_assert_max_num_queries):
    text = outsider_client.get(reverse("portal:mdf_ledger")).content.decode()
    assert "No movements yet" in text
    story(partner_a)
    with django_assert_max_num_queries(15):
        assert admin_client_a.get(reverse("portal:mdf_ledger")).status_code == 200
    assert "See every movement in your ledger" in admin_client_a.get(reverse("portal:mdf")).content.decode()
