"""The public "Become a partner" form: the happy path, spam resistance (honeypot, rate limit), validation, and the
duplicate check that flags look-alikes of known partners without ever merging them."""

import pytest
from django.core import mail

from partners.models import Application, Partner
from partners.selectors_recruitment import application_duplicates
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory, PartnerFactory, UserFactory
from tests.partners.factories_recruitment import admin_of, application_form_data, submit_application

pytestmark = pytest.mark.django_db


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


# --- The form page ---------------------------------------------------------------------------------------------


def test_form_is_public_and_hides_the_honeypot_from_people_and_screen_readers(client):
    response = client.get("/apply/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Become a partner" in body
    assert '<div class="hp-field" aria-hidden="true">' in body
    assert 'name="url" id="id_url" value="" tabindex="-1" autocomplete="off"' in body
    # Every region is offered as a checkbox, countries as a multi-select.
    assert body.count('type="checkbox" name="regions"') == len(Partner.Region.choices)
    assert '<select name="countries"' in body
    assert "multiple" in body


def test_thanks_page_is_public_and_shows_nobody(client):
    submit_application()
    response = client.get("/apply/thanks/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you for applying" in body
    assert "Bluepeak" not in body
    assert "jo@bluepeak.io" not in body


# --- Happy path ------------------------------------------------------------------------------------------------


def test_apply_creates_the_partner_and_application_and_tells_everyone(
    client, channel_manager, partner_a_admin, django_capture_on_commit_callbacks
):
    second_manager = ChannelManagerFactory(email="lee@startup.example.com")
    UserFactory(email="ops@startup.example.com", is_staff=True)  # staff, but not a channel manager

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apply/", application_form_data(), REMOTE_ADDR="198.51.100.23")

    assert response.status_code == 302
    assert response["Location"] == "/apply/thanks/"

    partner = Partner.objects.get(name="Bluepeak Consulting")
    assert partner.status == Partner.Status.APPLIED
    assert partner.source == Partner.Source.APPLICATION
    assert partner.type == Partner.Type.SI
    assert partner.applied_at is not None
    assert partner.status_changed_at == partner.applied_at
    assert partner.website == "https://www.bluepeak.io/en"
    assert partner.domain == "bluepeak.io"
    assert partner.regions == ["emea", "na"]
    assert sorted(c.code for c in partner.countries) == ["DE", "GB"]
    assert partner.description == "Data platform implementations for mid-market retailers."
    assert partner.owner is None
    assert partner.parent is None

    application = partner.application
    assert application.contact_name == "Jo Bloggs"
    assert application.contact_email == "jo@bluepeak.io"
    assert application.contact_title == "Head of Alliances"
    assert application.contact_phone == "+44 20 7946 0958"
    assert application.why == "Our customers keep asking for your product."
    assert application.submitted_ip == "198.51.100.23"
    assert application.submitted_by is None
    assert application.duplicates == []

    event = AuditEvent.objects.get(verb="application.submitted")
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.partner == partner
    assert event.target_id == str(application.pk)

    [confirmation] = mails_to("jo@bluepeak.io")
    assert "We received your application for Bluepeak Consulting" in confirmation.subject
    assert "A channel manager reviews your application" in confirmation.body

    for manager in (channel_manager, second_manager):
        [email] = mails_to(manager.email)
        assert "New partner application: Bluepeak Consulting" in email.subject
        assert f"/manage/applications/{partner.pk}/" in email.body
        inbox = Notification.objects.get(recipient=manager, template="application_new")
        assert inbox.url == f"/manage/applications/{partner.pk}/"
    assert not mails_to("ops@startup.example.com")
    assert not mails_to(partner_a_admin.email)
    assert len(mail.outbox) == 3


def test_apply_without_the_optional_fields(client):
    data = application_form_data(contact_title="", contact_phone="", countries=[])
    response = client.post("/apply/", data)
    assert response.status_code == 302
    partner = Partner.objects.get(name="Bluepeak Consulting")
    assert list(partner.countries) == []
    assert partner.application.contact_phone == ""


# --- Spam resistance -------------------------------------------------------------------------------------------


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(client, channel_manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apply/", application_form_data(url="https://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/apply/thanks/"
    assert not Partner.objects.exists()
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(verb="application.submitted").exists()
    assert mail.outbox == []


def test_rate_limit_per_address_keeps_what_was_typed(client, settings):
    settings.PRM_APPLICATIONS_PER_IP_PER_HOUR = 5
    for i in range(5):
        data = application_form_data(
            name=f"Company {i}", website=f"https://company{i}.com", contact_email=f"a@c{i}.com"
        )
        assert client.post("/apply/", data, REMOTE_ADDR="203.0.113.9").status_code == 302

    response = client.post(
        "/apply/", application_form_data(name="Sixth Attempt Ltd", why="Please read me"), REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 429
    body = response.content.decode()
    assert "Please try again later." in body
    assert 'value="Sixth Attempt Ltd"' in body
    assert "Please read me" in body
    assert Partner.objects.count() == 5

    # Another address is not affected.
    other = client.post("/apply/", application_form_data(name="Other Network Ltd"), REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 302
    assert Partner.objects.count() == 6


def test_invalid_attempts_do_not_use_up_the_limit(client, settings):
    settings.PRM_APPLICATIONS_PER_IP_PER_HOUR = 1
    for _ in range(3):
        assert client.post("/apply/", application_form_data(website="not a website")).status_code == 400
    assert client.post("/apply/", application_form_data()).status_code == 302


# --- Validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"website": "not a website"}, "website", "Enter the website&#x27;s address, like https://northwind.com."),
        ({"website": "https://localhost"}, "website", "This address has no public domain name."),
        ({"countries": ["GB", "XX"]}, "countries", "“XX” is not a country we know."),
        ({"description": "x" * 4001}, "description", "Keep it under 4000 characters (it has 4001)."),
        ({"why": "y" * 4500}, "why", "Keep it under 4000 characters (it has 4500)."),
        ({"contact_email": "jo at bluepeak"}, "contact_email", "Enter an email address, like anna@northwind.com."),
        ({"contact_phone": "call me maybe"}, "contact_phone", "Enter a phone number with digits"),
        ({"regions": []}, "regions", "Pick at least one region."),
        ({"type": "pirate"}, "type", "Select a valid choice."),
        ({"name": ""}, "name", "This field is required."),
    ],
    ids=[
        "bad-url",
        "no-domain",
        "unknown-country",
        "long-description",
        "long-why",
        "email",
        "phone",
        "regions",
        "type",
        "name",
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_lost(client, overrides, field, message):
    response = client.post("/apply/", application_form_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    error_id = f"id_{field}_error"
    assert f'<small class="field-error" id="{error_id}">' in body
    start = body.index(f'id="{error_id}"')
    assert message in body[start : start + 300]
    # Everything else the person typed is still there.
    if field != "name":
        assert 'value="Bluepeak Consulting"' in body
    if field != "contact_email":
        assert 'value="jo@bluepeak.io"' in body
    if field != "why":
        assert "Our customers keep asking for your product." in body
    assert not Partner.objects.exists()


def test_invalid_field_is_marked_for_assistive_technology(client):
    body = client.post("/apply/", application_form_data(website="nope")).content.decode()
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_website_error"' in body


# --- Duplicate check -------------------------------------------------------------------------------------------


def reasons(application: Application) -> dict[str, str]:
    return {d["name"]: d["reason"] for d in application.duplicates}


def test_same_website_domain_is_flagged():
    existing = PartnerFactory(name="BP Data Services", website="https://bluepeak.io")
    application = submit_application(website="https://shop.bluepeak.io/about")
    assert application.is_flagged
    [finding] = application.duplicates
    assert finding == {
        "partner_id": existing.pk,
        "name": "BP Data Services",
        "status": "active",
        "reason": "same website domain bluepeak.io",
    }


def test_similar_name_is_flagged_with_its_score():
    PartnerFactory(name="Bluepeak Consultings GmbH", status=Partner.Status.DORMANT)
    application = submit_application(website="https://other-site.com", contact_email="jo@other-site.com")
    assert reasons(application) == {"Bluepeak Consultings GmbH": "company name almost identical (97%)"}
    assert application.duplicates[0]["status"] == "dormant"


def test_same_name_apart_from_legal_form_is_flagged():
    PartnerFactory(name="Bluepeak Consulting, Inc.")
    application = submit_application(website="https://other-site.com", contact_email="jo@other-site.com")
    assert reasons(application) == {
        "Bluepeak Consulting, Inc.": "same company name apart from legal form or punctuation"
    }


def test_a_typo_in_the_first_word_is_still_found():
    PartnerFactory(name="Cobalt Resale")
    application = submit_application(name="Kobalt Resale", website="https://k.com", contact_email="k@k.com")
    assert reasons(application) == {"Cobalt Resale": "company name almost identical (92%)"}


def test_same_email_domain_as_an_earlier_application_is_flagged_both_ways():
    first = submit_application(name="Ardent Retail Tech", website="https://ardent.shop", contact_email="li@ardent.de")
    assert first.duplicates == []
    second = submit_application(name="Quite Different Co", website="https://another.com", contact_email="mo@ardent.de")
    assert reasons(second) == {"Ardent Retail Tech": "same email domain ardent.de"}
    assert second.duplicates[0]["status"] == "applied"
    # The reviewer sees the pair whichever application they open first.
    first.refresh_from_db()
    assert reasons(first) == {"Quite Different Co": "same email domain ardent.de"}


def test_contact_email_at_a_partners_website_domain_is_flagged():
    PartnerFactory(name="Ardent", website="https://ardent.de")
    application = submit_application(
        name="Something Else", website="https://x-y.com", contact_email="mo@mail.ardent.de"
    )
    assert reasons(application) == {"Ardent": "contact email domain ardent.de is their website's domain"}


def test_contact_email_at_the_domain_of_a_partners_people_is_flagged():
    partner = PartnerFactory(name="Harbor Systems")  # no website on file
    admin_of(partner, "kim@harbor.nl")
    application = submit_application(name="Hbr Group", website="https://hbr-new.com", contact_email="ann@harbor.nl")
    assert reasons(application) == {"Harbor Systems": "people at harbor.nl already work for them"}


def test_free_mail_addresses_say_nothing_about_the_company():
    submit_application(name="Alpha Widgets", website="https://alpha-widgets.com", contact_email="alpha@gmail.com")
    second = submit_application(name="Omega Gadgets", website="https://omega-gadgets.com", contact_email="om@gmail.com")
    assert second.duplicates == []


def test_a_different_company_is_not_flagged(partner_a, partner_b):
    PartnerFactory(name="Northwind Logistics", website="https://northwind-logistics.com")
    application = submit_application(
        name="Southwind Analytics", website="https://southwind.ai", contact_email="eve@southwind.ai"
    )
    assert application.duplicates == []
    assert not application.is_flagged


def test_several_reasons_for_one_partner_make_one_finding():
    existing = PartnerFactory(name="Bluepeak Consulting Ltd", website="https://bluepeak.io")
    application = submit_application()
    [finding] = application.duplicates
    assert finding["partner_id"] == existing.pk
    assert (
        finding["reason"] == "same website domain bluepeak.io; same company name apart from legal form or punctuation"
    )


def test_duplicate_check_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    for i in range(40):
        PartnerFactory(name=f"Bluepeak Reseller {i}", website=f"https://bp{i}.com")
    # Partners by domain, by application email domain, by members' email domain, candidates by name.
    with django_assert_max_num_queries(4):
        found = application_duplicates(name="Bluepeak Consulting", website="https://bluepeak.io", email="a@bluepeak.io")
    assert found == []


def test_a_flagged_application_is_still_created_and_nothing_is_merged(client):
    existing = PartnerFactory(name="Bluepeak Consulting", website="https://bluepeak.io")
    response = client.post("/apply/", application_form_data())
    assert response.status_code == 302
    assert Partner.objects.filter(name="Bluepeak Consulting").count() == 2
    new = Partner.objects.exclude(pk=existing.pk).get()
    assert new.application.is_flagged
    existing.refresh_from_db()
    assert existing.status == Partner.Status.ACTIVE
