from django.urls import path

from partners.views import invitations, manage, portal

manage_urlpatterns = [
    path("partners/", manage.partner_list, name="partner_list"),
    path("partners/new/", manage.partner_create, name="partner_create"),
    path("partners/<int:pk>/", manage.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/invite/", manage.partner_invite, name="partner_invite"),
    path("invitations/<int:pk>/revoke/", manage.invitation_revoke, name="invitation_revoke"),
]

portal_urlpatterns = [
    path("", portal.home, name="home"),
    path("team/", portal.team, name="team"),
    path("team/invite/", portal.team_invite, name="team_invite"),
    path("team/<int:pk>/role/", portal.member_role, name="member_role"),
    path("team/<int:pk>/remove/", portal.member_remove, name="member_remove"),
    path("invitations/<int:pk>/revoke/", portal.invitation_revoke, name="invitation_revoke"),
]

public_urlpatterns = [
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
]
