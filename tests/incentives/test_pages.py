"""The pages: the partner's plan with its calculator, the partner's earnings (scoped to the partner and, for sales
users, to their own deals), the manager's plan pages (read for every channel manager, changes for program admins)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from incentives.models import EarningLine, PlanVersion
from incentives.services import accrue_for_won
from prm.access import GUARD_ATTR
from prm.models import AuditEvent, Notification
from tests.incentives.helpers import draft_version, pct, published_version, with_rules, won_deal
from tests.test_url_guards import _walk

pytestmark = pytest.mark.django_db
PLAN = "/portal/incentives/plan/"
EARNINGS = "/portal/earnings/"


@pytest.fixture
def plan_in_force(db):
    today = timezone.localdate()
    version = published_version(
        1, today - timedelta(days=60), first_win_bonus=Decimal("1000"), first_win_currency="USD"
    )
    return with_rules(
        version,
        payouts=[{"involvement": "sourced", **pct("10"), "currency": "USD", "cap_amount": Decimal("5000")}],
        boosts=[
            {
                "name": "Spring push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": today - timedelta(days=5),
                "ends_on": today + timedelta(days=9),
            }
        ],
    )


def test_urls_are_the_ones_asked_for():
    assert reverse("portal:incentives_plan") == PLAN
    assert reverse("portal:earnings") == EARNINGS
    assert reverse("manage:incentives") == "/manage/incentives/"


def test_every_incentives_view_is_guarded():
    routes = [r for r in _walk(get_resolver().url_patterns) if r.dotted.startswith("incentives.")]
    names = {r.name for r in routes}
    assert {"incentives", "incentives_earnings", "earnings", "incentives_plan"} <= names
    assert {r.path for r in routes if getattr(r.view, GUARD_ATTR, None) not in ("manager", "partner")} == set()


@pytest.mark.parametrize("persona", ["manager_client", "program_admin_client", "admin_client_a", "seller_client_a"])
def test_junk_ids_never_answer_500(request, persona, plan_in_force):
    client = request.getfixturevalue(persona)
    client.raise_request_exception = False
    routes = [r for r in _walk(get_resolver().url_patterns) if r.dotted.startswith("incentives.")]
    for route in routes:
        for junk in ("0", "-1", "10000000000000000000000000", "abc"):
            url = "/" + re.sub(r"<id:\w+>", junk, route.path)
            assert client.get(url + "?page=99999999999999&amount=%00").status_code < 500, url
            assert client.post(url, {"effective_from": "2026-13-45", "percent": "x"}).status_code < 500, url


def test_partner_plan_page_in_plain_words_with_boost_and_calculator(admin_client_a, plan_in_force):
    response = admin_client_a.get(PLAN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "On a deal you source: 10% of the won amount, up to $5,000.00 (deals in USD)." in text
    assert "Your first won deal: a bonus of $1,000.00." in text
    ends = timezone.localdate() + timedelta(days=9)
    assert f"Ends {ends:%b} {ends.day}, {ends.year}." in text
    response = admin_client_a.get(PLAN, {"amount": "80,000", "currency": "usd", "involvement": "sourced"})
    text = response.content.decode()
    assert "You would earn $7,600.00" in text  # 5,000 (capped) + 1,600 boost + 1,000 first win
    assert "capped at $5,000.00" in text
    assert not EarningLine.objects.exists()


def test_calculator_bad_input_is_a_message(seller_client_a, plan_in_force):
    response = seller_client_a.get(PLAN, {"amount": "lots", "currency": "dollars", "involvement": "sourced"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Give the deal size as a number, like 5000 or 5,000.00." in text
    assert "Give the currency as its three-letter code, like USD or EUR." in text


def test_plan_page_without_a_plan_and_with_an_upcoming_version(admin_client_a):
    published_version(1, timezone.localdate() + timedelta(days=10), notes="Our first plan")
    text = admin_client_a.get(PLAN).content.decode()
    assert "not in force yet" in text
    assert "Version 1 takes effect on" in text


def test_portal_pages_are_for_partner_users_only(client, manager_client):
    assert client.get(PLAN).status_code == 302
    assert manager_client.get(EARNINGS).status_code == 404


def test_earnings_scoped_to_partner_and_to_own_deals(
    plan_in_force,
    partner_a,
    partner_b,
    partner_a_admin,
    partner_a_seller,
    partner_b_user,
    admin_client_a,
    seller_client_a,
    outsider_client,
):
    today = timezone.localdate()
    sam_deal = won_deal(
        partner_a,
        amount="48000",
        approved=today - timedelta(days=3),
        won=today - timedelta(days=1),
        name="Sam's deal",
        created_by=partner_a_seller,
    )
    anna_deal = won_deal(
        partner_a,
        amount="20000",
        approved=today - timedelta(days=3),
        won=today,
        name="Anna's deal",
        created_by=partner_a_admin,
        currency="EUR",
    )
    other = won_deal(partner_b, amount="30000", approved=today - timedelta(days=3), won=today, name="Contoso deal")
    for deal in (sam_deal, anna_deal, other):
        accrue_for_won(registration=deal)
    EarningLine.objects.filter(registration=sam_deal, rule_kind="first_win").update(state="paid")

    text = admin_client_a.get(EARNINGS).content.decode()
    assert "Sam&#x27;s deal" in text
    assert "Anna&#x27;s deal" not in text
    assert "Contoso deal" not in text
    assert "10% of $48,000.00 sourced deal" in text
    assert "$5,760.00" in text  # accrued: 4,800 payout + 960 boost
    assert "$1,000.00" in text  # paid: the first-win bonus

    with_rules(plan_in_force, payouts=[{"involvement": "sourced", **pct("5")}])
    accrue_for_won(registration=anna_deal)
    text = admin_client_a.get(EARNINGS).content.decode()
    assert "Anna&#x27;s deal" in text
    assert "€1,000.00" in text

    text = seller_client_a.get(EARNINGS).content.decode()
    assert "Sam&#x27;s deal" in text
    assert "Anna&#x27;s deal" not in text  # not the seller's deal

    text = outsider_client.get(EARNINGS).content.decode()
    assert "Contoso deal" in text
    assert "Sam&#x27;s deal" not in text
    assert "Anna&#x27;s deal" not in text


def test_earnings_page_query_count_does_not_grow_with_lines(
    plan_in_force, partner_a, admin_client_a, django_assert_max_num_queries
):
    today = timezone.localdate()
    for i in range(12):
        accrue_for_won(registration=won_deal(partner_a, amount="1000", approved=today, won=today, name=f"Deal {i}"))
    with django_assert_max_num_queries(12):
        assert admin_client_a.get(EARNINGS).status_code == 200


def test_manager_reads_and_program_admin_changes(manager_client, program_admin_client, plan_in_force, admin_client_a):
    assert manager_client.get("/manage/incentives/").status_code == 200
    page = manager_client.get(f"/manage/incentives/versions/{plan_in_force.pk}/")
    assert page.status_code == 200
    assert "On a deal you source: 10% of the won amount" in page.content.decode()
    assert manager_client.post("/manage/incentives/versions/new/").status_code == 403
    assert admin_client_a.get("/manage/incentives/").status_code == 404
    assert not PlanVersion.objects.filter(status="draft").exists()

    response = program_admin_client.post("/manage/incentives/versions/new/")
    draft = PlanVersion.objects.get(status="draft")
    assert response.url == f"/manage/incentives/versions/{draft.pk}/"
    assert draft.payout_rules.count() == 1
    assert draft.boosts.count() == 1


def test_draft_editing_with_messages_and_publishing(program_admin_client, program_admin, partner_a_admin):
    draft = draft_version(1)
    base = f"/manage/incentives/versions/{draft.pk}"
    response = program_admin_client.post(
        f"{base}/payouts/", {"involvement": "sourced", "kind": "percent", "percent": "-10"}
    )
    assert response.status_code == 400
    assert "The percent cannot be negative." in response.content.decode()
    assert 'value="-10"' in response.content.decode()  # what was typed is kept
    response = program_admin_client.post(
        f"{base}/payouts/",
        {"involvement": "sourced", "kind": "percent", "percent": "10", "currency": "usd", "cap_amount": "5,000"},
    )
    assert response.status_code == 302
    today = timezone.localdate()
    boost = {
        "name": "Push",
        "kind": "extra_percent",
        "value": "2",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }
    assert program_admin_client.post(f"{base}/boosts/", boost).status_code == 302
    response = program_admin_client.post(f"{base}/boosts/", {**boost, "name": "Another"})
    assert response.status_code == 400
    assert "This boost overlaps “Push”" in response.content.decode()
    preview = program_admin_client.get(f"{base}/").content.decode()
    assert "In plain words (preview)" in preview
    assert "New: On a deal you source: 10% of the won amount, up to $5,000.00 (deals in USD)." in preview

    response = program_admin_client.post(f"{base}/publish/", {"effective_from": "2020-01-01"})
    assert response.status_code == 400
    assert "The effective date cannot be in the past" in response.content.decode()
    response = program_admin_client.post(f"{base}/publish/", {"effective_from": today.isoformat()})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    assert Notification.objects.filter(template="incentives_plan_published", email=partner_a_admin.email).exists()
    assert AuditEvent.objects.filter(verb="incentives.version_published").exists()
    response = program_admin_client.post(
        f"{base}/payouts/", {"involvement": "cosell", "kind": "percent", "percent": "5"}
    )
    assert response.status_code == 400
    assert "This version is published" in response.content.decode()
    rule = draft.payout_rules.get()
    program_admin_client.post(f"{base}/payouts/{rule.pk}/delete/")
    assert draft.payout_rules.count() == 1


def test_plan_settings(program_admin_client, manager_client):
    response = program_admin_client.post("/manage/incentives/", {"name": "Plan", "payable_after_days": "-3"})
    assert response.status_code == 400
    assert "Give a number of days between 0 and 365." in response.content.decode()
    assert (
        program_admin_client.post("/manage/incentives/", {"name": "Plan", "payable_after_days": "45"}).status_code
        == 302
    )
    assert manager_client.post("/manage/incentives/", {"name": "X", "payable_after_days": "1"}).status_code == 403
    from incentives.services import plan_get

    assert plan_get().payable_after_days == 45


def test_manager_earnings_hold_release_and_reverse(
    plan_in_force, partner_a, partner_a_admin, program_admin_client, manager_client
):
    today = timezone.localdate()
    deal = won_deal(partner_a, amount="48000", approved=today, won=today)
    line = next(ln for ln in accrue_for_won(registration=deal) if ln.rule_kind == "deal_payout")
    page = manager_client.get("/manage/incentives/earnings/", {"state": "accrued"})
    assert page.status_code == 200
    assert "10% of $48,000.00 sourced deal" in page.content.decode()
    assert "Hold</button>" not in page.content.decode()  # read-only for a plain manager
    assert manager_client.post(f"/manage/incentives/earnings/{line.pk}/hold/", {"reason": "x"}).status_code == 403

    response = program_admin_client.post(f"/manage/incentives/earnings/{line.pk}/hold/", {"reason": ""}, follow=True)
    assert "Say why the line is held: the partner reads it." in response.content.decode()
    program_admin_client.post(f"/manage/incentives/earnings/{line.pk}/hold/", {"reason": "Customer not paid yet"})
    line.refresh_from_db()
    assert (line.state, line.hold_reason) == ("held", "Customer not paid yet")
    program_admin_client.post(f"/manage/incentives/earnings/{line.pk}/release/")
    line.refresh_from_db()
    assert line.state == "accrued"
    response = program_admin_client.post(
        f"/manage/incentives/earnings/{line.pk}/reverse/", {"reason": "Deal cancelled"}, follow=True
    )
    assert "3 correction line(s) recorded" in response.content.decode()
    assert EarningLine.objects.filter(registration=deal, rule_kind="correction").count() == 3
    assert Notification.objects.filter(
        template="incentives_earned", email=partner_a_admin.email, subject__startswith="Earnings corrected"
    ).exists()
