"""The same win processed by several workers at the same moment accrues each line once (PostgreSQL, real threads:
the unique event key decides; SQLite serialises every write transaction, so the race cannot happen there)."""

import threading
from datetime import date

import pytest
from django.db import connection

from incentives.models import EarningLine
from incentives.services import accrue_for_won
from tests.factories import PartnerFactory
from tests.incentives.helpers import pct, published_version, with_rules, won_deal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL"),
]

THREADS = 8


@pytest.mark.parametrize("round_no", range(3))
def test_concurrent_workers_accrue_each_line_once(round_no):
    version = published_version(1, date(2026, 1, 1), first_win_bonus=1000, first_win_currency="USD")
    with_rules(
        version,
        payouts=[{"involvement": "sourced", **pct("10")}],
        boosts=[
            {
                "name": "Push",
                "kind": "extra_percent",
                "value": 2,
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 31),
            }
        ],
    )
    partner = PartnerFactory(name=f"Race partner {round_no}")
    deal = won_deal(partner, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 2))
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    created: list[int] = []

    def run():
        try:
            barrier.wait(timeout=10)
            created.append(len(accrue_for_won(registration=deal)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an accrual hung"
    assert errors == []
    assert sum(created) == 3  # payout, boost, first win: once in all
    lines = EarningLine.objects.filter(registration=deal)
    assert sorted(lines.values_list("rule_kind", "amount")) == [
        ("boost", 960),
        ("deal_payout", 4800),
        ("first_win", 1000),
    ]
