"""Program setup, deal registration: the deal-registration policy (/manage/program/...)."""

from django.urls import path

from dealreg.views import setup

manage_patterns: list = [
    path("program/deal-policy/", setup.deal_policy, name="setup_deal_policy"),
    # The first-run wizard's third step lives here: partners (the wizard) knows nothing of deal registration.
    path("program/start/deal-policy/", setup.wizard_policy, name="setup_wizard_deal_policy"),
]
