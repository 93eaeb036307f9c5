"""The channel team's MDF work lists: the review queue (requests and claims, oldest first, SLA clock), every
request and every claim (filters that never 500), the CSV exports, bounded queries; partner users get 404 on all
of the manager's MDF pages."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mdf.models import Claim, FundRequest
from tests.factories import PartnerFactory
from tests.mdf.factories import FundRequestFactory, approved_request, claimed_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal


def body(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- The review queue -------------------------------------------------------------------------------------------


def test_queue_lists_requests_and_claims_oldest_first_with_the_sla_clock(manager_client, partner_a, partner_b):
    budget_a = funded_budget(partner_a, "10000")
    budget_b = funded_budget(partner_b, "3000")
    now = timezone.now()
    FundRequestFactory(
        partner=partner_a,
        budget=budget_a,
        title="Fresh webinar",
        submitted_at=now - timedelta(hours=2),
        decision_due_at=now + timedelta(hours=30),
    )
    FundRequestFactory(
        partner=partner_b,
        budget=budget_b,
        title="Late roadshow",
        requested_amount=D("4000"),
        submitted_at=now - timedelta(days=4),
        decision_due_at=now - timedelta(days=1, hours=2),
    )
    claimed_request(partner=partner_a, budget=budget_a, title="Trade show booth")
    FundRequestFactory(partner=partner_a, budget=budget_a, title="Not waiting", status=FundRequest.Status.NEEDS_INFO)

    response = manager_client.get(reverse("manage:mdf"))
    text = body(response)
    assert response.status_code == 200
    titles = [fr.title for fr in response.context["fund_requests"]]
    assert titles == ["Late roadshow", "Fresh webinar"]
    assert "overdue by 1 day" in text
    assert "due in 1 day" in text
    assert "waiting 4 days" in text
    # The balance beside the request: partner B has 3,000 and asks 4,000.
    assert "$3,000.00" in text
    assert "not enough" in text
    assert [c.request.title for c in response.context["claims"]] == ["Trade show booth"]
    assert "1 file" in text
    assert "Not waiting" not in text
    assert response.context["overdue_count"] == 1
    assert 'aria-current="page">Review queue' in text


def test_queue_flags_requests_waiting_for_an_admin(manager_client, partner_a, channel_manager):
    budget = funded_budget(partner_a, "50000")
    FundRequestFactory(
        partner=partner_a,
        budget=budget,
        title="Big summit",
        status=FundRequest.Status.AWAITING_ADMIN,
        approved_amount=D("20000"),
        requested_amount=D("20000"),
        total_cost=D("40000"),
        first_approved_by=channel_manager,
    )
    text = body(manager_client.get(reverse("manage:mdf")))
    assert "Needs an admin: Maya Chen approved $20,000.00" in text


def test_empty_queue_says_what_to_do(manager_client):
    text = body(manager_client.get(reverse("manage:mdf")))
    assert "No request waiting" in text
    assert "allocate budgets" in text
    assert "No claim waiting" in text


def test_queue_queries_do_not_grow(manager_client, django_assert_max_num_queries):
    partners = [PartnerFactory() for _ in range(3)]
    budgets = [funded_budget(p, "100000") for p in partners]
    for i in range(2):
        FundRequestFactory(partner=partners[i], budget=budgets[i])
        claimed_request(partner=partners[i], budget=budgets[i])
    with django_assert_max_num_queries(40) as small:
        manager_client.get(reverse("manage:mdf"))
    for i in range(30):
        FundRequestFactory(partner=partners[i % 3], budget=budgets[i % 3])
        claimed_request(partner=partners[i % 3], budget=budgets[i % 3], total_cost=D("100"), requested_amount=D("50"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(reverse("manage:mdf"))
    assert len(response.context["fund_requests"]) == 32
    assert len(response.context["claims"]) == 32


# --- Every request, every claim -----------------------------------------------------------------------------------


def test_request_list_filters_and_ignores_nonsense(manager_client, partner_a, partner_b):
    budget_a = funded_budget(partner_a, "10000")
    budget_b = funded_budget(partner_b, "10000")
    FundRequestFactory(partner=partner_a, budget=budget_a, title="Webinar one", activity_type="webinar")
    approved_request(partner=partner_b, budget=budget_b, title="Roadshow two")
    url = reverse("manage:mdf_requests")

    def titles(params):
        return [fr.title for fr in manager_client.get(url, params).context["rows"]]

    assert set(titles({})) == {"Webinar one", "Roadshow two"}
    assert titles({"status": "approved"}) == ["Roadshow two"]
    assert titles({"partner": partner_a.pk}) == ["Webinar one"]
    assert titles({"activity_type": "webinar"}) == ["Webinar one"]
    assert titles({"q": "roadshow"}) == ["Roadshow two"]
    response = manager_client.get(url, {"status": "bogus", "partner": "x", "period": "-1", "page": "lots"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    assert "No request matches these filters" in body(manager_client.get(url, {"q": "nothing like it"}))


def test_empty_lists_say_what_to_do(manager_client):
    assert "No requests yet" in body(manager_client.get(reverse("manage:mdf_requests")))
    assert "No claims yet" in body(manager_client.get(reverse("manage:mdf_claims")))


def test_claim_list(manager_client, partner_a):
    budget = funded_budget(partner_a, "10000")
    claimed_request(partner=partner_a, budget=budget, title="Booth")
    claimed_request(partner=partner_a, budget=budget, title="Ads", claim_status=Claim.Status.APPROVED)
    url = reverse("manage:mdf_claims")
    response = manager_client.get(url)
    assert response.status_code == 200
    assert {c.request.title for c in response.context["rows"]} == {"Booth", "Ads"}
    assert [c.request.title for c in manager_client.get(url, {"status": "approved"}).context["rows"]] == ["Ads"]
    assert manager_client.get(url, {"status": "nope", "period": "abc"}).status_code == 200


def test_lists_queries_do_not_grow(manager_client, partner_a, django_assert_max_num_queries):
    budget = funded_budget(partner_a, "1000000")
    for _ in range(3):
        claimed_request(partner=partner_a, budget=budget)
    for name in ("manage:mdf_requests", "manage:mdf_claims"):
        with django_assert_max_num_queries(30) as small:
            manager_client.get(reverse(name))
        baseline = len(small.captured_queries)
        for _ in range(20):
            claimed_request(partner=PartnerFactory(), budget=funded_budget(PartnerFactory(), "10000"))
        with django_assert_max_num_queries(baseline):
            manager_client.get(reverse(name))


# --- CSV exports ------------------------------------------------------------------------------------------------


def test_request_export_has_every_matching_row(manager_client, partner_a, partner_b):
    budget_a = funded_budget(partner_a, "10000")
    FundRequestFactory(partner=partner_a, budget=budget_a, title="=HYPERLINK(evil)")
    approved_request(partner=partner_b, budget=funded_budget(partner_b, "9000"), title="Roadshow", amount="3000")
    response = manager_client.get(reverse("manage:mdf_export", args=["requests"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "mdf-requests-" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert len(rows) == 2
    by_title = {r["title"]: r for r in rows}
    assert "'=HYPERLINK(evil)" in by_title  # formula injection defused
    roadshow = by_title["Roadshow"]
    assert roadshow["partner"] == "Contoso Partners"
    assert roadshow["status"] == "Approved"
    assert (roadshow["requested"], roadshow["approved"], roadshow["currency"]) == ("4000.00", "3000.00", "USD")
    assert roadshow["claim deadline"]
    filtered = csv_rows(manager_client.get(reverse("manage:mdf_export", args=["requests"]), {"status": "approved"}))
    assert [r["title"] for r in filtered] == ["Roadshow"]


def test_claim_export(manager_client, partner_a):
    budget = funded_budget(partner_a, "10000")
    claim = claimed_request(partner=partner_a, budget=budget, title="Booth", claimed="3500").claim
    rows = csv_rows(manager_client.get(reverse("manage:mdf_export", args=["claims"])))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(claim.pk)
    assert (row["activity"], row["claimed"], row["approved for the activity"]) == ("Booth", "3500.00", "4000.00")
    assert (row["proof files"], row["leads"], row["status"]) == ("1", "35", "Submitted")


def test_ledger_export(manager_client, partner_a, partner_b):
    funded_budget(partner_a, "10000")
    approved_request(partner=partner_b, budget=funded_budget(partner_b, "5000"), title="Webinar", amount="2000")
    rows = csv_rows(manager_client.get(reverse("manage:mdf_export", args=["ledger"])))
    assert sorted((r["partner"], r["kind"], r["amount"]) for r in rows) == [
        ("Contoso Partners", "Allocation", "5000.00"),
        ("Contoso Partners", "Reservation", "2000.00"),
        ("Northwind Solutions", "Allocation", "10000.00"),
    ]
    only_b = csv_rows(manager_client.get(reverse("manage:mdf_export", args=["ledger"]), {"partner": partner_b.pk}))
    assert {r["partner"] for r in only_b} == {"Contoso Partners"}
    assert next(r for r in only_b if r["kind"] == "Reservation")["request"] == "Webinar"


def test_unknown_export_is_a_404(manager_client):
    assert manager_client.get(reverse("manage:mdf_export", args=["partners"])).status_code == 404


# --- Partner users never see the manager's pages ---------------------------------------------------------------


def test_partner_users_get_404_everywhere(admin_client_a, outsider_client, partner_a):
    budget = funded_budget(partner_a, "10000")
    claim = claimed_request(partner=partner_a, budget=budget).claim
    proof = claim.proofs.get()
    urls = [
        reverse("manage:mdf"),
        reverse("manage:mdf_requests"),
        reverse("manage:mdf_request", args=[claim.request_id]),
        reverse("manage:mdf_claims"),
        reverse("manage:mdf_claim", args=[claim.pk]),
        reverse("manage:mdf_proof", args=[proof.pk]),
        reverse("manage:mdf_budgets"),
        reverse("manage:mdf_allocate"),
        reverse("manage:mdf_import"),
        reverse("manage:mdf_ledger"),
        reverse("manage:mdf_payouts"),
        reverse("manage:mdf_roi"),
        reverse("manage:mdf_settings"),
        reverse("manage:mdf_export", args=["ledger"]),
    ]
    posts = [
        reverse("manage:mdf_request_decide", args=[claim.request_id]),
        reverse("manage:mdf_request_extend", args=[claim.request_id]),
        reverse("manage:mdf_claim_decide", args=[claim.pk]),
        reverse("manage:mdf_claim_pay", args=[claim.pk]),
        reverse("manage:mdf_pool_set"),
        reverse("manage:mdf_allocate"),
    ]
    for client in (admin_client_a, outsider_client):
        for url in urls:
            assert client.get(url).status_code == 404, url
        for url in posts:
            assert client.post(url, {"action": "approve"}).status_code == 404, url
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_nonsense_ids_are_404s_or_ignored_never_500s(manager_client):
    huge = "99999999999999999999"
    for url in (f"/manage/mdf/requests/{huge}/", f"/manage/mdf/claims/{huge}/", f"/manage/mdf/proofs/{huge}/"):
        assert manager_client.get(url).status_code == 404, url
    for url in (
        f"/manage/mdf/ledger/?partner={huge}&request=5&period=99999999999",
        "/manage/mdf/budgets/allocate/?partner=99999999999&period=9999999999",
        "/manage/mdf/roi/?partner=99999999999",
        "/manage/mdf/budgets/?period=99999999999",
        f"/manage/mdf/requests/?partner={huge}",
    ):
        assert manager_client.get(url).status_code == 200, url
    response = manager_client.post(reverse("manage:mdf_allocate"), {"partner": huge, "period": "1", "amount": "5"})
    assert response.status_code == 400
    response = manager_client.post(reverse("manage:mdf_pool_set"), {"period": huge, "tier": "1", "amount": "5"})
    assert response.status_code == 400
