"""The insights benchmark (`manage.py bench_insights`) on a handful of rows: it fills the test database with a
year of program data and prints its figures. The numbers themselves are not checked: it is a benchmark, not a
timed test."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dealreg.models import Registration
from enablement.models import CertificationAward
from insights.models import CustomerContract
from mdf.models import Claim, FundRequest, LedgerEntry
from partners.models import Partner
from prm.models import ExchangeRate
from prm.money import month_of

PAGES = ("dashboard", "scorecard", "portal_home")


@pytest.mark.django_db(transaction=True)
def test_tiny_run_fills_a_year_and_times_every_page():
    out = StringIO()
    call_command(
        "bench_insights",
        "--no-scratch",
        *("--partners", "30", "--registrations", "300", "--certifications", "120", "--mdf-requests", "60"),
        *("--samples", "2"),
        stdout=out,
    )
    figures = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    for page in PAGES:
        assert float(figures[f"{page}_p95_ms_300"]) >= 0
        assert int(figures[f"{page}_queries_300"]) > 0
        assert f"{page}_status_300" not in figures, figures  # every page answered 200
    assert float(figures["dashboard_p50_ms_300"]) >= 0
    assert float(figures["load_s_300"]) >= 0

    bench = Registration.objects.filter(partner__name__startswith="Bench Partner ")
    assert bench.count() == 300
    assert {"USD", "EUR"} <= set(bench.values_list("currency", flat=True))
    assert set(bench.values_list("involvement", flat=True)) == {"sourced", "influenced", "fulfilled", "cosell"}
    assert {"won", "lost", "approved", "submitted"} <= set(bench.values_list("status", flat=True))
    months = {month_of(at) for at in bench.exclude(submitted_at=None).values_list("submitted_at", flat=True)}
    assert len(months) >= 10
    assert months <= set(ExchangeRate.objects.values_list("month", flat=True))
    # Coherent lifecycles: decided after submitted, closed after decided, won deals have an amount and a contract.
    for r in bench.exclude(decided_at=None):
        assert r.submitted_at <= r.decided_at
        assert r.closed_at is None or r.decided_at <= r.closed_at
    assert not bench.filter(status="won", won_amount=None).exists()
    assert CustomerContract.objects.count() == bench.filter(status="won").count()
    selling = Partner.objects.filter(registrations__submitted_at__isnull=False).distinct()
    assert selling.exists()
    assert not selling.filter(first_deal_at=None).exists()

    assert CertificationAward.objects.count() == 120
    assert FundRequest.objects.count() == 60
    assert Claim.objects.filter(status="paid").exists()
    assert LedgerEntry.objects.filter(kind="payout").exists()


@pytest.mark.django_db
def test_no_scratch_refuses_a_database_that_is_not_a_test_one(monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "NAME", "prm")
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_insights", "--no-scratch", "--registrations", "10", stdout=StringIO())
