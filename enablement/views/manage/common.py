"""What the channel team's enablement pages share: the section's nav key, page sizes, and the service refusals put
next to the fields they name."""

from django.core.exceptions import ValidationError

from prm.forms import attach_errors

NAV = "enablement"
PER_PAGE = 50

__all__ = ["NAV", "PER_PAGE", "ValidationError", "attach_errors"]
