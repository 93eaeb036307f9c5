"""'Contact this partner': honeypot, per-address rate limit, email confirmation, and only then a lead from the
locator offered to the chosen partner (leads.services.intake.create_lead)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner, PublicProfile
from partners.models.locator import ContactRequest
from partners.services import locator as services
from partners.services.locator import ConfirmOutcome
from prm.models import AuditEvent
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

FORM = {
    "company_name": "Initech GmbH",
    "website": "https://initech.example.com",
    "country": "DE",
    "contact_name": "Rosa Díaz",
    "contact_email": "Rosa@Initech.example.com",
    "contact_phone": "+49 30 1234567",
    "industry": "Manufacturing",
    "size": "201-1000",
    "interest": "Analytics rollout",
    "message": "We want to roll out analytics in three plants.",
}


@pytest.fixture
def partner():
    partner = PartnerFactory(name="Northwind Solutions", status=Partner.Status.ACTIVE)
    PublicProfile.objects.create(partner=partner, listed=True, slug="northwind")
    return partner


def contact_url() -> str:
    return reverse("locator_contact", args=["northwind"])


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post the contact form; the confirmation email goes out as the request's transaction commits."""

    def post(data=FORM):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(contact_url(), data)

    return post


def _link(message) -> str:
    return re.search(r"http://[^\s]+/partners/find/confirm/[^\s/]+/", message.body)[0]


def test_a_request_waits_for_its_email_confirmation(client, send, partner):
    response = send()
    assert response.status_code == 302
    assert response["Location"] == reverse("locator_contact_sent", args=["northwind"])
    request = ContactRequest.objects.get()
    assert request.status == ContactRequest.Status.PENDING
    assert request.contact_email == "rosa@initech.example.com"
    assert request.lead_id is None
    assert (request.expires_at - timezone.now()) > timedelta(hours=47)
    # One email, to the visitor, with the link; nothing to the partner yet.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@initech.example.com"]
    assert message.subject.endswith("Confirm your request to Northwind Solutions")
    assert "/partners/find/confirm/" in _link(message)
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page
    assert "Northwind Solutions" in page


def test_opening_the_link_shows_the_request_and_changes_nothing(client, send, partner):
    send()
    link = _link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my request" in page.content.decode()
    assert "Initech GmbH" in page.content.decode()
    assert ContactRequest.objects.get().status == ContactRequest.Status.PENDING


def test_confirming_creates_a_locator_lead_offered_to_the_partner(client, send, partner):
    from leads.models import Lead

    send()
    link = _link(mail.outbox[0])
    response = client.post(link)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "your request is confirmed" in done
    assert "We passed it on to <strong>Northwind Solutions</strong>" in done

    request = ContactRequest.objects.get()
    assert request.status == ContactRequest.Status.CONFIRMED
    lead = Lead.objects.get(pk=request.lead_id)
    assert lead.source == "locator"
    assert lead.preferred_partner == partner
    assert lead.name == "Initech GmbH"
    assert lead.contact_email == "rosa@initech.example.com"
    assert str(lead.country) == "DE"
    assert lead.size == "midmarket"  # 201–1,000 employees
    assert lead.interest == "Analytics rollout"
    assert "three plants" in lead.notes
    assert "Company size: 201–1,000 employees." in lead.notes
    assert lead.offers.filter(partner=partner).exists()
    event = AuditEvent.objects.get(verb="locator.contact_confirmed")
    assert event.partner_id == partner.pk
    assert event.after["lead"] == lead.pk

    # The link works once: again, it says so and creates nothing.
    again = client.post(link)
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert Lead.objects.count() == 1


def test_a_confirmed_request_for_a_partner_gone_dormant_reaches_the_channel_team(client, send, partner):
    from leads.models import Lead

    send()
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.DORMANT)
    response = client.post(_link(mail.outbox[0]))
    lead = Lead.objects.get()
    assert lead.preferred_partner is None
    assert "Asked for Northwind Solutions in the partner locator" in lead.notes
    assert "our own team has your request" in client.get(response["Location"]).content.decode()


def test_expired_and_forged_links(client, send, partner):
    send()
    link = _link(mail.outbox[0])
    ContactRequest.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.post(link)
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    assert reverse("locator_contact", args=["northwind"]) in expired.content.decode()  # send it again
    assert ContactRequest.objects.get().status == ContactRequest.Status.PENDING

    request = ContactRequest.objects.get()
    token = services.contact_confirm_url(request).split("/")[-2]
    forged = token[:-3] + ("aaa" if token[-3:] != "aaa" else "bbb")
    for bad in (forged, "nonsense", "1"):
        response = client.post(reverse("locator_confirm", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert services.contact_request_confirm(token="x")[0] == ConfirmOutcome.INVALID


def test_the_honeypot_stores_and_sends_nothing(client, send, partner):
    response = send({**FORM, "url": "http://spam.example.com"})
    assert response.status_code == 302  # the usual next page
    assert not ContactRequest.objects.exists()
    assert mail.outbox == []


def test_the_rate_limit_keeps_what_was_typed(client, send, partner, settings):
    settings.PRM_LOCATOR_CONTACTS_PER_IP_PER_HOUR = 2
    for _ in range(2):
        assert send().status_code == 302
    refused = client.post(contact_url(), {**FORM, "company_name": "Third Try Ltd"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Please try again later" in html
    assert 'value="Third Try Ltd"' in html
    assert ContactRequest.objects.count() == 2
    # The apply form has its own budget.
    assert client.get(reverse("apply")).status_code == 200


def test_bad_input_is_explained_next_to_the_field(client, partner):
    response = client.post(
        contact_url(), {**FORM, "contact_email": "not-an-email", "country": "", "contact_phone": "call me"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an email address, like anna@northwind.com." in html
    assert "Choose your country" in html
    assert "Enter a phone number" in html
    assert 'value="Initech GmbH"' in html  # nothing typed is lost
    assert not ContactRequest.objects.exists()


def test_an_unlisted_partner_cannot_be_contacted(client, send, partner):
    PublicProfile.objects.filter(partner=partner).update(listed=False)
    assert client.get(contact_url()).status_code == 404
    assert send().status_code == 404
    with pytest.raises(Exception, match="not taking requests"):
        services.contact_request_submit(partner=partner, data={k: v for k, v in FORM.items() if k != "size"})
    assert not ContactRequest.objects.exists()


def test_unconfirmed_requests_are_deleted_a_week_after_their_link_expired(partner):
    from partners.reminders import purge_unconfirmed_locator_contacts

    now = timezone.now()

    def request(status, expired_days_ago):
        return ContactRequest.objects.create(
            partner=partner,
            status=status,
            company_name="Initech GmbH",
            country="DE",
            contact_name="Rosa Díaz",
            contact_email="rosa@initech.example.com",
            expires_at=now - timedelta(days=expired_days_ago),
        )

    stale = request(ContactRequest.Status.PENDING, 8)
    recent = request(ContactRequest.Status.PENDING, 2)
    confirmed = request(ContactRequest.Status.CONFIRMED, 30)
    assert purge_unconfirmed_locator_contacts(now) == 1
    assert set(ContactRequest.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}
    assert not ContactRequest.objects.filter(pk=stale.pk).exists()
    assert purge_unconfirmed_locator_contacts(now) == 0  # the sweep may run twice a day


def test_contact_requests_in_the_admin_are_read_only(admin_client, partner):
    response = admin_client.get("/admin/partners/contactrequest/")
    assert response.status_code == 200
    assert admin_client.get("/admin/partners/contactrequest/add/").status_code == 403
