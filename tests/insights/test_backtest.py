"""backtest_health: AUC and at-risk precision worked out by hand, the replay using only facts known at each date,
and the command's name=value output."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dealreg.models import Registration
from insights.health import health_inputs_for
from insights.management.commands.backtest_health import at_risk_precision, auc, backtest, backtest_dates
from partners.models import Partner
from tests.dealreg.factories_views import RegistrationFactory
from tests.factories import PartnerFactory


def test_auc_of_a_perfect_ranking_is_one_and_of_an_inverted_one_zero():
    assert auc([10, 20, 80, 90], [False, False, True, True]) == 1.0
    assert auc([90, 80, 20, 10], [False, False, True, True]) == 0.0


def test_auc_counts_pairs_and_ties_by_hand():
    # positives score 2 and 4, negatives 1 and 3: of the 4 pairs, 3 are ordered right
    assert auc([1, 2, 3, 4], [False, True, False, True]) == 0.75
    assert auc([5, 5, 5, 5], [False, True, False, True]) == 0.5  # all tied: a coin toss
    # positive 30 ties negative 30 (half), beats 10 (one); positive 50 beats both: (1.5 + 2) / 4
    assert auc([10, 30, 30, 50], [False, False, True, True]) == 0.875


def test_auc_needs_both_classes():
    assert auc([1, 2], [True, True]) is None
    assert auc([], []) is None
    with pytest.raises(ValueError, match="length"):
        auc([1], [])


def test_at_risk_precision_is_the_share_of_at_risk_that_were_not_positive():
    bands = ["at_risk", "at_risk", "at_risk", "at_risk", "watch", "healthy"]
    labels = [False, False, False, True, True, False]
    assert at_risk_precision(bands, labels) == 0.75
    assert at_risk_precision(["watch"], [False]) is None


def test_dates_every_n_days():
    now = timezone.now()
    assert backtest_dates(now, now + timedelta(days=60), 30) == [
        now,
        now + timedelta(days=30),
        now + timedelta(days=60),
    ]
    assert backtest_dates(now, now - timedelta(days=1), 30) == []


@pytest.mark.django_db
def test_a_past_score_uses_only_what_was_known_then():
    now = timezone.now()
    partner = PartnerFactory()
    Partner.objects.filter(pk=partner.pk).update(created_at=now - timedelta(days=400))
    RegistrationFactory(partner=partner, status=Registration.Status.SUBMITTED, submitted_at=now - timedelta(days=10))
    won = RegistrationFactory(partner=partner, status=Registration.Status.WON, submitted_at=now - timedelta(days=200))
    Registration.objects.filter(pk=won.pk).update(closed_at=now - timedelta(days=20))
    past = health_inputs_for([partner.pk], now=now - timedelta(days=30))[partner.pk]
    assert past.registrations_recent == 0  # registered 10 days ago: after that date
    assert past.won == 0  # won 20 days ago: after that date
    assert past.days_since_activity == 170  # the deal submitted 200 days ago was its last activity then
    today = health_inputs_for([partner.pk], now=now)[partner.pk]
    assert (today.registrations_recent, today.won, today.days_since_activity) == (1, 1, 10)


@pytest.mark.django_db
def test_a_status_changed_later_is_read_from_the_dates():
    now = timezone.now()
    partner = PartnerFactory(status=Partner.Status.OFFBOARDED)
    Partner.objects.filter(pk=partner.pk).update(
        created_at=now - timedelta(days=300),
        applied_at=now - timedelta(days=300),
        approved_at=now - timedelta(days=290),
        activated_at=now - timedelta(days=250),
        status_changed_at=now - timedelta(days=10),
    )
    assert health_inputs_for([partner.pk], now=now - timedelta(days=270))[partner.pk].status == "onboarding"
    assert health_inputs_for([partner.pk], now=now - timedelta(days=100))[partner.pk].status == "active"
    assert health_inputs_for([partner.pk], now=now)[partner.pk].status == "offboarded"
    assert partner.pk not in health_inputs_for([partner.pk], now=now - timedelta(days=301))


@pytest.fixture
def history(db):
    """A seller that registers and wins a deal every month for a year, and a partner that never did anything."""
    now = timezone.now()
    seller = PartnerFactory(name="Seller")
    idle = PartnerFactory(name="Idle")
    Partner.objects.filter(pk__in=[seller.pk, idle.pk]).update(created_at=now - timedelta(days=365))
    for month in range(12):
        deal = RegistrationFactory(
            partner=seller, status=Registration.Status.WON, submitted_at=now - timedelta(days=30 * month + 40)
        )
        Registration.objects.filter(pk=deal.pk).update(closed_at=now - timedelta(days=30 * month + 5))
    return seller, idle


def test_backtest_ranks_the_seller_above_the_idle_partner(history):
    figures = backtest(every=30, horizon=90)
    # dates from 335 days ago (the first activity + 30) to 90 days ago, every 30 days: 9 dates × 2 partners
    assert figures["dates"] == 9
    assert figures["samples"] == 18
    assert figures["positives"] == 9  # the seller wins within 90 days of every date
    assert figures["auc"] == 1.0
    assert figures["at_risk_precision"] == 1.0  # the idle partner is at risk and never won
    assert figures["at_risk_samples"] == 9
    assert figures["at_risk_positive_rate"] == 0.0
    assert figures["base_negative_rate"] == 0.5


def test_the_command_prints_name_value_lines(history):
    out = StringIO()
    call_command("backtest_health", "--per-date", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert lines["data"] == "current database"
    assert lines["auc"] == "1.000"
    assert lines["samples"] == "18"
    assert lines["at_risk_precision"] == "1.000"
    assert sum(1 for key in lines if key.startswith("auc_")) == 9


@pytest.mark.django_db
def test_an_empty_program_has_nothing_to_backtest():
    out = StringIO()
    call_command("backtest_health", stdout=out)
    assert "samples=0" in out.getvalue()
