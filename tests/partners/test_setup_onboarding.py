"""Program setup, onboarding: checklists per partner type (add, edit, reorder, retire steps without breaking partners
mid-way) and agreement versions (write, preview, publish, who accepted which), for program admins only; plain
channel managers read, partners get nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from partners import services
from partners.models import AgreementAcceptance, AgreementVersion, Checklist, ChecklistStep, Partner, PartnerStep
from partners.services.onboarding import setup
from partners.services.setup import program_admins_group
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory, PartnerFactory, UserFactory
from tests.partners.factories_onboarding import (
    accept_current_agreement,
    program_defaults,  # noqa: F401 -- a fixture
    start_onboarding,
    step_of,
)

pytestmark = pytest.mark.usefixtures("program_defaults")

Kind = ChecklistStep.Kind
Status = Partner.Status


def grant_program_admin(user):
    user.groups.add(program_admins_group())
    return user


@pytest.fixture
def default_checklist(db):
    return Checklist.objects.get(partner_type="")


@pytest.fixture
def onboarding_a(partner_a, partner_a_admin, channel_manager):
    """Partner A mid-way: it accepted the agreement (step 1 of 4 done)."""
    start_onboarding(partner_a, owner=channel_manager)
    services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna Admin")
    assert step_of(partner_a, Kind.AGREEMENT).is_done
    return partner_a


def _titles(partner) -> list[tuple[str, bool]]:
    return [
        (ps.step.title, ps.is_done)
        for ps in PartnerStep.objects.filter(partner=partner).select_related("step").order_by("order", "pk")
    ]


def _told(partner, template="onboarding_checklist_changed"):
    return list(Notification.objects.filter(partner=partner, template=template).order_by("pk"))


def _step_data(**overrides):
    return {"kind": Kind.MANUAL, "title": "Sign the reseller addendum", "help_text": "", "course_key": ""} | overrides


# --- Who may do what -------------------------------------------------------------------------------------------


def test_only_channel_managers_with_the_permission_can_manage(program_admin, channel_manager, partner_a_admin):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert setup.can_manage_program(program_admin)
    assert setup.can_manage_program(superuser)
    assert not setup.can_manage_program(channel_manager)
    assert not setup.can_manage_program(grant_program_admin(partner_a_admin))  # not a channel manager


def test_a_plain_manager_reads_but_cannot_change(manager_client, default_checklist):
    step = default_checklist.steps.first()
    for url in (
        reverse("manage:setup_checklist_list"),
        reverse("manage:setup_checklist_detail", args=[default_checklist.pk]),
        reverse("manage:setup_step_edit", args=[default_checklist.pk, step.pk]),
        reverse("manage:setup_step_retire", args=[default_checklist.pk, step.pk]),
        reverse("manage:setup_agreement_list"),
        reverse("manage:setup_agreement_create"),
        reverse("manage:setup_agreement_detail", args=[AgreementVersion.objects.get().pk]),
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert "Read-only." in response.content.decode(), url
        assert b"Add the step" not in response.content
        assert b"Preview before publishing" not in response.content

    posts = [
        (reverse("manage:setup_step_add", args=[default_checklist.pk]), _step_data()),
        (reverse("manage:setup_step_edit", args=[default_checklist.pk, step.pk]), _step_data(title="Renamed")),
        (reverse("manage:setup_step_move", args=[default_checklist.pk, step.pk]), {"direction": "down"}),
        (reverse("manage:setup_step_retire", args=[default_checklist.pk, step.pk]), {}),
        (reverse("manage:setup_checklist_create"), {"partner_type": "distributor"}),
        (
            reverse("manage:setup_agreement_create"),
            {"version": "2.0", "title": "Partner agreement", "body": "New terms.", "action": "publish"},
        ),
    ]
    for url, data in posts:
        response = manager_client.post(url, data)
        assert response.status_code == 403, url
        assert "Only program admins can change the program" in response.content.decode()
        assert "Nothing was changed" in response.content.decode()
    assert default_checklist.steps.count() == 4
    assert list(default_checklist.steps.values_list("order", flat=True)) == [1, 2, 3, 4]
    assert not ChecklistStep.objects.filter(retired_at__isnull=False).exists()
    assert Checklist.objects.count() == 1
    assert AgreementVersion.objects.count() == 1
    with pytest.raises(Exception, match="Only program admins"):
        setup.checklist_step_add(actor=ChannelManagerFactory(), checklist=default_checklist, data=_step_data())


def test_partners_and_visitors_get_nothing(admin_client_a, client, default_checklist):
    for url in (
        reverse("manage:setup_checklist_list"),
        reverse("manage:setup_checklist_detail", args=[default_checklist.pk]),
        reverse("manage:setup_agreement_list"),
    ):
        assert admin_client_a.get(url).status_code == 404
        assert client.get(url).status_code == 302  # to sign in
    response = admin_client_a.post(reverse("manage:setup_step_add", args=[default_checklist.pk]), _step_data())
    assert response.status_code == 404
    assert default_checklist.steps.count() == 4


def test_a_program_admin_sees_the_forms_and_the_rule(program_admin_client, default_checklist):
    body = program_admin_client.get(
        reverse("manage:setup_checklist_detail", args=[default_checklist.pk])
    ).content.decode()
    assert "Add the step" in body
    assert "Read-only." not in body
    assert "What happens to partners already onboarding" in body
    assert "Partners who did it keep it, marked done." in body
    assert body.count("↑ Up") == 3
    assert body.count("↓ Down") == 3


# --- Steps and partners mid-way --------------------------------------------------------------------------------


def test_an_added_step_reaches_partners_mid_way_and_they_are_told(
    program_admin_client, program_admin, default_checklist, onboarding_a, partner_a_admin
):
    finished = PartnerFactory(name="Finished Ltd")
    start_onboarding(finished)
    Partner.objects.filter(pk=finished.pk).update(status=Status.ACTIVE)

    response = program_admin_client.post(
        reverse("manage:setup_step_add", args=[default_checklist.pk]),
        _step_data(help_text="Sign and upload the addendum for resale in the EU."),
    )
    assert response.status_code == 302
    step = ChecklistStep.objects.get(title="Sign the reseller addendum")
    assert step.order == 5

    assert _titles(onboarding_a) == [
        ("Accept the partner agreement", True),  # done stays done
        ("Complete your company profile", False),
        ("Invite a colleague", False),
        ("Kick-off call with your channel manager", False),
        ("Sign the reseller addendum", False),
    ]
    assert len(_titles(finished)) == 4  # finished partners are not pulled back into onboarding
    finished.refresh_from_db()
    assert finished.status == Status.ACTIVE

    [message] = _told(onboarding_a)
    assert message.recipient == partner_a_admin
    assert 'We added a step to the onboarding checklist of Northwind Solutions: "Sign the reseller addendum"' in (
        message.body_text
    )
    assert "1 of 5 are done" in message.body_text
    assert "Your next step: Complete your company profile." in message.body_text
    assert not _told(finished)

    event = AuditEvent.objects.get(verb="onboarding.step_added")
    assert event.actor == program_admin
    assert event.after["title"] == "Sign the reseller addendum"
    assert event.after["partners"] == 1

    page = Client()
    page.force_login(partner_a_admin)
    assert "Sign the reseller addendum" in page.get(reverse("portal:home")).content.decode()


def test_a_bad_step_is_refused_with_a_clear_message(program_admin_client, default_checklist):
    response = program_admin_client.post(
        reverse("manage:setup_step_add", args=[default_checklist.pk]), _step_data(title="  ", kind="teleport")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the step a title partners understand" in body
    assert "Choose what the step is from the list." in body
    assert default_checklist.steps.count() == 4


def test_moving_steps_reorders_partners_mid_way_told_once_a_day(program_admin, default_checklist, onboarding_a):
    kickoff = default_checklist.steps.get(kind=Kind.MANUAL)
    setup.checklist_step_move(actor=program_admin, step=kickoff, direction="up")
    _step, told = setup.checklist_step_move(actor=program_admin, step=kickoff, direction="up")
    assert told == 1
    assert [s.title for s in default_checklist.steps.order_by("order")] == [
        "Accept the partner agreement",
        "Kick-off call with your channel manager",
        "Complete your company profile",
        "Invite a colleague",
    ]
    assert _titles(onboarding_a)[:2] == [
        ("Accept the partner agreement", True),
        ("Kick-off call with your channel manager", False),
    ]
    assert services.onboarding_progress(partner=onboarding_a).current.step == kickoff
    assert len(_told(onboarding_a)) == 1  # two moves, one message
    assert AuditEvent.objects.filter(verb="onboarding.step_moved").count() == 2

    first = default_checklist.steps.get(kind=Kind.AGREEMENT)
    with pytest.raises(Exception, match="already the first step"):
        setup.checklist_step_move(actor=program_admin, step=first, direction="up")


def test_moving_through_the_page(program_admin_client, default_checklist):
    profile = default_checklist.steps.get(kind=Kind.PROFILE)
    url = reverse("manage:setup_step_move", args=[default_checklist.pk, profile.pk])
    response = program_admin_client.post(url, {"direction": "down"}, follow=True)
    assert "“Complete your company profile” is now step 3." in response.content.decode()
    response = program_admin_client.post(url, {"direction": "sideways"}, follow=True)
    assert "Move a step up or down." in response.content.decode()


def test_retiring_a_step_keeps_what_partners_did_and_frees_the_others(
    program_admin, default_checklist, onboarding_a, partner_b, partner_b_user
):
    start_onboarding(partner_b)  # has not accepted the agreement
    agreement = default_checklist.steps.get(kind=Kind.AGREEMENT)

    step, told = setup.checklist_step_retire(actor=program_admin, step=agreement)
    assert step.retired_at is not None
    assert told == 1

    assert _titles(onboarding_a)[0] == ("Accept the partner agreement", True)  # A did it: kept, done
    assert len(_titles(onboarding_a)) == 4
    assert [t for t, _ in _titles(partner_b)] == [
        "Complete your company profile",
        "Invite a colleague",
        "Kick-off call with your channel manager",
    ]
    assert not _told(onboarding_a)
    [message] = _told(partner_b)
    assert message.recipient == partner_b_user
    assert "you no longer need to do it" in message.body_text

    newcomer = PartnerFactory(name="Newcomer BV")
    start_onboarding(newcomer)
    assert "Accept the partner agreement" not in [t for t, _ in _titles(newcomer)]

    event = AuditEvent.objects.get(verb="onboarding.step_retired")
    assert event.after == {"retired": True, "removed_from_partners": 1, "kept_done_by": 1}
    with pytest.raises(Exception, match="already retired"):
        setup.checklist_step_retire(actor=program_admin, step=agreement)


def test_retiring_the_last_step_left_activates_the_partner(
    program_admin_client, program_admin, default_checklist, onboarding_a, partner_a_admin
):
    for kind in (Kind.PROFILE, Kind.INVITE):
        PartnerStep.objects.filter(partner=onboarding_a, step__kind=kind).update(completed_at=onboarding_a.created_at)
    kickoff = default_checklist.steps.get(kind=Kind.MANUAL)
    response = program_admin_client.post(
        reverse("manage:setup_step_retire", args=[default_checklist.pk, kickoff.pk]), follow=True
    )
    assert "“Kick-off call with your channel manager” is retired." in response.content.decode()
    onboarding_a.refresh_from_db()
    assert onboarding_a.status == Status.ACTIVE
    assert _told(onboarding_a, "partner_activated")  # one message says it all
    assert not _told(onboarding_a)
    assert [done for _, done in _titles(onboarding_a)] == [True, True, True]


def test_rewording_a_step_tells_who_still_has_it_to_do(program_admin, default_checklist, onboarding_a, partner_b):
    start_onboarding(partner_b)
    accept_current_agreement(partner_b)
    services.onboarding_refresh(partner=partner_b)
    agreement = default_checklist.steps.get(kind=Kind.AGREEMENT)
    profile = default_checklist.steps.get(kind=Kind.PROFILE)

    _, told = setup.checklist_step_update(actor=program_admin, step=agreement, data={"title": "Sign the agreement"})
    assert told == 0  # both did it already

    _, told = setup.checklist_step_update(
        actor=program_admin, step=profile, data={"title": "Tell us about your company", "help_text": "Five minutes."}
    )
    assert told == 2
    [message] = _told(onboarding_a)
    assert '"Complete your company profile" now reads "Tell us about your company"' in message.body_text

    with pytest.raises(Exception, match="Retire it and add a new step"):
        setup.checklist_step_update(actor=program_admin, step=profile, data={"kind": Kind.MANUAL})
    event = AuditEvent.objects.filter(verb="onboarding.step_changed").order_by("pk").last()
    assert event.before["title"] == "Complete your company profile"
    assert event.after == {"title": "Tell us about your company", "help_text": "Five minutes."}


def test_the_edit_page_locks_the_kind_once_partners_have_the_step(
    program_admin_client, default_checklist, onboarding_a
):
    profile = default_checklist.steps.get(kind=Kind.PROFILE)
    url = reverse("manage:setup_step_edit", args=[default_checklist.pk, profile.pk])
    assert "what it is cannot change" in program_admin_client.get(url).content.decode()
    response = program_admin_client.post(url, _step_data(kind=Kind.MANUAL, title="Profile, please", help_text=""))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.kind, profile.title) == (Kind.PROFILE, "Profile, please")  # the disabled kind is ignored


def test_a_checklist_for_a_partner_type(program_admin_client, program_admin, default_checklist):
    response = program_admin_client.post(reverse("manage:setup_checklist_create"), {"partner_type": "distributor"})
    checklist = Checklist.objects.get(partner_type="distributor")
    assert response.url == reverse("manage:setup_checklist_detail", args=[checklist.pk])
    assert checklist.name == "Distributor onboarding"
    assert AuditEvent.objects.filter(verb="onboarding.checklist_created").exists()

    again = program_admin_client.post(reverse("manage:setup_checklist_create"), {"partner_type": "distributor"})
    assert again.status_code == 400
    assert "choose one from the list" in again.content.decode()
    with pytest.raises(Exception, match="There is already a checklist for Distributor"):
        setup.checklist_create(actor=program_admin, name="", partner_type="distributor")

    # Without steps it does not apply; with one, distributors starting onboarding get it.
    empty = PartnerFactory(type=Partner.Type.DISTRIBUTOR)
    start_onboarding(empty)
    assert len(_titles(empty)) == 4
    setup.checklist_step_add(actor=program_admin, checklist=checklist, data=_step_data(title="Logistics set up"))
    distributor = PartnerFactory(type=Partner.Type.DISTRIBUTOR)
    start_onboarding(distributor)
    assert _titles(distributor) == [("Logistics set up", False)]
    assert len(_titles(empty)) == 4  # partners already onboarding keep the checklist they have

    body = program_admin_client.get(reverse("manage:setup_checklist_list")).content.decode()
    assert "For Distributor partners" in body
    assert "Logistics set up" in body


def test_the_list_reads_in_few_queries(program_admin_client, default_checklist, django_assert_max_num_queries):
    for n in range(5):
        start_onboarding(PartnerFactory(name=f"Onboarding {n}"))
    with django_assert_max_num_queries(16):
        response = program_admin_client.get(reverse("manage:setup_checklist_list"))
    assert "5 partners onboarding on it now" in response.content.decode()


# --- Agreement versions ----------------------------------------------------------------------------------------


def test_write_preview_then_publish_a_version(program_admin_client, program_admin, partner_a, partner_a_admin):
    form = program_admin_client.get(reverse("manage:setup_agreement_create")).content.decode()
    assert 'value="2.0"' in form
    assert "This Partner Agreement is between us" in form

    data = {"version": "2.0", "title": "Partner agreement", "body": "1. New terms.\r\n\r\n2. Same spirit."}
    preview = program_admin_client.post(reverse("manage:setup_agreement_create"), data)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Publishing makes every partner accept the agreement again." in body
    assert "the admins of 1 partner" in body
    assert AgreementVersion.objects.count() == 1  # nothing saved before publishing

    response = program_admin_client.post(
        reverse("manage:setup_agreement_create"), data | {"action": "publish"}, follow=True
    )
    new = AgreementVersion.objects.get(version="2.0")
    assert new.is_current
    assert new.body == "1. New terms.\n\n2. Same spirit."
    assert "Version 2.0 is published and current." in response.content.decode()
    assert AuditEvent.objects.get(verb="agreement.published").actor == program_admin
    [message] = Notification.objects.filter(recipient=partner_a_admin, template="onboarding_agreement_new")
    assert "version 2.0" in message.subject

    portal = Client()
    portal.force_login(partner_a_admin)
    page = portal.get(reverse("portal:agreement")).content.decode()
    assert "Version 2.0" in page
    assert "Accept on behalf of" in page


def test_a_bad_version_is_refused_and_nothing_typed_is_lost(program_admin_client):
    response = program_admin_client.post(
        reverse("manage:setup_agreement_create"),
        {"version": "1.0", "title": "", "body": "Kept text", "action": "publish"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Version 1.0 exists already." in body
    assert "Kept text" in body
    response = program_admin_client.post(reverse("manage:setup_agreement_create"), {"version": "3.0", "body": "   "})
    assert "The agreement text is empty." in response.content.decode()
    assert AgreementVersion.objects.count() == 1


def test_who_accepted_which_version(program_admin_client, program_admin, partner_a, partner_b, partner_a_admin):
    first = AgreementVersion.objects.get(is_current=True)
    second = setup.agreement_version_publish(actor=program_admin, version="2.0", title="", body="New terms.")
    services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna Admin", signer_title="CEO")

    rows = {row.version.version: row.accepted for row in setup.agreement_versions()}
    assert rows == {"1.0": 2, "2.0": 1}

    listing = program_admin_client.get(reverse("manage:setup_agreement_list")).content.decode()
    assert "1 partner still has to accept it" in listing

    detail = program_admin_client.get(reverse("manage:setup_agreement_detail", args=[second.pk])).content.decode()
    assert "Anna Admin, CEO" in detail
    assert "Northwind Solutions" in detail
    assert "Contoso Partners" in detail.split('id="pending"')[1]  # has not accepted 2.0
    old = program_admin_client.get(reverse("manage:setup_agreement_detail", args=[first.pk])).content.decode()
    assert "Contoso Partners" in old
    assert 'id="pending"' not in old
    assert AgreementAcceptance.objects.filter(version=first).count() == 2

    # A published version is never edited: there is no way to post to it.
    assert program_admin_client.post(reverse("manage:setup_agreement_detail", args=[first.pk])).status_code == 405


def test_only_program_admins_publish_through_the_service(channel_manager):
    with pytest.raises(Exception, match="Only program admins"):
        setup.agreement_version_publish(actor=channel_manager, version="9.0", title="", body="x")
    assert not AgreementVersion.objects.filter(version="9.0").exists()


def test_a_step_is_found_only_under_its_own_checklist(program_admin_client, program_admin, default_checklist):
    other = setup.checklist_create(actor=program_admin, name="", partner_type="msp")
    step = default_checklist.steps.first()
    assert program_admin_client.get(reverse("manage:setup_step_edit", args=[other.pk, step.pk])).status_code == 404
    assert program_admin_client.post(reverse("manage:setup_step_retire", args=[other.pk, step.pk])).status_code == 404
    assert program_admin_client.get(reverse("manage:setup_checklist_detail", args=[999999])).status_code == 404
    step.refresh_from_db()
    assert step.retired_at is None
