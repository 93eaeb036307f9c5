"""Every write in the MDF app; import them from here: `from mdf import services`.

All functions take keyword arguments only. Bad input raises django.core.exceptions.ValidationError: with a dict
keyed by the form's field names when a field is at fault (`exc.message_dict`), else a plain message. Every write
is audited and told to the people concerned, with what happens next."""

from .attribution import attribution_add, attribution_remove
from .claim_review import claim_approve, claim_ask_info, claim_pay, claim_reject
from .claims import claim_resubmit, claim_submit, proof_add
from .common import REQUESTER_ROLES
from .decisions import request_approve, request_ask_info, request_reject
from .expiry import funds_expire_due, requests_expire_due
from .importing import AllocationImport, ImportRow, allocations_import
from .periods import (
    allocation_create,
    budget_for,
    current_period,
    funds_expire_on,
    mdf_settings,
    mdf_settings_update,
    next_period,
    period_for,
    pool_remaining,
    pool_set,
)
from .requests import request_cancel, request_extend_deadline, request_resubmit, request_submit

__all__ = [
    "REQUESTER_ROLES",
    "AllocationImport",
    "ImportRow",
    "allocation_create",
    "allocations_import",
    "attribution_add",
    "attribution_remove",
    "budget_for",
    "claim_approve",
    "claim_ask_info",
    "claim_pay",
    "claim_reject",
    "claim_resubmit",
    "claim_submit",
    "current_period",
    "funds_expire_due",
    "funds_expire_on",
    "mdf_settings",
    "mdf_settings_update",
    "next_period",
    "period_for",
    "pool_remaining",
    "pool_set",
    "proof_add",
    "request_approve",
    "request_ask_info",
    "request_cancel",
    "request_extend_deadline",
    "request_reject",
    "request_resubmit",
    "request_submit",
    "requests_expire_due",
]
