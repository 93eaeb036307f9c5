"""What each event carries: the object exactly as the API shows it (the API's own serializers: amounts as strings
with their currency, the partner's id and name), and which audit verbs raise which events."""

from datetime import date
from decimal import Decimal

import pytest

from api.services import token_create
from dealreg.services import registration_approve
from incentives.services import accrue_for_won
from partners.models import Tier
from partners.services.program import partner_set_tier
from tests.api.conftest import ApiClient
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.enablement.factories import AwardFactory, CertificationFactory
from tests.incentives.helpers import pct, published_version, with_rules, won_deal
from tests.mdf.factories import claimed_request
from webhooks import services
from webhooks.events import EVENT_NAMES, VERB_EVENTS, PlannedEvent, plan_events
from webhooks.payloads import SERIALIZERS, serialize


def test_every_verb_maps_to_a_known_event():
    assert {event for event, _ in VERB_EVENTS.values()} <= EVENT_NAMES
    assert len(EVENT_NAMES) == 33


def test_a_submission_with_a_conflict_is_also_a_conflict_event():
    planned = plan_events(
        verb="deal.submitted",
        target_type="dealreg.registration",
        target_id="41",
        partner_id=7,
        after={"status": "submitted", "has_conflict": True},
    )
    assert planned == [
        PlannedEvent("registration.submitted", "dealreg.registration", "41"),
        PlannedEvent("registration.conflict", "dealreg.registration", "41"),
    ]
    quiet = plan_events(
        verb="deal.submitted", target_type="dealreg.registration", target_id="41", partner_id=7, after={}
    )
    assert [p.type for p in quiet] == ["registration.submitted"]
    assert plan_events(verb="partner.note_added", target_type="x", target_id="1", partner_id=7, after={}) == []
    # A partner event is about the partner, whatever the audit event's target (an application here).
    applied = plan_events(
        verb="application.approved", target_type="partners.application", target_id="3", partner_id=7, after={}
    )
    assert applied == [PlannedEvent("partner.approved", "partners.partner", "7")]


@pytest.mark.django_db
def test_earnings_accrued_send_one_event_per_line(
    receiver, program_admin, partner_a, django_capture_on_commit_callbacks
):
    version = published_version(1, date(2026, 1, 1), first_win_bonus=Decimal("1000"), first_win_currency="USD")
    with_rules(version, payouts=[{"involvement": "sourced", **pct("10"), "currency": "USD"}])
    services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": ["earning.accrued"]})
    deal = won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        lines = accrue_for_won(registration=deal)

    assert len(lines) == 2
    got = sorted((r.json["data"] for r in receiver.requests), key=lambda d: d["kind"])
    # Each one is the line as GET /api/v1/earnings/{id} shows it.
    assert got == sorted((serialize("incentives.earningline", str(line.pk)) for line in lines), key=lambda d: d["kind"])
    assert [r.headers["X-PRM-Event"] for r in receiver.requests] == ["earning.accrued", "earning.accrued"]
    assert len({r.json["id"] for r in receiver.requests}) == 2  # two events, two ids
    assert [(d["type"], d["kind"], d["amount"], d["status"], d["registration"]["id"]) for d in got] == [
        ("earning_line", "deal_payout", {"amount": "4800.00", "currency": "USD"}, "accrued", deal.pk),
        ("earning_line", "first_win", {"amount": "1000.00", "currency": "USD"}, "accrued", deal.pk),
    ]
    assert got[0]["base_amount"] == {"amount": "48000.00", "currency": "USD"}
    assert got[0]["partner"] == {"id": partner_a.pk, "name": "Northwind Solutions"}
    assert got[0]["calculation"].startswith("10% of $48,000.00 sourced deal")


@pytest.mark.django_db
def test_a_tier_change_sends_the_partner(
    receiver, program_admin, channel_manager, partner_a, django_capture_on_commit_callbacks
):
    gold = Tier.objects.create(name="Gold", rank=30, discount_percent=Decimal("25"))
    services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": ["partner.tier_changed"]})
    with django_capture_on_commit_callbacks(execute=True):
        partner_set_tier(actor=channel_manager, partner=partner_a, tier=gold, reason="Strong first half")
    [got] = receiver.requests
    assert got.json["type"] == "partner.tier_changed"
    data = got.json["data"]
    assert (data["id"], data["type"], data["name"]) == (partner_a.pk, "partner", "Northwind Solutions")
    assert data["tier"] == {"id": gold.pk, "name": "Gold"}


@pytest.mark.django_db
def test_mdf_claim_and_certification_payloads(partner_a):
    request = claimed_request(partner=partner_a, claimed="11250.50", total_cost=Decimal("30000.00"))
    claim = serialize("mdf.claim", str(request.claim.pk))
    assert claim["type"] == "mdf_claim"
    assert claim["partner"] == {"id": partner_a.pk, "name": "Northwind Solutions"}
    assert claim["amount_claimed"] == {"amount": "11250.50", "currency": request.currency}
    assert claim["actual_cost"] == {"amount": "30000.00", "currency": request.currency}
    assert claim["approved_amount"] is None
    assert claim["request"] == {"id": request.pk, "title": request.title}

    fund_request = serialize("mdf.fundrequest", str(request.pk))
    assert fund_request["approved_amount"] == {"amount": f"{request.approved_amount:.2f}", "currency": request.currency}
    assert fund_request["status"] == "claimed"

    award = AwardFactory(partner=partner_a, certification=CertificationFactory(name="Platform Architect"))
    data = serialize("enablement.certificationaward", str(award.pk))
    assert data["certification"] == {"id": award.certification_id, "name": "Platform Architect"}
    assert data["status"] == "active"
    assert data["expires_at"] == award.expires_at.isoformat()

    assert serialize("dealreg.registration", "987654") == {"id": "987654", "type": "registration", "deleted": True}


@pytest.mark.django_db
def test_every_payload_is_the_api_json_of_the_same_object(partner_a, partner_a_admin, channel_manager):
    """For each kind of object a webhook describes, its `data` is what a GET of the API answers for it (a staff
    token; the MDF endpoints are for partner tokens only, so those are read with the partner admin's, and the
    certifications, which have no detail endpoint, from the staff list filtered by partner)."""
    staff = ApiClient(token_create(actor=channel_manager, user=channel_manager, name="CRM")[1])
    partner_admin = ApiClient(token_create(actor=partner_a_admin, user=partner_a_admin, name="Portal")[1])

    gold = Tier.objects.create(name="Gold", rank=30, discount_percent=Decimal("25"))
    partner_set_tier(actor=channel_manager, partner=partner_a, tier=gold, reason="Strong first half")
    registration = SubmittedRegistrationFactory(partner=partner_a, value=Decimal("48000.00"), currency="EUR")
    registration = registration_approve(actor=channel_manager, registration=registration)
    fund_request = claimed_request(partner=partner_a, claimed="11250.50", total_cost=Decimal("30000.00"))
    award = AwardFactory(partner=partner_a, certification=CertificationFactory(name="Platform Architect"))
    version = published_version(1, date(2026, 1, 1), first_win_bonus=Decimal("1000"), first_win_currency="USD")
    with_rules(version, payouts=[{"involvement": "sourced", **pct("10"), "currency": "USD"}])
    [line, *_] = accrue_for_won(
        registration=won_deal(partner_a, amount="48000", approved=date(2026, 3, 1), won=date(2026, 3, 20))
    )

    def got(client: ApiClient, path: str, **query) -> dict:
        response = client.get(f"/api/v1{path}", query)
        assert response.status_code == 200, response.content
        return response.json()

    [award_json] = [a for a in got(staff, "/certifications", partner=partner_a.pk)["items"] if a["id"] == award.pk]
    cases = {
        "partners.partner": (partner_a.pk, got(staff, f"/partners/{partner_a.pk}")),
        "dealreg.registration": (registration.pk, got(staff, f"/deal-registrations/{registration.pk}")),
        "enablement.certificationaward": (award.pk, award_json),
        "mdf.fundrequest": (fund_request.pk, got(partner_admin, f"/mdf/requests/{fund_request.pk}")),
        "mdf.claim": (fund_request.claim.pk, got(partner_admin, f"/mdf/claims/{fund_request.claim.pk}")),
        "incentives.earningline": (line.pk, got(staff, f"/earnings/{line.pk}")),
    }
    # Every kind described by an API serializer is compared (leads register theirs from leads/hooks.py).
    assert set(cases) == {model for model, (_, serializer) in SERIALIZERS.items() if hasattr(serializer, "schema")}
    for model, (pk, api_json) in cases.items():
        assert serialize(model, str(pk)) == api_json, model
    # The fields that differ most easily are really there: a tier, amounts, times.
    assert cases["partners.partner"][1]["tier"] == {"id": gold.pk, "name": "Gold"}
    assert cases["dealreg.registration"][1]["protected_until"] is not None
    assert cases["mdf.claim"][1]["amount_claimed"]["amount"] == "11250.50"
