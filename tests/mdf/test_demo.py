"""The MDF demo: budgets, a tier pool, and requests and claims at every status for the demo partners; consistent
ledgers; safe to run again."""

from django.core.management import call_command

from mdf.demo import seed_mdf
from mdf.ledger import balance_of
from mdf.models import Attribution, Budget, Claim, FundRequest, LedgerEntry, Period, TierPool
from mdf.roi import roi_by_partner
from prm.models import AUDIT_SENTENCES, AuditEvent


def test_seed_mdf_shows_every_status_and_is_idempotent(db):
    seed_mdf()  # before seed_demo: skipped quietly
    assert not FundRequest.objects.exists()
    call_command("seed_demo")
    seed_mdf()  # a no-op when seed_demo already calls it

    assert set(FundRequest.objects.values_list("status", flat=True)) == set(FundRequest.Status.values)
    assert set(Claim.objects.values_list("status", flat=True)) == set(Claim.Status.values)
    assert TierPool.objects.count() == 2
    assert Period.objects.filter(funds_expired_at__isnull=False).count() == 1  # last quarter
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds == set(LedgerEntry.Kind.values)
    for budget in Budget.objects.all():
        balance = balance_of(budget)
        assert balance.available >= 0, (budget, balance)
        assert balance.reserved >= 0, (budget, balance)
    assert Attribution.objects.exists()
    assert any(roi.roi for _, roi in roi_by_partner())
    assert FundRequest.objects.filter(status="awaiting_admin", first_approved_by__isnull=False).exists()

    # Every MDF event reads as a whole sentence in the timelines (its placeholders are in its data).
    events = list(AuditEvent.objects.filter(verb__startswith="mdf."))
    assert {e.verb for e in events} >= {"mdf.allocated", "mdf.request_approved", "mdf.claim_paid", "mdf.funds_expired"}
    for event in events:
        AUDIT_SENTENCES[event.verb].format(**{**event.before, **event.after})

    counts = (FundRequest.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count())
    seed_mdf()
    assert (FundRequest.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()) == counts
    call_command("verify_audit")
