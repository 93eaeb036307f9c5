"""The partner portal's MDF pages (namespace `portal`): requests.py (balance, lists, the request and its page),
claims.py (the claim, proof files), ledger.py (the ledger as a statement), words.py (statuses and timeline in the
partner's words), held.py (proof files kept between tries of a form)."""

from .claims import claim_add_proof, claim_detail, claim_edit, claim_new, proof_download
from .ledger import ledger
from .requests import attribute, index, request_cancel, request_detail, request_edit, request_hints, request_new

__all__ = [
    "attribute",
    "claim_add_proof",
    "claim_detail",
    "claim_edit",
    "claim_new",
    "index",
    "ledger",
    "proof_download",
    "request_cancel",
    "request_detail",
    "request_edit",
    "request_hints",
    "request_new",
]
