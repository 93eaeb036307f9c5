"""Offers and answers: the manager's pick, auto-offer and top N, accepting (a registration, protected), declining
(the next candidate), expiry on the business-hours clock (the sweep), notifications on both sides."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealreg.models import Account, Registration
from leads import services
from leads.models import Lead, LeadOffer
from prm.models import AuditEvent, Notification
from tests.leads.conftest import make_lead

pytestmark = pytest.mark.django_db


def _verbs(lead):
    return list(
        AuditEvent.objects.filter(target_type="leads.lead", target_id=str(lead.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_manual_mode_leaves_the_lead_for_the_manager(channel_manager, german_partners):
    lead = make_lead(actor=channel_manager)
    assert lead.status == Lead.Status.NEW
    assert lead.match_kind == ""
    assert not lead.offers.exists()
    assert Notification.objects.filter(recipient=channel_manager, template="lead_new").count() == 1
    assert _verbs(lead) == ["lead.created"]


def test_manager_offers_to_a_partner_and_it_accepts(channel_manager, german_partners):
    (_, second, _), people = german_partners
    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[second.pk])
    assert offer.mode == LeadOffer.Mode.MANUAL
    assert offer.rank == 2
    assert offer.score > 0
    assert offer.deadline > offer.offered_at
    told = Notification.objects.get(recipient=people[second.pk], template="lead_offered")
    # Before accepting, the partner hears the facts only: never the company or the contact.
    assert "Charité" not in told.subject + told.body_text
    assert "eva@" not in told.body_text
    assert "Healthcare" in told.body_text

    lead = services.offer_accept(actor=people[second.pk], offer=offer)
    assert lead.status == Lead.Status.CONVERTED
    assert lead.partner == second
    registration = lead.registration
    assert registration.partner == second
    assert registration.status == Registration.Status.APPROVED
    assert registration.protected_until
    assert registration.name == "Charité Digital GmbH"
    assert registration.contact_email == "eva@charite-digital.example.de"
    assert registration.involvement == Registration.Involvement.COSELL
    assert f"lead #{lead.pk}" in registration.notes
    assert Notification.objects.filter(recipient=channel_manager, template="lead_accepted").exists()
    assert _verbs(lead) == ["lead.created", "lead.offered", "lead.accepted", "lead.converted"]


def test_top_n_first_to_accept_wins_and_the_others_are_told(channel_manager, german_partners, settings_mode):
    (best, second, third), people = german_partners
    settings_mode("top_n", top_n=3)
    lead = make_lead(actor=channel_manager)
    offers = {o.partner_id: o for o in lead.offers.all()}
    assert set(offers) == {best.pk, second.pk, third.pk}
    assert all(o.mode == LeadOffer.Mode.TOP_N for o in offers.values())
    assert [offers[p.pk].rank for p in (best, second, third)] == [1, 2, 3]

    services.offer_accept(actor=people[third.pk], offer=offers[third.pk])
    with pytest.raises(ValidationError, match="accepted this lead first"):
        services.offer_accept(actor=people[best.pk], offer=offers[best.pk])
    statuses = dict(LeadOffer.objects.filter(lead=lead).values_list("partner_id", "status"))
    assert statuses == {best.pk: "withdrawn", second.pk: "withdrawn", third.pk: "accepted"}
    assert Notification.objects.filter(recipient=people[best.pk], template="lead_withdrawn").count() == 1
    assert Notification.objects.filter(recipient=people[second.pk], template="lead_withdrawn").count() == 1


def test_auto_mode_decline_moves_to_the_next_candidate_then_back_to_the_manager(
    channel_manager, german_partners, settings_mode
):
    (best, second, third), people = german_partners
    settings_mode("auto")
    lead = make_lead(actor=channel_manager)
    [first] = lead.offers.all()
    assert first.partner == best
    assert first.mode == LeadOffer.Mode.AUTO

    with pytest.raises(ValidationError):
        services.offer_decline(actor=people[best.pk], offer=first, reason="  ")
    services.offer_decline(actor=people[best.pk], offer=first, reason="No capacity this quarter")
    declined = Notification.objects.get(recipient=channel_manager, template="lead_declined")
    assert "No capacity this quarter" in declined.body_text
    assert "Munich Systems" in declined.body_text
    [nxt] = lead.offers.filter(status="offered")
    assert nxt.partner == second
    assert nxt.rank == 1  # the best left, once Berlin is out

    services.offer_decline(actor=people[second.pk], offer=nxt, reason="Not our region")
    [last] = lead.offers.filter(status="offered")
    assert last.partner == third
    services.offer_decline(actor=people[third.pk], offer=last, reason="Too small")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.UNASSIGNED
    assert Notification.objects.filter(recipient=channel_manager, template="lead_unassigned").exists()


def test_expiry_sweep_moves_the_lead_on_and_tells_both_sides(channel_manager, german_partners, settings_mode):
    (best, second, _), people = german_partners
    settings_mode("auto", response_hours=8)
    lead = make_lead(actor=channel_manager)
    [offer] = lead.offers.all()
    assert services.offers_expire_due(now=offer.deadline - timedelta(seconds=1)) == 0

    assert services.offers_expire_due(now=offer.deadline + timedelta(minutes=1)) == 1
    assert services.offers_expire_due(now=offer.deadline + timedelta(minutes=2)) == 0  # idempotent
    offer.refresh_from_db()
    assert offer.status == LeadOffer.Status.EXPIRED
    assert Notification.objects.filter(recipient=people[best.pk], template="lead_expired").count() == 1
    told = Notification.objects.get(recipient=channel_manager, template="lead_offer_expired")
    assert "Munich Systems" in told.body_text
    assert lead.offers.get(status="offered").partner == second
    with pytest.raises(ValidationError):
        services.offer_accept(actor=people[best.pk], offer=offer)
    assert "lead.expired" in _verbs(lead)


def test_an_offer_past_its_deadline_cannot_be_accepted_before_the_sweep(channel_manager, german_partners):
    (best, _, _), people = german_partners
    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk])
    LeadOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="time to answer"):
        services.offer_accept(actor=people[best.pk], offer=offer)


def test_existing_customer_is_flagged_and_needs_a_reason(channel_manager, german_partners, settings_mode):
    (best, _, _), people = german_partners
    settings_mode("auto")
    Account.objects.create(name="Charite Digital", website="charite-digital.example.de", is_customer=True)
    lead = make_lead(actor=channel_manager)
    assert lead.match_kind == Lead.MatchKind.CUSTOMER
    assert "existing customer" in lead.match_reason
    assert "same" in lead.match_reason
    assert not lead.offers.exists()  # even in auto mode: a manager confirms first
    told = Notification.objects.get(recipient=channel_manager, template="lead_new")
    assert "flagged" in told.subject

    with pytest.raises(ValidationError, match="reason"):
        services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk])
    [offer] = services.lead_offer(
        actor=channel_manager, lead=lead, partner_ids=[best.pk], confirm_reason="New division, separate budget"
    )
    lead.refresh_from_db()
    assert lead.match_confirmed_by == channel_manager
    lead = services.offer_accept(actor=people[best.pk], offer=offer)
    # The customer conflict counts as decided by the manager's confirmation: protected.
    assert lead.registration.status == Registration.Status.APPROVED
    assert "New division" in lead.registration.decision_reason


def test_protected_registration_is_flagged_and_the_accepted_lead_waits_for_the_manager(
    channel_manager, german_partners
):
    (best, second, _), people = german_partners
    from dealreg import services as dealreg_services

    draft = dealreg_services.registration_save_draft(
        actor=people[second.pk],
        partner=second,
        data={"name": "Charité Digital", "website": "charite-digital.example.de"},
    )
    dealreg_services.registration_submit(actor=people[second.pk], registration=draft)
    dealreg_services.registration_approve(actor=channel_manager, registration=draft)
    lead = make_lead(actor=channel_manager)
    assert lead.match_kind == Lead.MatchKind.REGISTRATION
    assert "Munich Systems" in lead.match_reason
    assert "protected until" in lead.match_reason
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk], confirm_reason="Other unit")
    lead = services.offer_accept(actor=people[best.pk], offer=offer)
    assert lead.status == Lead.Status.ACCEPTED  # the registration conflicts with Munich's: a manager resolves it
    assert lead.registration.status == Registration.Status.SUBMITTED
    assert lead.registration.has_conflict


def test_outcomes_follow_the_registration(channel_manager, german_partners, django_capture_on_commit_callbacks):
    (best, _, _), people = german_partners
    from dealreg import services as dealreg_services

    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk])
    lead = services.offer_accept(actor=people[best.pk], offer=offer)
    with django_capture_on_commit_callbacks(execute=True):  # the won listener runs once the win commits
        dealreg_services.registration_close(
            actor=people[best.pk], registration=lead.registration, won=True, amount="48000"
        )
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WON
    assert lead.closed_at
    assert _verbs(lead)[-1] == "lead.won"


def test_locator_lead_goes_to_the_chosen_partner(german_partners):
    (_, _, third), _people = german_partners
    lead = make_lead(source="locator", preferred_partner=third, company_name="Visitor Co", website="visitor.example")
    [offer] = lead.offers.all()
    assert offer.partner == third
    assert offer.mode == LeadOffer.Mode.LOCATOR
    assert (50, "Chosen by the customer on the partner locator") in [(r["points"], r["text"]) for r in offer.reasons]
    assert lead.created_by is None
    assert lead.status == Lead.Status.OFFERED


def test_bad_input_is_refused_with_clear_messages(channel_manager):
    with pytest.raises(ValidationError) as caught:
        make_lead(actor=channel_manager, contact_email="not-an-email", country="Atlantis", size="huge")
    errors = caught.value.message_dict
    assert set(errors) == {"contact_email", "country", "size"}
    with pytest.raises(ValidationError):
        make_lead(actor=channel_manager, company_name="   ")


def test_manager_closes_a_lead_and_open_offers_are_withdrawn(channel_manager, german_partners):
    (best, _, _), people = german_partners
    lead = make_lead(actor=channel_manager)
    services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk])
    services.lead_close(actor=channel_manager, lead=lead, reason="Duplicate of an earlier lead")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CLOSED
    assert lead.offers.get().status == LeadOffer.Status.WITHDRAWN
    assert Notification.objects.filter(recipient=people[best.pk], template="lead_withdrawn").exists()


def test_the_sweep_catches_outcomes_the_listener_missed(channel_manager, german_partners):
    (best, _, _), people = german_partners
    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[best.pk])
    lead = services.offer_accept(actor=people[best.pk], offer=offer)
    Registration.objects.filter(pk=lead.registration_id).update(status=Registration.Status.LOST)
    assert services.leads_sync_outcomes() == 1
    assert services.leads_sync_outcomes() == 0
    lead.refresh_from_db()
    assert lead.status == Lead.Status.LOST
