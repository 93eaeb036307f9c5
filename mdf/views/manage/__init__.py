"""The channel team's MDF pages (namespace `manage`): queue.py (the review queue, every request and claim, CSV
exports), requests.py and claims.py (one of each, with the decisions and the payout), budgets.py (budgets per
period, tier pools, allocations and the CSV import), ledger.py (the ledger, payouts due, ROI, settings)."""

from .budgets import allocate, allocation_import, budgets, pool_set
from .claims import claim_decide, claim_detail, claim_pay, proof_download
from .ledger import ledger, payouts, roi, settings_page
from .queue import claim_list, export, request_list, review_queue
from .requests import request_decide, request_detail, request_extend

__all__ = [
    "allocate",
    "allocation_import",
    "budgets",
    "claim_decide",
    "claim_detail",
    "claim_list",
    "claim_pay",
    "export",
    "ledger",
    "payouts",
    "pool_set",
    "proof_download",
    "request_decide",
    "request_detail",
    "request_extend",
    "request_list",
    "review_queue",
    "roi",
    "settings_page",
]
