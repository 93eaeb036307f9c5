"""The partner agreement: reading and signing it in the portal, publishing a new version, and the gate that keeps
the portal closed until the current version is accepted (when the program asks for it)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from partners import services
from partners.middleware import agreement_gate_version
from partners.models import AgreementAcceptance, AgreementVersion, ChecklistStep, Program
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory
from tests.partners.factories_onboarding import (  # noqa: F401 -- gate and program_defaults are fixtures
    forget_acceptances,
    gate,
    program_defaults,
    start_onboarding,
    step_of,
)

pytestmark = pytest.mark.usefixtures("program_defaults")

URL = "/portal/agreement/"


@pytest.fixture
def current(partner_a, partner_b):
    forget_acceptances(partner_a, partner_b)  # neither company has signed yet
    return AgreementVersion.objects.get(is_current=True)  # version 1.0, from migration 0004


def _sign(client, **data):
    return client.post(URL, {"signer_name": "Anna Lindqvist", "signer_title": "CEO", "accept": "on", **data})


# --- Reading and signing ----------------------------------------------------------------------------------------


def test_admin_sees_the_text_and_a_form_with_their_name(admin_client_a, partner_a_admin, current):
    partner_a_admin.first_name, partner_a_admin.last_name = "Anna", "Lindqvist"
    partner_a_admin.save()
    response = admin_client_a.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Version 1.0" in body
    assert "<p>This Partner Agreement is between us" in body  # the body, with its line breaks as paragraphs
    assert 'value="Anna Lindqvist"' in body
    assert "accept it on behalf of Northwind Solutions" in body


def test_a_seller_reads_it_and_sees_who_can_sign(seller_client_a, partner_a_admin, current):
    body = seller_client_a.get(URL).content.decode()
    assert "This Partner Agreement is between us" in body
    assert "Only your company's admins can accept it" in body
    assert partner_a_admin.email in body
    assert 'name="signer_name"' not in body


def test_a_seller_cannot_sign(seller_client_a, partner_a, current):
    response = _sign(seller_client_a)
    assert response.status_code == 403
    assert "admins can accept the agreement" in response.content.decode()
    assert not AgreementAcceptance.objects.exists()


def test_admin_signs_and_the_acceptance_is_recorded(
    admin_client_a, partner_a, partner_a_admin, current, django_capture_on_commit_callbacks
):
    start_onboarding(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign(admin_client_a, version=current.pk)
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    acceptance = AgreementAcceptance.objects.get()
    assert acceptance.partner == partner_a
    assert acceptance.version == current
    assert acceptance.user == partner_a_admin
    assert (acceptance.signer_name, acceptance.signer_title) == ("Anna Lindqvist", "CEO")
    assert acceptance.accepted_at is not None
    assert acceptance.ip_address == "127.0.0.1"
    event = AuditEvent.objects.get(verb="agreement.accepted")
    assert event.after == {"version": "1.0", "signer_name": "Anna Lindqvist", "signer_title": "CEO", "ip": "127.0.0.1"}
    assert step_of(partner_a, ChecklistStep.Kind.AGREEMENT).completed_by == partner_a_admin
    assert Notification.objects.get(template="onboarding_agreement_accepted").recipient == partner_a_admin

    page = admin_client_a.get(URL).content.decode()
    assert "Anna Lindqvist (CEO)" in page
    assert "accepted version 1.0 on behalf of Northwind Solutions" in page
    assert 'name="signer_name"' not in page


def test_the_signer_ip_comes_from_the_request(admin_client_a, partner_a, current):
    admin_client_a.post(URL, {"signer_name": "Anna", "accept": "on"}, REMOTE_ADDR="203.0.113.9")
    assert AgreementAcceptance.objects.get().ip_address == "203.0.113.9"


def test_missing_checkbox_keeps_what_was_typed(admin_client_a, current):
    response = admin_client_a.post(URL, {"signer_name": "Anna Lindqvist", "signer_title": "CEO"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick the box to accept" in body
    assert 'value="Anna Lindqvist"' in body
    assert 'value="CEO"' in body
    assert not AgreementAcceptance.objects.exists()


def test_accepting_twice_is_refused_clearly(partner_a, partner_a_admin, current):
    services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna")
    with pytest.raises(ValidationError, match=r"already accepted version 1.0 on .* \(signed by Anna\)"):
        services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna")
    with pytest.raises(ValidationError, match="Type your full name"):
        services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="  ")


def test_a_double_submit_lands_on_the_signed_page(admin_client_a, current):
    _sign(admin_client_a)
    response = _sign(admin_client_a)
    assert response.status_code == 302
    assert AgreementAcceptance.objects.count() == 1


def test_another_partners_admin_cannot_sign_for_partner_a(partner_a, partner_b_user, current):
    with pytest.raises(ValidationError, match="Only Northwind Solutions's admins"):
        services.agreement_accept(actor=partner_b_user, partner=partner_a, signer_name="Olga")


def test_outsider_never_sees_another_partners_acceptance(admin_client_a, outsider_client, partner_a_admin, current):
    _sign(admin_client_a)
    body = outsider_client.get(URL).content.decode()
    assert "Anna Lindqvist" not in body
    assert "Northwind" not in body
    assert 'name="signer_name"' in body  # Contoso still has to sign its own


# --- Publishing a new version -----------------------------------------------------------------------------------


def test_publishing_a_new_version_asks_partners_to_accept_again(
    admin_client_a, partner_a, partner_a_admin, partner_a_seller, channel_manager, current
):
    _sign(admin_client_a)
    new = services.agreement_publish(actor=channel_manager, version="2.0", title="Partner agreement", body="New terms.")
    current.refresh_from_db()
    assert current.is_current is False
    assert new.is_current is True
    assert AuditEvent.objects.get(verb="agreement.published").before == {"version": "1.0"}
    told = Notification.objects.filter(template="onboarding_agreement_new")
    assert [n.recipient for n in told] == [partner_a_admin]  # admins only

    page = admin_client_a.get(URL).content.decode()
    assert "Version 2.0" in page
    assert "New terms." in page
    assert 'name="signer_name"' in page
    assert "<td>1.0</td>" in page  # the earlier acceptance stays in the history

    assert _sign(admin_client_a).status_code == 302
    assert AgreementAcceptance.objects.filter(partner=partner_a).count() == 2


def test_only_channel_managers_publish_and_versions_are_unique(partner_a_admin, channel_manager, current):
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.agreement_publish(actor=partner_a_admin, version="2.0", title="", body="x")
    with pytest.raises(ValidationError, match=r"Version 1\.0 exists already"):
        services.agreement_publish(actor=channel_manager, version="1.0", title="", body="x")
    with pytest.raises(ValidationError, match="text is empty"):
        services.agreement_publish(actor=channel_manager, version="2.0", title="", body="  ")
    assert AgreementVersion.objects.get(is_current=True) == current


def test_signing_a_version_that_was_replaced_meanwhile_is_refused(admin_client_a, channel_manager, current):
    services.agreement_publish(actor=channel_manager, version="2.0", title="Partner agreement", body="New terms.")
    response = _sign(admin_client_a, version=current.pk)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The agreement changed while you were reading it: version 2.0 is now current" in body
    assert "New terms." in body
    assert not AgreementAcceptance.objects.exists()


def test_without_any_agreement_the_page_says_so(admin_client_a, current):
    AgreementVersion.objects.update(is_current=False)
    body = admin_client_a.get(URL).content.decode()
    assert "There is no partner agreement to accept yet" in body


# --- The gate ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("gate")
def test_gate_sends_unsigned_partners_to_the_agreement(admin_client_a, seller_client_a, current):
    response = admin_client_a.get("/portal/team/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/agreement/?next=%2Fportal%2Fteam%2F"
    page = admin_client_a.get(response["Location"])
    assert page.status_code == 200
    assert "please read and accept the partner agreement (version 1.0)" in page.content.decode()

    assert admin_client_a.get("/portal/")["Location"] == "/portal/agreement/"
    assert admin_client_a.post("/portal/team/invite/", {"email": "x@northwind.example.com"}).status_code == 302

    seller_page = seller_client_a.get("/portal/", follow=True).content.decode()
    assert "One of your company&#x27;s admins needs to accept it" in seller_page


@pytest.mark.usefixtures("gate")
def test_gate_exempts_everything_outside_the_portal(admin_client_a, current):
    assert admin_client_a.get("/inbox/").status_code == 200
    assert admin_client_a.get("/healthz").status_code == 200
    assert admin_client_a.get("/accounts/email/").status_code == 200


@pytest.mark.usefixtures("gate")
def test_gate_opens_after_signing_and_returns_where_you_were(admin_client_a, current):
    response = _sign(admin_client_a, next="/portal/team/")
    assert response["Location"] == "/portal/team/"
    assert admin_client_a.get("/portal/team/").status_code == 200


@pytest.mark.usefixtures("gate")
def test_gate_is_off_when_the_program_says_so(admin_client_a, current):
    Program.objects.filter(pk=1).update(require_agreement_first=False)
    assert admin_client_a.get("/portal/").status_code == 200


@pytest.mark.usefixtures("gate")
def test_gate_ignores_channel_managers_and_visitors(manager_client, client, current):
    assert manager_client.get("/portal/").status_code == 404  # the portal is not theirs; the guard says so
    assert client.get("/portal/")["Location"].startswith("/accounts/login/")


@pytest.mark.usefixtures("gate")
def test_gate_answers_htmx_with_a_client_redirect(admin_client_a, current):
    response = admin_client_a.get("/portal/team/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/portal/agreement/")


def test_gate_check_costs_at_most_two_queries_and_is_cached(partner_a_admin, current, django_assert_num_queries):
    request = RequestFactory().get("/portal/")
    request.user = partner_a_admin
    with django_assert_num_queries(2):  # the membership (shared with the view's guard) and the gate itself
        assert agreement_gate_version(request) == current
        assert agreement_gate_version(request) == current


def test_gate_lets_a_newly_published_version_close_the_portal_again(partner_a, partner_a_admin, current):
    services.agreement_accept(actor=partner_a_admin, partner=partner_a, signer_name="Anna")
    request = RequestFactory().get("/portal/")
    request.user = partner_a_admin
    assert agreement_gate_version(request) is None
    new = services.agreement_publish(
        actor=ChannelManagerFactory(), version="2.0", title="Partner agreement", body="New terms."
    )
    request = RequestFactory().get("/portal/")
    request.user = partner_a_admin
    assert agreement_gate_version(request) == new
