"""Access control in one place: one guard per audience, applied to every view.

- `manager_required`: staff in the "Channel managers" group (or superusers).
- `partner_required(roles=...)`: a user with a membership in a partner; sets `request.membership` and
  `request.partner`. Everything a portal view reads must be scoped to `request.partner` (see the access helpers).
- `member_required`: either of the two (the inbox, which both audiences have).
- `public`: deliberately open to anyone (the health check, the invitation page).

Each guard marks the view with `prm_guard`, and `tests/test_url_guards.py` fails on any view that has none.
Outsiders get 404 for another partner's objects, never 403, so existence does not leak.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from itertools import islice
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

View = Callable[..., HttpResponse]
GUARD_ATTR = "prm_guard"


def _mark(view: View, guard: str) -> View:
    setattr(view, GUARD_ATTR, guard)
    return view


def user_membership(user: Any):
    """The user's membership (at most one), with its partner, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_prm_membership"):
        from partners.models import PartnerMembership

        user._prm_membership = (
            PartnerMembership.objects.select_related("partner").filter(user=user, is_active=True).first()
        )
    return user._prm_membership


def is_channel_manager(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_channel_manager)


def manager_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_channel_manager(request.user):
            # Partner users and others: the manager app does not exist for them.
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return _mark(wrapper, "manager")


def partner_required(view: View | None = None, *, roles: Iterable[str] | None = None):
    """Guard a portal view. With `roles`, only members having one of them may use it (others see a 403 page
    that says who can)."""
    allowed = frozenset(roles) if roles else None

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = user_membership(request.user)
            if membership is None:
                raise Http404("Not found")
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied(_role_message(allowed))
            request.membership = membership  # type: ignore[attr-defined]
            request.partner = membership.partner  # type: ignore[attr-defined]
            return func(request, *args, **kwargs)

        wrapper.prm_roles = allowed  # type: ignore[attr-defined]
        return _mark(wrapper, "partner")

    if view is not None:
        return decorator(view)
    return decorator


def member_required(view: View) -> View:
    """Signed in and either a channel manager or a partner member."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (is_channel_manager(request.user) or user_membership(request.user)):
            return render(request, "prm/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return _mark(wrapper, "member")


def forbidden(
    request: HttpRequest,
    *,
    who_can: str,
    people: Iterable[Any],
    title: str,
    why: str,
    ask_to: str,
    back_url: str,
    back_label: str,
    base_template: str = "manage/base.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The 403 page for a channel manager whose role does not allow a change: says nothing changed, and whom to
    ask — up to five of `people` (never the user asking) or else the administrator who can add them to the
    `who_can` group. `base_template` keeps the page inside its section's tabs."""
    others = [person for person in islice(people, 6) if person.pk != request.user.pk][:5]
    page = {
        "base_template": base_template,
        "who_can": who_can,
        "people": others,
        "title": title,
        "why": why,
        "ask_to": ask_to,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "prm/forbidden.html", {**(context or {}), **page}, status=403)


def public(view: View) -> View:
    """Open to anyone, signed in or not. Use sparingly; the URL-guard test lists every public view."""
    return _mark(view, "public")


def _role_message(roles: frozenset[str]) -> str:
    from partners.models import PartnerMembership

    labels = [str(PartnerMembership.Role(r).label) for r in sorted(roles)]
    return f"Only your company's {' or '.join(labels).lower()} users can do this. Ask one of them."


def scoped_get(queryset: QuerySet, *, partner: Any, partner_field: str = "partner", **lookup: Any) -> Model:
    """Fetch one object of `partner` or raise 404: the building block of every `access_<thing>` helper."""
    try:
        return queryset.get(**{partner_field: partner}, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not found") from None
