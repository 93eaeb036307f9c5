"""The channel team's decisions: approve, reject, ask for information (and the partner's resubmission), resolve a
conflict between partners. Each applies once, is audited and is told to the partner."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dealreg import services
from dealreg.models import Account, Conflict, Registration
from dealreg.policy import policy_get
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import SubmittedRegistrationFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

ACME = {"name": "Acme Robotics GmbH", "website": "https://www.acme-robotics.de", "country": "DE"}


def set_policy(**changes):
    """The policy row may have been flushed by a transactional test: policy_get() puts it back."""
    policy = policy_get()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submitted(actor, partner, capture, **data):
    registration = services.registration_save_draft(actor=actor, partner=partner, data={**ACME, **data})
    with capture():
        return services.registration_submit(actor=actor, registration=registration)


def notes(user, template):
    return list(Notification.objects.filter(recipient=user, template=template).order_by("pk"))


@pytest.fixture
def clear_deal(partner_a, partner_a_seller, capture):
    return submitted(partner_a_seller, partner_a, capture)


@pytest.fixture
def contested(partner_a, partner_a_seller, partner_b, partner_b_user, capture):
    """B registered Acme first, then A: a conflict between partners."""
    first = submitted(partner_b_user, partner_b, capture, name="ACME Robotics", website="acme-robotics.de")
    second = submitted(partner_a_seller, partner_a, capture)
    first.refresh_from_db()
    assert second.has_conflict
    assert first.has_conflict
    return first, second


# --- Approve -------------------------------------------------------------------------------------------------


def test_approve_protects_for_the_exclusivity_window(
    clear_deal, channel_manager, partner_a_admin, partner_a_seller, capture, mailoutbox
):
    set_policy(exclusivity_days=45)
    mailoutbox.clear()
    with capture():
        approved = services.registration_approve(actor=channel_manager, registration=clear_deal)
    assert approved.status == Registration.Status.APPROVED
    assert approved.decided_by == channel_manager
    assert abs(approved.protected_until - (timezone.now() + timedelta(days=45))) < timedelta(minutes=1)
    event = AuditEvent.objects.get(verb="deal.approved")
    assert (event.actor, event.before, event.after["status"]) == (channel_manager, {"status": "submitted"}, "approved")
    for person in (partner_a_admin, partner_a_seller):
        (note,) = notes(person, "deal_approved")
        assert "protected until" in note.body_text
        assert approved.protected_until.strftime("%Y") in note.body_text
    assert len(mailoutbox) == 2


def test_a_double_click_approves_once(clear_deal, channel_manager, capture):
    with capture():
        services.registration_approve(actor=channel_manager, registration=clear_deal)
    with pytest.raises(ValidationError, match=r"already approved .*Maya Chen.*Nothing was changed"):
        services.registration_approve(actor=channel_manager, registration=clear_deal)
    with pytest.raises(ValidationError, match="already approved"):
        services.registration_reject(actor=channel_manager, registration=clear_deal, reason="Too late")
    assert AuditEvent.objects.filter(verb__in=["deal.approved", "deal.rejected"]).count() == 1


def test_only_channel_managers_decide(clear_deal, partner_a_admin):
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.registration_approve(actor=partner_a_admin, registration=clear_deal)
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.registration_reject(actor=partner_a_admin, registration=clear_deal, reason="No")


def test_approve_is_refused_while_another_partner_competes(contested, channel_manager):
    first, second = contested
    for registration in (first, second):
        with pytest.raises(ValidationError, match="resolve the conflict"):
            services.registration_approve(actor=channel_manager, registration=registration, reason="Mine")
    assert not Registration.objects.filter(status=Registration.Status.APPROVED).exists()


def test_approving_over_our_own_customer_needs_a_reason(partner_a, partner_a_seller, channel_manager, capture):
    Account.objects.create(name="Acme Robotics", website="acme-robotics.de", is_customer=True)
    registration = submitted(partner_a_seller, partner_a, capture)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.registration_approve(actor=channel_manager, registration=registration)
    with capture():
        approved = services.registration_approve(
            actor=channel_manager, registration=registration, reason="Expansion into a new division, agreed with sales"
        )
    assert approved.status == Registration.Status.APPROVED
    assert AuditEvent.objects.get(verb="deal.approved").reason.startswith("Expansion")
    assert not Conflict.objects.filter(registration=registration, resolved_at__isnull=True).exists()


# --- Reject --------------------------------------------------------------------------------------------------


def test_reject_needs_a_reason_and_tells_the_partner_what_next(clear_deal, channel_manager, partner_a_seller, capture):
    with pytest.raises(ValidationError, match="Give a reason"):
        services.registration_reject(actor=channel_manager, registration=clear_deal, reason="   ")
    with capture():
        rejected = services.registration_reject(
            actor=channel_manager, registration=clear_deal, reason="The customer confirmed no project this year."
        )
    assert rejected.status == Registration.Status.REJECTED
    assert rejected.decision_reason == "The customer confirmed no project this year."
    assert AuditEvent.objects.get(verb="deal.rejected").reason == rejected.decision_reason
    (note,) = notes(partner_a_seller, "deal_rejected")
    assert "no project this year" in note.body_text
    assert "What next" in note.body_text


def test_rejecting_the_first_gives_the_next_priority(contested, channel_manager, capture):
    first, second = contested
    assert second.has_priority is False
    with capture():
        services.registration_reject(actor=channel_manager, registration=first, reason="Duplicate of an old deal")
    second.refresh_from_db()
    assert second.has_priority is True
    assert second.has_conflict is False
    with capture():
        services.registration_approve(actor=channel_manager, registration=second)  # nothing competes any more


# --- Ask for information, then the partner resubmits --------------------------------------------------------


def test_request_info_then_edit_and_resubmit(
    clear_deal, channel_manager, partner_a, partner_a_seller, partner_b, capture
):
    with pytest.raises(ValidationError, match="Give your question"):
        services.registration_request_info(actor=channel_manager, registration=clear_deal, question="")
    with capture():
        asked = services.registration_request_info(
            actor=channel_manager, registration=clear_deal, question="Which business unit is buying?"
        )
    assert asked.status == Registration.Status.NEEDS_INFO
    assert AuditEvent.objects.get(verb="deal.info_requested").reason == "Which business unit is buying?"
    (note,) = notes(partner_a_seller, "deal_info_requested")
    assert "Which business unit is buying?" in note.body_text
    assert f"/portal/deals/{clear_deal.pk}/edit/" in note.body_text
    with pytest.raises(ValidationError, match="cannot be sent back"):
        services.registration_request_info(actor=channel_manager, registration=asked, question="Again?")

    # Meanwhile another partner registered the customer under its new website: the resubmission checks again.
    SubmittedRegistrationFactory(partner=partner_b, name="Acme Automation", website="acme-automation.com")
    edited = services.registration_save_draft(
        actor=partner_a_seller,
        partner=partner_a,
        registration=asked,
        data={"website": "acme-automation.com", "name": "Acme Automation", "notes": "The automation unit buys"},
    )
    assert AuditEvent.objects.filter(verb="deal.updated", target_id=str(edited.pk)).exists()
    with capture():
        resubmitted = services.registration_submit(actor=partner_a_seller, registration=edited)
    assert resubmitted.status == Registration.Status.SUBMITTED
    assert resubmitted.submitted_at == clear_deal.submitted_at  # the original registration date
    assert resubmitted.decision_due_at > clear_deal.decision_due_at  # a fresh clock
    assert resubmitted.has_conflict is True
    assert resubmitted.conflicts.get().kind == Conflict.Kind.REGISTRATION
    assert AuditEvent.objects.filter(verb="deal.submitted", target_id=str(edited.pk)).count() == 2


# --- Resolve a conflict between partners ---------------------------------------------------------------------


def test_resolve_approves_the_holder_and_rejects_the_others(
    contested, channel_manager, partner_a_seller, partner_b_user, capture
):
    first, second = contested
    third_partner = PartnerFactory(name="Fabrikam Resellers")
    third_user = MembershipFactory(partner=third_partner, role="admin").user
    third = submitted(third_user, third_partner, capture, name="Acme Robotics AG")
    with pytest.raises(ValidationError, match="Give a reason"):
        services.conflict_resolve(actor=channel_manager, registration=second, holder=first, reason="")
    with capture():
        holder = services.conflict_resolve(
            actor=channel_manager, registration=second, holder=second, reason="Sourced by them; the customer confirmed"
        )
    assert holder == second
    assert holder.status == Registration.Status.APPROVED
    assert holder.protected_until > timezone.now() + timedelta(days=89)
    for other in (first, third):
        other.refresh_from_db()
        assert other.status == Registration.Status.REJECTED
        assert other.decision_reason == "Sourced by them; the customer confirmed"
    assert not Conflict.objects.filter(resolved_at__isnull=True).exists()
    assert AuditEvent.objects.filter(verb="deal.resolved").count() == 3

    (won,) = notes(partner_a_seller, "deal_conflict_resolved")
    assert "Yours holds the customer" in won.body_text
    for user in (partner_b_user, third_user):
        (lost,) = notes(user, "deal_conflict_resolved")
        text = f"{lost.subject} {lost.body_text} {lost.body_html}"
        assert "customer confirmed" in text
        for secret in ("Northwind", "Fabrikam", "Contoso"):
            assert secret not in text

    # The second click finds nothing left to resolve.
    with pytest.raises(ValidationError, match="no conflict between partners left"):
        services.conflict_resolve(actor=channel_manager, registration=second, holder=second, reason="Again")
    assert AuditEvent.objects.filter(verb="deal.resolved").count() == 3


def test_resolve_with_an_approved_holder_keeps_its_protection(
    partner_a, partner_a_seller, partner_b, channel_manager, capture
):
    protected_until = timezone.now() + timedelta(days=20)
    holder = SubmittedRegistrationFactory(
        partner=partner_b,
        name="Acme Robotics",
        website="acme-robotics.de",
        status=Registration.Status.APPROVED,
        protected_until=protected_until,
    )
    late = submitted(partner_a_seller, partner_a, capture)
    assert late.has_conflict
    assert not late.has_priority
    with pytest.raises(ValidationError, match="resolve the conflict"):
        services.registration_approve(actor=channel_manager, registration=late, reason="?")
    with capture():
        services.conflict_resolve(actor=channel_manager, registration=late, holder=holder, reason="Protected already")
    holder.refresh_from_db()
    late.refresh_from_db()
    assert holder.status == Registration.Status.APPROVED
    assert holder.protected_until == protected_until
    assert late.status == Registration.Status.REJECTED


def test_resolve_refuses_a_holder_outside_the_conflict(contested, clear_deal_elsewhere, channel_manager):
    first, second = contested
    with pytest.raises(ValidationError, match="among the registrations in this conflict"):
        services.conflict_resolve(
            actor=channel_manager, registration=second, holder=clear_deal_elsewhere, reason="Wrong one"
        )
    first.refresh_from_db()
    assert first.status == Registration.Status.SUBMITTED


@pytest.fixture
def clear_deal_elsewhere(partner_b):
    return SubmittedRegistrationFactory(partner=partner_b, name="Globex Chemicals", website="globex.example")
