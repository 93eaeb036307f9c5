from functools import cache

from django.http import HttpRequest

from prm.access import is_channel_manager, user_membership
from prm.badges import nav_badges
from prm.notifications import inbox_unread_count

# First path segment under /manage/ or /portal/ → the navigation entry to highlight.
_NAV = {
    "": "home",
    "partners": "partners",
    "invitations": "partners",
    "deals": "deals",
    "enablement": "enablement",
    "training": "enablement",
    "mdf": "mdf",
    "insights": "insights",
    "team": "team",
    "reviews": "reviews",
    "performance": "performance",
    # Pages that belong to a section without sharing its first segment (the manager's program setup is marked as
    # "Partners" by templates/manage/base.html; the portal has a "Program" entry of its own).
    "applications": "partners",
    "tiers": "partners",
    "program": "program",
    "accounts": "deals",
    "company": "company",
    "resellers": "resellers",
}


def shell(request: HttpRequest) -> dict:
    """What the page shell needs: which audience the viewer is, the current section, the bell's count and, for
    channel managers, the navigation's badges (each computed once, and only if the page draws it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    parts = request.path.strip("/").split("/")
    section = _NAV.get(parts[1] if len(parts) > 1 else "", "") if parts[0] in ("manage", "portal") else ""
    is_manager = is_channel_manager(user)
    return {
        "nav": section,
        "viewer_is_manager": is_manager,
        "viewer_membership": user_membership(user),
        "inbox_unread": cache(lambda: inbox_unread_count(user=user)),  # counted once, only if the bell shows
        "nav_badges": cache(lambda: nav_badges(request)) if is_manager else {},
    }
