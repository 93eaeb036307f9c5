"""Lead outcomes feed insights: acceptance rate, time to accept and lead -> won on the dashboard's snapshot and the
partner's scorecard (insights.hooks.register_value_metrics), with worked figures."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from insights.metrics import Filters, Period, program_snapshot
from insights.scorecard import partner_scorecard
from leads.models import Lead, LeadOffer
from tests.leads.conftest import make_lead

pytestmark = pytest.mark.django_db

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour))


def offer(lead, partner, status, offered: datetime, hours: float | None):
    return LeadOffer.objects.create(
        lead=lead,
        partner=partner,
        status=status,
        offered_at=offered,
        deadline=offered + timedelta(days=2),
        responded_at=offered + timedelta(hours=hours) if hours is not None else None,
    )


@pytest.fixture
def outcomes(german_partners):
    (best, second, _), _ = german_partners
    one, two, three, four = (make_lead(company_name=f"Clinic {n} GmbH", website="") for n in "ABCD")
    offer(one, best, LeadOffer.Status.ACCEPTED, at(3), 2)  # accepted in 2 hours
    offer(two, best, LeadOffer.Status.DECLINED, at(4), 1)
    offer(three, best, LeadOffer.Status.EXPIRED, at(5), 48)
    offer(four, second, LeadOffer.Status.ACCEPTED, at(6), 6)  # accepted in 6 hours
    offer(two, second, LeadOffer.Status.OFFERED, at(20), None)  # not answered: not counted
    Lead.objects.filter(pk=one.pk).update(partner=best, status=Lead.Status.WON, closed_at=at(25))
    Lead.objects.filter(pk=four.pk).update(partner=second, status=Lead.Status.LOST, closed_at=at(26))
    return best, second


def test_program_lead_metrics_with_worked_figures(outcomes):
    m = program_snapshot(period=NOV, today=date(2026, 12, 4)).metrics
    assert m["lead_acceptance_rate"].value == Decimal("0.5000")  # 2 accepted of 4 answered
    assert m["lead_acceptance_rate"].display == "50%"
    assert m["lead_acceptance_rate"].detail == "2 accepted of 4 answered"
    assert m["lead_hours_to_accept"].value == Decimal("4.0")  # median of 2 h and 6 h
    assert m["lead_hours_to_accept"].display == "4 h"
    assert m["lead_win_rate"].value == Decimal("0.5000")  # 1 won of 2 closed
    assert m["lead_win_rate"].previous is None  # October had nothing


def test_one_partners_lead_metrics(outcomes):
    best, _ = outcomes
    m = program_snapshot(period=NOV, filters=Filters(partner=best.pk), today=date(2026, 12, 4)).metrics
    assert m["lead_acceptance_rate"].value == Decimal("0.3333")  # 1 of 3
    assert m["lead_hours_to_accept"].value == Decimal("2.0")
    assert m["lead_win_rate"].value == Decimal("1.0000")


def test_the_scorecard_shows_them_to_the_partner_too(outcomes):
    best, _ = outcomes
    card = partner_scorecard(partner=best, period=NOV, audience="portal", now=timezone.now())
    keys = [metric.key for metric in card.metrics]
    assert {"lead_acceptance_rate", "lead_hours_to_accept", "lead_win_rate"} <= set(keys)


def test_without_the_leads_hook_the_metrics_are_left_out(outcomes):
    from insights import hooks

    saved = dict(hooks._VALUES)
    hooks.unregister_value_metrics("leads")
    try:
        m = program_snapshot(period=NOV, today=date(2026, 12, 4)).metrics
    finally:
        hooks._VALUES.update(saved)
    assert "lead_acceptance_rate" not in m
