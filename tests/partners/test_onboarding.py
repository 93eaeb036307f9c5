"""Onboarding checklists: starting one, steps completing themselves, a channel manager ticking manual steps,
activation (once), the hooks for later apps, the checklist tag and the portal home in every partner state."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from partners import hooks, services
from partners.models import (
    Application,
    Checklist,
    ChecklistStep,
    Invitation,
    Partner,
    PartnerMembership,
    PartnerStep,
    Program,
)
from prm.models import AuditEvent, Notification
from tests.factories import MembershipFactory, PartnerFactory
from tests.partners.factories_onboarding import (
    accept_current_agreement,
    complete_profile,
    program_defaults,  # noqa: F401 -- a fixture
    start_onboarding,
    step_of,
)

pytestmark = pytest.mark.usefixtures("program_defaults")

Kind = ChecklistStep.Kind
Status = Partner.Status
DEFAULT_KINDS = [Kind.AGREEMENT, Kind.PROFILE, Kind.INVITE, Kind.MANUAL]


@pytest.fixture
def onboarding_a(partner_a, partner_a_admin, channel_manager):
    start_onboarding(partner_a, owner=channel_manager)
    return partner_a


@pytest.fixture
def _no_detectors():
    saved = dict(hooks._DETECTORS)
    hooks._DETECTORS.clear()
    yield
    hooks._DETECTORS.clear()
    hooks._DETECTORS.update(saved)


def _accept(partner, admin):
    return services.agreement_accept(actor=admin, partner=partner, signer_name="Anna Admin")


def _finish_all_but_manual(partner, admin, colleague_email="new@northwind.example.com"):
    _accept(partner, admin)
    complete_profile(partner)
    services.invitation_create(actor=admin, partner=partner, email=colleague_email, role="sales")
    services.onboarding_refresh(partner=partner, actor=admin)


# --- Starting ---------------------------------------------------------------------------------------------------


def test_start_copies_the_default_checklist_in_order_once(partner_a, channel_manager):
    steps = start_onboarding(partner_a, owner=channel_manager)
    assert [s.step.kind for s in steps] == DEFAULT_KINDS
    assert [s.order for s in steps] == [1, 2, 3, 4]
    assert all(s.completed_at is None for s in steps)

    again = services.onboarding_start(partner=partner_a, actor=channel_manager)
    assert [s.pk for s in again] == [s.pk for s in steps]
    assert PartnerStep.objects.filter(partner=partner_a).count() == 4


def test_start_uses_the_checklist_of_the_partner_type(channel_manager):
    checklist = Checklist.objects.create(name="Distributors", partner_type=Partner.Type.DISTRIBUTOR)
    ChecklistStep.objects.create(checklist=checklist, order=2, kind=Kind.MANUAL, title="Logistics review")
    ChecklistStep.objects.create(checklist=checklist, order=1, kind=Kind.AGREEMENT, title="Sign the agreement")
    distributor = PartnerFactory(type=Partner.Type.DISTRIBUTOR)
    var = PartnerFactory(type=Partner.Type.VAR)

    steps = start_onboarding(distributor, owner=channel_manager)
    assert [s.step.title for s in steps] == ["Sign the agreement", "Logistics review"]
    assert [s.step.kind for s in start_onboarding(var)] == DEFAULT_KINDS


def test_a_type_checklist_without_steps_falls_back_to_the_default(db):
    Checklist.objects.create(name="Resellers (being written)", partner_type=Partner.Type.RESELLER)
    reseller = PartnerFactory(type=Partner.Type.RESELLER)
    assert [s.step.kind for s in start_onboarding(reseller)] == DEFAULT_KINDS


def test_refresh_never_activates_a_partner_whose_checklist_was_not_started(channel_manager):
    partner = PartnerFactory(status=Status.ONBOARDING)
    complete_profile(partner)
    assert services.onboarding_refresh(partner=partner) is False
    partner.refresh_from_db()
    assert partner.status == Status.ONBOARDING
    assert not PartnerStep.objects.filter(partner=partner).exists()


def test_without_any_checklist_configured_start_activates_at_once(partner_a, partner_a_admin):
    Checklist.objects.all().delete()
    assert start_onboarding(partner_a) == []
    partner_a.refresh_from_db()
    assert partner_a.status == Status.ACTIVE
    assert AuditEvent.objects.get(verb="partner.activated").reason == "No onboarding checklist is configured."


def test_refresh_leaves_partners_outside_onboarding_alone(partner_a, partner_a_admin):
    complete_profile(partner_a)  # active (the factory's default) and fully profiled
    assert services.onboarding_refresh(partner=partner_a) is False
    assert not PartnerStep.objects.filter(partner=partner_a).exists()
    assert not AuditEvent.objects.filter(verb__startswith="onboarding.").exists()


# --- Steps that complete themselves -----------------------------------------------------------------------------


def test_refresh_detects_agreement_profile_and_invite(onboarding_a, partner_a_admin):
    _accept(onboarding_a, partner_a_admin)  # accepting refreshes by itself
    agreement = step_of(onboarding_a, Kind.AGREEMENT)
    assert agreement.completed_at is not None
    assert agreement.detected is True
    assert agreement.completed_by == partner_a_admin

    assert step_of(onboarding_a, Kind.PROFILE).completed_at is None
    complete_profile(onboarding_a)
    services.onboarding_refresh(partner=onboarding_a, actor=partner_a_admin)
    assert step_of(onboarding_a, Kind.PROFILE).detected is True

    assert step_of(onboarding_a, Kind.INVITE).completed_at is None
    services.invitation_create(
        actor=partner_a_admin, partner=onboarding_a, email="colleague@northwind.example.com", role="sales"
    )
    services.onboarding_refresh(partner=onboarding_a)
    invite = step_of(onboarding_a, Kind.INVITE)
    assert invite.detected is True
    assert invite.completed_by == partner_a_admin  # the member who invited

    assert step_of(onboarding_a, Kind.MANUAL).completed_at is None  # only a person ticks it
    onboarding_a.refresh_from_db()
    assert onboarding_a.status == Status.ONBOARDING
    verbs = list(AuditEvent.objects.filter(verb="onboarding.step_completed").values_list("after__kind", flat=True))
    assert sorted(verbs) == sorted([Kind.AGREEMENT, Kind.PROFILE, Kind.INVITE])


def test_invitation_by_the_channel_manager_or_revoked_does_not_count(onboarding_a, partner_a_admin, channel_manager):
    services.invitation_create(
        actor=channel_manager, partner=onboarding_a, email="x@northwind.example.com", role="sales"
    )
    Invitation.objects.create(  # sent by a member, then cancelled before anything looked
        partner=onboarding_a,
        email="y@northwind.example.com",
        role="sales",
        token_hash="cancelled",
        invited_by=partner_a_admin,
        revoked_at=timezone.now(),
    )
    services.onboarding_refresh(partner=onboarding_a)
    assert step_of(onboarding_a, Kind.INVITE).completed_at is None


def test_a_second_member_completes_the_invite_step(onboarding_a):
    MembershipFactory(partner=onboarding_a, role=PartnerMembership.Role.SALES)
    services.onboarding_refresh(partner=onboarding_a)
    assert step_of(onboarding_a, Kind.INVITE).detected is True


# --- A channel manager ticks a manual step ----------------------------------------------------------------------


def test_only_a_channel_manager_ticks_a_manual_step(onboarding_a, partner_a_admin, channel_manager):
    manual = step_of(onboarding_a, Kind.MANUAL)
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.onboarding_step_complete(actor=partner_a_admin, partner_step=manual)

    with pytest.raises(ValidationError, match="completes by itself"):
        services.onboarding_step_complete(actor=channel_manager, partner_step=step_of(onboarding_a, Kind.PROFILE))

    done = services.onboarding_step_complete(actor=channel_manager, partner_step=manual)
    assert done.completed_by == channel_manager
    assert done.detected is False
    event = AuditEvent.objects.get(verb="onboarding.step_completed", target_id=str(manual.pk))
    assert event.actor == channel_manager
    note = Notification.objects.get(template="onboarding_step_done")
    assert note.recipient == partner_a_admin
    assert "Kick-off call" in note.subject

    with pytest.raises(ValidationError, match="already marked done by Maya Chen"):
        services.onboarding_step_complete(actor=channel_manager, partner_step=manual)


def test_mark_done_view(manager_client, onboarding_a, partner_a_admin):
    manual = step_of(onboarding_a, Kind.MANUAL)
    url = f"/manage/partners/{onboarding_a.pk}/steps/{manual.pk}/complete/"
    assert manager_client.get(url).status_code == 405

    response = manager_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/manage/partners/{onboarding_a.pk}/"
    assert "is marked done" in response.content.decode()
    assert step_of(onboarding_a, Kind.MANUAL).completed_at is not None

    again = manager_client.post(url, follow=True)
    assert "already marked done" in again.content.decode()

    # Another partner's step under this partner's URL is not found.
    other = PartnerFactory(name="Other Co")
    other_steps = start_onboarding(other)
    assert (
        manager_client.post(f"/manage/partners/{onboarding_a.pk}/steps/{other_steps[0].pk}/complete/").status_code
        == 404
    )


def test_partner_users_cannot_reach_the_mark_done_view(admin_client_a, outsider_client, onboarding_a):
    manual = step_of(onboarding_a, Kind.MANUAL)
    url = f"/manage/partners/{onboarding_a.pk}/steps/{manual.pk}/complete/"
    assert admin_client_a.post(url).status_code == 404
    assert outsider_client.post(url).status_code == 404
    assert step_of(onboarding_a, Kind.MANUAL).completed_at is None


# --- Activation -------------------------------------------------------------------------------------------------


def test_last_step_activates_once_with_time_to_activate_audit_and_messages(
    onboarding_a, partner_a_admin, channel_manager, django_capture_on_commit_callbacks
):
    _finish_all_but_manual(onboarding_a, partner_a_admin)
    onboarding_a.refresh_from_db()
    assert onboarding_a.status == Status.ONBOARDING

    with django_capture_on_commit_callbacks(execute=True):
        services.onboarding_step_complete(actor=channel_manager, partner_step=step_of(onboarding_a, Kind.MANUAL))

    onboarding_a.refresh_from_db()
    assert onboarding_a.status == Status.ACTIVE
    assert onboarding_a.activated_at is not None
    assert onboarding_a.status_changed_at == onboarding_a.activated_at
    assert onboarding_a.time_to_activate == onboarding_a.activated_at - onboarding_a.approved_at
    event = AuditEvent.objects.get(verb="partner.activated", partner=onboarding_a)
    assert event.before == {"status": "onboarding"}
    assert event.after["status"] == "active"
    assert "Kick-off call" in event.reason

    activated = Notification.objects.filter(template="partner_activated")
    assert {n.recipient for n in activated} == {partner_a_admin, channel_manager}
    assert not Notification.objects.filter(template="onboarding_step_done").exists()  # the activation says it all
    recipients = {m.to[0] for m in mail.outbox if "active" in m.subject or "finished onboarding" in m.subject}
    assert recipients == {partner_a_admin.email, channel_manager.email}

    # Idempotent: nothing happens twice.
    assert services.onboarding_refresh(partner=onboarding_a) is False
    services.onboarding_start(partner=onboarding_a)
    assert AuditEvent.objects.filter(verb="partner.activated").count() == 1
    assert Notification.objects.filter(template="partner_activated").count() == 2


def test_refresh_returns_true_and_updates_the_callers_instance(onboarding_a, partner_a_admin, channel_manager):
    services.onboarding_step_complete(actor=channel_manager, partner_step=step_of(onboarding_a, Kind.MANUAL))
    _accept(onboarding_a, partner_a_admin)
    complete_profile(onboarding_a)
    MembershipFactory(partner=onboarding_a)
    assert services.onboarding_refresh(partner=onboarding_a) is True
    assert onboarding_a.status == Status.ACTIVE
    assert onboarding_a.activated_at is not None


# --- Hooks for later apps ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("_no_detectors")
def test_hooked_steps_complete_only_through_a_detector(partner_a, channel_manager):
    checklist = Checklist.objects.create(name="ISVs", partner_type=Partner.Type.ISV)
    ChecklistStep.objects.create(checklist=checklist, order=1, kind=Kind.COURSE, title="Sales 101", course_key="s101")
    ChecklistStep.objects.create(checklist=checklist, order=2, kind=Kind.FIRST_DEAL, title="Register a first deal")
    partner_a.type = Partner.Type.ISV
    start_onboarding(partner_a, owner=channel_manager)

    services.onboarding_refresh(partner=partner_a)
    assert not PartnerStep.objects.filter(partner=partner_a, completed_at__isnull=False).exists()

    seen = []
    hooks.register_step_detector("course", lambda partner, step: seen.append(step.course_key) or True)
    assert hooks.notify_step_event(partner=partner_a) is False
    assert seen == ["s101"]
    assert step_of(partner_a, Kind.COURSE).detected is True

    # Without its app, a first-deal step can be ticked by the channel manager (it could never finish otherwise).
    assert services.onboarding_step_tickable(step_of(partner_a, Kind.FIRST_DEAL).step)
    assert not services.onboarding_step_tickable(step_of(partner_a, Kind.COURSE).step)
    hooks.register_step_detector("first_deal", lambda partner, step: True)
    assert hooks.notify_step_event(partner=partner_a) is True
    partner_a.refresh_from_db()
    assert partner_a.status == Status.ACTIVE


@pytest.mark.usefixtures("_no_detectors")
def test_a_broken_detector_does_not_break_the_refresh(partner_a):
    checklist = Checklist.objects.create(name="ISVs", partner_type=Partner.Type.ISV)
    ChecklistStep.objects.create(checklist=checklist, order=1, kind=Kind.COURSE, title="Sales 101")
    ChecklistStep.objects.create(checklist=checklist, order=2, kind=Kind.PROFILE, title="Profile")
    partner_a.type = Partner.Type.ISV
    start_onboarding(partner_a)
    hooks.register_step_detector("course", lambda partner, step: 1 / 0)
    complete_profile(partner_a)
    services.onboarding_refresh(partner=partner_a)
    assert step_of(partner_a, Kind.PROFILE).completed_at is not None
    assert step_of(partner_a, Kind.COURSE).completed_at is None


def test_only_hooked_kinds_take_a_detector(db):
    with pytest.raises(ValueError, match="detects 'profile' steps itself"):
        hooks.register_step_detector("profile", lambda partner, step: True)


# --- The checklist tag ------------------------------------------------------------------------------------------


def _render(partner, audience, user=None, membership=None):
    request = RequestFactory().get("/")
    request.user = user
    if membership is not None:
        request.membership = membership
    template = Template('{% load onboarding_tags %}{% onboarding_checklist partner "' + audience + '" %}')
    return template.render(Context({"partner": partner, "request": request, "csrf_token": "token"}))


def test_manage_checklist_shows_progress_who_and_mark_done(
    onboarding_a, partner_a_admin, channel_manager, django_assert_max_num_queries
):
    _accept(onboarding_a, partner_a_admin)
    with django_assert_max_num_queries(3):
        html = _render(onboarding_a, "manage", user=channel_manager)
    assert '<progress value="1" max="4"' in html
    assert "1 of 4 done" in html
    assert f"by {partner_a_admin.display_name} · detected automatically" in html
    assert "waiting since today" in html
    manual = step_of(onboarding_a, Kind.MANUAL)
    assert html.count("Mark done") == 1
    assert f"/manage/partners/{onboarding_a.pk}/steps/{manual.pk}/complete/" in html


def test_portal_checklist_puts_the_next_step_first_with_a_link(onboarding_a, partner_a_admin, partner_a_seller):
    _accept(onboarding_a, partner_a_admin)
    html = _render(onboarding_a, "portal", user=partner_a_admin, membership=partner_a_admin.membership)
    assert "Mark done" not in html
    next_block = html.split('class="onboarding-next"')[1].split("</article>")[0]
    assert "Complete your company profile" in next_block
    assert 'href="/portal/company/"' in next_block
    assert "Still missing: website, what they sell" in next_block
    assert "Maya Chen (maya@startup.example.com), will tick this after “Kick-off call" in html

    seller_html = _render(onboarding_a, "portal", user=partner_a_seller, membership=partner_a_seller.membership)
    assert "admins edit the profile." in seller_html


@pytest.mark.usefixtures("_no_detectors")
def test_portal_checklist_says_honestly_when_a_step_waits_for_an_app(partner_a, partner_a_admin):
    checklist = Checklist.objects.create(name="ISVs", partner_type=Partner.Type.ISV)
    ChecklistStep.objects.create(checklist=checklist, order=1, kind=Kind.FIRST_DEAL, title="Register a first deal")
    partner_a.type = Partner.Type.ISV
    start_onboarding(partner_a)
    html = _render(partner_a, "portal", user=partner_a_admin, membership=partner_a_admin.membership)
    assert "This step completes automatically once Deal registration is available." in html


def test_checklist_before_approval_and_after_activation(partner_a):
    partner_a.status = Status.APPLIED
    html = Template("{% load onboarding_tags %}{% onboarding_checklist partner 'manage' %}").render(
        Context({"partner": partner_a})
    )
    assert "starts when you approve the application" in html


# --- The portal home in each state ------------------------------------------------------------------------------


def test_portal_home_while_onboarding_shows_the_checklist_first(admin_client_a, onboarding_a):
    Program.objects.filter(pk=1).update(require_agreement_first=False)  # else the agreement page comes first
    body = admin_client_a.get("/portal/").content.decode()
    assert "0 of 4 done" in body
    assert body.index("Next step") < body.index("Read and accept the agreement") < body.index("Your team")
    assert 'href="/portal/agreement/"' in body
    assert "Deal registration is coming soon" not in body  # the dashboard waits for activation


def test_portal_home_after_signing_leads_to_the_profile(admin_client_a, onboarding_a, partner_a_admin):
    _accept(onboarding_a, partner_a_admin)
    body = admin_client_a.get("/portal/").content.decode()
    assert "1 of 4 done" in body
    assert body.index("Next step") < body.index("Complete your company profile") < body.index("Your team")
    assert 'href="/portal/company/"' in body


def test_manage_checklist_flags_a_stalled_step(partner_a, channel_manager):
    start_onboarding(partner_a, owner=channel_manager, approved_at=timezone.now() - timedelta(days=5, hours=1))
    html = _render(partner_a, "manage", user=channel_manager)
    assert "waiting 5 days · stalled" in html


def test_portal_home_when_active_is_a_dashboard(admin_client_a, partner_a, django_assert_max_num_queries):
    accept_current_agreement(partner_a)
    # +2 since deal registration provides the tier metrics (approved registrations, won revenue); the role-aware
    # home (insights.portal_home) adds its fixed lists: 4 deal lists, MDF budget, balance and 3 lists, 2 training
    # lists, people, invitations and the agreement (13, whatever the data); the tier card's won revenue comes from
    # the metrics roll-ups (brought up to date once, by a first read); +10 for the lead offers waiting (navigation)
    # and the person's recommended learning panel (enablement.recommendations: a fixed gather, whatever the data).
    admin_client_a.get("/portal/")
    with django_assert_max_num_queries(38):
        body = admin_client_a.get("/portal/").content.decode()
    assert "Your onboarding" not in body
    assert "Register a deal" in body
    assert "request funds for events and campaigns" in body
    assert "Invite colleagues" in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.APPLIED, "Your application is being reviewed"),
        (Status.DECLINED, "The reason we gave: “We only work with partners in Brazil for now.”"),
        (Status.DORMANT, "is marked dormant"),
        (Status.OFFBOARDED, "The partnership has ended"),
    ],
)
def test_portal_home_explains_every_other_state(admin_client_a, partner_a, status, expected):
    partner_a.status = status
    partner_a.save()
    accept_current_agreement(partner_a)
    Application.objects.create(
        partner=partner_a,
        contact_name="Anna",
        contact_email="anna@northwind.example.com",
        decision_reason="We only work with partners in Brazil for now.",
    )
    body = admin_client_a.get("/portal/").content.decode()
    assert expected in body


def test_distributor_view_of_a_reseller_is_read_only(onboarding_a, channel_manager):
    html = _render(onboarding_a, "distributor", user=channel_manager)
    assert "0 of 4 done" in html
    assert "Next step" not in html
    assert "Mark done" not in html
    assert "/portal/agreement/" not in html  # the distributor's own pages are not the reseller's
