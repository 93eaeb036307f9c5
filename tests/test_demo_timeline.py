"""The demo tells its story over months: rows, audit events and ledger entries are stamped on the program's story
line (prm.demo.demo_clock), never in the future, the same way on every run."""

from datetime import timedelta

from django.core.management import call_command
from django.db.models.functions import TruncDate
from django.utils import timezone

from dealreg.models import Registration
from mdf.models import LedgerEntry
from partners.models import Application, Partner
from prm.audit import audit_timeline
from prm.demo import days_ago, demo_clock
from prm.models import AuditEvent


def test_demo_clock_is_deterministic_and_restores_the_real_time():
    at = timezone.now() - timedelta(days=100)
    with demo_clock(at):
        first, second = timezone.now(), timezone.now()
    assert first == at
    assert second == at + timedelta(seconds=7)
    assert timezone.now() - timezone.now() < timedelta(seconds=1)  # real time again
    assert abs(timezone.now() - at - timedelta(days=100)) < timedelta(minutes=1)
    moment = days_ago(3, hour=9)
    assert (moment.hour, timezone.localdate() - moment.date()) == (9, timedelta(days=3))


def _days(queryset, field: str) -> int:
    return queryset.annotate(day=TruncDate(field)).values("day").distinct().count()


def test_seed_demo_spreads_its_timestamps_over_months(db):
    call_command("seed_demo")
    now = timezone.now()

    events = AuditEvent.objects.all()
    assert _days(events, "created_at") >= 30
    oldest = events.order_by("created_at").first().created_at
    assert now - oldest > timedelta(days=180)
    assert not events.filter(created_at__gt=now).exists()
    call_command("verify_audit")  # stamped when written: the chain is intact

    assert _days(LedgerEntry.objects.all(), "created_at") >= 5
    assert not LedgerEntry.objects.filter(created_at__gt=now).exists()
    assert _days(Registration.objects.all(), "created_at") >= 60
    assert not Registration.objects.filter(decided_at__gt=now).exists()
    assert _days(Application.objects.all(), "submitted_at") >= 3

    # A partner's activity reads as its story, newest first: placed in its tier after its onboarding.
    northwind = Partner.objects.get(name="Northwind Solutions")
    lines = audit_timeline(partner=northwind, limit=200)
    assert [line.when for line in lines] == sorted((line.when for line in lines), reverse=True)
    verbs = [line.verb for line in reversed(lines)]
    assert verbs.index("partner.created") < verbs.index("agreement.accepted") < verbs.index("tier.changed")
    created = next(line for line in lines if line.verb == "partner.created")
    assert now - created.when > timedelta(days=100)
