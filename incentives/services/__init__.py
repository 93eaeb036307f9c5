"""Every write of the incentives app (and the reads the pages share). See plans.py (the plan and its versions) and
ledger.py (earnings)."""

from incentives.services.ledger import (
    Estimate,
    accrue_for_renewal,
    accrue_for_won,
    approve_due,
    calculate_for,
    line_hold,
    line_release,
    reverse_for,
)
from incentives.services.plans import (
    boost_delete,
    boost_save,
    payout_rule_delete,
    payout_rule_save,
    plan_get,
    plan_update,
    plan_version_in_force,
    upcoming_version,
    version_create_draft,
    version_for_registration,
    version_publish,
    version_sentences,
    version_update,
)

__all__ = [
    "Estimate",
    "accrue_for_renewal",
    "accrue_for_won",
    "approve_due",
    "boost_delete",
    "boost_save",
    "calculate_for",
    "line_hold",
    "line_release",
    "payout_rule_delete",
    "payout_rule_save",
    "plan_get",
    "plan_update",
    "plan_version_in_force",
    "reverse_for",
    "upcoming_version",
    "version_create_draft",
    "version_for_registration",
    "version_publish",
    "version_sentences",
    "version_update",
]
