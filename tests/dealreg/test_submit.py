"""Drafts, submission with conflict detection, the first-to-register policy, the SLA clock, automatic approval,
updates with history, the check while typing and the partner-scoped reads."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from dealreg import selectors, services
from dealreg.models import Account, Conflict, DirectOpportunity, Registration
from dealreg.policy import add_business_days, policy_get
from dealreg.services.registrations.drafts import HINT_CUSTOMER, HINT_DIRECT, HINT_REGISTERED
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import RegistrationFactory, SubmittedRegistrationFactory

pytestmark = pytest.mark.django_db

ACME = {"name": "Acme Robotics GmbH", "website": "https://www.acme-robotics.de", "country": "DE"}


def draft(actor, partner, **data):
    return services.registration_save_draft(
        actor=actor, partner=partner, data={**ACME, "contact_name": "Jo Buyer", "value": "50000", **data}
    )


def submit(actor, registration, capture):
    with capture(execute=True):
        return services.registration_submit(actor=actor, registration=registration)


def notes_for(user, template):
    return list(Notification.objects.filter(recipient=user, template=template))


def set_policy(**changes):
    """The policy row may have been flushed by a transactional test: policy_get() puts it back."""
    policy = policy_get()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.save()


@pytest.fixture
def other_partners_deal(partner_b, partner_b_user):
    """Partner B registered Acme first (a different spelling, the same website)."""
    return SubmittedRegistrationFactory(
        partner=partner_b,
        created_by=partner_b_user,
        name="ACME Robotics",
        website="acme-robotics.de",
        products="Vision kit",
        value=Decimal("777000"),
    )


# --- The business-day clock ----------------------------------------------------------------------------------


def test_add_business_days_skips_weekends():
    tz = ZoneInfo("UTC")
    friday = datetime(2026, 11, 27, 15, 30, tzinfo=tz)
    assert add_business_days(friday, 2).date().isoformat() == "2026-12-01"  # Tuesday
    assert add_business_days(friday, 2).hour == 15
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=tz)
    assert add_business_days(saturday, 1).date().isoformat() == "2026-11-30"  # Monday
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=tz)
    assert add_business_days(monday, 5).date().isoformat() == "2026-11-30"  # next Monday
    assert add_business_days(monday, 0) == monday


# --- Drafts --------------------------------------------------------------------------------------------------


def test_draft_is_saved_and_edited_without_any_check(partner_a, partner_a_seller):
    registration = draft(partner_a_seller, partner_a, stage="poc", expected_close="2027-03-31")
    assert registration.status == Registration.Status.DRAFT
    assert registration.created_by == partner_a_seller
    assert registration.domain == "acme-robotics.de"
    assert registration.value == Decimal("50000")
    assert registration.passed_poc is True
    edited = services.registration_save_draft(
        actor=partner_a_seller, partner=partner_a, registration=registration, data={"value": "", "notes": "Pilot"}
    )
    assert edited.value is None
    assert edited.notes == "Pilot"
    assert not Conflict.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  "}, "name"),
        ({"stage": "won"}, "stage"),
        ({"value": "-5"}, "value"),
        ({"contact_email": "not an email"}, "contact_email"),
        ({"involvement": "bribed"}, "involvement"),
    ],
)
def test_draft_refuses_bad_input_with_a_message_on_the_field(partner_a, partner_a_seller, data, field):
    with pytest.raises(ValidationError) as exc:
        draft(partner_a_seller, partner_a, **data)
    assert field in exc.value.message_dict
    assert not Registration.objects.exists()


def test_only_the_partners_people_write_its_drafts(partner_a, partner_b_user, channel_manager):
    for outsider in (partner_b_user, channel_manager):
        with pytest.raises(ValidationError, match="company's people"):
            draft(outsider, partner_a)


def test_a_submitted_registration_is_not_edited_as_a_draft(partner_a, partner_a_seller):
    registration = SubmittedRegistrationFactory(partner=partner_a)
    with pytest.raises(ValidationError, match="only drafts"):
        services.registration_save_draft(
            actor=partner_a_seller, partner=partner_a, registration=registration, data={"name": "Other"}
        )


# --- Submission ----------------------------------------------------------------------------------------------


def test_submit_without_conflict_starts_the_clock_and_tells_everyone(
    partner_a, partner_a_admin, partner_a_seller, channel_manager, django_capture_on_commit_callbacks, mailoutbox
):
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)

    assert registration.status == Registration.Status.SUBMITTED
    assert registration.has_conflict is False
    assert registration.has_priority is True
    assert registration.submitted_at is not None
    assert registration.decision_due_at == add_business_days(registration.submitted_at, 2)
    event = AuditEvent.objects.get(verb="deal.submitted")
    assert event.actor == partner_a_seller
    assert event.before == {"status": "draft"}
    assert event.after["conflicts"] == []
    for person in (partner_a_admin, partner_a_seller):  # the admins and the creator
        (note,) = notes_for(person, "deal_submitted")
        assert "Nothing conflicts" in note.body_text
    (new,) = notes_for(channel_manager, "deal_new")
    assert "Northwind Solutions" in new.subject
    assert "Decide by" in new.body_text
    assert len(mailoutbox) == 3


def test_submit_twice_applies_once(partner_a, partner_a_seller, django_capture_on_commit_callbacks):
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="already submitted"):
        services.registration_submit(actor=partner_a_seller, registration=registration)
    assert AuditEvent.objects.filter(verb="deal.submitted").count() == 1


def test_another_partners_registration_is_a_conflict_that_never_names_it(
    partner_a,
    partner_a_admin,
    partner_a_seller,
    other_partners_deal,
    channel_manager,
    django_capture_on_commit_callbacks,
):
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)

    assert registration.has_conflict is True
    assert registration.has_priority is False  # B registered first
    (conflict,) = registration.conflicts.all()
    assert conflict.kind == Conflict.Kind.REGISTRATION
    assert conflict.other_registration == other_partners_deal
    assert conflict.verdict == "same"
    assert conflict.reasons
    assert any("acme-robotics.de" in reason for reason in conflict.reasons)
    other_partners_deal.refresh_from_db()
    assert other_partners_deal.has_conflict is True  # the earlier one is now in conflict too
    assert other_partners_deal.has_priority is True

    for person in (partner_a_admin, partner_a_seller):
        (note,) = notes_for(person, "deal_submitted")
        text = f"{note.subject} {note.body_text} {note.body_html}"
        assert "conflict, under review" in note.subject
        assert "another registration already covers this customer" in text
        assert "submitted before yours" in text
        for secret in ("Contoso", "ACME Robotics", "Vision kit", "777", f"/deals/{other_partners_deal.pk}/"):
            assert secret not in text
    (new,) = notes_for(channel_manager, "deal_new")
    assert "Another partner's registration" in new.body_text


def test_the_first_to_register_keeps_priority_when_it_resubmits(
    partner_a, partner_a_seller, partner_b, partner_b_user, django_capture_on_commit_callbacks
):
    mine = draft(partner_a_seller, partner_a)
    mine = submit(partner_a_seller, mine, django_capture_on_commit_callbacks)
    later = SubmittedRegistrationFactory(partner=partner_b, name="Acme Robotics AG", website="acme-robotics.de")
    later.submitted_at = mine.submitted_at + timedelta(minutes=5)
    later.save()
    Registration.objects.filter(pk=mine.pk).update(status=Registration.Status.NEEDS_INFO)
    mine = submit(partner_a_seller, mine, django_capture_on_commit_callbacks)
    assert mine.has_conflict is True
    assert mine.has_priority is True
    later.refresh_from_db()
    assert later.has_priority is False
    assert later.has_conflict is True


@pytest.mark.parametrize(
    ("flags", "kind", "wording"),
    [
        ({"is_customer": True}, Conflict.Kind.CUSTOMER, "already our customer"),
        ({"is_named_account": True}, Conflict.Kind.NAMED_ACCOUNT, "our own sales team looks after"),
    ],
)
def test_customers_and_named_accounts_are_conflicts(
    partner_a, partner_a_seller, django_capture_on_commit_callbacks, flags, kind, wording
):
    account = Account.objects.create(name="Acme Robotics", website="acme-robotics.de", country="DE", **flags)
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    (conflict,) = registration.conflicts.all()
    assert conflict.kind == kind
    assert conflict.account == account
    assert registration.account == account
    assert registration.has_conflict is True
    assert registration.has_priority is True  # no partner registered it before
    (note,) = notes_for(partner_a_seller, "deal_submitted")
    assert wording in note.body_text


def test_each_open_direct_opportunity_is_a_conflict(partner_a, partner_a_seller, django_capture_on_commit_callbacks):
    account = Account.objects.create(name="Acme Robotics Inc.", website="https://acme-robotics.de/en", country="DE")
    open_ones = [
        DirectOpportunity.objects.create(account=account, title=title) for title in ("Expansion", "Second site")
    ]
    DirectOpportunity.objects.create(account=account, title="Old", stage=DirectOpportunity.Stage.LOST)
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    conflicts = registration.conflicts.all()
    assert {c.kind for c in conflicts} == {Conflict.Kind.OPPORTUNITY}
    assert {c.opportunity for c in conflicts} == set(open_ones)
    (note,) = notes_for(partner_a_seller, "deal_submitted")
    assert "our own sales team is working with this customer" in note.body_text
    assert "Expansion" not in note.body_text


def test_a_plain_account_without_customers_or_pipeline_is_linked_but_no_conflict(
    partner_a, partner_a_seller, django_capture_on_commit_callbacks
):
    account = Account.objects.create(name="Acme Robotics", website="acme-robotics.de")
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.account == account
    assert registration.has_conflict is False


def test_registrations_for_other_products_are_not_a_conflict(
    partner_a, partner_a_seller, other_partners_deal, django_capture_on_commit_callbacks
):
    registration = submit(
        partner_a_seller,
        draft(partner_a_seller, partner_a, products="Analytics suite, Support"),
        django_capture_on_commit_callbacks,
    )
    assert registration.has_conflict is False
    assert not registration.conflicts.exists()
    event = AuditEvent.objects.get(verb="deal.submitted")
    (reason,) = event.after["not_conflicts"]
    assert "other products" in reason


def test_a_shared_product_is_a_conflict(
    partner_a, partner_a_seller, other_partners_deal, django_capture_on_commit_callbacks
):
    registration = submit(
        partner_a_seller,
        draft(partner_a_seller, partner_a, products="vision KIT; Support"),
        django_capture_on_commit_callbacks,
    )
    assert registration.has_conflict is True


def test_the_partners_own_registrations_are_not_conflicts(
    partner_a, partner_a_seller, django_capture_on_commit_callbacks
):
    SubmittedRegistrationFactory(partner=partner_a, name="Acme Robotics", website="acme-robotics.de")
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.has_conflict is False
    assert registration.has_priority is True


def test_inactive_or_expired_registrations_are_not_conflicts(
    partner_a, partner_a_seller, partner_b, django_capture_on_commit_callbacks
):
    RegistrationFactory(partner=partner_b, name="Acme Robotics", website="acme-robotics.de")  # a draft
    SubmittedRegistrationFactory(
        partner=partner_b, name="Acme Robotics", website="acme-robotics.de", status=Registration.Status.REJECTED
    )
    SubmittedRegistrationFactory(
        partner=partner_b,
        name="Acme Robotics",
        website="acme-robotics.de",
        status=Registration.Status.APPROVED,
        protected_until=datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC")),
    )
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.has_conflict is False


# --- Automatic approval --------------------------------------------------------------------------------------


def test_auto_approve_without_any_conflict(
    partner_a, partner_a_seller, channel_manager, django_capture_on_commit_callbacks
):
    set_policy(auto_approve_without_conflict=True, exclusivity_days=60)
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.status == Registration.Status.APPROVED
    assert registration.decided_by is None
    assert registration.protected_until.date() == (registration.decided_at + timedelta(days=60)).date()
    approved = AuditEvent.objects.get(verb="deal.approved")
    assert approved.actor is None
    assert approved.reason == "approved automatically: no conflict"
    (note,) = notes_for(partner_a_seller, "deal_approved")
    assert "automatically" in note.body_text
    assert "protected until" in note.body_text
    assert not notes_for(channel_manager, "deal_new")  # nothing to decide


def test_auto_approve_never_approves_a_conflict(
    partner_a, partner_a_seller, other_partners_deal, django_capture_on_commit_callbacks
):
    set_policy(auto_approve_without_conflict=True)
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.status == Registration.Status.SUBMITTED
    assert not AuditEvent.objects.filter(verb="deal.approved").exists()


def test_auto_approve_off_by_default(partner_a, partner_a_seller, django_capture_on_commit_callbacks):
    assert policy_get().auto_approve_without_conflict is False
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    assert registration.status == Registration.Status.SUBMITTED


# --- Updates keep history ------------------------------------------------------------------------------------


def test_update_keeps_history_and_marks_the_poc(partner_a, partner_a_seller, django_capture_on_commit_callbacks):
    registration = submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    updated = services.registration_update(
        actor=partner_a_seller,
        registration=registration,
        data={"stage": "poc", "value": Decimal("65000"), "expected_close": "2027-05-01", "notes": ""},
    )
    assert updated.stage == "poc"
    assert updated.passed_poc is True
    event = AuditEvent.objects.get(verb="deal.updated")
    assert event.before == {"stage": "discovery", "value": "50000.00", "expected_close": None}
    assert event.after == {"stage": "poc", "value": "65000", "expected_close": "2027-05-01"}
    # Nothing changed: nothing recorded.
    services.registration_update(actor=partner_a_seller, registration=updated, data={"stage": "poc"})
    assert AuditEvent.objects.filter(verb="deal.updated").count() == 1
    # Later stages keep the POC mark.
    services.registration_update(actor=partner_a_seller, registration=updated, data={"stage": "proposal"})
    updated.refresh_from_db()
    assert updated.passed_poc is True


def test_update_refuses_closing_other_fields_and_drafts(partner_a, partner_a_seller, partner_b_user):
    registration = SubmittedRegistrationFactory(partner=partner_a)
    with pytest.raises(ValidationError, match="lifecycle"):
        services.registration_update(actor=partner_a_seller, registration=registration, data={"stage": "won"})
    with pytest.raises(ValidationError, match="cannot be changed here"):
        services.registration_update(actor=partner_a_seller, registration=registration, data={"name": "Renamed"})
    with pytest.raises(ValidationError, match="company's people"):
        services.registration_update(actor=partner_b_user, registration=registration, data={"stage": "poc"})
    a_draft = RegistrationFactory(partner=partner_a)
    with pytest.raises(ValidationError, match="only submitted and approved"):
        services.registration_update(actor=partner_a_seller, registration=a_draft, data={"stage": "poc"})
    assert not AuditEvent.objects.filter(verb="deal.updated").exists()


# --- The check while typing ----------------------------------------------------------------------------------


def test_check_preview_is_empty_when_clear(partner_a):
    assert services.registration_check_preview(partner=partner_a, name="Zyxwv Unheard Of Ltd") == []
    assert services.registration_check_preview(partner=partner_a, name="") == []


def test_check_preview_explains_in_plain_words_without_identities(partner_a, partner_b, other_partners_deal):
    account = Account.objects.create(
        name="Acme Robotics", website="acme-robotics.de", is_customer=True, is_named_account=True
    )
    DirectOpportunity.objects.create(account=account, title="Secret expansion")
    hints = services.registration_check_preview(partner=partner_a, name="Acme Robotics", website="acme-robotics.de")
    assert hints == [HINT_REGISTERED, HINT_CUSTOMER, HINT_DIRECT] or sorted(hints) == sorted(
        [HINT_REGISTERED, HINT_CUSTOMER, HINT_DIRECT]
    )
    text = " ".join(hints)
    for secret in ("Contoso", "Secret", "Vision", "777"):
        assert secret not in text


def test_check_preview_tells_of_an_open_direct_opportunity_in_one_query(partner_a, django_assert_max_num_queries):
    plain = Account.objects.create(name="Quillfeather Analytics", website="quillfeather.io")
    assert services.registration_check_preview(partner=partner_a, name="Quillfeather Analytics") == []
    DirectOpportunity.objects.create(account=plain, title="Pilot")
    for n in range(5):  # namesakes found as candidates cost no extra query each
        Account.objects.create(name=f"Quillfeather Analytics {n}", website=f"quillfeather{n}.io")
    with django_assert_max_num_queries(8):
        hints = services.registration_check_preview(partner=partner_a, name="Quillfeather Analytics")
    assert hints == [HINT_DIRECT]


def test_check_preview_ignores_the_partners_own_registrations(partner_a, partner_b):
    SubmittedRegistrationFactory(partner=partner_b, name="Acme Robotics", website="acme-robotics.de")
    assert services.registration_check_preview(partner=partner_b, name="Acme Robotics GmbH") == []
    assert services.registration_check_preview(partner=partner_a, name="Acme Robotics GmbH") == [HINT_REGISTERED]


# --- Reads ---------------------------------------------------------------------------------------------------


def test_access_registration_is_scoped_to_the_partner(partner_a, partner_b):
    mine = RegistrationFactory(partner=partner_a)
    assert selectors.access_registration(partner=partner_a, pk=mine.pk) == mine
    with pytest.raises(Http404):
        selectors.access_registration(partner=partner_b, pk=mine.pk)
    with pytest.raises(Http404):
        selectors.access_registration(partner=partner_a, pk=mine.pk + 1000)


def test_lists_are_filtered_counted_and_bounded(
    partner_a, partner_a_seller, other_partners_deal, django_capture_on_commit_callbacks, django_assert_num_queries
):
    submit(partner_a_seller, draft(partner_a_seller, partner_a), django_capture_on_commit_callbacks)
    RegistrationFactory.create_batch(5, partner=partner_a)
    with django_assert_num_queries(1):
        rows = [(r.partner.name, r.open_conflicts) for r in selectors.registration_list(filters={})]
    assert len(rows) == 7
    assert ("Northwind Solutions", 1) in rows
    mine = selectors.registration_list_for_partner(partner=partner_a, filters={"status": "active"})
    assert [r.name for r in mine] == ["Acme Robotics GmbH"]
    assert selectors.registration_list(filters={"conflict": "1"}).count() == 2
    assert selectors.registration_list(filters={"partner": other_partners_deal.partner_id}).count() == 1
    assert selectors.registration_list(filters={"min_value": Decimal("100000")}).count() == 1
    queue = list(selectors.review_queue())
    assert queue[0] == other_partners_deal  # oldest first
    view = selectors.conflict_view(registration=other_partners_deal)
    assert view.conflicts == []
    assert len(view.incoming) == 1
    assert view.incoming[0].registration.partner == partner_a
    assert len(view.open_partner_conflicts) == 1
