"""Deal registrations: drafts and updates by the partner, submission with conflict detection, and the channel
team's decisions. Import from `dealreg.services`."""

from .decisions import (
    conflict_group,
    conflict_resolve,
    registration_approve,
    registration_reject,
    registration_request_info,
)
from .drafts import registration_check_preview, registration_save_draft, registration_update
from .lifecycle import (
    extension_refusal,
    registration_close,
    registration_decide_extension,
    registration_expire_due,
    registration_request_extension,
)
from .submit import registration_submit

__all__ = [
    "conflict_group",
    "conflict_resolve",
    "extension_refusal",
    "registration_approve",
    "registration_check_preview",
    "registration_close",
    "registration_decide_extension",
    "registration_expire_due",
    "registration_reject",
    "registration_request_extension",
    "registration_request_info",
    "registration_save_draft",
    "registration_submit",
    "registration_update",
]
