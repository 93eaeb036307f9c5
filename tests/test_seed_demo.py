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
