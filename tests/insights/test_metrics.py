"""Every metric on a small hand-built program whose right answers are worked out here, including two currencies
and a month without a rate. Reporting currency USD; EUR→USD is 1.10 in January 2026, 1.20 in February, and nobody
entered March.

    #  partner  involvement  cur  value  submitted  status    decided (due)         closed        POC
    1  A        sourced      USD  1000   Jan 10     won 1200  Jan 11 (Jan 12) 24 h  Feb 5         yes
    2  A        influenced   EUR  2000   Feb 10     approved  Feb 14 (Feb 12) 96 h  —             no
    3  B        sourced      EUR   500   Mar 3      won 500   —                     Mar 20        no
    4  B        cosell       USD   300   Jan 20     rejected  Jan 21 (Jan 22) 24 h  —             no
    5  A        fulfilled    USD   400   Feb 1      lost      —                     Mar 1         yes
    6  B        sourced      USD   999   Dec 15 '25 won 999   —                     Dec 20 '25    no
    7  A        sourced      USD  5000   (draft)
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.metrics import Filters, Period, program_snapshot, series, top_partners
from insights.metrics.cells import live_cells, rollup_cells
from insights.models import CustomerContract, DirectRevenue, RenewalOutcome
from insights.summary import summary_refresh
from partners.models import Partner, Program
from prm.models import ExchangeRate
from tests.factories import PartnerFactory

Q1 = Period(date(2026, 1, 1), date(2026, 3, 31), "custom")
D = Decimal
TODAY = date(2026, 12, 4)


def at(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h))


def reg(partner, involvement, currency, value, status, submitted=None, decided=None, due=None, closed=None, **kw):
    r = Registration.objects.create(
        partner=partner,
        name=f"Customer {Registration.objects.count() + 1}",
        involvement=involvement,
        currency=currency,
        value=D(value),
        status=status,
        **kw,
    )
    Registration.objects.filter(pk=r.pk).update(
        submitted_at=submitted, decided_at=decided, decision_due_at=due, closed_at=closed
    )
    return r


@pytest.fixture
def program(db):
    Program.objects.update_or_create(pk=1, defaults={"reporting_currency": "USD", "internal_sellers": 5})
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 1, 1), rate=D("1.10"))
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 2, 1), rate=D("1.20"))
    a = PartnerFactory(name="Alpha", type=Partner.Type.VAR, regions=["emea"], seller_count=10)
    b = PartnerFactory(name="Beta", type=Partner.Type.RESELLER, regions=["na"], seller_count=4)
    Partner.objects.filter(pk=a.pk).update(approved_at=at(2025, 12, 1), activated_at=at(2026, 1, 11))
    Partner.objects.filter(pk=b.pk).update(approved_at=at(2026, 1, 5), activated_at=None)
    reg(a, "sourced", "USD", 1000, "won", at(2026, 1, 10), at(2026, 1, 11), at(2026, 1, 12), at(2026, 2, 5),
        won_amount=D(1200), passed_poc=True)  # fmt: skip
    reg(a, "influenced", "EUR", 2000, "approved", at(2026, 2, 10), at(2026, 2, 14), at(2026, 2, 12))
    reg(b, "sourced", "EUR", 500, "won", at(2026, 3, 3), closed=at(2026, 3, 20), won_amount=D(500))
    reg(b, "cosell", "USD", 300, "rejected", at(2026, 1, 20), at(2026, 1, 21), at(2026, 1, 22))
    reg(a, "fulfilled", "USD", 400, "lost", at(2026, 2, 1), closed=at(2026, 3, 1), passed_poc=True)
    reg(b, "sourced", "USD", 999, "won", at(2025, 12, 15), closed=at(2025, 12, 20), won_amount=D(999))
    reg(a, "sourced", "USD", 5000, "draft")
    DirectRevenue.objects.create(month=date(2026, 1, 1), amount=D(10000), currency="USD")
    partner_contract = CustomerContract.objects.create(
        customer_name="C1", partner=a, starts_on=date(2025, 2, 1), amount=D(100), currency="USD",
        renewal_on=date(2027, 2, 1),
    )  # fmt: skip
    direct_contract = CustomerContract.objects.create(
        customer_name="C2", starts_on=date(2025, 3, 1), amount=D(100), currency="USD", renewal_on=date(2026, 3, 1),
        status="churned",
    )  # fmt: skip
    RenewalOutcome.objects.create(contract=partner_contract, due_on=date(2026, 2, 1), outcome="renewed", currency="USD")
    RenewalOutcome.objects.create(contract=direct_contract, due_on=date(2026, 3, 1), outcome="churned", currency="USD")
    return a, b


def test_program_metrics_q1(program):
    snap = program_snapshot(period=Q1, today=TODAY)
    assert snap.source == "rollup"
    m = snap.metrics
    # Pipeline: #1 USD 1000 + #3 EUR 500 with no March rate (listed apart, never added at face value).
    assert m["sourced_pipeline"].value == D("1000.00")
    assert m["sourced_pipeline"].money.unconverted.amount("EUR") == D(500)
    assert m["sourced_pipeline"].money.unconverted.currencies == ["EUR"]
    # #2 EUR 2000 × 1.20 (February) + #5 USD 400; #4 was rejected.
    assert m["influenced_pipeline"].value == D("2800.00")
    assert m["influenced_pipeline"].money.note == "converted at February 2026 rates"
    assert m["sourced_revenue"].value == D("1200.00")
    assert m["sourced_revenue"].money.unconverted.amount("EUR") == D(500)
    assert m["influenced_revenue"].value == D("0.00")
    assert m["partner_revenue"].value == D("1200.00")
    assert m["win_rate"].value == D("0.6667")  # 2 won of 3 closed
    assert m["registrations"].value == 5  # the draft is not submitted
    assert m["decision_hours"].value == D("48.0")  # (24 + 96 + 24) / 3
    assert m["decision_within_sla"].value == D("0.6667")
    assert m["pocs_initiated"].value == 2
    assert m["pocs_completed"].value == 2
    assert m["poc_to_production"].value == D("0.5000")
    assert m["activation_rate"].value == D("0.5000")  # Alpha active, Beta approved only
    assert m["time_to_activate"].value == D("41.0")  # Dec 1 → Jan 11
    assert m["new_partners"].value == 1
    assert m["direct_revenue"].value == D("10000.00")
    assert m["ecosystem_contribution"].value == D("0.1071")  # 1200 / (1200 + 10000)
    assert m["retention_partner"].value == D("1.0000")
    assert m["retention_direct"].value == D("0.0000")
    assert m["effective_sales_force"].value == 5 + 10 + 4
    statuses = {s: n for s, _, n in snap.by_status}
    assert statuses == {
        "submitted": 0,
        "needs_info": 0,
        "approved": 1,
        "rejected": 1,
        "won": 2,
        "lost": 1,
        "expired": 0,
    }
    mix = {key: (money.total, share) for key, _, money, share in snap.mix}
    assert mix == {
        "partner_led": (D("1200.00"), D("1.0000")),
        "partner_executed": (D("0.00"), D("0.0000")),
        "hybrid": (D("0.00"), D("0.0000")),
    }
    # The previous period (Q4 2025): #6 only.
    assert m["sourced_revenue"].previous == D("999.00")
    assert m["registrations"].previous == 1
    assert m["sourced_revenue"].change == D("0.201")
    assert m["sourced_revenue"].display == "$1,200"


def test_filters(program):
    a, _b = program
    mine = program_snapshot(period=Q1, filters=Filters(partner=a.pk), today=TODAY)
    assert mine.source == "live"
    assert mine["sourced_pipeline"].value == D("1000.00")
    assert mine["influenced_pipeline"].value == D("2800.00")
    assert mine["registrations"].value == 3
    assert mine["ecosystem_contribution"].value == D("0.1071")  # Alpha's 1200 of everything won (1200 + 10000)
    resellers = program_snapshot(period=Q1, filters=Filters(type=Partner.Type.RESELLER), today=TODAY)
    assert resellers["sourced_pipeline"].value == D("0.00")
    assert resellers["sourced_pipeline"].money.unconverted.amount("EUR") == D(500)
    assert resellers["registrations"].value == 2
    emea = program_snapshot(period=Q1, filters=Filters(region="emea"), today=TODAY)
    assert emea["registrations"].value == 3


def test_rollups_equal_live_numbers(program):
    summary_refresh(full=True)
    key = lambda c: (c.kind, c.month, c.involvement, c.currency, c.status, c.passed_poc)  # noqa: E731
    live = sorted(live_cells(Q1, Filters()), key=key)
    rolled = sorted(rollup_cells(Q1), key=key)
    assert [(key(c), c.count, c.amount or 0, c.within_sla, round(c.hours, 2)) for c in live] == [
        (key(c), c.count, c.amount or 0, c.within_sla, round(c.hours, 2)) for c in rolled
    ]


def test_rollups_follow_changes(program):
    a, _ = program
    assert program_snapshot(period=Q1, today=TODAY)["registrations"].value == 5
    reg(a, "sourced", "USD", 700, "submitted", at(2026, 2, 20))
    snap = program_snapshot(period=Q1, today=TODAY)
    assert snap.source == "rollup"
    assert snap["registrations"].value == 6
    assert snap["sourced_pipeline"].value == D("1700.00")
    Registration.objects.filter(value=D(700)).delete()
    assert program_snapshot(period=Q1, today=TODAY)["registrations"].value == 5


def test_series_and_top_partners(program):
    _a, _b = program
    rows = series(months=[date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)])
    assert [r["revenue"]["sourced"].total for r in rows] == [D(0), D("1200.00"), D(0)]
    assert rows[2]["revenue"]["sourced"].unconverted.amount("EUR") == D(500)
    assert rows[1]["pipeline"]["influenced"].total == D("2400.00")
    top = top_partners(period=Q1)
    assert [(p.name, t.total) for p, t in top] == [("Alpha", D("1200.00")), ("Beta", D("0.00"))]
    assert top[1][1].unconverted.amount("EUR") == D(500)


def test_tier_won_revenue_is_converted(program):
    from partners.metrics import metric_values

    a, b = program
    Registration.objects.filter(partner=a, status="won").update(closed_at=timezone.now(), currency="EUR")
    month = timezone.localdate().replace(day=1)
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=month, rate=D("1.5"))
    values, tracked = metric_values("won_revenue", [a.pk, b.pk], timezone.now() - timezone.timedelta(days=365))
    assert tracked
    assert values[a.pk] == D("1800.00")  # EUR 1200 × 1.5, never 1200 "dollars"


def test_live_and_rollup_paths_agree_on_partners(program):
    whole = top_partners(period=Q1)
    days = top_partners(period=Period(date(2026, 1, 2), date(2026, 3, 30), "custom"))
    assert [(p.name, t.total, t.unconverted) for p, t in whole] == [(p.name, t.total, t.unconverted) for p, t in days]


def test_breakdown_by_region_and_route(program):
    from insights.metrics import breakdown

    a, _b = program
    Partner.objects.filter(pk=a.pk).update(route_to_market="resellers")
    regions = {
        key: (n, money.total, money.unconverted.amount("EUR")) for key, _, n, money in breakdown(period=Q1, by="region")
    }
    assert regions["emea"] == (1, D("1200.00"), D(0))
    assert regions["na"] == (1, D("0.00"), D(500))
    routes = {key: (n, money.total) for key, _, n, money in breakdown(period=Q1, by="rtm")}
    assert routes["resellers"] == (1, D("1200.00"))
    assert routes[""] == (1, D("0.00"))


def test_query_count_does_not_grow_with_registrations(program, django_assert_max_num_queries):
    a, b = program
    program_snapshot(period=Q1, today=TODAY)  # roll-ups built
    with django_assert_max_num_queries(60) as few:
        program_snapshot(period=Q1, today=TODAY)
    with django_assert_max_num_queries(60) as few_a:
        program_snapshot(period=Q1, filters=Filters(partner=a.pk), today=TODAY)
    for i in range(30):
        reg(a if i % 2 else b, "sourced", "EUR" if i % 3 else "USD", 100 + i, "won", at(2026, 2, 1 + i % 20),
            closed=at(2026, 2, 2 + i % 20), won_amount=D(100))  # fmt: skip
    program_snapshot(period=Q1, today=TODAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        program_snapshot(period=Q1, today=TODAY)
    with django_assert_max_num_queries(len(few_a.captured_queries)):
        program_snapshot(period=Q1, filters=Filters(partner=a.pk), today=TODAY)


def test_mdf_enablement_activity_and_today_metrics(program):
    """MDF paid $500 in February for an activity that brought deal #1 (won $1,200); $100 enablement cost in March;
    one valid certification at the end of Q1 (one expired, one revoked before it); partners: Alpha and Beta
    registered in the 90 days before Mar 31, Gamma only completed a course, Delta did nothing."""
    from enablement.models import CertificationAward, Enrollment
    from insights.models import ProgramCost
    from mdf.models import Attribution, LedgerEntry
    from tests.enablement.factories import AwardFactory, EnrollmentFactory
    from tests.mdf.factories import FundRequestFactory

    a, b = program
    c, _d = PartnerFactory(name="Gamma"), PartnerFactory(name="Delta")
    request = FundRequestFactory(partner=a, currency="USD")
    entry = LedgerEntry.objects.create(
        budget=request.budget, kind="payout", amount=D(500), currency="USD", request=request
    )
    LedgerEntry.objects.filter(pk=entry.pk).update(created_at=at(2026, 2, 20))
    Attribution.objects.create(request=request, registration=Registration.objects.get(value=D(1000)))
    ProgramCost.objects.create(partner=a, incurred_on=date(2026, 3, 1), amount=D(100), currency="USD")
    valid = AwardFactory(partner=a, expires_at=date(2027, 1, 15))
    CertificationAward.objects.filter(pk=valid.pk).update(awarded_at=at(2026, 1, 15))
    AwardFactory(partner=a, expires_at=date(2026, 2, 1))
    AwardFactory(partner=b, expires_at=date(2027, 1, 1), revoked_at=at(2026, 3, 1))
    CertificationAward.objects.update(awarded_at=at(2026, 1, 15))
    done = EnrollmentFactory(partner=c)
    Enrollment.objects.filter(pk=done.pk).update(status="completed", completed_at=at(2026, 2, 10))
    Partner.objects.filter(pk=a.pk).update(first_deal_at=at(2026, 1, 10))  # approved Dec 1: 40 days
    Partner.objects.filter(pk=b.pk).update(first_deal_at=at(2026, 1, 20))  # approved Jan 5: 15 days
    Registration.objects.filter(value=D(2000)).update(stage="poc")
    ExchangeRate.objects.create(
        currency="EUR", to_currency="USD", month=timezone.localdate().replace(day=1), rate=D("1.25")
    )

    m = program_snapshot(period=Q1, today=TODAY).metrics
    assert m["mdf_paid"].value == D("500.00")
    assert m["mdf_roi"].value == D("2.4000")  # 1200 / 500
    assert m["partner_roi"].value == D("2.0000")  # 1200 / (500 + 100)
    assert m["certified_people"].value == 1
    assert m["active_partners"].value == 3  # Alpha, Beta, Gamma
    assert m["time_to_first_deal"].value == D("27.5")  # median of 40 and 15
    assert m["open_pipeline"].value == D("2500.00")  # #2, EUR 2,000 at this month's 1.25
    assert m["open_pipeline"].previous is None  # a snapshot of today has no previous period
    assert m["partners_in_pilots"].value == 1
    assert m["mdf_roi"].display == "2.4×"
