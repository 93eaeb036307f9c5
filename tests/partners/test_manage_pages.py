"""Channel managers' partner pages: the directory with its filters, adding a partner, a partner's detail page."""

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from partners import services
from partners.models import Invitation, Partner, PartnerMembership
from prm.models import AuditEvent
from prm.phrases import possessive
from tests.factories import MembershipFactory, PartnerFactory

Role = PartnerMembership.Role

# Session, user, channel-manager group check, the shell's membership lookup, the paginator's count, the page of
# partners (parent, tier and owner joined, member count in a subquery), the bell's unread count, the section tabs'
# two counts (applications, tier proposals), the filter form's tiers and channel managers, the navigation's
# badges (one query, prm/badges.py).
QUERY_BUDGET_LIST = 12


@pytest.fixture
def directory(db):
    atlas = PartnerFactory(name="Atlas Distribution", type=Partner.Type.DISTRIBUTOR, status=Partner.Status.ACTIVE)
    return {
        "atlas": atlas,
        "bluepeak": PartnerFactory(name="Bluepeak Consulting", type=Partner.Type.SI, status=Partner.Status.ONBOARDING),
        "cobalt": PartnerFactory(
            name="Cobalt Resale", type=Partner.Type.RESELLER, status=Partner.Status.ACTIVE, parent=atlas
        ),
        "dune": PartnerFactory(name="Dune Systems", type=Partner.Type.SI, status=Partner.Status.DORMANT),
    }


def names_in(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def test_list_renders_every_partner_with_member_counts(manager_client, directory):
    MembershipFactory.create_batch(2, partner=directory["bluepeak"])
    MembershipFactory(partner=directory["bluepeak"], is_active=False)  # inactive people are not counted
    response = manager_client.get("/manage/partners/")
    assert response.status_code == 200
    assert names_in(response) == ["Atlas Distribution", "Bluepeak Consulting", "Cobalt Resale", "Dune Systems"]
    body = response.content.decode()
    assert f'href="/manage/partners/{directory["cobalt"].pk}/"' in body
    assert "<td>Atlas Distribution</td>" in body  # Cobalt's distributor column
    counts = {p.name: p.member_count for p in response.context["page"].object_list}
    assert counts["Bluepeak Consulting"] == 2
    assert counts["Atlas Distribution"] == 0


def test_list_empty_state(manager_client):
    response = manager_client.get("/manage/partners/")
    assert response.status_code == 200
    assert "No partners yet" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=active", ["Atlas Distribution", "Cobalt Resale"]),
        ("?type=si", ["Bluepeak Consulting", "Dune Systems"]),
        ("?type=si&status=dormant", ["Dune Systems"]),
        ("?q=%20blue", ["Bluepeak Consulting"]),
        ("?q=SYSTEMS", ["Dune Systems"]),
        ("?q=nothing-like-this", []),
    ],
)
def test_list_filters(manager_client, directory, query, expected):
    response = manager_client.get(f"/manage/partners/{query}")
    assert response.status_code == 200
    assert names_in(response) == expected
    if not expected:
        assert "No partner matches these filters." in response.content.decode()


def test_htmx_request_gets_only_the_results_fragment(manager_client, directory):
    response = manager_client.get(
        "/manage/partners/?type=si", headers={"HX-Request": "true", "HX-Target": "partner-results"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="partner-results"')
    assert "<html" not in body
    assert 'role="search"' not in body  # the filter form is not re-rendered
    assert "Bluepeak Consulting" in body
    assert "Dune Systems" in body
    assert "Atlas Distribution" not in body

    # The same URL without htmx (a deep link, the back button) is the full page.
    full = manager_client.get("/manage/partners/?type=si")
    assert "<html" in full.content.decode()
    assert 'id="partner-results"' in full.content.decode()


def test_list_query_count_does_not_grow_with_partners(manager_client, django_assert_max_num_queries):
    distributor = PartnerFactory(type=Partner.Type.DISTRIBUTOR)
    for _ in range(3):
        MembershipFactory(partner=PartnerFactory(parent=distributor))
    with django_assert_max_num_queries(QUERY_BUDGET_LIST) as small:
        assert manager_client.get("/manage/partners/").status_code == 200

    for _ in range(30):
        MembershipFactory(partner=PartnerFactory(parent=distributor))
    with django_assert_max_num_queries(QUERY_BUDGET_LIST) as large:
        response = manager_client.get("/manage/partners/")
    assert len(response.context["page"].object_list) == 34
    assert len(large.captured_queries) == len(small.captured_queries)


def test_list_paginates(manager_client):
    PartnerFactory.create_batch(51)
    first = manager_client.get("/manage/partners/")
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = manager_client.get("/manage/partners/?page=2")
    assert len(second.context["page"].object_list) == 1


def test_create_partner_without_admin_email(manager_client, channel_manager):
    response = manager_client.post("/manage/partners/new/", {"name": "  Evergreen   IT ", "type": "msp"}, follow=True)
    partner = Partner.objects.get()
    assert partner.name == "Evergreen IT"
    assert partner.type == Partner.Type.MSP
    assert partner.status == Partner.Status.ONBOARDING
    assert response.redirect_chain == [(f"/manage/partners/{partner.pk}/", 302)]
    assert "Evergreen IT was created. Invite their first admin below." in response.content.decode()
    event = AuditEvent.objects.get(verb="partner.created")
    assert event.actor == channel_manager
    assert event.partner == partner
    assert event.after["name"] == "Evergreen IT"
    assert not Invitation.objects.exists()


def test_create_partner_with_admin_email_invites_them(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            "/manage/partners/new/",
            {"name": "Fjord Analytics", "type": "isv", "admin_email": "ola@fjord.example.com"},
            follow=True,
        )
    partner = Partner.objects.get(name="Fjord Analytics")
    assert "Fjord Analytics was created and ola@fjord.example.com was invited as admin." in response.content.decode()
    invitation = Invitation.objects.get(partner=partner)
    assert invitation.role == Role.ADMIN
    assert invitation.email == "ola@fjord.example.com"
    assert [m.to for m in mail.outbox] == [["ola@fjord.example.com"]]
    assert "/invite/" in mail.outbox[0].body
    assert list(AuditEvent.objects.order_by("id").values_list("verb", flat=True)) == [
        "partner.created",
        "invitation.created",
    ]


def test_create_partner_with_a_parent_distributor(manager_client, directory):
    manager_client.post(
        "/manage/partners/new/", {"name": "Granite VAR", "type": "var", "parent": directory["atlas"].pk}
    )
    assert Partner.objects.get(name="Granite VAR").parent == directory["atlas"]


def test_duplicate_name_shows_an_error_and_creates_nothing(manager_client, directory):
    response = manager_client.post(
        "/manage/partners/new/", {"name": "bluepeak consulting", "type": "si", "admin_email": "x@bluepeak.example.com"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "A partner named “bluepeak consulting” already exists." in body
    assert 'value="bluepeak consulting"' in body  # nothing typed is lost
    assert 'value="x@bluepeak.example.com"' in body
    assert Partner.objects.count() == 4
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_create_form_requires_name_and_type(manager_client):
    response = manager_client.post("/manage/partners/new/", {"name": "", "type": ""})
    assert response.status_code == 200
    assert response.content.decode().count("This field is required.") == 2
    assert not Partner.objects.exists()


def test_detail_shows_members_invitations_and_activity(
    manager_client, channel_manager, partner_a, partner_a_admin, partner_a_seller
):
    services.invitation_create(
        actor=channel_manager, partner=partner_a, email="new@northwind.example.com", role="sales"
    )
    services.membership_change_role(
        actor=channel_manager, membership=partner_a_seller.membership, role=Role.TECHNICAL, reason="Now does demos"
    )
    response = manager_client.get(f"/manage/partners/{partner_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Northwind Solutions</h1>" in body
    assert partner_a_admin.email in body
    assert partner_a_seller.email in body
    assert "Waiting for an answer" in body
    assert "new@northwind.example.com" in body
    assert "invited new@northwind.example.com as sales" in body
    seller = partner_a_seller.display_name
    changed = f"<strong>{channel_manager.display_name}</strong> changed {escape(possessive(seller))} role to technical"
    assert changed in body
    assert "Now does demos" in body
    assert [e.verb for e in response.context["timeline"]] == ["membership.role_changed", "invitation.created"]


def test_detail_of_new_partner_has_empty_states(manager_client, partner_b):
    body = manager_client.get(f"/manage/partners/{partner_b.pk}/").content.decode()
    assert "Nobody from Contoso Partners has joined yet." in body
    assert "No activity recorded yet." in body


def test_detail_of_missing_partner_is_404(manager_client):
    assert manager_client.get("/manage/partners/999999/").status_code == 404


def test_manager_invite_form_errors_stay_on_the_page(manager_client, partner_a):
    response = manager_client.post(f"/manage/partners/{partner_a.pk}/invite/", {"email": "nope", "role": "admin"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_manager_revokes_an_invitation(manager_client, channel_manager, partner_a):
    invitation, _ = services.invitation_create(
        actor=channel_manager, partner=partner_a, email="new@northwind.example.com", role="admin"
    )
    response = manager_client.post(f"/manage/invitations/{invitation.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(f"/manage/partners/{partner_a.pk}/", 302)]
    assert "The invitation to new@northwind.example.com was cancelled." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(verb="invitation.revoked").count() == 1


MANAGE_URLS = [
    "/manage/partners/",
    "/manage/partners/new/",
    "/manage/partners/{pk}/",
]


@pytest.mark.parametrize("url", MANAGE_URLS)
def test_partner_users_get_404_on_manage_pages(admin_client_a, seller_client_a, partner_a, url):
    for client in (admin_client_a, seller_client_a):
        assert client.get(url.format(pk=partner_a.pk)).status_code == 404


@pytest.mark.parametrize("url", MANAGE_URLS)
def test_anonymous_is_sent_to_login(partner_a, url):
    response = Client().get(url.format(pk=partner_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/")


def test_partner_users_cannot_post_to_manage_views(admin_client_a, partner_a, partner_a_admin):
    assert admin_client_a.post("/manage/partners/new/", {"name": "Sneaky", "type": "var"}).status_code == 404
    response = admin_client_a.post(
        f"/manage/partners/{partner_a.pk}/invite/", {"email": "x@example.com", "role": "admin"}
    )
    assert response.status_code == 404
    invitation, _ = services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="y@example.com", role="sales"
    )
    assert admin_client_a.post(f"/manage/invitations/{invitation.pk}/revoke/").status_code == 404
    assert not Partner.objects.filter(name="Sneaky").exists()
    assert Invitation.objects.get().revoked_at is None
    assert not Invitation.objects.filter(email="x@example.com").exists()
