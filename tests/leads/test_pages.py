"""The lead pages: the manager's list (filters, CSV), form, lead page (candidates with reasons, offer actions, flags,
history) and settings; the partner's offers, where another partner's offer is a 404 and the company and contact stay
hidden until the partner accepts; the admin."""

import pytest
from django.urls import reverse

from leads import services
from leads.models import Lead, LeadOffer
from tests.leads.conftest import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_for_a(channel_manager, partner_a):
    partner_a.countries = ["DE"]
    partner_a.save()
    lead = make_lead(actor=channel_manager)
    [offer] = services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[partner_a.pk])
    return lead, offer


def test_manager_list_filters_and_csv(manager_client, channel_manager):
    make_lead(actor=channel_manager)
    make_lead(actor=channel_manager, company_name="=HYPERLINK(1)", website="evil.example", source="event")
    page = manager_client.get(reverse("manage:leads"))
    assert page.status_code == 200
    assert "Charité Digital GmbH" in page.content.decode()
    assert "Acceptance rate" in page.content.decode()
    filtered = manager_client.get(reverse("manage:leads"), {"source": "event"}).content.decode()
    assert "HYPERLINK" in filtered
    assert "Charité" not in filtered
    junk = manager_client.get(reverse("manage:leads"), {"status": "<script>", "partner": "abc"})
    assert junk.status_code == 200
    export = manager_client.get(reverse("manage:lead_export"))
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0].lstrip("\ufeff").startswith("id,company,website")
    assert "'=HYPERLINK(1)" in body  # formula cells are neutralised


def test_manager_creates_a_lead_with_errors_kept(manager_client):
    typed = {"name": "Stark Medical", "contact_name": "Tony", "contact_email": "nope", "source": "manager"}
    bad = manager_client.post(reverse("manage:lead_create"), typed)
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Stark Medical" in html  # what was typed stays
    assert "field-error" in html
    good = manager_client.post(
        reverse("manage:lead_create"),
        {"name": "Stark Medical", "contact_name": "Tony", "contact_email": "tony@stark.example", "country": "DE",
         "source": "event"},
    )  # fmt: skip
    lead = Lead.objects.get(name="Stark Medical")
    assert good.status_code == 302
    assert good["Location"] == reverse("manage:lead_detail", args=[lead.pk])
    assert lead.source == "event"


def test_lead_page_ranks_candidates_and_offers(manager_client, channel_manager, partner_a):
    partner_a.countries = ["DE"]
    partner_a.verticals = ["Healthcare"]
    partner_a.save()
    lead = make_lead(actor=channel_manager)
    page = manager_client.get(reverse("manage:lead_detail", args=[lead.pk])).content.decode()
    assert "Northwind Solutions" in page
    assert "Covers Germany" in page
    assert "Sells into Healthcare" in page
    offered = manager_client.post(reverse("manage:lead_offer", args=[lead.pk]), {"action": "pick",
                                                                                "partner": partner_a.pk})  # fmt: skip
    assert offered.status_code == 302
    assert LeadOffer.objects.get(lead=lead).partner == partner_a
    again = manager_client.post(
        reverse("manage:lead_offer", args=[lead.pk]), {"action": "pick", "partner": partner_a.pk}
    )
    assert again.status_code == 400
    assert "already" in again.content.decode()
    junk = manager_client.post(reverse("manage:lead_offer", args=[lead.pk]), {"action": "top", "count": "999"})
    assert junk.status_code == 400
    history = manager_client.get(reverse("manage:lead_detail", args=[lead.pk])).content.decode()
    assert "Offered" in history


def test_flagged_lead_shows_why_and_needs_a_reason(manager_client, channel_manager, partner_a):
    from dealreg.models import Account

    Account.objects.create(name="Charite Digital", website="charite-digital.example.de", is_customer=True)
    lead = make_lead(actor=channel_manager)
    page = manager_client.get(reverse("manage:lead_detail", args=[lead.pk])).content.decode()
    assert "Flagged: existing customer" in page
    refused = manager_client.post(reverse("manage:lead_offer", args=[lead.pk]), {"action": "pick",
                                                                                "partner": partner_a.pk})  # fmt: skip
    assert refused.status_code == 400
    assert not LeadOffer.objects.exists()


def test_settings_page_publishes_the_rules(manager_client, admin_client_a):
    saved = manager_client.post(
        reverse("manage:lead_settings"),
        {"mode": "top_n", "top_n": 4, "response_hours": 12, "day_starts_at": 8, "day_ends_at": 18,
         "max_open_leads": 6, "note": "Ask us anything."},
    )  # fmt: skip
    assert saved.status_code == 302
    bad = manager_client.post(reverse("manage:lead_settings"), {"mode": "auto", "top_n": 3, "response_hours": 8,
                                                               "day_starts_at": 18, "day_ends_at": 9,
                                                               "max_open_leads": 5})  # fmt: skip
    assert bad.status_code == 200
    assert "must end after it starts" in bad.content.decode()
    from prm.models import Notification

    told = Notification.objects.get(recipient__email="anna@northwind.example.com", template="setup_lead_rules_changed")
    assert "You now have 12 business hours to answer an offer (it was 16 business hours)." in told.body_text
    assert "A lead now goes to the 4 best-ranked partners at once (it was 3)." in told.body_text
    assert "top few partners at once" in told.body_text
    how = admin_client_a.get(reverse("portal:leads_how")).content.decode()
    assert "offered to the 4 best-ranked partners at the same time" in how
    assert "within 12 business hours" in how
    assert "08:00 to 18:00" in how
    assert "Ask us anything." in how


def test_partner_sees_only_the_facts_until_it_accepts(lead_for_a, admin_client_a):
    lead, offer = lead_for_a
    listing = admin_client_a.get(reverse("portal:leads")).content.decode()
    detail = admin_client_a.get(reverse("portal:lead_offer_detail", args=[offer.pk])).content.decode()
    for html in (listing, detail):
        assert "Healthcare" in html
        assert "Charité" not in html
        assert "eva@charite" not in html
        assert "Eva Braun" not in html
    assert "Covers Germany" in detail
    accepted = admin_client_a.post(reverse("portal:lead_offer_accept", args=[offer.pk]))
    assert accepted.status_code == 302
    after = admin_client_a.get(reverse("portal:lead_offer_detail", args=[offer.pk])).content.decode()
    assert "Charité Digital GmbH" in after
    assert "eva@charite-digital.example.de" in after
    lead.refresh_from_db()
    assert reverse("portal:deal_detail", args=[lead.registration_id]) in after


def test_another_partners_offer_is_a_404(lead_for_a, outsider_client, admin_client_a):
    _, offer = lead_for_a
    for name in ("portal:lead_offer_detail",):
        assert outsider_client.get(reverse(name, args=[offer.pk])).status_code == 404
    for name in ("portal:lead_offer_accept", "portal:lead_offer_decline"):
        assert outsider_client.post(reverse(name, args=[offer.pk]), {"reason": "x"}).status_code == 404
    assert "Healthcare" not in outsider_client.get(reverse("portal:leads")).content.decode()
    assert LeadOffer.objects.get(pk=offer.pk).status == "offered"


def test_decline_needs_a_reason_and_roles_are_checked(lead_for_a, admin_client_a, partner_a):
    _, offer = lead_for_a
    empty = admin_client_a.post(reverse("portal:lead_offer_decline", args=[offer.pk]), {"reason": ""})
    assert empty.status_code == 400
    done = admin_client_a.post(reverse("portal:lead_offer_decline", args=[offer.pk]), {"reason": "Too far"})
    assert done.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "declined"
    from django.test import Client

    from tests.factories import MembershipFactory

    tech = Client()
    tech.force_login(MembershipFactory(partner=partner_a, role="technical").user)
    assert tech.get(reverse("portal:leads")).status_code == 403


def test_admin_lists_leads_and_offers(admin_client, lead_for_a):
    assert admin_client.get("/admin/leads/lead/").status_code == 200
    assert admin_client.get("/admin/leads/leadoffer/").status_code == 200
    lead, _offer = lead_for_a
    assert admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").status_code == 200
    assert admin_client.get("/admin/leads/lead/?q=charite").status_code == 200


def test_partner_page_and_portal_home_show_leads(manager_client, admin_client_a, lead_for_a, partner_a):
    home = admin_client_a.get(reverse("portal:home")).content.decode()
    assert "Leads waiting for your answer" in home
    assert "Charité" not in home
    page = manager_client.get(reverse("manage:partner_detail", args=[partner_a.pk]))
    assert page.status_code == 200


def test_hot_pages_read_in_a_bounded_number_of_queries(
    manager_client, admin_client_a, channel_manager, partner_a, django_assert_max_num_queries
):
    partner_a.countries = ["DE"]
    partner_a.save()
    offers = []
    for n in range(6):
        lead = make_lead(actor=channel_manager, company_name=f"Prospect {n}", website=f"prospect{n}.example.de")
        offers += services.lead_offer(actor=channel_manager, lead=lead, partner_ids=[partner_a.pk])
    manager_client.get(reverse("manage:leads"))  # warm the per-request caches (badges, settings)
    with django_assert_max_num_queries(25):
        assert manager_client.get(reverse("manage:leads")).status_code == 200
    with django_assert_max_num_queries(30):
        assert manager_client.get(reverse("manage:lead_detail", args=[lead.pk])).status_code == 200
    admin_client_a.get(reverse("portal:leads"))
    with django_assert_max_num_queries(20):
        assert admin_client_a.get(reverse("portal:leads")).status_code == 200


def test_an_overdue_offer_shows_no_answer_buttons(lead_for_a, admin_client_a):
    from datetime import timedelta

    from django.utils import timezone

    _, offer = lead_for_a
    LeadOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    html = admin_client_a.get(reverse("portal:lead_offer_detail", args=[offer.pk])).content.decode()
    assert "The time to answer this offer has passed" in html
    assert "Accept the lead" not in html
    refused = admin_client_a.post(reverse("portal:lead_offer_accept", args=[offer.pk]), follow=True)
    assert "time to answer this offer has passed" in refused.content.decode()
