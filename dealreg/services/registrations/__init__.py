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
from .submit import registration_submit

__all__ = [
    "conflict_group",
    "conflict_resolve",
    "registration_approve",
    "registration_check_preview",
    "registration_reject",
    "registration_request_info",
    "registration_save_draft",
    "registration_submit",
    "registration_update",
]
