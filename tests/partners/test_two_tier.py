"""Two-tier distribution: a distributor's admins see and invite the resellers under it; nobody else sees them.
Isolation is tested in both directions: up (a reseller and its distributor), sideways (siblings, another
distributor) and down the roles (a distributor's seller)."""

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client

from partners import services
from partners.models import Application, Partner, PartnerMembership
from partners.selectors_recruitment import access_partner_for, reseller_list_for
from prm.models import AuditEvent
from tests.partners.factories_recruitment import (
    admin_of,
    distributor,
    give_steps,
    reseller,
    seller_of,
    stub_onboarding_start_if_missing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding_start_calls(monkeypatch):
    return stub_onboarding_start_if_missing(monkeypatch)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def membership(user) -> PartnerMembership:
    return PartnerMembership.objects.select_related("partner").get(user=user)


@pytest.fixture
def world(db):
    """Atlas (a distributor) with an admin and a seller, two resellers under it (Cobalt has an admin), and
    Zenith, another distributor, with its own reseller."""
    atlas = distributor("Atlas Distribution", website="https://atlas-dist.com")
    cobalt = reseller("Cobalt Resale", atlas, website="https://cobalt-resale.com", regions=["emea"])
    dune = reseller("Dune Systems", atlas, status=Partner.Status.ONBOARDING)
    zenith = distributor("Zenith Supply")
    yonder = reseller("Yonder IT", zenith)
    return {
        "atlas": atlas,
        "cobalt": cobalt,
        "dune": dune,
        "zenith": zenith,
        "yonder": yonder,
        "atlas_admin": admin_of(atlas, "ops@atlas-dist.com"),
        "atlas_seller": seller_of(atlas, "sid@atlas-dist.com"),
        "cobalt_admin": admin_of(cobalt, "cy@cobalt-resale.com"),
        "zenith_admin": admin_of(zenith, "zoe@zenith-supply.com"),
    }


# --- The scoping helper ----------------------------------------------------------------------------------------


def test_own_partner_is_always_accessible(world):
    for user, partner in [("atlas_admin", "atlas"), ("atlas_seller", "atlas"), ("cobalt_admin", "cobalt")]:
        assert access_partner_for(viewer=membership(world[user]), pk=world[partner].pk) == world[partner]


def test_a_distributor_admin_reaches_its_own_resellers_only(world):
    viewer = membership(world["atlas_admin"])
    assert access_partner_for(viewer=viewer, pk=world["cobalt"].pk) == world["cobalt"]
    assert access_partner_for(viewer=viewer, pk=world["dune"].pk) == world["dune"]
    for other in ("zenith", "yonder"):
        with pytest.raises(Http404):
            access_partner_for(viewer=viewer, pk=world[other].pk)


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("cobalt_admin", "atlas"),  # a reseller never sees its distributor
        ("cobalt_admin", "dune"),  # nor its siblings
        ("atlas_seller", "cobalt"),  # a distributor's seller is not one of its admins
        ("zenith_admin", "cobalt"),  # another distributor
    ],
)
def test_everyone_else_gets_404(world, user, target):
    with pytest.raises(Http404):
        access_partner_for(viewer=membership(world[user]), pk=world[target].pk)


def test_reseller_list_counts_progress_in_one_query(world, django_assert_num_queries):
    give_steps(world["dune"], done=2)
    give_steps(world["cobalt"], done=4)
    viewer = membership(world["atlas_admin"])
    with django_assert_num_queries(1):
        resellers = reseller_list_for(viewer=viewer)
        rows = {p.name: (p.steps_done, p.steps_total, p.member_count) for p in resellers}
    assert rows == {"Cobalt Resale": (4, 4, 1), "Dune Systems": (2, 4, 0)}


def test_reseller_list_is_only_for_distributor_admins(world):
    for user in ("atlas_seller", "cobalt_admin"):
        with pytest.raises(Http404):
            reseller_list_for(viewer=membership(world[user]))


# --- Portal pages ----------------------------------------------------------------------------------------------


def test_distributor_admin_sees_its_resellers_with_progress(world):
    give_steps(world["dune"], done=2)
    response = client_for(world["atlas_admin"]).get("/portal/resellers/")
    assert response.status_code == 200
    body = response.content.decode()
    assert [p.name for p in response.context["resellers"]] == ["Cobalt Resale", "Dune Systems"]
    assert "2 of 4 steps" in body
    assert f'href="/portal/resellers/{world["cobalt"].pk}/"' in body
    assert "Yonder IT" not in body
    assert "Zenith" not in body
    assert 'aria-current="page">Resellers</a>' in body


def test_empty_reseller_list_says_what_to_do(world):
    response = client_for(world["zenith_admin"]).get("/portal/resellers/")
    assert "Yonder IT" in response.content.decode()
    Partner.objects.filter(pk=world["yonder"].pk).update(parent=None)
    body = client_for(world["zenith_admin"]).get("/portal/resellers/").content.decode()
    assert "No resellers yet" in body
    assert "Invite your first reseller" in body


def test_distributor_admin_sees_a_resellers_profile(world):
    response = client_for(world["atlas_admin"]).get(f"/portal/resellers/{world['cobalt'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cobalt Resale" in body
    assert "https://cobalt-resale.com" in body
    assert "Europe, Middle East &amp; Africa" in body
    assert "1 person on prm" in body


def test_distributor_admin_opening_its_own_partner_goes_to_its_company_page(world):
    response = client_for(world["atlas_admin"]).get(f"/portal/resellers/{world['atlas'].pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/company/"


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("cobalt_admin", "atlas"),  # up: the reseller opens its distributor
        ("cobalt_admin", "dune"),  # sideways: a sibling reseller
        ("cobalt_admin", "cobalt"),  # the reseller pages are not for resellers at all
        ("atlas_seller", "cobalt"),  # down the roles: a distributor's seller
        ("zenith_admin", "cobalt"),  # another distributor's admin
        ("atlas_admin", "yonder"),  # another distributor's reseller
    ],
)
def test_reseller_detail_is_404_for_everyone_else(world, user, target):
    response = client_for(world[user]).get(f"/portal/resellers/{world[target].pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["cobalt_admin", "atlas_seller"])
def test_reseller_pages_are_404_for_non_distributor_admins(world, user):
    client = client_for(world[user])
    assert client.get("/portal/resellers/").status_code == 404
    assert client.get("/portal/resellers/invite/").status_code == 404
    assert client.post("/portal/resellers/invite/", {"name": "Sneaky"}).status_code == 404
    assert not Application.objects.exists()


def test_other_partners_users_get_404(world, outsider_client, admin_client_a):
    for client in (outsider_client, admin_client_a):
        assert client.get("/portal/resellers/").status_code == 404
        assert client.get(f"/portal/resellers/{world['cobalt'].pk}/").status_code == 404


# --- Inviting a reseller ---------------------------------------------------------------------------------------


def invite_data(**overrides):
    data = {
        "name": "Ember Retail",
        "website": "https://ember-retail.com",
        "type": Partner.Type.RESELLER,
        "contact_name": "Eli Ember",
        "contact_email": "eli@ember-retail.com",
        "why": "Our biggest reseller in Lyon.",
    }
    data.update(overrides)
    return data


def test_invite_form(world):
    response = client_for(world["atlas_admin"]).get("/portal/resellers/invite/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Invite a reseller" in body
    assert '<option value="reseller" selected>Reseller</option>' in body


def test_inviting_a_reseller_creates_an_application_for_the_channel_team(
    world, channel_manager, manager_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["atlas_admin"]).post("/portal/resellers/invite/", invite_data())
    assert response.status_code == 302
    assert response["Location"] == "/portal/resellers/"

    partner = Partner.objects.get(name="Ember Retail")
    assert partner.status == Partner.Status.APPLIED
    assert partner.source == Partner.Source.DISTRIBUTOR
    assert partner.type == Partner.Type.RESELLER
    assert partner.parent == world["atlas"]
    application = partner.application
    assert application.invited_by_partner == world["atlas"]
    assert application.submitted_by == world["atlas_admin"]
    assert application.contact_email == "eli@ember-retail.com"
    assert application.why == "Our biggest reseller in Lyon."
    event = AuditEvent.objects.get(verb="application.submitted")
    assert event.actor == world["atlas_admin"]
    assert event.after["invited_by"] == "Atlas Distribution"

    [contact_email] = [m for m in mail.outbox if m.to == ["eli@ember-retail.com"]]
    assert "Atlas Distribution proposed Ember Retail as a reseller" in contact_email.subject
    [manager_email] = [m for m in mail.outbox if m.to == [channel_manager.email]]
    assert "Atlas Distribution invited Ember Retail" in manager_email.body

    # The distributor sees it waiting; the channel team sees who invited it.
    body = client_for(world["atlas_admin"]).get("/portal/resellers/").content.decode()
    assert "Ember Retail" in body
    assert "Waiting for approval" in body
    queue = manager_client.get("/manage/applications/").content.decode()
    assert "invited by Atlas Distribution" in queue


def test_an_approved_reseller_appears_under_its_distributor(
    world, channel_manager, onboarding_start_calls, django_capture_on_commit_callbacks
):
    application = services.reseller_invite(
        actor=world["atlas_admin"],
        distributor=world["atlas"],
        name="Ember Retail",
        website="https://ember-retail.com",
        contact_name="Eli",
        contact_email="eli@ember-retail.com",
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.application_approve(actor=channel_manager, partner=application.partner)
    assert result.partner.status == Partner.Status.ONBOARDING
    assert result.partner.parent == world["atlas"]
    assert result.invitation is not None
    assert result.invitation.email == "eli@ember-retail.com"
    viewer = membership(world["atlas_admin"])
    assert access_partner_for(viewer=viewer, pk=result.partner.pk) == result.partner
    # …and stays invisible to the other distributor.
    with pytest.raises(Http404):
        access_partner_for(viewer=membership(world["zenith_admin"]), pk=result.partner.pk)


def test_invited_reseller_goes_through_the_duplicate_check(world):
    client_for(world["atlas_admin"]).post(
        "/portal/resellers/invite/", invite_data(name="Cobalt Resale GmbH", website="https://cobalt-resale.com")
    )
    application = Application.objects.get(partner__name="Cobalt Resale GmbH")
    assert application.duplicates[0]["partner_id"] == world["cobalt"].pk
    assert "same website domain cobalt-resale.com" in application.duplicates[0]["reason"]


def test_invite_errors_are_shown_and_nothing_is_lost(world):
    response = client_for(world["atlas_admin"]).post(
        "/portal/resellers/invite/", invite_data(website="no website", contact_email="eli")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter the website&#x27;s address, like https://northwind.com." in body
    assert "Enter an email address" in body
    assert 'value="Ember Retail"' in body
    assert "Our biggest reseller in Lyon." in body
    assert not Application.objects.exists()


def test_only_a_distributors_admin_can_invite_through_the_service(world):
    from django.core.exceptions import ValidationError

    for user, partner in [("atlas_seller", "atlas"), ("cobalt_admin", "cobalt"), ("zenith_admin", "atlas")]:
        with pytest.raises(ValidationError):
            services.reseller_invite(
                actor=world[user],
                distributor=world[partner],
                name="Sneaky Co",
                website="https://sneaky.com",
                contact_name="S",
                contact_email="s@sneaky.com",
            )
    assert not Application.objects.exists()
