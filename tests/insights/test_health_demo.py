"""The health demo (insights.demo.health, a seed_demo step): 90 days of stored health, a few partners at risk with
believable reasons, one that moved this week (its owner told), and safe to run again."""

import pytest
from django.utils import timezone

from insights.demo.health import seed_health
from insights.health_store import at_risk_rows
from insights.models import HealthSnapshot
from partners.demo import seed_partners
from prm.models import Notification


@pytest.mark.django_db
def test_the_demo_has_history_and_believable_partners_at_risk():
    seed_partners()
    seed_health()
    rows = {row.partner.name: row for row in at_risk_rows()}
    assert {"Harbor Networks", "Quartz Systems", "Cobalt IT"} <= set(rows)
    assert "Nobody holds a current certification" in [r.text for r in rows["Harbor Networks"].top_reasons]
    assert rows["Cobalt IT"].action.label == "Open onboarding and unblock the step"
    harbor = HealthSnapshot.objects.filter(partner__name="Harbor Networks")
    assert harbor.count() == 91  # today and each of the 90 days before
    assert harbor.filter(band="watch", day=timezone.localdate() - timezone.timedelta(days=5)).exists()
    moved = Notification.objects.filter(template="insights_health_at_risk")
    assert [n.subject for n in moved] == ["Harbor Networks moved to at risk (health 30/100)"]

    count = HealthSnapshot.objects.count()
    seed_health()  # again: the same days are overwritten, nothing added
    assert HealthSnapshot.objects.count() == count
    assert Notification.objects.filter(template="insights_health_at_risk").count() == 1
