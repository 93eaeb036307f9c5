from django.urls import path

from partners import urls_setup_notifications, urls_setup_onboarding, urls_wizard
from partners.views import (
    invitations,
    manage,
    onboarding,
    portal,
    portal_profile,
    program,
    recruitment,
    settings,
    setup,
)

manage_urlpatterns = [
    # Directory and partner pages
    path("partners/", manage.partner_list, name="partner_list"),
    path("partners/export.csv", manage.partner_export, name="partner_export"),
    path("partners/new/", manage.partner_create, name="partner_create"),
    path("partners/<id:pk>/", manage.partner_detail, name="partner_detail"),
    path("partners/<id:pk>/edit/", manage.partner_edit, name="partner_edit"),
    path("partners/<id:pk>/notes/", manage.partner_note_add, name="partner_note_add"),
    path("partners/<id:pk>/invite/", manage.partner_invite, name="partner_invite"),
    path("invitations/<id:pk>/revoke/", manage.invitation_revoke, name="invitation_revoke"),
    # Recruitment: the review queue
    path("applications/", recruitment.application_list, name="application_list"),
    path("applications/export.csv", recruitment.application_export, name="application_export"),
    path("applications/<id:pk>/", recruitment.application_detail, name="application_detail"),
    path("applications/<id:pk>/approve/", recruitment.application_approve, name="application_approve"),
    path("applications/<id:pk>/decline/", recruitment.application_decline, name="application_decline"),
    # Onboarding: a channel manager ticks a manual step
    path(
        "partners/<id:pk>/steps/<id:step_pk>/complete/",
        onboarding.step_complete,
        name="onboarding_step_complete",
    ),
    # Program and tiers
    path("program/", setup.program_index, name="program_setup"),
    path("program/settings/", settings.program_settings, name="program_settings"),
    path("program/tiers/", setup.tier_list, name="setup_tier_list"),
    path("program/tiers/new/", setup.tier_create, name="setup_tier_create"),
    path("program/tiers/preview/", setup.tier_preview, name="setup_tier_preview"),
    path("program/tiers/<id:pk>/", setup.tier_edit, name="setup_tier_edit"),
    path("program/tiers/<id:pk>/move/", setup.tier_move, name="setup_tier_move"),
    path("program/tiers/<id:pk>/delete/", setup.tier_delete, name="setup_tier_delete"),
    path("program/tiers/<id:pk>/requirements/", setup.requirement_add, name="setup_requirement_add"),
    path(
        "program/tiers/<id:pk>/requirements/<id:requirement_pk>/",
        setup.requirement_edit,
        name="setup_requirement_edit",
    ),
    path(
        "program/tiers/<id:pk>/requirements/<id:requirement_pk>/remove/",
        setup.requirement_remove,
        name="setup_requirement_remove",
    ),
    # Program setup, onboarding: checklists and agreement versions (their own module)
    *urls_setup_onboarding.manage_patterns,
    *urls_setup_notifications.manage_patterns,
    *urls_wizard.manage_patterns,
    path("tiers/proposals/", program.proposal_list, name="tier_proposal_list"),
    path("tiers/proposals/export.csv", program.proposal_export, name="tier_proposal_export"),
    path("tiers/proposals/<id:pk>/decide/", program.proposal_decide, name="tier_proposal_decide"),
    path(
        "partners/<id:pk>/requirements/<id:requirement_pk>/tick/",
        program.requirement_tick,
        name="requirement_tick",
    ),
]

portal_urlpatterns = [
    path("team/", portal.team, name="team"),
    path("team/invite/", portal.team_invite, name="team_invite"),
    path("team/mfa/", portal.team_mfa, name="team_mfa"),
    path("team/<id:pk>/role/", portal.member_role, name="member_role"),
    path("team/<id:pk>/remove/", portal.member_remove, name="member_remove"),
    path("invitations/<id:pk>/revoke/", portal.invitation_revoke, name="invitation_revoke"),
    path("company/", portal_profile.company, name="company"),
    path("agreement/", onboarding.agreement, name="agreement"),
    path("program/", program.portal_program, name="program"),
    path("resellers/", recruitment.reseller_list, name="reseller_list"),
    path("resellers/invite/", recruitment.reseller_invite, name="reseller_invite"),
    path("resellers/<id:pk>/", recruitment.reseller_detail, name="reseller_detail"),
]

public_urlpatterns = [
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("apply/", recruitment.apply, name="apply"),
    path("apply/thanks/", recruitment.apply_thanks, name="apply_thanks"),
]
