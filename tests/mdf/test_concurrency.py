"""Never over budget under concurrency: approvals racing for the same money, in real threads with real
transactions on PostgreSQL. The budget row lock serialises them: the second sees the first's reservation.
(SQLite serialises every write transaction, so the race cannot happen there.)"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mdf import services
from mdf.ledger import balance_of
from mdf.models import FundRequest, LedgerEntry
from tests.factories import ChannelManagerFactory, PartnerFactory
from tests.mdf.factories import FundRequestFactory, funded_budget

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are only contended on PostgreSQL"),
]

D = Decimal


def _race(calls) -> tuple[list, list[BaseException]]:
    """Run each call in its own thread, all released at the same moment. Returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as exc:  # reported by the tests
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval hung"
    return results, errors


@pytest.mark.parametrize("round_no", range(3))  # a few rounds, to catch a flaky interleaving
def test_two_approvals_racing_for_one_balance_never_both_succeed(round_no):
    partner = PartnerFactory(name=f"Race partner {round_no}")
    budget = funded_budget(partner, "10000")
    requests = [
        FundRequestFactory(partner=partner, budget=budget, total_cost=D("12000"), requested_amount=D("6000"))
        for _ in range(2)
    ]
    managers = [ChannelManagerFactory(), ChannelManagerFactory()]
    results, errors = _race(
        [
            lambda r=request, m=manager: services.request_approve(actor=m, request=r)
            for request, manager in zip(requests, managers, strict=True)
        ]
    )
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert "$4,000.00 available" in errors[0].message_dict["amount"][0]
    balance = balance_of(budget)
    assert (balance.reserved, balance.available) == (D("6000.00"), D("4000.00"))
    statuses = sorted(FundRequest.objects.filter(budget=budget).values_list("status", flat=True))
    assert statuses == ["approved", "submitted"]


def test_many_approvals_racing_never_overspend():
    partner = PartnerFactory(name="Race partner many")
    budget = funded_budget(partner, "10000")
    requests = [
        FundRequestFactory(partner=partner, budget=budget, total_cost=D("6000"), requested_amount=D("3000"))
        for _ in range(6)
    ]
    manager = ChannelManagerFactory()
    results, errors = _race(
        [lambda r=request: services.request_approve(actor=manager, request=r) for request in requests]
    )
    assert len(results) == 3  # 3 × 3,000 fit in 10,000; a fourth would not
    assert all(isinstance(e, ValidationError) for e in errors)
    assert len(errors) == 3
    balance = balance_of(budget)
    assert balance.available == D("1000.00")
    assert balance.available >= 0


def test_a_double_click_approves_and_reserves_once():
    partner = PartnerFactory(name="Double click")
    budget = funded_budget(partner, "10000")
    request = FundRequestFactory(partner=partner, budget=budget)
    manager = ChannelManagerFactory()
    results, errors = _race([lambda: services.request_approve(actor=manager, request=request)] * 2)
    assert len(results) == 1
    assert len(errors) == 1
    assert "Nothing was changed" in errors[0].messages[0]
    assert LedgerEntry.objects.filter(request=request, kind="reservation").count() == 1


def test_a_correction_racing_an_approval_never_leaves_a_negative_balance():
    partner = PartnerFactory(name="Correction race")
    budget = funded_budget(partner, "10000")
    request = FundRequestFactory(partner=partner, budget=budget, total_cost=D("12000"), requested_amount=D("6000"))
    manager = ChannelManagerFactory()
    _race(
        [
            lambda: services.request_approve(actor=manager, request=request),
            lambda: services.allocation_create(actor=manager, partner=partner, period=budget.period, amount=D("-5000")),
        ]
    )
    assert balance_of(budget).available >= 0
