"""On the demo program, the won-revenue tier requirement, the scorecard and the partner page say the same number
for every partner (issue #13: "a number is the same on every page")."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from insights.metrics import Period, partner_snapshot
from partners.metrics import metric_values
from partners.models import Partner, TierRequirement
from prm.money import format_money


@pytest.mark.django_db
def test_tier_requirement_scorecard_and_partner_page_agree(manager_client):
    call_command("seed_demo", verbosity=0)
    partners = list(Partner.objects.exclude(status__in=["applied", "declined"]).order_by("name"))
    values, tracked = metric_values(TierRequirement.Kind.WON_REVENUE, [p.pk for p in partners], timezone.now())
    assert tracked
    year = Period.named("12m")
    compared = on_page = 0
    for partner in partners:
        snap = partner_snapshot(partner=partner, period=year, compare=False)
        tier_value = values[partner.pk]
        assert snap["partner_revenue"].value == tier_value, partner.name
        shown = format_money(tier_value, snap.currency, places=0)
        scorecard = manager_client.get(f"/manage/partners/{partner.pk}/scorecard/?period=12m").content.decode()
        assert shown in scorecard, partner.name
        detail = manager_client.get(f"/manage/partners/{partner.pk}/").content.decode()
        if "won revenue (12 months)" in detail:  # its tier (or the next) requires won revenue
            assert f"{shown} of " in detail, partner.name  # "$48,000 of $100,000 won revenue (12 months)"
            on_page += 1
        compared += tier_value > 0
    assert compared >= 3  # the demo's partners have won deals to compare
    assert on_page >= 2  # and tiers that require won revenue, shown on the partner page
