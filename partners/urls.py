from django.urls import path

from partners.views import invitations, manage, onboarding, portal, portal_profile, program, recruitment, settings

manage_urlpatterns = [
    # Directory and partner pages
    path("partners/", manage.partner_list, name="partner_list"),
    path("partners/export.csv", manage.partner_export, name="partner_export"),
    path("partners/new/", manage.partner_create, name="partner_create"),
    path("partners/<int:pk>/", manage.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", manage.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/notes/", manage.partner_note_add, name="partner_note_add"),
    path("partners/<int:pk>/invite/", manage.partner_invite, name="partner_invite"),
    path("invitations/<int:pk>/revoke/", manage.invitation_revoke, name="invitation_revoke"),
    # Recruitment: the review queue
    path("applications/", recruitment.application_list, name="application_list"),
    path("applications/<int:pk>/", recruitment.application_detail, name="application_detail"),
    path("applications/<int:pk>/approve/", recruitment.application_approve, name="application_approve"),
    path("applications/<int:pk>/decline/", recruitment.application_decline, name="application_decline"),
    # Onboarding: a channel manager ticks a manual step
    path(
        "partners/<int:pk>/steps/<int:step_pk>/complete/",
        onboarding.step_complete,
        name="onboarding_step_complete",
    ),
    # Program and tiers
    path("program/settings/", settings.program_settings, name="program_settings"),
    path("tiers/proposals/", program.proposal_list, name="tier_proposal_list"),
    path("tiers/proposals/<int:pk>/decide/", program.proposal_decide, name="tier_proposal_decide"),
    path(
        "partners/<int:pk>/requirements/<int:requirement_pk>/tick/",
        program.requirement_tick,
        name="requirement_tick",
    ),
]

portal_urlpatterns = [
    path("team/", portal.team, name="team"),
    path("team/invite/", portal.team_invite, name="team_invite"),
    path("team/<int:pk>/role/", portal.member_role, name="member_role"),
    path("team/<int:pk>/remove/", portal.member_remove, name="member_remove"),
    path("invitations/<int:pk>/revoke/", portal.invitation_revoke, name="invitation_revoke"),
    path("company/", portal_profile.company, name="company"),
    path("agreement/", onboarding.agreement, name="agreement"),
    path("program/", program.portal_program, name="program"),
    path("resellers/", recruitment.reseller_list, name="reseller_list"),
    path("resellers/invite/", recruitment.reseller_invite, name="reseller_invite"),
    path("resellers/<int:pk>/", recruitment.reseller_detail, name="reseller_detail"),
]

public_urlpatterns = [
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("apply/", recruitment.apply, name="apply"),
    path("apply/thanks/", recruitment.apply_thanks, name="apply_thanks"),
]
