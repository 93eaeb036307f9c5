"""`make run` loads the demo: it must work on an empty database, show every stage, and be safe to run again."""

from django.core.management import call_command

from partners.models import Partner, TierProposal
from prm.models import AuditEvent


def test_seed_demo_shows_the_whole_journey_and_is_idempotent(db):
    call_command("seed_demo")
    statuses = set(Partner.objects.values_list("status", flat=True))
    assert statuses == {"applied", "declined", "onboarding", "active", "dormant"}
    assert set(Partner.objects.filter(status="active").values_list("tier__name", flat=True)) >= {"Silver", "Gold"}
    assert Partner.objects.get(name="Cobalt IT").parent.name == "Atlas Distribution"
    assert Partner.objects.get(name="Northwind Solutions GmbH").application.duplicates  # flagged, not merged
    assert TierProposal.objects.filter(status="pending").exists()
    from dealreg.models import Registration

    statuses = set(Registration.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "approved"} <= statuses
    assert Registration.objects.filter(has_conflict=True, conflicts__kind="registration").exists()
    counts = (Partner.objects.count(), AuditEvent.objects.count())

    call_command("seed_demo")
    assert (Partner.objects.count(), AuditEvent.objects.count()) == counts
    call_command("verify_audit")


def test_seed_demo_tells_a_year_of_history_in_two_currencies(db):
    from django.db.models import Sum

    from dealreg.models import Registration
    from insights.models import ActionItem, CustomerContract, DirectRevenue, RenewalOutcome, Review, ReviewPlan
    from prm.models import ExchangeRate
    from prm.money import month_of

    call_command("seed_demo")
    submitted = Registration.objects.exclude(submitted_at=None)
    months = {month_of(at) for at in submitted.values_list("submitted_at", flat=True)}
    assert len(months) >= 10  # spread over the year, not all stamped "now"
    assert len(set(submitted.values_list("decided_at", flat=True))) > 30
    assert {"USD", "EUR"} <= set(submitted.values_list("currency", flat=True))
    assert set(submitted.values_list("involvement", flat=True)) == {"sourced", "influenced", "fulfilled", "cosell"}
    assert {"won", "lost", "approved", "submitted", "rejected", "expired"} <= set(
        submitted.values_list("status", flat=True)
    )
    assert submitted.filter(status="won", passed_poc=True).exists()  # POCs that went to production
    # EMEA partners sell mostly in euros.
    atlas = submitted.filter(partner__name="Atlas Distribution")
    assert atlas.filter(currency="EUR").count() > atlas.count() * 0.8

    # A rate into the reporting currency (USD) for every month with data in another currency.
    rated = set(ExchangeRate.objects.filter(currency="EUR", to_currency="USD").values_list("month", flat=True))
    eur_months = {month_of(at) for at in submitted.filter(currency="EUR").values_list("submitted_at", flat=True)}
    eur_months |= {
        month_of(at) for at in submitted.filter(status="won", currency="EUR").values_list("closed_at", flat=True)
    }
    assert eur_months <= rated
    assert all(1.05 <= float(r) <= 1.12 for r in ExchangeRate.objects.values_list("rate", flat=True))
    assert DirectRevenue.objects.values("month").distinct().count() == 12

    # One partner clearly leads on won revenue.
    won = dict(
        submitted.filter(status="won", currency="EUR")
        .values_list("partner__name")
        .annotate(total=Sum("won_amount"))
        .order_by()
    )
    leader = max(won, key=won.get)
    assert leader == "Atlas Distribution"
    assert won[leader] > 2 * max(v for k, v in won.items() if k != leader)

    # Every won deal has its contract; renewals are due soon, past ones have outcomes; direct customers too.
    assert not Registration.objects.filter(status="won", contract__isnull=True).exists()
    assert CustomerContract.objects.filter(partner=None).exists()
    assert set(RenewalOutcome.objects.values_list("outcome", flat=True)) == {"renewed", "expanded", "churned"}
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    assert CustomerContract.objects.filter(status="active", renewal_on__range=(today, today + timedelta(days=30)))
    assert CustomerContract.objects.filter(renewal_on__range=(today + timedelta(days=31), today + timedelta(days=60)))

    # The partners' journeys and first deals are spread over the year.
    active = Partner.objects.filter(status__in=["active", "dormant"])
    assert all(p.first_deal_at and p.approved_at < p.first_deal_at for p in active)
    assert len({p.approved_at.date() for p in active}) == active.count()

    # The review rhythm: plans, a held review with notes and action items (one overdue), the next one scheduled.
    assert ReviewPlan.objects.filter(cadence="quarterly").count() == Partner.objects.filter(status="active").count()
    assert Review.objects.filter(status="held").exclude(notes="").exists()
    assert Review.objects.filter(status="scheduled", scheduled_on__gt=today).count() == ReviewPlan.objects.count()
    assert ActionItem.objects.filter(done_at=None, due_on__lt=today).count() == 1

    counts = (Registration.objects.count(), CustomerContract.objects.count(), ExchangeRate.objects.count())
    call_command("seed_demo")
    assert (Registration.objects.count(), CustomerContract.objects.count(), ExchangeRate.objects.count()) == counts
