"""The leads API: staff create, list and read leads; a partner reads its own offers (the company and the contact
only once it accepted), accepts and declines; another partner's offer is a 404."""

import pytest

from api.services import token_create
from leads import services
from leads.models import Lead, LeadOffer
from tests.api.conftest import ApiClient
from tests.leads.conftest import make_lead

pytestmark = pytest.mark.django_db


def _client(user) -> ApiClient:
    return ApiClient(token_create(actor=user, user=user, name="Test")[1])


@pytest.fixture
def offered(channel_manager, partner_a, partner_b):
    """A lead offered to partner A and partner B at once."""
    partner_a.countries = ["DE"]
    partner_a.save()
    lead = make_lead(actor=channel_manager)
    services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[partner_a.pk, partner_b.pk])
    return lead


def test_staff_creates_lists_and_reads_leads(channel_manager):
    api = _client(channel_manager)
    body = {
        "company_name": "Wayne Logistics AG",
        "website": "wayne-log.example.de",
        "country": "DE",
        "contact_name": "Bruce",
        "contact_email": "bruce@wayne-log.example.de",
        "industry": "Logistics",
        "size": "enterprise",
        "interest": "Platform",
    }
    created = api.post("/api/v1/leads", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["source"] == "api"
    assert data["status"] == "new"
    assert data["contact_email"] == "bruce@wayne-log.example.de"
    assert Lead.objects.get(pk=data["id"]).created_by == channel_manager

    listed = api.get("/api/v1/leads", {"status": "open"})
    assert [item["id"] for item in listed.json()["items"]] == [data["id"]]
    assert api.get(f"/api/v1/leads/{data['id']}").json()["name"] == "Wayne Logistics AG"
    assert api.get("/api/v1/leads/987654").status_code == 404


def test_bad_lead_bodies_are_clear_errors(channel_manager):
    api = _client(channel_manager)
    assert api.post("/api/v1/leads", {"company_name": "X"}).status_code == 422  # contact missing
    assert api.post("/api/v1/leads", {"company_name": "X", "contact_name": "Y", "contact_email": "y@x.io",
                                      "surprise": 1}).status_code == 422  # fmt: skip
    refused = api.post("/api/v1/leads", {"company_name": "X", "contact_name": "Y", "contact_email": "not-mail"})
    assert refused.status_code == 400
    assert "contact_email" in refused.json()["errors"]
    nul = api.post("/api/v1/leads", {"company_name": "X\x00", "contact_name": "Y", "contact_email": "y@x.io"})
    assert nul.status_code == 422


def test_partner_tokens_cannot_use_staff_endpoints(partner_a_admin):
    api = _client(partner_a_admin)
    assert api.get("/api/v1/leads").status_code == 403
    assert (
        api.post("/api/v1/leads", {"company_name": "X", "contact_name": "Y", "contact_email": "y@x.io"}).status_code
        == 403
    )


def test_partner_sees_its_offer_without_the_contact_until_it_accepts(offered, partner_a, partner_a_admin):
    api = _client(partner_a_admin)
    offer = offered.offers.get(partner=partner_a)
    listed = api.get("/api/v1/lead-offers", {"status": "offered"}).json()["items"]
    assert [item["id"] for item in listed] == [offer.pk]
    detail = api.get(f"/api/v1/lead-offers/{offer.pk}")
    assert detail.status_code == 200
    data = detail.json()
    assert data["lead"] is None
    assert data["facts"]["industry"] == "Healthcare"
    assert data["facts"]["country"] == "Germany"
    assert "Charité" not in detail.content.decode()
    assert "eva@" not in detail.content.decode()

    accepted = api.post(f"/api/v1/lead-offers/{offer.pk}/accept")
    assert accepted.status_code == 200, accepted.content
    data = accepted.json()
    assert data["status"] == "accepted"
    assert data["lead"]["name"] == "Charité Digital GmbH"
    assert data["lead"]["contact_email"] == "eva@charite-digital.example.de"
    assert data["lead"]["registration_id"]


def test_another_partners_offer_is_a_404_and_the_loser_is_told_why(offered, partner_a, partner_b, partner_b_user,
                                                                   partner_a_admin):  # fmt: skip
    api_b = _client(partner_b_user)
    offer_a = offered.offers.get(partner=partner_a)
    offer_b = offered.offers.get(partner=partner_b)
    assert api_b.get(f"/api/v1/lead-offers/{offer_a.pk}").status_code == 404
    assert api_b.post(f"/api/v1/lead-offers/{offer_a.pk}/accept").status_code == 404
    assert api_b.post(f"/api/v1/lead-offers/{offer_a.pk}/decline", {"reason": "x"}).status_code == 404
    assert LeadOffer.objects.get(pk=offer_a.pk).status == "offered"

    _client(partner_a_admin).post(f"/api/v1/lead-offers/{offer_a.pk}/accept")
    late = api_b.post(f"/api/v1/lead-offers/{offer_b.pk}/accept")
    assert late.status_code == 400
    assert "first" in late.json()["detail"]
    assert api_b.get(f"/api/v1/lead-offers/{offer_b.pk}").json()["lead"] is None


def test_partner_declines_with_a_reason(offered, partner_b, partner_b_user):
    api = _client(partner_b_user)
    offer = offered.offers.get(partner=partner_b)
    assert api.post(f"/api/v1/lead-offers/{offer.pk}/decline", {"reason": ""}).status_code == 422
    declined = api.post(f"/api/v1/lead-offers/{offer.pk}/decline", {"reason": "Not our vertical"})
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "Not our vertical"


def test_staff_tokens_cannot_answer_offers(offered, channel_manager, partner_a):
    api = _client(channel_manager)
    offer = offered.offers.get(partner=partner_a)
    assert api.get("/api/v1/lead-offers").status_code == 403
    assert api.post(f"/api/v1/lead-offers/{offer.pk}/accept").status_code == 403


def test_a_lead_webhook_payload_is_the_api_json(channel_manager, partner_a):
    from webhooks.payloads import serialize

    lead = make_lead(actor=channel_manager)
    api_json = _client(channel_manager).get(f"/api/v1/leads/{lead.pk}").json()
    assert serialize("leads.lead", str(lead.pk)) == api_json


def test_lead_events_are_published(channel_manager, partner_a, partner_a_admin):
    from prm.models import AuditEvent
    from webhooks.events import EVENT_NAMES, plan_events

    assert {"lead.offered", "lead.accepted", "lead.declined", "lead.expired", "lead.converted"} <= EVENT_NAMES
    partner_a.countries = ["DE"]
    partner_a.save()
    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[partner_a.pk])
    services.offer_accept(actor=partner_a_admin, offer=offer)
    published = []
    for event in AuditEvent.objects.filter(target_type="leads.lead").order_by("pk"):
        planned = plan_events(
            verb=event.verb,
            target_type=event.target_type,
            target_id=event.target_id,
            partner_id=event.partner_id,
            after=event.after,
        )
        published += [(p.type, p.model, p.object_id) for p in planned]
    assert published == [
        ("lead.offered", "leads.lead", str(lead.pk)),
        ("lead.accepted", "leads.lead", str(lead.pk)),
        ("lead.converted", "leads.lead", str(lead.pk)),
    ]
