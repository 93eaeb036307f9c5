"""Portal pages (home, team): what each persona sees, and that partner B's user cannot reach partner A's things."""

import pytest
from django.test import Client

from partners import services
from partners.models import Invitation, PartnerMembership
from prm.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory

Role = PartnerMembership.Role

# Session, user, membership+partner, members, open invitations, the bell's unread count.
QUERY_BUDGET_TEAM = 7


def test_home_shows_the_partner_and_team_summary(admin_client_a, partner_a, partner_a_admin, partner_a_seller):
    services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="new@northwind.example.com", role="sales"
    )
    response = admin_client_a.get("/portal/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Welcome, {partner_a_admin.first_name}" in body
    assert "Northwind Solutions" in body
    assert "2 people from Northwind Solutions on prm, 1 invitation waiting" in body
    assert "Invite colleagues" in body


def test_team_page_for_admin_has_controls(admin_client_a, partner_a, partner_a_admin, partner_a_seller, partner_b_user):
    invitation, _ = services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="new@northwind.example.com", role="sales"
    )
    response = admin_client_a.get("/portal/team/")
    assert response.status_code == 200
    body = response.content.decode()
    assert partner_a_admin.email in body
    assert partner_a_seller.email in body
    assert partner_b_user.email not in body  # another partner's people never show
    assert f"/portal/team/{partner_a_seller.membership.pk}/role/" in body
    assert f"/portal/team/{partner_a_seller.membership.pk}/remove/" in body
    assert f"/portal/team/{partner_a_admin.membership.pk}/remove/" not in body  # no removing yourself
    assert "new@northwind.example.com" in body
    assert f"/portal/invitations/{invitation.pk}/revoke/" in body
    assert "Invite a colleague" in body


def test_team_page_for_seller_is_read_only(seller_client_a, partner_a, partner_a_admin, partner_a_seller):
    services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="new@northwind.example.com", role="sales"
    )
    response = seller_client_a.get("/portal/team/")
    assert response.status_code == 200
    body = response.content.decode()
    assert partner_a_admin.email in body
    assert "/role/" not in body
    assert "/remove/" not in body
    assert "new@northwind.example.com" not in body  # open invitations are for admins
    assert "Invite a colleague" not in body
    assert "Your company's admins invite colleagues" in body


@pytest.fixture
def partner_a_things(partner_a, partner_a_admin, partner_a_seller):
    invitation, _ = services.invitation_create(
        actor=partner_a_admin, partner=partner_a, email="new@northwind.example.com", role=Role.SALES
    )
    return {"seller": partner_a_seller.membership, "admin": partner_a_admin.membership, "invitation": invitation}


def test_outsider_gets_404_for_every_view_taking_an_id(outsider_client, partner_a_things):
    seller, admin, invitation = partner_a_things["seller"], partner_a_things["admin"], partner_a_things["invitation"]
    events_before = AuditEvent.objects.count()
    attempts = [
        (f"/portal/team/{seller.pk}/role/", {"role": "admin"}),
        (f"/portal/team/{admin.pk}/role/", {"role": "sales"}),
        (f"/portal/team/{seller.pk}/remove/", {}),
        (f"/portal/team/{admin.pk}/remove/", {}),
        (f"/portal/invitations/{invitation.pk}/revoke/", {}),
    ]
    for url, data in attempts:
        response = outsider_client.post(url, data)
        assert response.status_code == 404, url
        assert "We couldn't find that page" in response.content.decode()

    seller.refresh_from_db()
    admin.refresh_from_db()
    invitation.refresh_from_db()
    assert seller.role == Role.SALES
    assert admin.role == Role.ADMIN
    assert invitation.revoked_at is None
    assert AuditEvent.objects.count() == events_before


def test_outsider_team_page_shows_only_their_partner(outsider_client, partner_a_things, partner_b_user):
    body = outsider_client.get("/portal/team/").content.decode()
    assert partner_b_user.email in body
    assert "northwind" not in body.lower()


def test_nonexistent_ids_are_404_too(admin_client_a):
    assert admin_client_a.post("/portal/team/999999/role/", {"role": "sales"}).status_code == 404
    assert admin_client_a.post("/portal/team/999999/remove/").status_code == 404
    assert admin_client_a.post("/portal/invitations/999999/revoke/").status_code == 404


def test_manage_invitation_ids_are_not_reachable_from_the_portal(outsider_client, partner_a_things):
    """The manager's revoke URL is a different URL space; partner users get 404 there as well."""
    invitation = partner_a_things["invitation"]
    assert outsider_client.post(f"/manage/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_who_cannot_use_the_portal(db, channel_manager, manager_client):
    assert Client().get("/portal/team/").status_code == 302
    assert Client().get("/portal/team/")["Location"].startswith("/accounts/login/")
    assert manager_client.get("/portal/").status_code == 404  # channel managers have /manage/
    lonely = Client()
    lonely.force_login(UserFactory())
    assert lonely.get("/portal/").status_code == 404
    inactive = MembershipFactory(is_active=False).user
    client = Client()
    client.force_login(inactive)
    assert client.get("/portal/team/").status_code == 404


def test_get_on_post_only_views_is_405(admin_client_a, partner_a_seller):
    assert admin_client_a.get("/portal/team/invite/").status_code == 405
    assert admin_client_a.get(f"/portal/team/{partner_a_seller.membership.pk}/role/").status_code == 405
    assert admin_client_a.get(f"/portal/team/{partner_a_seller.membership.pk}/remove/").status_code == 405
    assert not Invitation.objects.exists()


def test_team_page_query_count_does_not_grow_with_the_team(
    admin_client_a, partner_a, partner_a_admin, django_assert_max_num_queries
):
    for _ in range(3):
        MembershipFactory(partner=partner_a)
    for n in range(2):
        services.invitation_create(actor=partner_a_admin, partner=partner_a, email=f"i{n}@example.com", role="sales")
    with django_assert_max_num_queries(QUERY_BUDGET_TEAM) as small:
        assert admin_client_a.get("/portal/team/").status_code == 200

    for _ in range(25):
        MembershipFactory(partner=partner_a)
    for n in range(10):
        services.invitation_create(actor=partner_a_admin, partner=partner_a, email=f"j{n}@example.com", role="sales")
    with django_assert_max_num_queries(QUERY_BUDGET_TEAM) as large:
        response = admin_client_a.get("/portal/team/")
    assert response.status_code == 200
    assert response.content.decode().count("/role/") == 29
    assert len(large.captured_queries) == len(small.captured_queries)
