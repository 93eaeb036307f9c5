"""The life of an approved registration: extension requests and decisions, won/lost, expiry, and the daily sweep's
reminders (decision clock, protection ending). Each change applies once, is audited and told; each reminder is
sent once however often the sweep runs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dealreg import services
from dealreg.models import Registration
from dealreg.policy import policy_get
from dealreg.reminders import escalate_sla, expire_registrations, remind_expiry, remind_sla, reminder_days
from partners.selectors import channel_managers
from prm import reminders
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import RegistrationFactory, SubmittedRegistrationFactory
from tests.factories import ChannelManagerFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def set_policy(**changes):
    policy = policy_get()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def approved(partner_a, partner_a_seller, partner_a_admin, channel_manager):
    now = timezone.now()
    return RegistrationFactory(
        partner=partner_a,
        created_by=partner_a_seller,
        name="Acme Robotics",
        status=Status.APPROVED,
        submitted_at=now - timedelta(days=10),
        decided_at=now - timedelta(days=9),
        decided_by=channel_manager,
        protected_until=now + timedelta(days=40),
    )


def notes(user, template):
    return list(Notification.objects.filter(recipient=user, template=template).order_by("pk"))


def verbs(registration):
    return list(
        AuditEvent.objects.filter(target_type="dealreg.registration", target_id=str(registration.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


# --- Extension requests ----------------------------------------------------------------------------------------


def test_partner_requests_an_extension(
    approved, partner_a_seller, partner_a_admin, channel_manager, capture, mailoutbox
):
    with capture():
        result = services.registration_request_extension(
            actor=partner_a_seller, registration=approved, reason="Budget moves to Q3."
        )
    assert result.extension_requested_at is not None
    assert result.extension_reason == "Budget moves to Q3."
    event = AuditEvent.objects.get(verb="deal.extension_requested")
    assert (event.actor, event.reason) == (partner_a_seller, "Budget moves to Q3.")
    (to_manager,) = notes(channel_manager, "deal_extension_requested")
    assert "Northwind Solutions asks for 30 more days" in to_manager.body_text
    assert "Budget moves to Q3." in to_manager.body_text
    for person in (partner_a_seller, partner_a_admin):
        (note,) = notes(person, "deal_extension_requested")
        assert "a channel manager decides" in note.body_text
    assert len(mailoutbox) == 3


def test_extension_refusals(approved, partner_a_seller, partner_b_user):
    with pytest.raises(ValidationError, match="Give a reason"):
        services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="  ")
    with pytest.raises(ValidationError, match="Only your company"):
        services.registration_request_extension(actor=partner_b_user, registration=approved, reason="Mine now")
    submitted = SubmittedRegistrationFactory(partner=approved.partner)
    with pytest.raises(ValidationError, match="Only an approved registration"):
        services.registration_request_extension(actor=partner_a_seller, registration=submitted, reason="Why not")
    Registration.objects.filter(pk=approved.pk).update(extensions_used=1)
    approved.refresh_from_db()
    with pytest.raises(ValidationError, match="allows 1 extension per registration, and this one has used it"):
        services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Again")
    Registration.objects.filter(pk=approved.pk).update(
        extensions_used=0, protected_until=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="already ended"):
        services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Late")
    assert not AuditEvent.objects.filter(verb="deal.extension_requested").exists()


def test_extension_request_double_click_records_one(approved, partner_a_seller):
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    with pytest.raises(ValidationError, match="waiting for a channel manager"):
        services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    assert AuditEvent.objects.filter(verb="deal.extension_requested").count() == 1


def test_manager_grants_the_extension(approved, partner_a_seller, channel_manager, capture):
    set_policy(extension_days=21)
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    before = approved.protected_until
    with capture():
        result = services.registration_decide_extension(actor=channel_manager, registration=approved, approve=True)
    assert result.protected_until == before + timedelta(days=21)
    assert result.extensions_used == 1
    assert result.extension_requested_at is None
    event = AuditEvent.objects.get(verb="deal.extension_decided")
    assert event.after["approved"] is True
    assert event.before["protected_until"] == before.isoformat()
    (note,) = notes(partner_a_seller, "deal_extension_decided")
    assert "is granted" in note.body_text
    with pytest.raises(ValidationError, match="no pending extension request"):
        services.registration_decide_extension(actor=channel_manager, registration=approved, approve=True)
    result.refresh_from_db()
    assert result.extensions_used == 1


def test_manager_refuses_the_extension_with_a_reason(approved, partner_a_seller, channel_manager, capture):
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    with pytest.raises(ValidationError, match="Give a reason"):
        services.registration_decide_extension(actor=channel_manager, registration=approved, approve=False)
    with capture():
        result = services.registration_decide_extension(
            actor=channel_manager, registration=approved, approve=False, reason="The customer signed with us."
        )
    assert result.protected_until == approved.protected_until
    assert (result.extensions_used, result.extension_requested_at) == (0, None)
    (note,) = notes(partner_a_seller, "deal_extension_decided")
    assert "was refused" in note.body_text
    assert "The customer signed with us." in note.body_text


def test_partner_cannot_decide_an_extension(approved, partner_a_seller, partner_a_admin):
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.registration_decide_extension(actor=partner_a_admin, registration=approved, approve=True)


# --- Won / lost ------------------------------------------------------------------------------------------------


def test_partner_marks_the_deal_won(approved, partner_a_seller, channel_manager, capture):
    with capture():
        result = services.registration_close(
            actor=partner_a_seller, registration=approved, won=True, amount="48,500.5", reason="Signed"
        )
    assert (result.status, result.stage, result.won_amount) == (Status.WON, "won", Decimal("48500.50"))
    assert result.closed_at is not None
    event = AuditEvent.objects.get(verb="deal.won")
    assert event.after == {"status": "won", "stage": "won", "won_amount": "48500.50"}
    (to_manager,) = notes(channel_manager, "deal_closed")
    assert "is won: $48,500.50" in to_manager.body_text
    (to_partner,) = notes(partner_a_seller, "deal_closed")
    assert "Congratulations" in to_partner.body_text
    with pytest.raises(ValidationError, match="is won, so it cannot be closed as won"):
        services.registration_close(actor=partner_a_seller, registration=approved, won=True, amount="48500")
    assert AuditEvent.objects.filter(verb="deal.won").count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [(None, "Give the amount"), ("0", "more than zero"), ("-5", "more than zero"), ("lots", "as a number")],
)
def test_won_needs_a_positive_amount(approved, partner_a_seller, amount, message):
    with pytest.raises(ValidationError, match=message):
        services.registration_close(actor=partner_a_seller, registration=approved, won=True, amount=amount)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_manager_marks_the_deal_lost(approved, partner_a_seller, channel_manager, capture):
    with capture():
        result = services.registration_close(
            actor=channel_manager, registration=approved, won=False, reason="Went with a competitor."
        )
    assert (result.status, result.stage, result.won_amount) == (Status.LOST, "lost", None)
    assert verbs(approved)[-1] == "deal.lost"
    (note,) = notes(partner_a_seller, "deal_closed")
    assert "marked as lost by our channel team" in note.body_text
    assert not notes(channel_manager, "deal_closed")


def test_close_refusals(approved, partner_a_seller, partner_b_user):
    with pytest.raises(ValidationError, match="Only your company"):
        services.registration_close(actor=partner_b_user, registration=approved, won=False)
    submitted = SubmittedRegistrationFactory(partner=approved.partner)
    with pytest.raises(ValidationError, match="is submitted, so it cannot be closed as lost"):
        services.registration_close(actor=partner_a_seller, registration=submitted, won=False)


# --- Expiry ----------------------------------------------------------------------------------------------------


def test_expire_due_expires_once_and_tells_the_partner(approved, partner_a_seller, capture):
    later = approved.protected_until + timedelta(minutes=1)
    still_protected = RegistrationFactory(
        partner=approved.partner, status=Status.APPROVED, protected_until=later + timedelta(days=1)
    )
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    with capture():
        assert services.registration_expire_due(now=later) == 1
        assert services.registration_expire_due(now=later) == 0
    approved.refresh_from_db()
    still_protected.refresh_from_db()
    assert approved.status == Status.EXPIRED
    assert approved.extension_requested_at is None
    assert still_protected.status == Status.APPROVED
    event = AuditEvent.objects.get(verb="deal.expired")
    assert event.actor is None
    (note,) = notes(partner_a_seller, "deal_expired")
    assert "has expired" in note.body_text


# --- Sweeps ----------------------------------------------------------------------------------------------------


def test_reminder_days_parsing():
    assert reminder_days("14,3") == [14, 3]
    assert reminder_days(" 3, 14 ,x,0,-2,3") == [14, 3]
    assert reminder_days("") == []


def test_sla_reminder_once_per_registration_and_due_date(partner_a, channel_manager, capture):
    other_manager = ChannelManagerFactory(email="lee@startup.example.com")
    now = timezone.now()
    soon = SubmittedRegistrationFactory(partner=partner_a, decision_due_at=now + timedelta(hours=10))
    SubmittedRegistrationFactory(partner=partner_a, decision_due_at=now + timedelta(hours=30))
    with capture():
        assert remind_sla(now) == 2
        assert remind_sla(now + timedelta(hours=1)) == 0
    for manager in (channel_manager, other_manager):
        (note,) = notes(manager, "deal_sla_reminder")
        assert soon.name in note.subject
    # Resubmitted: a new due date is a new clock.
    Registration.objects.filter(pk=soon.pk).update(decision_due_at=now + timedelta(hours=20))
    with capture():
        assert remind_sla(now) == 2


def test_sla_breach_escalates_once_to_every_manager(partner_a, channel_manager, capture):
    ChannelManagerFactory(email="lee@startup.example.com")
    now = timezone.now()
    late = SubmittedRegistrationFactory(partner=partner_a, decision_due_at=now - timedelta(hours=1))
    with capture():
        assert remind_sla(now) == 0
        assert escalate_sla(now) == channel_managers().count() == 2
        assert escalate_sla(now + timedelta(days=1)) == 0
    (note,) = notes(channel_manager, "deal_sla_breached")
    assert late.name in note.body_text
    # Decided: no more escalation.
    Registration.objects.filter(pk=late.pk).update(status=Status.APPROVED, decision_due_at=now - timedelta(days=1))
    assert escalate_sla(now + timedelta(days=2)) == 0


def test_expiry_reminders_at_14_and_3_days(approved, partner_a_seller, partner_a_admin, capture):
    end = approved.protected_until
    with capture():
        assert remind_expiry(end - timedelta(days=20)) == 0
        assert remind_expiry(end - timedelta(days=14) + timedelta(hours=1)) == 2  # seller and admin
        assert remind_expiry(end - timedelta(days=14) + timedelta(hours=2)) == 0
        assert remind_expiry(end - timedelta(days=10)) == 0
        assert remind_expiry(end - timedelta(days=3) + timedelta(hours=1)) == 2
        assert remind_expiry(end - timedelta(days=2)) == 0
    first, second = notes(partner_a_seller, "deal_expiry_reminder")
    assert "14 days left" in first.body_text
    assert "ask for an extension" in first.body_text
    assert "3 days left" in second.body_text
    assert len(notes(partner_a_admin, "deal_expiry_reminder")) == 2


def test_expiry_reminder_again_after_an_extension(approved, partner_a_seller, channel_manager, capture):
    end = approved.protected_until
    with capture():
        assert remind_expiry(end - timedelta(days=2)) == 2  # a missed day: only the 3-day reminder
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    services.registration_decide_extension(actor=channel_manager, registration=approved, approve=True)
    approved.refresh_from_db()
    with capture():
        assert remind_expiry(approved.protected_until - timedelta(days=2)) == 2
    latest = notes(partner_a_seller, "deal_expiry_reminder")[-1]
    assert "ask for an extension" not in latest.body_text  # the one extension is used


def test_daily_sweep_twice_sends_nothing_twice(approved, partner_a, channel_manager, capture):
    now = timezone.now()
    SubmittedRegistrationFactory(partner=partner_a, decision_due_at=now + timedelta(hours=3))
    SubmittedRegistrationFactory(partner=partner_a, decision_due_at=now - timedelta(hours=3))
    Registration.objects.filter(pk=approved.pk).update(protected_until=now + timedelta(days=3) - timedelta(hours=1))
    gone = RegistrationFactory(partner=partner_a, status=Status.APPROVED, protected_until=now - timedelta(hours=1))
    ours = ("deal-sla-reminder", "deal-sla-breached", "deal-expiry-reminder", "deal-expiry")
    with capture():
        first = reminders.run_all(now)
    assert {name: first[name] for name in ours} == {
        "deal-sla-reminder": 1,
        "deal-sla-breached": 1,
        "deal-expiry-reminder": 2,  # the partner's admin and the seller who created it
        "deal-expiry": 1,
    }
    count = Notification.objects.count()
    with capture():
        second = reminders.run_all(now)
    assert {name: second[name] for name in ours} == dict.fromkeys(ours, 0)
    assert Notification.objects.count() == count
    gone.refresh_from_db()
    assert gone.status == Status.EXPIRED
    assert expire_registrations(now) == 0


# --- Views -----------------------------------------------------------------------------------------------------


def test_portal_detail_shows_protection_and_actions(approved, seller_client_a):
    page = seller_client_a.get(reverse("portal:deal_detail", args=[approved.pk])).content.decode()
    assert "Protected until" in page
    assert "days left" in page
    assert reverse("portal:deal_extend", args=[approved.pk]) in page
    assert "Mark as won" in page
    assert "Mark as lost" in page
    Registration.objects.filter(pk=approved.pk).update(extensions_used=1)
    page = seller_client_a.get(reverse("portal:deal_detail", args=[approved.pk])).content.decode()
    assert reverse("portal:deal_extend", args=[approved.pk]) not in page
    assert "No extension possible" in page


def test_partner_requests_an_extension_and_manager_grants_it(approved, seller_client_a, manager_client):
    response = seller_client_a.post(reverse("portal:deal_extend", args=[approved.pk]), {"reason": "Budget in Q3"})
    assert response.status_code == 302
    assert response.url == reverse("portal:deal_detail", args=[approved.pk])
    page = seller_client_a.get(response.url).content.decode()
    assert "Extension requested" in page
    approved.refresh_from_db()
    assert approved.extension_reason == "Budget in Q3"
    page = manager_client.get(reverse("manage:deal_detail", args=[approved.pk])).content.decode()
    assert "Budget in Q3" in page
    assert reverse("manage:deal_extension_decide", args=[approved.pk]) in page
    before = approved.protected_until
    response = manager_client.post(
        reverse("manage:deal_extension_decide", args=[approved.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.protected_until == before + timedelta(days=30)


def test_manager_refusal_without_reason_is_a_message(approved, partner_a_seller, manager_client):
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    response = manager_client.post(
        reverse("manage:deal_extension_decide", args=[approved.pk]), {"decision": "deny"}, follow=True
    )
    assert "Tell the partner why you refuse" in response.content.decode()
    approved.refresh_from_db()
    assert approved.extension_requested_at is not None


def test_partner_closes_as_won_and_a_bad_amount_is_kept(approved, seller_client_a):
    url = reverse("portal:deal_close", args=[approved.pk])
    response = seller_client_a.post(url, {"outcome": "won", "amount": "12k", "reason": "Signed"}, follow=True)
    page = response.content.decode()
    assert "Enter a number" in page
    assert 'value="12k"' in page  # what was typed comes back
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    response = seller_client_a.post(url, {"outcome": "won", "amount": "12000", "reason": "Signed"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.won_amount) == (Status.WON, Decimal("12000"))
    page = seller_client_a.get(response.url).content.decode()
    assert "$12,000.00" in page
    # A second click is a message, not an error page.
    response = seller_client_a.post(url, {"outcome": "lost"}, follow=True)
    assert response.status_code == 200
    assert "cannot be closed as lost" in response.content.decode()


def test_outsider_gets_404(approved, outsider_client):
    for name, data in (("portal:deal_extend", {"reason": "x"}), ("portal:deal_close", {"outcome": "lost"})):
        assert outsider_client.post(reverse(name, args=[approved.pk]), data).status_code == 404
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.extension_requested_at is None


def test_partner_cannot_use_the_manager_decision(approved, partner_a_seller, admin_client_a):
    services.registration_request_extension(actor=partner_a_seller, registration=approved, reason="Budget")
    response = admin_client_a.post(reverse("manage:deal_extension_decide", args=[approved.pk]), {"decision": "approve"})
    assert response.status_code == 404
    approved.refresh_from_db()
    assert approved.extensions_used == 0


def test_lifecycle_views_are_post_only(approved, seller_client_a, manager_client):
    assert seller_client_a.get(reverse("portal:deal_extend", args=[approved.pk])).status_code == 405
    assert seller_client_a.get(reverse("portal:deal_close", args=[approved.pk])).status_code == 405
    assert manager_client.get(reverse("manage:deal_extension_decide", args=[approved.pk])).status_code == 405
