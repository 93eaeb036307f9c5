"""The partner's deal registration pages: the list (filters, clocks, empty state), registering with the live
check, drafts and submission, the page with its timeline, updates; never another partner's data, 404 for
outsiders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg import services
from dealreg.models import Registration
from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory
from tests.dealreg.factories_views import RegistrationFactory, approved, partner_conflict, submitted
from tests.factories import ChannelManagerFactory

pytestmark = pytest.mark.django_db

OTHER_PARTNER = "Contoso Partners"  # partner_b's name: it must never appear on partner A's pages


def form_data(**overrides) -> dict:
    data = {
        "name": "Fabrikam Inc",
        "website": "fabrikam.com",
        "country": "US",
        "contact_name": "Jane Buyer",
        "contact_email": "jane@fabrikam.com",
        "contact_title": "CTO",
        "products": "Platform",
        "value": "48000",
        "currency": "EUR",
        "expected_close": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "stage": "discovery",
        "involvement": "sourced",
        "notes": "They asked us for a demo.",
    }
    data.update(overrides)
    return data


def body(response) -> str:
    return response.content.decode()


# --- The list --------------------------------------------------------------------------------------------------


def test_empty_list_explains_registration(admin_client_a):
    response = admin_client_a.get(reverse("portal:deals"))
    assert response.status_code == 200
    assert "No registrations yet" in body(response)
    assert reverse("portal:deal_create") in body(response)
    assert "Register a deal" in body(response)


def test_list_shows_the_company_registrations_with_their_clocks(admin_client_a, partner_a, partner_b):
    approved(partner_a, name="Globex Corp", days_left=12)
    waiting = submitted(partner_a, name="Initech LLC", due_in=timedelta(days=2))
    conflicted = submitted(partner_a, name="Umbrella Ltd")
    partner_conflict(conflicted, submitted(partner_b, name="Umbrella Limited"))
    RegistrationFactory(partner=partner_a, name="Hooli Draft")
    RegistrationFactory(partner=partner_b, name="Someone Elses Deal")

    response = admin_client_a.get(reverse("portal:deals"))
    text = body(response)
    assert "Globex Corp" in text
    assert "protected, 12 days left" in text
    due = timezone.localtime(waiting.decision_due_at)
    assert f"decision due {due:%b} {due.day}, {due.year}" in text
    assert "conflict: under review" in text
    assert "Hooli Draft" in text
    assert "not submitted yet" in text
    assert "$25,000" in text
    assert "Someone Elses Deal" not in text
    assert "Umbrella Limited" not in text
    assert OTHER_PARTNER not in text


def test_list_filters_and_htmx_partial(admin_client_a, partner_a):
    approved(partner_a, name="Globex Corp")
    submitted(partner_a, name="Initech LLC", involvement="cosell")
    response = admin_client_a.get(reverse("portal:deals"), {"status": "approved"})
    assert "Globex Corp" in body(response)
    assert "Initech LLC" not in body(response)

    response = admin_client_a.get(
        reverse("portal:deals"), {"involvement": "cosell"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deal-results"
    )
    text = body(response)
    assert "Initech LLC" in text
    assert "Globex Corp" not in text
    assert "<html" not in text
    assert 'id="deal-results"' in text

    response = admin_client_a.get(reverse("portal:deals"), {"status": "nonsense"})
    assert response.status_code == 200
    assert "Globex Corp" in body(response)


def test_list_queries_are_bounded(admin_client_a, partner_a, django_assert_max_num_queries):
    for _ in range(3):
        approved(partner_a)
    with django_assert_max_num_queries(12) as few:
        admin_client_a.get(reverse("portal:deals"))
    for _ in range(40):
        submitted(partner_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client_a.get(reverse("portal:deals"))


# --- Registering -----------------------------------------------------------------------------------------------


def test_form_has_the_live_check_wiring(admin_client_a):
    response = admin_client_a.get(reverse("portal:deal_create"))
    text = body(response)
    assert response.status_code == 200
    assert f'hx-get="{reverse("portal:deal_check")}"' in text
    assert 'hx-trigger="input changed delay:400ms"' in text
    assert 'aria-live="polite"' in text
    assert "Save draft" in text
    assert "Submit for approval" in text
    assert 'value="USD"' in text
    assert "Co-sell" in text


def test_save_draft_keeps_it_private_and_editable(admin_client_a, partner_a, partner_a_admin):
    response = admin_client_a.post(reverse("portal:deal_create"), {**form_data(value=""), "action": "draft"})
    registration = Registration.objects.get(partner=partner_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:deal_detail", args=[registration.pk])
    assert registration.status == Registration.Status.DRAFT
    assert registration.created_by == partner_a_admin
    assert registration.currency == "EUR"
    assert registration.domain == "fabrikam.com"

    page = admin_client_a.get(reverse("portal:deal_edit", args=[registration.pk]))
    assert page.status_code == 200
    assert 'value="Fabrikam Inc"' in body(page)
    response = admin_client_a.post(
        reverse("portal:deal_edit", args=[registration.pk]), {**form_data(name="Fabrikam Group"), "action": "draft"}
    )
    registration.refresh_from_db()
    assert registration.name == "Fabrikam Group"
    assert registration.status == Registration.Status.DRAFT


def test_submitting_needs_the_details_a_manager_decides_on(admin_client_a, partner_a):
    response = admin_client_a.post(
        reverse("portal:deal_create"), {**form_data(value="", contact_email=""), "action": "submit"}
    )
    assert response.status_code == 400
    text = body(response)
    assert "before you submit" in text
    assert 'value="Fabrikam Inc"' in text  # nothing typed is lost
    assert not Registration.objects.exists()


def test_invalid_form_is_a_400_with_the_errors(admin_client_a):
    response = admin_client_a.post(reverse("portal:deal_create"), {**form_data(name="", value="-5"), "action": "draft"})
    assert response.status_code == 400
    assert "Enter the customer&#x27;s company name." in body(response)
    assert "cannot be negative" in body(response)


def test_seller_registers_and_submits(seller_client_a, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client_a.post(reverse("portal:deal_create"), {**form_data(), "action": "submit"})
    registration = Registration.objects.get(partner=partner_a)
    assert response.status_code == 302
    assert registration.status == Registration.Status.SUBMITTED
    page = seller_client_a.get(response["Location"])
    assert "Submitted" in body(page)
    assert "A channel manager decides by" in body(page)
    assert "Submitted for approval" in body(page)  # the timeline


def test_submit_a_draft_from_its_page(admin_client_a, partner_a, partner_a_admin):
    draft = services.registration_save_draft(
        actor=partner_a_admin, partner=partner_a, data={"name": "Wayne Enterprises", "website": "wayne.com"}
    )
    # What the deal form asks before submitting is asked here too: the partner completes the draft first.
    response = admin_client_a.post(reverse("portal:deal_submit", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Registration.Status.DRAFT
    assert response.redirect_chain[-1][0] == reverse("portal:deal_edit", args=[draft.pk])
    assert "Before you submit, add the contact&#x27;s name, the contact&#x27;s email" in body(response)
    draft = services.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        registration=draft,
        data={
            "name": "Wayne Enterprises",
            "website": "wayne.com",
            "contact_name": "Bruce Wayne",
            "contact_email": "bruce@wayne.com",
            "value": "90000",
            "expected_close": timezone.localdate() + timedelta(days=60),
        },
    )
    response = admin_client_a.post(reverse("portal:deal_submit", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == Registration.Status.SUBMITTED
    assert "Submitted for approval. A channel manager decides by" in body(response)
    # Submitting twice says so, and changes nothing.
    response = admin_client_a.post(reverse("portal:deal_submit", args=[draft.pk]), follow=True)
    assert "was submitted already" in body(response)
    assert admin_client_a.get(reverse("portal:deal_submit", args=[draft.pk])).status_code == 405


def test_submitting_a_customer_another_partner_holds_says_conflict_without_naming_it(
    admin_client_a, partner_a, partner_b
):
    approved(partner_b, name="Fabrikam, Inc.", website="https://www.fabrikam.com", products="Platform")
    response = admin_client_a.post(reverse("portal:deal_create"), {**form_data(), "action": "submit"}, follow=True)
    registration = Registration.objects.get(partner=partner_a)
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.has_conflict
    text = body(response)
    assert "Conflict: under review" in text
    assert OTHER_PARTNER not in text
    assert "Fabrikam, Inc." not in text


# --- The check while typing ------------------------------------------------------------------------------------


def test_check_fragment_hints_in_plain_words_without_other_partners(outsider_client, admin_client_a, partner_a):
    approved(partner_a, name="Stark Industries", website="https://stark.com")
    OpportunityFactory(account=AccountFactory(name="Wonka Industries", website="https://wonka.com"))
    response = outsider_client.get(
        reverse("portal:deal_check"),
        {"name": "Stark Industries Inc", "website": "stark.com", "country": "US"},
        HTTP_HX_REQUEST="true",
    )
    text = body(response)
    assert response.status_code == 200
    assert "<html" not in text
    assert "Another registration already covers a company like this" in text
    assert "Northwind" not in text  # partner A's name

    response = outsider_client.get(reverse("portal:deal_check"), {"name": "Wonka Industries", "website": "wonka.com"})
    assert "Our own sales team works with this company" in body(response)
    assert "<html" in body(response)  # a plain GET is a page of its own

    response = admin_client_a.get(
        reverse("portal:deal_check"), {"name": "Totally Unknown Gmbh"}, HTTP_HX_REQUEST="true"
    )
    assert "We know of no registration or customer like this one." in body(response)


def test_check_of_an_existing_customer(admin_client_a):
    AccountFactory(name="Acme Corporation", website="https://acme.com", is_customer=True)
    response = admin_client_a.get(reverse("portal:deal_check"), {"name": "Acme Corp", "website": "acme.com"})
    assert "existing customer of ours" in body(response)


# --- One registration ------------------------------------------------------------------------------------------


def test_detail_shows_everything_entered_and_what_happens_next(admin_client_a, partner_a):
    registration = submitted(partner_a, name="Initech LLC", contact_name="Bill Lumbergh", notes="TPS reports")
    response = admin_client_a.get(reverse("portal:deal_detail", args=[registration.pk]))
    text = body(response)
    assert "Bill Lumbergh" in text
    assert "TPS reports" in text
    assert "$25,000.00" in text
    due = timezone.localtime(registration.decision_due_at)
    assert f"A channel manager decides by {due:%b} {due.day}, {due.year}" in text
    assert "Keep it up to date" in text


def test_detail_of_a_conflict_and_of_a_question(admin_client_a, partner_a, partner_b):
    mine = submitted(partner_a, name="Umbrella Ltd")
    partner_conflict(mine, submitted(partner_b, name="Umbrella Limited"))
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[mine.pk])))
    assert "Conflict: under review" in text
    assert "Umbrella Limited" not in text
    assert OTHER_PARTNER not in text

    asked = RegistrationFactory(
        partner=partner_a, status=Registration.Status.NEEDS_INFO, decision_reason="Who is the economic buyer?"
    )
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[asked.pk])))
    assert "Who is the economic buyer?" in text
    assert "Submit again" in text


def test_approved_detail_says_until_when_it_is_protected(admin_client_a, partner_a):
    registration = approved(partner_a, days_left=45)
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[registration.pk])))
    until = timezone.localtime(registration.protected_until)
    shown = f"{until:%b} {until.day}, {until.year}"
    assert "Protected until" in text
    assert text.count(shown) == 1  # said once, in the protection section
    assert "45 days left" in text


def test_update_of_a_submitted_registration_is_kept_in_the_timeline(admin_client_a, partner_a, partner_a_admin):
    registration = submitted(partner_a, name="Initech LLC")
    url = reverse("portal:deal_edit", args=[registration.pk])
    response = admin_client_a.post(url, {"stage": "poc", "value": "60000", "expected_close": "", "notes": "Pilot"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.stage == "poc"
    assert registration.passed_poc
    assert str(registration.value) == "60000.00"
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[registration.pk])))
    assert "Details updated" in text
    assert partner_a_admin.display_name in text

    response = admin_client_a.post(url, {"stage": "poc", "value": "-1"})
    assert response.status_code == 400
    assert "cannot be negative" in body(response)


def test_timeline_hides_startup_people_and_other_partners(admin_client_a, partner_a, partner_b):
    manager = ChannelManagerFactory(email="decider@startup.example.com", first_name="Dee", last_name="Cider")
    registration = submitted(partner_a, name="Initech LLC")
    services.registration_request_info(actor=manager, registration=registration, question="Which products exactly?")
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[registration.pk])))
    assert "More information requested" in text
    assert "Which products exactly?" in text
    assert "our channel team" in text
    assert "decider@startup.example.com" not in text
    assert "Dee Cider" not in text

    theirs = submitted(partner_b, name="Globex Holdings", age=timedelta(days=3))
    mine = submitted(partner_a, name="Globex Corp")
    partner_conflict(mine, theirs)
    services.conflict_resolve(actor=manager, registration=mine, holder=theirs, reason="They registered it first")
    text = body(admin_client_a.get(reverse("portal:deal_detail", args=[mine.pk])))
    assert "Conflict resolved" in text
    assert "They registered it first" in text
    assert "Rejected" in text
    assert OTHER_PARTNER not in text
    assert "Globex Holdings" not in text


def test_a_rejected_registration_cannot_be_edited(admin_client_a, partner_a):
    registration = RegistrationFactory(partner=partner_a, status=Registration.Status.REJECTED)
    response = admin_client_a.get(reverse("portal:deal_edit", args=[registration.pk]), follow=True)
    assert "cannot be changed" in body(response)


# --- Outsiders -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:deal_detail", "portal:deal_edit", "portal:deal_submit"])
def test_another_partner_gets_404_on_every_page_with_an_id(outsider_client, partner_a, name):
    registration = RegistrationFactory(partner=partner_a)
    url = reverse(name, args=[registration.pk])
    if name != "portal:deal_submit":  # POST only: a GET is a 405 whatever the id
        assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, form_data()).status_code == 404
    registration.refresh_from_db()
    assert registration.name != "Fabrikam Inc"
    assert registration.status == Registration.Status.DRAFT


def test_channel_managers_have_no_portal_pages(manager_client):
    assert manager_client.get(reverse("portal:deals")).status_code == 404
