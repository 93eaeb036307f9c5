"""The partner's MDF pages, requests side: the balance per open period, the lists with what happens next, the
request form (errors next to the fields, the most one may ask explained, nothing typed lost), the request's page
with its timeline and actions, roles, and never another partner's data (404)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mdf import services
from mdf.ledger import balance_of
from mdf.models import Attribution, FundRequest
from prm.models import AuditEvent
from tests.dealreg.factories_views import submitted as submitted_registration
from tests.mdf.factories import FundRequestFactory, approved_request, claimed_request, funded_budget

pytestmark = pytest.mark.django_db
D = Decimal
OTHER_PARTNER = "Contoso Partners"


def body(response) -> str:
    return response.content.decode()


def request_data(budget_, **overrides) -> dict:
    start = timezone.localdate() + timedelta(days=20)
    data = {
        "budget": str(budget_.pk),
        "activity_type": "event",
        "title": "Cloud security breakfast",
        "description": "A breakfast for 40 IT leads in Rotterdam.",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=1)).isoformat(),
        "expected_leads": "40",
        "expected_pipeline": "250,000",
        "total_cost": "8,000.00",
        "partner_share_percent": "50",
        "requested_amount": "4000",
    }
    data.update(overrides)
    return data


# --- The balance and the lists ----------------------------------------------------------------------------------


def test_empty_page_explains_what_to_do(admin_client_a):
    response = admin_client_a.get(reverse("portal:mdf"))
    text = body(response)
    assert response.status_code == 200
    assert "No funds allocated yet" in text
    assert "No requests yet" in text
    assert "No claims yet" in text
    assert reverse("portal:mdf_request_new") not in text  # nothing to request yet


def test_balance_per_open_period(admin_client_a, partner_a, budget_a):
    approved_request(partner=partner_a, budget=budget_a, amount="3000")
    paid = claimed_request(partner=partner_a, budget=budget_a, amount="2000").claim
    services.mdf_settings()
    next_period = services.next_period(budget_a.period)
    funded_budget(partner_a, "5000", period=next_period)
    # pay the claim straight through the ledger, as the manager's payout would
    from mdf.ledger import entry_add
    from mdf.models import LedgerEntry

    entry_add(budget=budget_a, kind=LedgerEntry.Kind.PAYOUT, amount=D("2000"), request=paid.request)

    text = body(admin_client_a.get(reverse("portal:mdf")))
    assert budget_a.period.name in text
    assert next_period.name in text
    assert "$10,000.00" in text  # allocated
    assert "$3,000.00" in text  # reserved
    assert "$2,000.00" in text  # paid
    assert "$5,000.00" in text  # available now, and allocated next period
    assert "Unused funds expire on" in text
    assert "$10,000.00 available over 2 periods" in text
    assert reverse("portal:mdf_request_new") in text


def test_lists_show_status_and_next_step_and_only_own(admin_client_a, partner_a, partner_b, budget_a):
    waiting = FundRequestFactory(partner=partner_a, budget=budget_a, title="Webinar on zero trust")
    approved_request(partner=partner_a, budget=budget_a, title="Roadshow Utrecht", amount="2500")
    claimed_request(partner=partner_a, budget=budget_a, title="Partner summit")
    FundRequestFactory(partner=partner_b, budget=funded_budget(partner_b, "1000"), title="Someone else's fair")

    text = body(admin_client_a.get(reverse("portal:mdf")))
    assert "Webinar on zero trust" in text
    assert "In review" in text
    due = timezone.localtime(waiting.decision_due_at).date()
    assert f"decision due {due.day} {due:%B %Y}" in text
    assert "Roadshow Utrecht" in text
    assert "is reserved for you" in text
    assert "$2,500.00" in text
    assert "Partner summit" in text
    assert "Claim in review" in text
    assert "Someone else" not in text
    assert OTHER_PARTNER not in text


def test_status_filter(admin_client_a, partner_a, budget_a):
    FundRequestFactory(partner=partner_a, budget=budget_a, title="Still waiting")
    FundRequestFactory(partner=partner_a, budget=budget_a, title="Turned down", status="rejected")
    text = body(admin_client_a.get(reverse("portal:mdf"), {"status": "rejected"}))
    assert "Turned down" in text
    assert "Still waiting" not in text
    text = body(admin_client_a.get(reverse("portal:mdf"), {"status": "cancelled"}))
    assert "No request is “cancelled”" in text
    assert admin_client_a.get(reverse("portal:mdf"), {"status": "nonsense", "page": "x"}).status_code == 200


def test_index_queries_do_not_grow_with_rows(admin_client_a, partner_a, budget_a, django_assert_max_num_queries):
    approved_request(partner=partner_a, budget=budget_a, amount="10")
    claimed_request(partner=partner_a, budget=budget_a, amount="10")
    with django_assert_max_num_queries(16) as few:
        admin_client_a.get(reverse("portal:mdf"))
    for _ in range(15):
        approved_request(partner=partner_a, budget=budget_a, amount="10")
        claimed_request(partner=partner_a, budget=budget_a, amount="10")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client_a.get(reverse("portal:mdf"))
    assert response.status_code == 200


def test_seller_sees_the_pages_but_not_the_actions(seller_client_a, partner_a, partner_a_admin, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a)
    text = body(seller_client_a.get(reverse("portal:mdf")))
    assert "Only your company's admin or marketing people can request funds" in text
    assert partner_a_admin.display_name in text
    assert reverse("portal:mdf_request_new") not in text
    text = body(seller_client_a.get(reverse("portal:mdf_request", args=[request.pk])))
    assert reverse("portal:mdf_claim_new", args=[request.pk]) not in text
    assert "Cancel this request" not in text


# --- Roles --------------------------------------------------------------------------------------------------------


def test_sales_user_cannot_request_or_act(seller_client_a, partner_a, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a)
    assert seller_client_a.get(reverse("portal:mdf_request_new")).status_code == 403
    response = seller_client_a.post(reverse("portal:mdf_request_new"), request_data(budget_a))
    assert response.status_code == 403
    assert "admin or marketing" in body(response)
    assert seller_client_a.post(reverse("portal:mdf_request_cancel", args=[request.pk])).status_code == 403
    assert seller_client_a.get(reverse("portal:mdf_claim_new", args=[request.pk])).status_code == 403
    assert seller_client_a.post(reverse("portal:mdf_attribute", args=[request.pk])).status_code == 403
    assert FundRequest.objects.count() == 1
    request.refresh_from_db()
    assert request.status == FundRequest.Status.APPROVED


def test_marketing_member_can_request(partner_a_marketer, budget_a, client):
    client.force_login(partner_a_marketer)
    response = client.post(reverse("portal:mdf_request_new"), request_data(budget_a))
    assert response.status_code == 302
    assert FundRequest.objects.get().created_by == partner_a_marketer


# --- The request form ---------------------------------------------------------------------------------------------


def test_form_shows_balance_and_explains_the_most(admin_client_a, budget_a):
    text = body(admin_client_a.get(reverse("portal:mdf_request_new")))
    assert f"{budget_a.period.name}: $10,000.00 available" in text
    assert "The most you can request" in text
    assert "At most the total cost minus your share" in text


def test_no_funds_page_when_nothing_is_available(admin_client_a, partner_a):
    text = body(admin_client_a.get(reverse("portal:mdf_request_new")))
    assert "No funds to request right now" in text


def test_request_is_sent(admin_client_a, partner_a, partner_a_admin, budget_a):
    response = admin_client_a.post(reverse("portal:mdf_request_new"), request_data(budget_a), follow=True)
    request = FundRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal:mdf_request", args=[request.pk])
    assert request.partner == partner_a
    assert request.budget == budget_a
    assert request.created_by == partner_a_admin
    assert request.total_cost == D("8000.00")
    assert request.requested_amount == D("4000.00")
    assert request.expected_pipeline == D("250000.00")
    assert request.status == FundRequest.Status.SUBMITTED
    text = body(response)
    assert "Request sent to your channel manager" in text
    assert "Your channel manager reviews it" in text
    assert f"Request for $4,000.00 sent by {partner_a_admin.display_name}" in text  # the timeline
    assert AuditEvent.objects.filter(verb="mdf.request_submitted", target_id=str(request.pk)).exists()


def test_amount_above_cost_minus_share_is_explained_and_nothing_is_lost(admin_client_a, budget_a):
    data = request_data(budget_a, requested_amount="4,500.00", title="Typed title stays")
    response = admin_client_a.post(reverse("portal:mdf_request_new"), data)
    text = body(response)
    assert response.status_code == 400
    assert "You can ask for at most $4,000.00: the total cost of $8,000.00 minus your share of 50%." in text
    assert 'value="4,500.00"' in text
    assert 'value="Typed title stays"' in text
    assert 'value="250,000"' in text
    assert "A breakfast for 40 IT leads" in text
    assert "ask for at most $4,000.00" in text  # the hint box agrees
    assert not FundRequest.objects.exists()


def test_amount_above_the_balance_shows_the_balance(admin_client_a, budget_a):
    data = request_data(budget_a, total_cost="30000", partner_share_percent="0", requested_amount="12000")
    response = admin_client_a.post(reverse("portal:mdf_request_new"), data)
    assert response.status_code == 400
    assert f"Your available balance for {budget_a.period.name} is $10,000.00" in body(response)
    assert not FundRequest.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"total_cost": "lots"}, "Give the total cost as a number"),
        ({"requested_amount": "12.345"}, "at most two decimals"),
        ({"requested_amount": "-5"}, "cannot be negative"),
        ({"requested_amount": "1e999"}, "more than we can store"),
        ({"partner_share_percent": "120"}, "between 0 and 100"),
        ({"starts_on": "31/02/2026"}, "Enter a date, like"),
        ({"activity_type": "party"}, "Choose the type of activity"),
        ({"title": ""}, "Give the activity a title"),
        ({"budget": "999999"}, "Choose one of the periods listed"),
        ({"expected_leads": "many"}, "Give a whole number"),
        ({"title": "x" * 300}, "Keep the title under 200 characters"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(admin_client_a, budget_a, overrides, field_message):
    response = admin_client_a.post(reverse("portal:mdf_request_new"), request_data(budget_a, **overrides))
    assert response.status_code == 400
    assert field_message in body(response)
    assert "Everything you typed is still here" in body(response)
    assert not FundRequest.objects.exists()


def test_dates_in_order_and_not_in_the_past(admin_client_a, budget_a):
    today = timezone.localdate()
    data = request_data(budget_a, starts_on=(today + timedelta(days=5)).isoformat(), ends_on=today.isoformat())
    assert "ends before it starts" in body(admin_client_a.post(reverse("portal:mdf_request_new"), data))
    past = (today - timedelta(days=3)).isoformat()
    data = request_data(budget_a, starts_on=past, ends_on=past)
    assert "already ended" in body(admin_client_a.post(reverse("portal:mdf_request_new"), data))


def test_empty_post_is_a_400_not_a_500(admin_client_a, budget_a):
    response = admin_client_a.post(reverse("portal:mdf_request_new"), {})
    assert response.status_code == 400
    assert "Give the total cost" in body(response)


def test_another_partners_budget_cannot_be_drawn(admin_client_a, partner_b, budget_a):
    other = funded_budget(partner_b, "50000")
    response = admin_client_a.post(reverse("portal:mdf_request_new"), request_data(budget_a, budget=str(other.pk)))
    assert response.status_code == 400
    assert not FundRequest.objects.exists()
    assert OTHER_PARTNER not in body(response)


def test_hints_fragment(admin_client_a, budget_a):
    url = reverse("portal:mdf_request_hints")
    params = {"budget": budget_a.pk, "total_cost": "10,000", "partner_share_percent": "25", "requested_amount": "8000"}
    text = body(admin_client_a.get(url, params, headers={"HX-Request": "true"}))
    assert "$7,500.00" in text
    assert "minus your share of 25%" in text
    assert "ask for at most $7,500.00" in text
    params.update(total_cost="100000", partner_share_percent="0", requested_amount="12000")
    text = body(admin_client_a.get(url, params))
    assert "above what" in text
    assert "$10,000.00" in text
    assert (
        admin_client_a.get(url, {"budget": "x", "total_cost": "NaN", "partner_share_percent": "y"}).status_code == 200
    )
    assert admin_client_a.get(url, {"request": "x"}).status_code == 404


# --- The request's page and its actions ----------------------------------------------------------------------


def test_detail_shows_state_money_and_timeline(admin_client_a, partner_a, partner_a_admin, channel_manager, budget_a):
    request = services.request_submit(
        actor=partner_a_admin,
        partner=partner_a,
        budget=budget_a,
        activity_type="webinar",
        title="Zero trust webinar",
        starts_on=timezone.localdate() + timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=10),
        total_cost=D("6000"),
        partner_share_percent=D("50"),
        requested_amount=D("3000"),
    )
    services.request_approve(actor=channel_manager, request=request, amount=D("2000"), reason="Half the venue.")
    text = body(admin_client_a.get(reverse("portal:mdf_request", args=[request.pk])))
    assert "Approved" in text
    assert "$2,000.00 is reserved for you" in text
    assert "We approved <strong>$2,000.00</strong> of the $3,000.00 you asked for" in text
    assert "Half the venue." in text
    assert f"Request for $3,000.00 sent by {partner_a_admin.display_name}" in text
    assert "Approved in part by our channel team: $2,000.00 reserved" in text
    assert channel_manager.email not in text
    assert reverse("portal:mdf_claim_new", args=[request.pk]) in text
    assert "Cancel this request" in text


def test_outsider_gets_404_everywhere(outsider_client, partner_a, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a)
    for name in ("mdf_request", "mdf_request_edit", "mdf_claim_new"):
        assert outsider_client.get(reverse(f"portal:{name}", args=[request.pk])).status_code == 404
    for name in ("mdf_request_cancel", "mdf_attribute", "mdf_claim_new"):
        assert outsider_client.post(reverse(f"portal:{name}", args=[request.pk]), {"reason": "x"}).status_code == 404
    assert outsider_client.get(reverse("portal:mdf_request_hints"), {"request": request.pk}).status_code == 404
    request.refresh_from_db()
    assert request.status == FundRequest.Status.APPROVED


def test_answer_a_question_and_send_again(admin_client_a, partner_a, channel_manager, budget_a):
    request = FundRequestFactory(partner=partner_a, budget=budget_a, title="Booth at a fair")
    services.request_ask_info(actor=channel_manager, request=request, question="Which fair, and which hall?")
    detail = body(admin_client_a.get(reverse("portal:mdf_request", args=[request.pk])))
    assert "Which fair, and which hall?" in detail
    assert "Question for you" in detail
    url = reverse("portal:mdf_request_edit", args=[request.pk])
    form = body(admin_client_a.get(url))
    assert 'value="Booth at a fair"' in form
    assert "Which fair, and which hall?" in form
    assert 'value="8000.00"' in form
    data = request_data(budget_a, title="Booth at IT Expo, hall 3", requested_amount="5000")
    data.pop("budget")
    response = admin_client_a.post(url, data)
    assert response.status_code == 400
    assert 'value="Booth at IT Expo, hall 3"' in body(response)
    data["requested_amount"] = "3500"
    response = admin_client_a.post(url, data)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == FundRequest.Status.SUBMITTED
    assert request.title == "Booth at IT Expo, hall 3"
    assert request.requested_amount == D("3500")
    assert request.budget == budget_a
    # Not asked any more: the edit page sends back to the request.
    response = admin_client_a.get(url)
    assert response.status_code == 302


def test_cancel_an_approved_request_releases_the_money(admin_client_a, partner_a, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a, amount="4000")
    assert balance_of(budget_a).available == D("6000")
    response = admin_client_a.post(
        reverse("portal:mdf_request_cancel", args=[request.pk]), {"reason": "The venue closed."}, follow=True
    )
    assert "Request cancelled" in body(response)
    request.refresh_from_db()
    assert request.status == FundRequest.Status.CANCELLED
    assert balance_of(budget_a).available == D("10000")
    # A second click explains instead of failing.
    response = admin_client_a.post(reverse("portal:mdf_request_cancel", args=[request.pk]), follow=True)
    assert "cannot be cancelled now" in body(response)
    assert admin_client_a.get(reverse("portal:mdf_request_cancel", args=[request.pk])).status_code == 405


def test_late_claim_is_explained(admin_client_a, partner_a, budget_a):
    past = timezone.localdate() - timedelta(days=1)
    request = approved_request(partner=partner_a, budget=budget_a, claim_deadline=past)
    text = body(admin_client_a.get(reverse("portal:mdf_request", args=[request.pk])))
    assert "ask your channel manager for an extension" in text
    assert reverse("portal:mdf_claim_new", args=[request.pk]) not in text


def test_attribute_and_remove_a_deal(admin_client_a, partner_a, partner_b, budget_a):
    request = approved_request(partner=partner_a, budget=budget_a)
    deal = submitted_registration(partner_a, name="Fabrikam Inc")
    other = submitted_registration(partner_b, name="Outsider Deal")
    text = body(admin_client_a.get(reverse("portal:mdf_request", args=[request.pk])))
    assert "Fabrikam Inc" in text
    assert "Outsider Deal" not in text
    url = reverse("portal:mdf_attribute", args=[request.pk])
    response = admin_client_a.post(url, {"registration": deal.pk}, follow=True)
    assert "now counts towards this activity" in body(response)
    attribution = Attribution.objects.get(request=request, registration=deal)
    assert admin_client_a.post(url, {"registration": other.pk}).status_code == 404
    assert admin_client_a.post(url, {"registration": "abc"}).status_code == 404
    response = admin_client_a.post(url, {"registration": deal.pk}, follow=True)
    assert "already attributed to this activity" in body(response)
    assert "Choose one of your deal" in body(admin_client_a.post(url, {}, follow=True))
    response = admin_client_a.post(url, {"remove": attribution.pk}, follow=True)
    assert "no longer counts" in body(response)
    assert not Attribution.objects.exists()


def test_attribution_of_another_request_cannot_be_removed_through_this_one(admin_client_a, partner_a, budget_a):
    first = approved_request(partner=partner_a, budget=budget_a, amount="100")
    second = approved_request(partner=partner_a, budget=budget_a, amount="100")
    attribution = Attribution.objects.create(request=first, registration=submitted_registration(partner_a))
    url = reverse("portal:mdf_attribute", args=[second.pk])
    assert admin_client_a.post(url, {"remove": attribution.pk}).status_code == 404
    assert Attribution.objects.filter(pk=attribution.pk).exists()


def test_detail_queries_are_bounded(admin_client_a, partner_a, budget_a, django_assert_max_num_queries):
    request = approved_request(partner=partner_a, budget=budget_a)
    for n in range(10):
        Attribution.objects.create(request=request, registration=submitted_registration(partner_a, name=f"Deal {n}"))
        submitted_registration(partner_a, name=f"Candidate {n}")
    with django_assert_max_num_queries(16):
        response = admin_client_a.get(reverse("portal:mdf_request", args=[request.pk]))
    assert response.status_code == 200
