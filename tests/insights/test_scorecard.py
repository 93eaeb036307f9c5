"""The partner scorecard: the channel manager's page and panel, and the partner's own "My performance" page, which
shows nothing of other partners; numbers come from insights.metrics, links open the deals they count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Registration
from insights.metrics import Period, partner_snapshot
from insights.scorecard import MANAGER_ONLY, partner_scorecard
from prm.money import format_money
from tests.dealreg.factories_views import RegistrationFactory
from tests.factories import PartnerFactory

INV = Registration.Involvement


def _won(partner, value: str, involvement=INV.SOURCED, currency="USD", days_ago: int = 1, name: str = ""):
    now = timezone.now()
    registration = RegistrationFactory(
        partner=partner, involvement=involvement, value=Decimal(value), currency=currency, name=name or "Customer"
    )
    Registration.objects.filter(pk=registration.pk).update(
        status="won",
        won_amount=Decimal(value),
        submitted_at=now - timedelta(days=days_ago + 10),
        decided_at=now - timedelta(days=days_ago + 9),
        closed_at=now - timedelta(days=days_ago),
    )
    return registration


@pytest.fixture
def deals_a(partner_a):
    """Partner A: 2 sourced won, 1 influenced won, 1 sourced lost, 2 open (1 sourced submitted, 1 co-sell
    approved), 1 draft (not counted). Partner B has a big won deal that must never show in A's portal."""
    _won(partner_a, "10000", INV.SOURCED)
    _won(partner_a, "5000", INV.SOURCED)
    _won(partner_a, "2000", INV.INFLUENCED)
    lost = RegistrationFactory(partner=partner_a, involvement=INV.SOURCED)
    Registration.objects.filter(pk=lost.pk).update(status="lost", closed_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(partner=partner_a, status="submitted", submitted_at=timezone.now(), involvement=INV.SOURCED)
    RegistrationFactory(partner=partner_a, status="approved", submitted_at=timezone.now(), involvement=INV.COSELL)
    RegistrationFactory(partner=partner_a, status="draft")
    return partner_a


@pytest.fixture
def deals_b(partner_b):
    _won(partner_b, "999000", INV.SOURCED, name="Contoso Megadeal")
    return partner_b


def test_deal_counts_by_involvement_with_links(deals_a):
    card = partner_scorecard(partner=deals_a, period=Period.named("12m"), audience="manage")
    rows = {r.involvement: r for r in card.deals}
    assert (rows["sourced"].open, rows["sourced"].won, rows["sourced"].lost) == (1, 2, 1)
    assert (rows["influenced"].open, rows["influenced"].won, rows["influenced"].lost) == (0, 1, 0)
    assert (rows["cosell"].open, rows["cosell"].won) == (1, 0)
    assert (card.deals_total.open, card.deals_total.won, card.deals_total.lost) == (2, 3, 1)  # the draft is not
    assert rows["sourced"].won_url == f"/manage/deals/?partner={deals_a.pk}&status=won&involvement=sourced"
    assert card.deals_total.open_url == f"/manage/deals/?partner={deals_a.pk}&status=active"


def test_the_links_show_exactly_the_deals_counted(manager_client, deals_a, deals_b):
    card = partner_scorecard(partner=deals_a, period=Period.named("12m"), audience="manage")
    rows = {r.involvement: r for r in card.deals}
    for url, expected in (
        (rows["sourced"].won_url, 2),
        (card.deals_total.open_url, 2),
        (card.deals_total.lost_url, 1),
    ):
        response = manager_client.get(url)
        assert response.status_code == 200
        assert len(response.context["rows"]) == expected, url


def test_numbers_are_the_metrics_modules(deals_a):
    period = Period.named("12m")
    card = partner_scorecard(partner=deals_a, period=period, audience="manage")
    snap = partner_snapshot(partner=deals_a, period=period)
    shown = {m.key: m for m in card.metrics}
    for key in ("sourced_revenue", "influenced_revenue", "win_rate", "open_pipeline"):
        assert shown[key].value == snap[key].value, key
    # Worked: 10,000 + 5,000 sourced and 2,000 influenced won (USD, the reporting currency by default); 3 won of 4.
    assert shown["sourced_revenue"].value == Decimal("15000")
    assert shown["influenced_revenue"].value == Decimal("2000")
    assert shown["win_rate"].value == Decimal("0.75")


def test_portal_card_leaves_out_program_wide_metrics(deals_a):
    card = partner_scorecard(partner=deals_a, period=Period.named("12m"), audience="portal")
    keys = {m.key for m in card.metrics}
    assert not keys & MANAGER_ONLY
    assert card.links["deals"] == "/portal/deals/"
    rows = {r.involvement: r for r in card.deals}
    assert rows["sourced"].won_url == "/portal/deals/?status=won&involvement=sourced"


def test_manager_page(manager_client, deals_a):
    response = manager_client.get(f"/manage/partners/{deals_a.pk}/scorecard/?period=12m")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Northwind Solutions: scorecard" in body
    assert "Pipeline and deals" in body
    assert "Health" in body
    assert "Healthy at 70 or more, watch from 40 to 69, at risk below 40" in body
    assert format_money(Decimal("15000"), "USD", places=0) in body
    assert "as of" in body
    assert "Ecosystem contribution" in body  # the channel team sees program-relative numbers
    assert f'href="/manage/deals/?partner={deals_a.pk}&amp;status=won&amp;involvement=sourced"' in body


def test_manager_panel_is_a_fragment(manager_client, deals_a):
    response = manager_client.get(f"/manage/partners/{deals_a.pk}/scorecard/?panel=1")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="scorecard-panel"' in body
    assert f'href="/manage/partners/{deals_a.pk}/scorecard/"' in body


def test_partner_page_loads_the_panel_with_a_fallback_link(manager_client, partner_a):
    body = manager_client.get(f"/manage/partners/{partner_a.pk}/").content.decode()
    assert f'hx-get="/manage/partners/{partner_a.pk}/scorecard/?panel=1"' in body
    assert f'<a href="/manage/partners/{partner_a.pk}/scorecard/">Open the scorecard →</a>' in body


def test_bad_period_gets_a_message_not_a_500(manager_client, partner_a):
    response = manager_client.get(f"/manage/partners/{partner_a.pk}/scorecard/?period=custom&start=yesterday")
    assert response.status_code == 200
    assert "Give both dates of a custom period" in response.content.decode()
    response = manager_client.get(f"/manage/partners/{partner_a.pk}/scorecard/?period=forever")
    assert "Unknown period" in response.content.decode()


def test_unknown_partner_is_404(manager_client):
    assert manager_client.get("/manage/partners/999999/scorecard/").status_code == 404


def test_partner_users_cannot_open_the_manager_scorecard(admin_client_a, partner_a):
    assert admin_client_a.get(f"/manage/partners/{partner_a.pk}/scorecard/").status_code == 404


def test_my_performance_is_scoped_to_the_partner(admin_client_a, deals_a, deals_b):
    response = admin_client_a.get("/portal/performance/?period=12m")
    assert response.status_code == 200
    body = response.content.decode()
    assert "My performance" in body
    assert format_money(Decimal("15000"), "USD", places=0) in body
    assert "Contoso" not in body
    assert "999,000" not in body
    assert "Ecosystem contribution" not in body
    assert "Partner ROI" not in body
    assert 'href="/portal/deals/?status=won&amp;involvement=sourced"' in body


def test_outsider_sees_only_its_own_performance(outsider_client, deals_a, deals_b):
    body = outsider_client.get("/portal/performance/?period=12m").content.decode()
    assert "Northwind" not in body
    assert format_money(Decimal("999000"), "USD", places=0) in body  # its own deal
    # And nothing of partner A is reachable through the manager URL space either.
    assert outsider_client.get(f"/manage/partners/{deals_a.pk}/scorecard/").status_code == 404


def test_every_portal_role_may_read_it(seller_client_a, partner_a):
    assert seller_client_a.get("/portal/performance/").status_code == 200


def test_a_seller_is_not_sent_to_the_admins_team_page(seller_client_a, admin_client_a, partner_a):
    """Every link of My performance opens for the one who reads it: the team's certifications are for admins."""
    assert "/portal/training/team/" not in seller_client_a.get("/portal/performance/").content.decode()
    assert "/portal/training/team/" in admin_client_a.get("/portal/performance/").content.decode()


def _mixed_deals(partner, n: int) -> None:
    """n won deals over both currencies and two involvements, and n open ones."""
    for i in range(n):
        _won(partner, str(100 + i), INV.INFLUENCED if i % 2 else INV.SOURCED, currency="EUR" if i % 3 else "USD")
        RegistrationFactory(partner=partner, status="submitted", submitted_at=timezone.now())


def _steady_count(client, url: str) -> int:
    """Queries of a page once the roll-ups have caught up with the latest changes (a first read does that)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_scorecard_query_count_does_not_grow_with_deals(manager_client, partner_a):
    url = f"/manage/partners/{partner_a.pk}/scorecard/?period=12m"
    _mixed_deals(partner_a, 6)
    few = _steady_count(manager_client, url)
    _mixed_deals(partner_a, 30)
    PartnerFactory(name="Another")
    assert _steady_count(manager_client, url) == few
    # The metrics snapshot (two periods) is most of it; health, deal counts and the page are 15.
    assert few <= 80


def test_my_performance_query_count(admin_client_a, partner_a):
    url = "/portal/performance/?period=12m"
    _mixed_deals(partner_a, 6)
    few = _steady_count(admin_client_a, url)
    _mixed_deals(partner_a, 30)
    assert _steady_count(admin_client_a, url) == few
    assert few <= 80


def test_the_panel_leads_with_what_pulls_health_down(partner_a):
    from insights.health import HealthInputs, score_health

    card = partner_scorecard(partner=partner_a, period=Period.named("this_quarter"), audience="manage")
    card.health = score_health(
        HealthInputs(days_since_activity=3, registrations_recent=2, won=3, certifications_valid=1, members=1)
    )
    # +15 activity, +10 more deals, +5 won, +10 certified, −10 nobody signed in yet
    assert [r.points for r in card.top_reasons] == [-10, 15, 10]
