"""The incentives admin: every list and page renders and searches; published versions and their rules are
read-only; ledger lines can be looked at, never added, changed or deleted."""

from datetime import date

import pytest
from django.urls import reverse

from incentives.models import Boost, DealPayoutRule, EarningLine, IncentivePlan, PlanVersion
from incentives.services import accrue_for_won
from tests.factories import UserFactory
from tests.incentives.helpers import draft_version, pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com"))
    return client


def test_every_list_and_page_renders(root_client, partner_a):
    version = with_rules(
        published_version(1, date(2026, 1, 1)),
        payouts=[{"involvement": "sourced", **pct("10")}],
        boosts=[
            {
                "name": "Push",
                "kind": "extra_percent",
                "value": 2,
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 31),
            }
        ],
    )
    draft = draft_version(2)
    accrue_for_won(registration=won_deal(partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2)))
    line = EarningLine.objects.first()
    for model, obj in (
        (IncentivePlan, version.plan),
        (PlanVersion, version),
        (DealPayoutRule, version.payout_rules.get()),
        (Boost, version.boosts.get()),
        (EarningLine, line),
    ):
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert root_client.get(changelist).status_code == 200
        assert root_client.get(changelist, {"q": "acme"}).status_code == 200
        assert (
            root_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code
            == 200
        )
    assert root_client.get(reverse("admin:incentives_planversion_change", args=[draft.pk])).status_code == 200

    # Ledger lines: no add, no change, no delete.
    assert root_client.get(reverse("admin:incentives_earningline_add")).status_code == 403
    assert (
        root_client.post(reverse("admin:incentives_earningline_delete", args=[line.pk]), {"post": "yes"}).status_code
        == 403
    )
    page = root_client.get(reverse("admin:incentives_earningline_change", args=[line.pk])).content.decode()
    assert 'name="amount"' not in page
    # A published version cannot be deleted or changed; a draft can.
    assert (
        root_client.post(reverse("admin:incentives_planversion_delete", args=[version.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert PlanVersion.objects.filter(pk=version.pk).exists()
    assert (
        root_client.post(reverse("admin:incentives_planversion_delete", args=[draft.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert not PlanVersion.objects.filter(pk=draft.pk).exists()
