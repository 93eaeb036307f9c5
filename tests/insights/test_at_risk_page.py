"""The manager's at-risk list (/manage/health/at-risk/): stored health, lowest first, with the change since a week
before, the top reasons and a next action; the watch band and "mine" filters; its CSV; managers only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.models import HealthSnapshot
from tests.factories import ChannelManagerFactory, PartnerFactory

pytestmark = pytest.mark.django_db
URL = "/manage/health/at-risk/"


def _snapshot(partner, score, band, reasons, *, days_ago=0, latest=True):
    return HealthSnapshot.objects.create(
        partner=partner,
        day=timezone.localdate() - timedelta(days=days_ago),
        computed_at=timezone.now() - timedelta(days=days_ago),
        score=score,
        band=band,
        reasons=reasons,
        is_latest=latest,
    )


@pytest.fixture
def program(channel_manager):
    """Three scored partners: one at risk (owned by the manager; 45 a week ago), one at risk owned by someone else,
    one on watch, one healthy."""
    other = ChannelManagerFactory()
    stalled = PartnerFactory(name="Stalled & Co", owner=channel_manager)
    _snapshot(stalled, 45, "watch", [], days_ago=7, latest=False)
    _snapshot(
        stalled,
        25,
        "at_risk",
        [
            {"points": -10, "text": "Last activity 35 days ago", "key": "inactive"},
            {"points": -15, "text": "Onboarding stalled 20 days on “Profile”", "key": "onboarding_stalled"},
            {"points": 5, "text": "People signed in this month", "key": "logins"},
            {"points": -5, "text": "1 review action overdue", "key": "actions_overdue"},
        ],
    )
    claims = PartnerFactory(name="=Claims Ltd", owner=other)
    _snapshot(claims, 30, "at_risk", [{"points": -10, "text": "2 MDF claims overdue", "key": "claims_overdue"}])
    watch = PartnerFactory(name="Watch Inc")
    _snapshot(watch, 55, "watch", [{"points": -10, "text": "No deals registered in 180 days", "key": "no_deals"}])
    healthy = PartnerFactory(name="Healthy Inc")
    _snapshot(healthy, 90, "healthy", [])
    return {"stalled": stalled, "claims": claims, "watch": watch, "healthy": healthy}


def test_at_risk_lowest_first_with_reasons_change_and_next_action(
    manager_client, program, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = manager_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Stalled &amp; Co") < page.index("=Claims Ltd")  # 25 before 30
    assert "Watch Inc" not in page
    assert "Healthy Inc" not in page
    assert "2 partners" in page
    assert "25 / 100 · At risk" in page
    assert "▼ -20 in 7 days" in page  # 45 a week ago
    assert "no score a week before" in page  # =Claims Ltd
    # the biggest negative reason first, the positive one left out
    stalled = page[page.index("Stalled &amp; Co") : page.index("=Claims Ltd")]
    assert stalled.index("Onboarding stalled 20 days") < stalled.index("Last activity 35 days ago")
    assert "People signed in this month" not in stalled
    partner = program["stalled"]
    assert f'href="{reverse("manage:partner_detail", args=[partner.pk])}#onboarding"' in page
    assert "Open onboarding and unblock the step" in page
    claims = program["claims"]
    assert f'href="{reverse("manage:mdf_requests")}?partner={claims.pk}"' in page
    assert "Chase the overdue MDF claim" in page
    assert f'href="{reverse("manage:partner_scorecard", args=[partner.pk])}#health"' in page


def test_watch_and_both_bands_and_mine(manager_client, program):
    page = manager_client.get(URL, {"band": "watch"}).content.decode()
    assert "Watch Inc" in page
    assert "Stalled &amp; Co" not in page
    assert "Book a pipeline review" in page
    page = manager_client.get(URL, {"band": "both"}).content.decode()
    assert all(name in page for name in ("Watch Inc", "Stalled &amp; Co", "=Claims Ltd"))
    page = manager_client.get(URL, {"mine": "1"}).content.decode()
    assert "Stalled &amp; Co" in page
    assert "=Claims Ltd" not in page
    assert manager_client.get(URL, {"band": "<script>"}).status_code == 200  # unknown band: at risk


def test_an_empty_list_says_so(manager_client):
    page = manager_client.get(URL).content.decode()
    assert "No partner is at risk" in page
    assert "No score has been stored yet" in page


def test_csv_export(manager_client, program):
    response = manager_client.get(reverse("manage:health_at_risk_export"), {"band": "at_risk"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0][:6] == ["partner", "partner id", "owner email", "score", "band", "change in 7 days"]
    assert [r[0] for r in rows[1:]] == ["Stalled & Co", "'=Claims Ltd"]  # formula injection neutralised
    first = rows[1]
    assert first[3:6] == ["25", "At risk", "-20"]
    assert first[6].startswith("Onboarding stalled 20 days on “Profile” (-15) | Last activity 35 days ago (-10)")
    assert first[7] == "Open onboarding and unblock the step"
    assert first[8].endswith(f"/manage/partners/{program['stalled'].pk}/#onboarding")


def test_the_insights_tabs_link_to_it(manager_client):
    page = manager_client.get(reverse("manage:review_actions")).content.decode()
    assert f'href="{URL}"' in page


@pytest.mark.parametrize("url", [URL, f"{URL}export.csv"])
def test_partner_users_get_404(admin_client_a, outsider_client, program, url):
    assert admin_client_a.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
