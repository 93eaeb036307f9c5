"""The deal-registration policy in the program setup (/manage/program/deal-policy/): who reads it and who changes
it, the form's messages, the audit trail, the partners' admins told once each when a rule that concerns them
changes (and not when it does not), and its summary in plain words on the setup index."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from dealreg.models import DealregPolicy
from dealreg.policy import policy_get
from dealreg.services.policy_setup import deal_policy_update, policy_summary
from partners.models import Partner, PartnerMembership, Tier
from prm.models import AuditEvent, Notification
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = "manage:setup_deal_policy"


def body(response) -> str:
    return response.content.decode()


def form_data(**changes) -> dict:
    data = {
        "exclusivity_days": "90",
        "decision_sla_business_days": "2",
        "max_extensions": "1",
        "extension_days": "30",
        "expiry_reminder_days": "14,3",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def policy_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb="program.deal_policy_changed").order_by("id"))


# --- Who reads, who changes ------------------------------------------------------------------------------------


def test_a_program_admin_sees_the_form_with_a_save_button(program_admin_client):
    response = program_admin_client.get(reverse(URL))
    assert response.status_code == 200
    html = body(response)
    assert "Save the policy</button>" in html
    assert "Read-only." not in html
    assert "protected for 90 days" in html  # the summary in words


def test_a_plain_manager_reads_it_without_a_save_button(manager_client, program_admin):
    response = manager_client.get(reverse(URL))
    assert response.status_code == 200
    html = body(response)
    assert "Read-only." in html
    assert "Save the policy</button>" not in html
    assert 'name="exclusivity_days"' in html
    assert "disabled" in html
    assert "Priya Shah" in html  # whom to ask


def test_a_plain_manager_posting_gets_the_403_page_and_nothing_changes(manager_client, program_admin):
    response = manager_client.post(reverse(URL), form_data(exclusivity_days="10"))
    assert response.status_code == 403
    assert "Only program admins can change the program" in body(response)
    assert policy_get().exclusivity_days == 90
    assert policy_events() == []


def test_partner_users_and_visitors_cannot_reach_it(admin_client_a, seller_client_a, client):
    for c in (admin_client_a, seller_client_a):
        assert c.get(reverse(URL)).status_code == 404
        assert c.post(reverse(URL), form_data(exclusivity_days="10")).status_code == 404
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert policy_get().exclusivity_days == 90


def test_the_service_refuses_a_plain_manager(channel_manager):
    with pytest.raises(ValidationError, match="Only program admins"):
        deal_policy_update(actor=channel_manager, data={"exclusivity_days": 10})


# --- Changing it -----------------------------------------------------------------------------------------------


def test_a_program_admin_changes_the_policy_audited_with_before_and_after(program_admin_client, program_admin):
    response = program_admin_client.post(
        reverse(URL),
        form_data(exclusivity_days="60", expiry_reminder_days=" 3, 10 ", auto_approve_without_conflict="on"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(URL)
    policy = policy_get()
    assert policy.exclusivity_days == 60
    assert policy.expiry_reminder_days == "10,3"  # cleaned, largest first
    assert policy.auto_approve_without_conflict is True
    [event] = policy_events()
    assert event.actor == program_admin
    assert event.before == {
        "exclusivity_days": 90,
        "auto_approve_without_conflict": False,
        "expiry_reminder_days": "14,3",
    }
    assert event.after == {
        "exclusivity_days": 60,
        "auto_approve_without_conflict": True,
        "expiry_reminder_days": "10,3",
    }
    assert "The deal-registration policy is saved." in body(response)


def test_saving_without_a_change_writes_no_audit_event(program_admin_client):
    response = program_admin_client.post(reverse(URL), form_data(), follow=True)
    assert "Nothing changed" in body(response)
    assert policy_events() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"exclusivity_days": "0"}, "exclusivity_days", "The protection window must be from 1 to 730."),
        ({"exclusivity_days": ""}, "exclusivity_days", "The protection window is needed."),
        ({"exclusivity_days": "ninety"}, "exclusivity_days", "The protection window must be a whole number."),
        ({"max_extensions": "11"}, "max_extensions", "The number of extensions must be from 0 to 10."),
        ({"extension_days": "400"}, "extension_days", "An extension must be from 1 to 365."),
        ({"decision_sla_business_days": "0"}, "decision_sla_business_days", "The decision time must be from 1 to 30."),
        ({"expiry_reminder_days": "14, soon"}, "expiry_reminder_days", "Write days as whole numbers"),
        ({"expiry_reminder_days": "120"}, "expiry_reminder_days", "use fewer days"),
    ],
)
def test_bad_input_gets_a_clear_message_next_to_the_field_and_keeps_what_was_typed(
    program_admin_client, changes, field, message
):
    response = program_admin_client.post(reverse(URL), form_data(**changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert "Everything you typed is still here." in body(response)
    assert policy_get().exclusivity_days == 90
    assert policy_events() == []


def test_the_service_validates_too(program_admin):
    with pytest.raises(ValidationError) as caught:
        deal_policy_update(actor=program_admin, data={"exclusivity_days": 0, "expiry_reminder_days": "x"})
    assert "exclusivity_days" in caught.value.message_dict
    with pytest.raises(ValidationError, match="cannot be changed here"):
        deal_policy_update(actor=program_admin, data={"updated_at": None})


# --- Partners are told -----------------------------------------------------------------------------------------


@pytest.fixture
def partners(partner_a_admin, partner_a_seller, partner_b_user):
    """Northwind (admin Anna, seller Sam) and Contoso (admin Olga) are active; an applicant is not told."""
    Partner.objects.filter(pk__in=[partner_a_admin.membership.partner_id, partner_b_user.membership.partner_id]).update(
        status=Partner.Status.ACTIVE
    )
    applicant = PartnerFactory(name="Applicant Co", status=Partner.Status.APPLIED)
    MembershipFactory(partner=applicant, role=PartnerMembership.Role.ADMIN, user__email="new@applicant.example.com")
    return partner_a_admin, partner_a_seller, partner_b_user


def test_a_protection_change_tells_each_partner_admin_once(program_admin_client, partners):
    anna, _sam, olga = partners
    response = program_admin_client.post(
        reverse(URL), form_data(exclusivity_days="60", max_extensions="2", extension_days="15"), follow=True
    )
    assert "The deal-registration policy is saved. 2 partners' admins were told what changed." in messages_of(response)
    sent = Notification.objects.filter(template="setup_deal_policy_changed")
    assert sorted(n.recipient.email for n in sent) == [anna.email, olga.email]  # admins only, not Sam or applicants
    note = sent.get(recipient=anna)
    assert note.subject == "The deal-registration rules of our partner program changed"
    assert "protected for 60 days (it was 90 days)" in note.body_text
    assert "extend protection up to 2 times, by 15 days each" in note.body_text
    assert "Registrations already approved keep the protection dates they got." in note.body_text
    assert note.url == reverse("portal:deals")
    assert "<" not in note.subject
    # Saving the same again tells nobody twice.
    program_admin_client.post(reverse(URL), form_data(exclusivity_days="60", max_extensions="2", extension_days="15"))
    assert Notification.objects.filter(template="setup_deal_policy_changed").count() == 2


def test_a_partner_whose_tier_promises_its_own_protection_is_not_told_about_the_window(program_admin_client, partners):
    anna, _sam, olga = partners
    gold = Tier.objects.create(name="Gold", rank=3, deal_protection_days=120)
    Partner.objects.filter(pk=anna.membership.partner_id).update(tier=gold)
    program_admin_client.post(reverse(URL), form_data(exclusivity_days="60"))
    assert list(
        Notification.objects.filter(template="setup_deal_policy_changed").values_list("recipient__email", flat=True)
    ) == [olga.email]
    # An extension change concerns both, and Gold's admin is reminded of its own window.
    program_admin_client.post(reverse(URL), form_data(exclusivity_days="60", max_extensions="0"))
    note = Notification.objects.filter(template="setup_deal_policy_changed", recipient=anna).get()
    assert "Protection can no longer be extended." in note.body_text
    assert "As a Gold partner, your approved registrations stay protected for 120 days." in note.body_text
    assert "60 days" not in note.body_text


def test_a_reminder_change_alone_is_audited_but_not_announced(program_admin_client, partners):
    program_admin_client.post(reverse(URL), form_data(expiry_reminder_days="7"))
    assert policy_get().expiry_reminder_days == "7"
    assert len(policy_events()) == 1
    assert not Notification.objects.filter(template="setup_deal_policy_changed").exists()


def test_the_notification_templates_render_without_raw_markup(partner_a):
    context = {
        "partner": partner_a,
        "lines": ["Newly approved registrations are protected for 60 days (it was 90 days)."],
        "tier_protection": None,
        "tier": None,
        "site_url": "https://prm.example.com",
        "url": "/portal/deals/",
    }
    text = render_to_string("notifications/setup_deal_policy_changed/body.txt", context)
    html = render_to_string("notifications/setup_deal_policy_changed/body.html", context)
    assert "https://prm.example.com/portal/deals/" in text
    assert "<" not in text
    assert "{%" not in text
    assert "<li>Newly approved registrations" in html
    assert html.count("<ul>") == html.count("</ul>")


# --- The index -------------------------------------------------------------------------------------------------


def test_the_setup_index_summarises_the_policy_and_links_to_its_page(program_admin_client):
    DealregPolicy.objects.filter(pk=1).update(exclusivity_days=45, max_extensions=0)
    html = body(program_admin_client.get(reverse("manage:program_setup")))
    assert reverse(URL) in html
    assert "An approved registration is protected for 45 days" in html
    assert "Protection cannot be extended." in html
    assert "Configured elsewhere" not in html


def test_the_summary_in_words():
    policy = DealregPolicy(
        exclusivity_days=1,
        decision_sla_business_days=1,
        auto_approve_without_conflict=True,
        max_extensions=1,
        extension_days=30,
        expiry_reminder_days="",
    )
    lines = policy_summary(policy)
    assert lines[0].startswith("An approved registration is protected for 1 day ")
    assert "once, by 30 days each" in lines[1]
    assert "within 1 business day." in lines[2]
    assert "approved as soon as it is submitted" in lines[3]
    assert lines[4] == "Partners get no reminder before protection ends."
