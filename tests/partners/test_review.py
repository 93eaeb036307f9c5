"""The channel managers' review queue: what it shows, approving (invites the contact as admin, welcome email),
declining (a reason the applicant receives), each decision taken once and audited; partner users see none of it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners import services
from partners.models import Application, Invitation, Partner, PartnerMembership
from prm.models import AuditEvent
from tests.factories import ChannelManagerFactory, PartnerFactory
from tests.partners.factories_recruitment import (
    admin_of,
    distributor,
    stub_onboarding_start_if_missing,
    submit_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding_start_calls(monkeypatch):
    return stub_onboarding_start_if_missing(monkeypatch)


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def applied_days_ago(application: Application, days: int) -> None:
    Partner.objects.filter(pk=application.partner_id).update(applied_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def waiting(db):
    """Three applications: an old one, a recent flagged look-alike, one proposed by a distributor."""
    old = submit_application(name="Ardent Retail", website="https://ardent.shop", contact_email="li@ardent.shop")
    applied_days_ago(old, 6)
    flagged = submit_application(name="Ardent Retail Ltd", website="https://ardent-retail.com", contact_email="a@ar.co")
    applied_days_ago(flagged, 1)
    atlas = distributor("Atlas Distribution")
    atlas_admin = admin_of(atlas, "ops@atlas-dist.com")
    invited = services.reseller_invite(
        actor=atlas_admin,
        distributor=atlas,
        name="Cobalt Resale",
        website="https://cobalt-resale.com",
        contact_name="Cy",
        contact_email="cy@cobalt-resale.com",
    )
    mail.outbox = []
    return {"old": old, "flagged": flagged, "invited": invited, "atlas": atlas}


# --- The queue -------------------------------------------------------------------------------------------------


def test_queue_lists_waiting_applications_oldest_first_with_flags(manager_client, waiting):
    approved = submit_application(name="Already Approved Co", website="https://aa.com", contact_email="x@aa.com")
    Partner.objects.filter(pk=approved.partner_id).update(status=Partner.Status.ONBOARDING)

    response = manager_client.get("/manage/applications/")
    assert response.status_code == 200
    names = [a.partner.name for a in response.context["applications"]]
    assert names == ["Ardent Retail", "Ardent Retail Ltd", "Cobalt Resale"]
    body = response.content.decode()
    assert "applied 6 days ago" in body
    assert "applied yesterday" in body
    assert "applied today" in body
    assert body.count("Possible duplicate (1)") == 2  # the look-alikes flag each other
    assert "invited by Atlas Distribution" in body
    assert f'href="/manage/applications/{waiting["old"].partner_id}/"' in body
    assert "Already Approved Co" not in body
    # The section's tab is current and counts what waits.
    assert 'aria-current="page">Applications <span class="count">3</span>' in body


def test_queue_can_show_declined_applications(manager_client, waiting, channel_manager):
    services.application_decline(actor=channel_manager, partner=waiting["old"].partner, reason="Not a fit.")
    response = manager_client.get("/manage/applications/?status=declined")
    assert response.status_code == 200
    assert [a.partner.name for a in response.context["applications"]] == ["Ardent Retail"]
    assert "by Maya Chen" in response.content.decode()
    waiting_names = [a.partner.name for a in manager_client.get("/manage/applications/").context["applications"]]
    assert "Ardent Retail" not in waiting_names


def test_empty_queue_says_what_to_do(manager_client):
    body = manager_client.get("/manage/applications/").content.decode()
    assert "Nothing waiting for review" in body
    assert "/apply/" in body


def test_queue_query_count_does_not_grow_with_applications(manager_client, waiting, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        manager_client.get("/manage/applications/")
    for i in range(15):
        submit_application(name=f"Company {i}", website=f"https://c{i}.com", contact_email=f"x@c{i}.com")
    # Session, user, group check, membership lookup, the tab counts, the paginator's count, the queue itself, the
    # bell, and the fit column's profile of the program's best partners (built once per page, whatever the rows).
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get("/manage/applications/")
    assert len(response.context["applications"]) == 18
    assert len(few.captured_queries) <= 30


def test_queue_is_paginated(manager_client):
    for i in range(52):
        submit_application(name=f"Company {i}", website=f"https://c{i}.com", contact_email=f"x@c{i}.com")
    first = manager_client.get("/manage/applications/")
    assert len(first.context["applications"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = manager_client.get("/manage/applications/?page=2")
    assert [a.partner.name for a in second.context["applications"]] == ["Company 50", "Company 51"]


def test_detail_shows_everything_the_applicant_said_and_the_duplicates(manager_client, waiting):
    flagged = waiting["flagged"]
    response = manager_client.get(f"/manage/applications/{flagged.partner_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Ardent Retail Ltd",
        "https://ardent-retail.com",
        "System integrator",
        "Europe, Middle East &amp; Africa",
        "United Kingdom",
        "Jo Bloggs",
        "a@ar.co",
        "Head of Alliances",
        "+44 20 7946 0958",
        "Data platform implementations for mid-market retailers.",
        "Our customers keep asking for your product.",
        "Possible duplicate",
        "same company name apart from legal form or punctuation",
    ):
        assert text in body, text
    assert f'<a href="/manage/applications/{waiting["old"].partner_id}/">Ardent Retail</a>' in body
    assert f'action="/manage/applications/{flagged.partner_id}/approve/"' in body
    assert f'action="/manage/applications/{flagged.partner_id}/decline/"' in body


def test_detail_links_an_existing_partner_to_its_partner_page(manager_client):
    known = PartnerFactory(name="Bluepeak", website="https://bluepeak.io")
    application = submit_application()
    body = manager_client.get(f"/manage/applications/{application.partner_id}/").content.decode()
    assert f'<a href="/manage/partners/{known.pk}/">Bluepeak</a>' in body


def test_detail_of_a_partner_without_application_is_404(manager_client, partner_a):
    assert manager_client.get(f"/manage/applications/{partner_a.pk}/").status_code == 404


def test_detail_shows_who_invited_a_reseller(manager_client, waiting):
    body = manager_client.get(f"/manage/applications/{waiting['invited'].partner_id}/").content.decode()
    assert "invited by" in body
    assert "Atlas Distribution" in body


# --- Approve ---------------------------------------------------------------------------------------------------


def test_approve_starts_onboarding_invites_the_contact_and_welcomes_them(
    manager_client, channel_manager, waiting, onboarding_start_calls, django_capture_on_commit_callbacks
):
    application = waiting["old"]
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/manage/applications/{application.partner_id}/approve/")
    assert response.status_code == 302
    assert response["Location"] == "/manage/applications/"

    partner = Partner.objects.get(pk=application.partner_id)
    assert partner.status == Partner.Status.ONBOARDING
    assert partner.approved_at is not None
    assert partner.status_changed_at == partner.approved_at
    assert partner.owner == channel_manager
    application.refresh_from_db()
    assert application.decided_by == channel_manager
    assert application.decided_at == partner.approved_at

    invitation = Invitation.objects.get(partner=partner)
    assert invitation.email == "li@ardent.shop"
    assert invitation.role == PartnerMembership.Role.ADMIN
    assert invitation.invited_by == channel_manager

    emails = mails_to("li@ardent.shop")
    subjects = [m.subject for m in emails]
    assert len(emails) == 2
    assert any("invited you to join Ardent Retail" in s for s in subjects)
    welcome = next(m for m in emails if "Welcome aboard, Ardent Retail" in m.subject)
    assert "Open the invitation we sent you in a separate email" in welcome.body
    assert "Maya Chen is your channel manager" in welcome.body

    event = AuditEvent.objects.get(verb="application.approved")
    assert event.actor == channel_manager
    assert event.partner == partner
    assert event.before == {"status": "applied"}
    assert event.after == {"status": "onboarding", "owner": channel_manager.email}

    if onboarding_start_calls is not None:  # stand-in while the onboarding helper's code is not merged
        assert onboarding_start_calls == [partner]
    else:
        assert partner.onboarding_steps.count() == 4
        assert "Accept the partner agreement" in welcome.body  # the partner's own checklist, step by step

    follow = manager_client.get("/manage/applications/")
    assert "is approved and starts onboarding. We invited li@ardent.shop as their admin" in follow.content.decode()


def test_approve_keeps_an_existing_owner(channel_manager, waiting, onboarding_start_calls):
    other_manager = ChannelManagerFactory(email="lee@startup.example.com")
    Partner.objects.filter(pk=waiting["old"].partner_id).update(owner=other_manager)
    result = services.application_approve(actor=channel_manager, partner=waiting["old"].partner)
    assert result.partner.owner == other_manager
    assert AuditEvent.objects.get(verb="application.approved").after["owner"] == other_manager.email


def test_approving_twice_is_refused_with_a_clear_message(
    manager_client, channel_manager, waiting, onboarding_start_calls, django_capture_on_commit_callbacks
):
    url = f"/manage/applications/{waiting['old'].partner_id}/approve/"
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url)
        second = manager_client.post(url, follow=True)
    assert second.redirect_chain[-1][0] == f"/manage/applications/{waiting['old'].partner_id}/"
    assert "This application was already approved by Maya Chen" in second.content.decode()
    assert Invitation.objects.filter(partner_id=waiting["old"].partner_id).count() == 1
    assert AuditEvent.objects.filter(verb="application.approved").count() == 1
    assert len(mails_to("li@ardent.shop")) == 2

    # A second manager who had the page open gets the same answer from the service.
    late = ChannelManagerFactory(email="lee@startup.example.com")
    with pytest.raises(ValidationError, match="already approved by Maya Chen"):
        services.application_approve(actor=late, partner=waiting["old"].partner)


def test_approving_a_declined_application_is_refused(channel_manager, waiting, onboarding_start_calls):
    partner = waiting["old"].partner
    services.application_decline(actor=channel_manager, partner=partner, reason="Not a fit.")
    with pytest.raises(ValidationError, match="already declined by Maya Chen"):
        services.application_approve(actor=channel_manager, partner=partner)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.DECLINED


def test_approve_when_the_contact_cannot_be_invited_says_so(
    manager_client, partner_a, waiting, onboarding_start_calls, django_capture_on_commit_callbacks
):
    admin_of(partner_a, "li@ardent.shop")  # the contact already belongs to another partner
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/manage/applications/{waiting['old'].partner_id}/approve/", follow=True)
    partner = Partner.objects.get(pk=waiting["old"].partner_id)
    assert partner.status == Partner.Status.ONBOARDING
    assert not Invitation.objects.filter(partner=partner).exists()
    assert response.redirect_chain[-1][0] == f"/manage/partners/{partner.pk}/"
    assert "already belongs to another partner" in response.content.decode()
    [welcome] = mails_to("li@ardent.shop")
    assert "Your channel manager will send you an invitation" in welcome.body


def test_only_channel_managers_can_decide(partner_a_admin, waiting):
    with pytest.raises(ValidationError):
        services.application_approve(actor=partner_a_admin, partner=waiting["old"].partner)
    with pytest.raises(ValidationError):
        services.application_decline(actor=partner_a_admin, partner=waiting["old"].partner, reason="No")
    assert Partner.objects.get(pk=waiting["old"].partner_id).status == Partner.Status.APPLIED


# --- Decline ---------------------------------------------------------------------------------------------------


def test_decline_requires_a_reason(manager_client, waiting, django_capture_on_commit_callbacks):
    url = f"/manage/applications/{waiting['old'].partner_id}/decline/"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert "Give a reason: the applicant receives it by email." in response.content.decode()
    assert Partner.objects.get(pk=waiting["old"].partner_id).status == Partner.Status.APPLIED
    assert mail.outbox == []


def test_decline_emails_the_reason_and_is_audited(
    manager_client, channel_manager, waiting, django_capture_on_commit_callbacks
):
    reason = "We already cover retail in EMEA with two partners; let's talk again next year."
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"/manage/applications/{waiting['old'].partner_id}/decline/", {"reason": reason})
    assert response.status_code == 302
    partner = Partner.objects.get(pk=waiting["old"].partner_id)
    assert partner.status == Partner.Status.DECLINED
    assert partner.status_changed_at is not None
    application = partner.application
    assert application.decided_by == channel_manager
    assert application.decision_reason == reason

    [email] = mails_to("li@ardent.shop")
    assert email.subject.endswith("Your partner application for Ardent Retail")
    assert reason in email.body
    assert reason.replace("'", "&#x27;") in email.alternatives[0][0]

    event = AuditEvent.objects.get(verb="application.declined")
    assert event.actor == channel_manager
    assert event.reason == reason
    assert event.partner == partner
    assert not Invitation.objects.filter(partner=partner).exists()

    # Declining again (a double click) changes nothing and says why.
    again = manager_client.post(
        f"/manage/applications/{partner.pk}/decline/", {"reason": "Second thoughts"}, follow=True
    )
    assert "already declined by Maya Chen" in again.content.decode()
    assert AuditEvent.objects.filter(verb="application.declined").count() == 1
    partner.application.refresh_from_db()
    assert partner.application.decision_reason == reason


def test_detail_of_a_decided_application_shows_the_decision_not_the_forms(manager_client, channel_manager, waiting):
    services.application_decline(actor=channel_manager, partner=waiting["old"].partner, reason="Not a fit.")
    body = manager_client.get(f"/manage/applications/{waiting['old'].partner_id}/").content.decode()
    assert "Declined" in body
    assert "by Maya Chen" in body
    assert "Not a fit." in body
    assert "/approve/" not in body
    assert "/decline/" not in body


# --- Outsiders -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["admin_client_a", "seller_client_a", "outsider_client"])
def test_partner_users_get_404_on_every_review_page(request, client_name, waiting):
    client = request.getfixturevalue(client_name)
    pk = waiting["old"].partner_id
    assert client.get("/manage/applications/").status_code == 404
    assert client.get(f"/manage/applications/{pk}/").status_code == 404
    assert client.post(f"/manage/applications/{pk}/approve/").status_code == 404
    assert client.post(f"/manage/applications/{pk}/decline/", {"reason": "x"}).status_code == 404
    assert Partner.objects.get(pk=pk).status == Partner.Status.APPLIED


def test_anonymous_visitors_are_sent_to_sign_in(client, waiting):
    response = client.post(f"/manage/applications/{waiting['old'].partner_id}/approve/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Partner.objects.get(pk=waiting["old"].partner_id).status == Partner.Status.APPLIED
