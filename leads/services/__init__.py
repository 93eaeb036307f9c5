"""Every write in the leads app; import them from here: `from leads import services`."""

from .distribution import (
    lead_auto_offer,
    lead_close,
    lead_distribute,
    lead_offer,
    lead_offer_locator,
    lead_offer_top,
    offer_accept,
    offer_decline,
    offer_withdraw,
    offers_expire_due,
)
from .intake import create_lead, lead_update
from .registration import leads_sync_outcomes
from .settings import distribution_settings, distribution_settings_update

__all__ = [
    "create_lead",
    "distribution_settings",
    "distribution_settings_update",
    "lead_auto_offer",
    "lead_close",
    "lead_distribute",
    "lead_offer",
    "lead_offer_locator",
    "lead_offer_top",
    "lead_update",
    "leads_sync_outcomes",
    "offer_accept",
    "offer_decline",
    "offer_withdraw",
    "offers_expire_due",
]
