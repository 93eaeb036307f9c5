"""Incentives in insights (issue 16, item 7), through insights.hooks: incentive cost joins MDF and program costs in
partner ROI, the dashboard and the scorecard show incentives accrued and paid, the digest lists what waits. With the
registry empty, every number is the old one.

Reporting currency USD; EUR→USD is 1.10 in January 2026, 1.20 in February, nobody entered March. Q1 2026:

    won          Alpha (VAR)       USD 6,000 on Feb 5                                  = 6,000
                 Beta (reseller)   EUR 1,000 on Jan 20 × 1.10                          = 1,100      → 7,100
    MDF paid     Alpha             USD 500 on Feb 20
    program cost Alpha             USD 100 on Mar 1
    earning lines                  earned    state     paid      accrued in Q1   paid in Q1
      1 Alpha  EUR  1,000 payout   Jan 10    paid      Feb 15    1,100 (×1.10)   1,200 (×1.20, the month paid)
      2 Alpha  EUR   −200 correct. Feb 12    accrued             −240
      3 Alpha  USD    300 payout   Mar 5     approved              300
      4 Alpha  USD    999 payout   Feb 1     held                    —  (held: left out)
      5 Alpha  EUR    100 boost    Mar 20    accrued               —  (no March rate: listed apart)
      6 Beta   USD    400 payout   Jan 25    paid      Apr 2       400           —  (paid after Q1)
      7 Alpha  USD     50 payout   Dec 20'25 paid      Jan 5       —  (Q4 2025)     50

    incentives accrued  Q1: 1,100 − 240 + 300 + 400 = 1,560 (+ EUR 100 not converted); Alpha 1,160; Beta 400
    incentives paid     Q1: 1,200 + 50 = 1,250; Alpha 1,250; Beta 0
    partner ROI         7,100 / (500 + 1,560 + 100 = 2,160) = 3.2870   (old formula: 7,100 / 600 = 11.8333)
                 Alpha  6,000 / (500 + 1,160 + 100 = 1,760) = 3.4091
                 Beta   1,100 / 400 = 2.75
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dealreg.models import Registration
from incentives.models import EarningLine, LineQuestion, PayoutRun
from insights import hooks
from insights.digest import digest_sections, digest_send_all
from insights.metrics import Filters, Period, program_snapshot
from insights.models import ProgramCost
from insights.scorecard import partner_scorecard
from partners.models import Partner, Program
from prm.models import ExchangeRate, Notification
from tests.factories import PartnerFactory
from tests.incentives.helpers import published_version

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31), "custom")
TODAY = date(2026, 12, 4)


def at(y, m, d, h=10) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h))


@pytest.fixture
def program(db):
    from mdf.models import LedgerEntry
    from tests.mdf.factories import FundRequestFactory

    Program.objects.update_or_create(pk=1, defaults={"reporting_currency": "USD"})
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 1, 1), rate=D("1.10"))
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 2, 1), rate=D("1.20"))
    alpha = PartnerFactory(name="Alpha", type=Partner.Type.VAR)
    beta = PartnerFactory(name="Beta", type=Partner.Type.RESELLER)
    for partner, currency, amount, closed in (
        (alpha, "USD", 6000, at(2026, 2, 5)),
        (beta, "EUR", 1000, at(2026, 1, 20)),
    ):
        Registration.objects.create(
            partner=partner,
            name=f"{partner.name} deal",
            involvement="sourced",
            status=Registration.Status.WON,
            currency=currency,
            value=D(amount),
            won_amount=D(amount),
            submitted_at=closed,
            closed_at=closed,
        )
    request = FundRequestFactory(partner=alpha, currency="USD")
    entry = LedgerEntry.objects.create(budget=request.budget, kind="payout", amount=D(500), currency="USD")
    LedgerEntry.objects.filter(pk=entry.pk).update(created_at=at(2026, 2, 20))
    ProgramCost.objects.create(partner=alpha, incurred_on=date(2026, 3, 1), amount=D(100), currency="USD")

    version = published_version(1, date(2025, 1, 1))
    lines = {}
    for n, partner, currency, amount, earned, state, paid in (
        (1, alpha, "EUR", "1000", date(2026, 1, 10), "paid", at(2026, 2, 15)),
        (2, alpha, "EUR", "-200", date(2026, 2, 12), "accrued", None),
        (3, alpha, "USD", "300", date(2026, 3, 5), "approved", None),
        (4, alpha, "USD", "999", date(2026, 2, 1), "held", None),
        (5, alpha, "EUR", "100", date(2026, 3, 20), "accrued", None),
        (6, beta, "USD", "400", date(2026, 1, 25), "paid", at(2026, 4, 2)),
        (7, alpha, "USD", "50", date(2025, 12, 20), "paid", at(2026, 1, 5)),
    ):
        lines[n] = EarningLine.objects.create(
            partner=partner,
            rule_kind="correction" if D(amount) < 0 else "deal_payout",
            plan_version=version,
            base_amount=abs(D(amount)) * 10,
            base_currency=currency,
            amount=D(amount),
            currency=currency,
            calculation=f"line {n}",
            earned_on=earned,
            payable_on=earned,
            state=state,
            hold_reason="Customer has not paid" if state == "held" else "",
            paid_at=paid,
            event_key=f"test:{n}",
        )
    return alpha, beta, lines


@pytest.fixture
def empty_registry():
    """insights.hooks as in an installation without incentives (restored afterwards)."""
    saved = (dict(hooks._SPEND), dict(hooks._SERIES), dict(hooks._DIGEST))
    hooks._SPEND.clear()
    hooks._SERIES.clear()
    hooks._DIGEST.clear()
    yield
    for registry, before in zip((hooks._SPEND, hooks._SERIES, hooks._DIGEST), saved, strict=True):
        registry.clear()
        registry.update(before)


def test_partner_roi_counts_mdf_incentives_and_program_costs(program):
    m = program_snapshot(period=Q1, today=TODAY).metrics
    assert m["partner_revenue"].value == D("7100.00")
    assert m["partner_roi"].value == D("3.2870")  # 7,100 / (500 + 1,560 + 100)
    assert m["partner_roi"].detail == "$2,160 spent (MDF, incentives, program costs)"
    assert "incentives accrued" in m["partner_roi"].definition
    assert m["partner_roi"].display == "3.3×"


def test_incentives_accrued_and_paid_for_the_period(program):
    m = program_snapshot(period=Q1, today=TODAY).metrics
    accrued, paid = m["incentives_accrued"], m["incentives_paid"]
    assert accrued.value == D("1560.00")  # 1,100 − 240 + 300 + 400; the held line left out
    assert accrued.money.unconverted.amount("EUR") == D(100)  # March has no rate: listed apart, never added
    assert accrued.money.note == "converted at January–February 2026 rates"
    assert accrued.display == "$1,560"
    assert accrued.previous == D("50.00")  # Q4 2025: line 7
    assert paid.value == D("1250.00")  # EUR 1,000 at February's 1.20 + USD 50; Beta's line paid in April
    assert paid.money.note == "converted at February 2026 rates"
    assert paid.previous == D("0.00")  # nothing was paid in Q4 2025
    assert accrued.unit == paid.unit == "money"


def test_partner_filters_narrow_incentives_and_roi(program):
    alpha, _beta, _ = program
    a = program_snapshot(period=Q1, filters=Filters(partner=alpha.pk), today=TODAY).metrics
    assert a["incentives_accrued"].value == D("1160.00")  # 1,100 − 240 + 300
    assert a["incentives_accrued"].money.unconverted.amount("EUR") == D(100)
    assert a["incentives_paid"].value == D("1250.00")
    assert a["partner_roi"].value == D("3.4091")  # 6,000 / (500 + 1,160 + 100)
    assert a["partner_roi"].detail == "$1,760 spent (MDF, incentives, program costs)"
    resellers = program_snapshot(period=Q1, filters=Filters(type=Partner.Type.RESELLER), today=TODAY).metrics
    assert resellers["incentives_accrued"].value == D("400.00")  # Beta, through the filter's subquery
    assert resellers["incentives_paid"].value == D("0.00")
    assert resellers["partner_roi"].value == D("2.7500")  # 1,100 / 400


def test_with_the_registry_empty_roi_is_the_old_formula(program, empty_registry):
    alpha, _, _ = program
    m = program_snapshot(period=Q1, today=TODAY).metrics
    assert m["partner_roi"].value == D("11.8333")  # 7,100 / (500 + 100)
    assert m["partner_roi"].detail == "$600 spent (MDF, program costs)"
    assert "incentives_accrued" not in m
    assert "incentives_paid" not in m
    card = partner_scorecard(partner=alpha, period=Q1, audience="manage", now=at(2026, 12, 4))
    assert [x.key for x in card.metrics if x.key.startswith("incentives")] == []
    assert card.snapshot["partner_roi"].value == D("10.0000")  # 6,000 / 600
    assert [s for s in digest_sections() if s.key.startswith("incentives")] == []


def test_a_series_is_only_for_a_hooked_money_metric():
    with pytest.raises(ValueError, match="not a money metric fed by another app"):
        hooks.register_metric_series("mdf_paid", lambda start, end, partner_filter: [])


def test_dashboard_and_insights_page_show_incentives(program, manager_client):
    query = "?period=custom&start=2026-01-01&end=2026-03-31"
    page = manager_client.get(reverse("manage:dashboard") + query).content.decode()
    assert 'data-metric="incentives_accrued"' in page
    assert 'data-metric="incentives_paid"' in page
    assert "$1,560" in page
    assert "$1,250" in page
    assert "+ €100 not converted" in page  # the March line, with its currency (no March rate)
    assert "$2,160 spent (MDF, incentives, program costs)" in page
    table = manager_client.get(reverse("manage:insights") + query + "&partner=" + str(program[0].pk))
    body = table.content.decode()
    assert "Incentives accrued" in body
    assert "$1,160" in body


def test_manager_scorecard_has_the_partners_incentives_and_the_portal_does_not(program, manager_client):
    alpha, _, _ = program
    card = partner_scorecard(partner=alpha, period=Q1, audience="manage", now=at(2026, 12, 4))
    shown = {m.key: m for m in card.metrics}
    assert shown["incentives_accrued"].value == D("1160.00")
    assert shown["incentives_paid"].value == D("1250.00")
    assert shown["partner_roi"].value == D("3.4091")
    portal = partner_scorecard(partner=alpha, period=Q1, audience="portal", now=at(2026, 12, 4))
    assert not {m.key for m in portal.metrics} & {"incentives_accrued", "incentives_paid", "partner_roi"}
    page = manager_client.get(
        reverse("manage:partner_scorecard", args=[alpha.pk]) + "?period=custom&start=2026-01-01&end=2026-03-31"
    ).content.decode()
    assert "Incentives accrued" in page
    assert "$1,160" in page
    assert "$1,760 spent (MDF, incentives, program costs)" in page


def _url(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # the page is being built: the earnings page stands in
        return reverse("manage:incentives_earnings")


def test_digest_lists_questions_and_runs_waiting(program, channel_manager):
    alpha, beta, lines = program
    LineQuestion.objects.create(line=lines[1], partner=alpha)
    LineQuestion.objects.create(line=lines[6], partner=beta)
    LineQuestion.objects.create(line=lines[3], partner=alpha, status=LineQuestion.Status.ANSWERED)
    PayoutRun.objects.create(period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    PayoutRun.objects.create(
        period_start=date(2025, 10, 1), period_end=date(2025, 12, 31), status=PayoutRun.Status.APPROVED
    )
    sections = {s.title: s.url for s in digest_sections()}
    questions_url = _url("manage:incentives_questions", "?status=open")
    payouts_url = _url("manage:incentives_payouts")
    assert sections["2 questions about earnings await an answer"] == questions_url
    assert sections["1 payout run waits for approval"] == payouts_url
    assert digest_send_all() == 1
    body = Notification.objects.get(recipient=channel_manager).body_text
    assert "2 questions about earnings await an answer" in body
    assert "1 payout run waits for approval" in body
    assert "All quiet" not in body
    html = Notification.objects.get(recipient=channel_manager).body_html
    assert f'{questions_url}" style="color:#0f766e">2 questions about earnings await an answer</a></h3>' in html
    after = html.split("await an answer</a></h3>", 1)[1]
    assert not after.lstrip().startswith("<ul")  # a titled link, no empty list under it


def test_digest_says_nothing_when_nothing_waits(program, channel_manager):
    _, _, lines = program
    LineQuestion.objects.create(line=lines[1], partner=lines[1].partner, status=LineQuestion.Status.ANSWERED)
    PayoutRun.objects.create(
        period_start=date(2025, 10, 1), period_end=date(2025, 12, 31), status=PayoutRun.Status.CANCELLED
    )
    assert [s for s in digest_sections() if s.key.startswith("incentives")] == []
    digest_send_all()
    body = Notification.objects.get(recipient=channel_manager).body_text
    assert "earnings" not in body
    assert "payout run" not in body


def test_a_failing_digest_provider_leaves_the_rest(program, channel_manager):
    def broken(now):
        raise RuntimeError("boom")

    hooks.register_digest_items("broken", broken)
    try:
        PayoutRun.objects.create(period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
        titles = [s.title for s in digest_sections() if s.key != "risk"]  # the fixture's partners are new
        assert titles == ["1 payout run waits for approval"]
    finally:
        hooks.unregister_digest_items("broken")
