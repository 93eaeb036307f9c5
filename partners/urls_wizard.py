"""Program setup: the first-run setup wizard (/manage/program/start/...). Its deal-policy step (step 3,
`setup_wizard_deal_policy`) is routed by dealreg/urls_setup.py: partners knows no dealreg."""

from django.urls import path

from partners.views import wizard

manage_patterns: list = [
    path("program/start/", wizard.wizard_program, name="setup_wizard"),
    path("program/start/tiers/", wizard.wizard_tiers, name="setup_wizard_tiers"),
    path("program/start/onboarding/", wizard.wizard_onboarding, name="setup_wizard_onboarding"),
    path("program/start/invite/", wizard.wizard_invite, name="setup_wizard_invite"),
    path("program/start/done/", wizard.wizard_done, name="setup_wizard_done"),
    path("program/start/skip/", wizard.wizard_skip, name="setup_wizard_skip"),
]
