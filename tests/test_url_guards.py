"""Every URL of the project is guarded: a manager view, a partner view, a signed-in member view, or on the
explicit public list below. The sweep then proves each guard behaves: anonymous visitors are sent to sign in,
and the wrong audience gets a 404 (existence never leaks)."""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from prm.access import GUARD_ATTR

# Our own views that anyone may open. Adding one here is a security decision: say why.
PUBLIC_VIEWS = {
    "prm.views.home",  # redirects to sign-in or to the viewer's own app
    "prm.views.healthz",  # load balancers and compose healthchecks
    "partners.views.invitations.invitation_accept",  # the invitation link, checked by its one-time token
    "partners.views.recruitment.apply",  # "Become a partner": honeypot + rate limit
    "partners.views.recruitment.apply_thanks",  # the page after applying; shows nothing of anyone
    "enablement.views.public.verify",  # certificate verification by its unguessable code; hidden = unknown (404)
    "enablement.views.public.verify_badge",  # the SVG badge of the same code; runs nothing (CSP, nosniff)
    "prm.views.notification_unsubscribe",  # the unsubscribe link of an email, checked by its signed token
    "prm.views.login_unlock",  # the failed-sign-ins mail's link, checked by its signed token; POST to act
    # The public partner locator: only active partners whose admins listed their profile (404 for any other).
    "partners.views.locator.find",  # the search; shows listed partners' public cards only
    "partners.views.locator.profile",  # a listed partner's public page
    "partners.views.locator.logo",  # a listed partner's logo: PNG/JPEG/WebP checked on upload, served nosniff + CSP
    "partners.views.locator.contact",  # "contact this partner": honeypot + per-address rate limit; stores a pending
    # request and emails a confirmation link, nothing reaches the partner before it is used
    "partners.views.locator.contact_sent",  # "check your email"; shows only the listed partner's name
    "partners.views.locator.contact_confirm",  # the emailed link, checked by its signed token; POST to confirm
    "partners.views.locator.contact_confirmed",  # the page after confirming, same signed token
}
# Third-party views with their own protection (allauth: authentication pages; admin: staff only).
# The API (/api/v1/, django-ninja) authenticates every operation with a bearer token: its own sweep,
# tests/api/test_isolation_sweep.py, takes each operation of its OpenAPI schema (see the last test below).
THIRD_PARTY_PREFIXES = (
    "allauth.",
    "django.contrib.admin.",
    "django.views.",
    "django.contrib.staticfiles.",
    "ninja.",
)
OWN_APPS = (
    "prm.",
    "partners.",
    "dealreg.",
    "enablement.",
    "mdf.",
    "insights.",
    "incentives.",
    "api.",
    "webhooks.",
    "imports.",
    "leads.",
)


@dataclass
class Route:
    path: str
    view: object
    name: str
    namespace: str

    @property
    def dotted(self) -> str:
        view = getattr(self.view, "view_class", self.view)
        return f"{view.__module__}.{view.__qualname__}"

    @property
    def guard(self) -> str | None:
        return getattr(self.view, GUARD_ATTR, None)


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for pattern in patterns:
        part = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_walk(pattern.url_patterns, prefix + part, pattern.namespace or namespace))
        elif isinstance(pattern, URLPattern):
            routes.append(Route(prefix + part, pattern.callback, pattern.name or "", namespace))
    return routes


def _concrete(path: str) -> str:
    """A URL that resolves to the pattern: converters get an arbitrary value, regex anchors go."""
    path = re.sub(r"<(?:int|id):\w+>", "987654", path)
    path = re.sub(r"<(?:str|slug|path|uuid)?:?\w+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = _walk(get_resolver().url_patterns)
OWN_ROUTES = [r for r in ROUTES if r.dotted.startswith(OWN_APPS)]


def test_every_view_is_guarded_or_explicitly_public():
    unguarded = [
        f"/{r.path} → {r.dotted}"
        for r in ROUTES
        if r.guard is None
        and r.namespace != "admin"  # every admin view is wrapped in admin_site.admin_view (staff only)
        and not r.dotted.startswith(THIRD_PARTY_PREFIXES)
        and r.dotted not in PUBLIC_VIEWS
    ]
    assert not unguarded, "Views without an access guard (use prm.access):\n" + "\n".join(unguarded)


def test_public_views_are_exactly_the_listed_ones():
    public = {r.dotted for r in OWN_ROUTES if r.guard == "public"}
    assert public == PUBLIC_VIEWS


def test_the_sweep_sees_both_audiences():
    guards = {r.guard for r in OWN_ROUTES}
    assert {"manager", "partner", "member", "public"} <= guards
    assert len(OWN_ROUTES) >= 20


def _ids(routes):
    return [r.path or "/" for r in routes]


MANAGER_ROUTES = [r for r in OWN_ROUTES if r.guard == "manager"]
PARTNER_ROUTES = [r for r in OWN_ROUTES if r.guard == "partner"]
MEMBER_ROUTES = [r for r in OWN_ROUTES if r.guard == "member"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    MANAGER_ROUTES + PARTNER_ROUTES + MEMBER_ROUTES,
    ids=_ids(MANAGER_ROUTES + PARTNER_ROUTES + MEMBER_ROUTES),
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, route, method):
    response = getattr(client, method)(_concrete(route.path))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("route", MANAGER_ROUTES, ids=_ids(MANAGER_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_partner_users_cannot_see_the_manager_app(admin_client_a, route, method):
    response = getattr(admin_client_a, method)(_concrete(route.path))
    assert response.status_code == 404


@pytest.mark.parametrize("route", PARTNER_ROUTES, ids=_ids(PARTNER_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_channel_managers_without_membership_get_404_in_the_portal(manager_client, route, method):
    response = getattr(manager_client, method)(_concrete(route.path))
    assert response.status_code == 404


@pytest.mark.parametrize("route", PARTNER_ROUTES + MEMBER_ROUTES, ids=_ids(PARTNER_ROUTES + MEMBER_ROUTES))
def test_signed_in_user_without_any_role_is_refused(client, route, django_user_model):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="nobody@example.com"))
    response = client.get(_concrete(route.path))
    assert response.status_code in (403, 404)


def test_the_api_is_swept_operation_by_operation():
    """/api/v1/ is a few ninja URL patterns here; the API's sweep walks the operations behind them."""
    from tests.api.test_isolation_sweep import AUTHENTICATED, OPERATIONS, uncovered

    assert any(r.path.startswith("api/v1/") for r in ROUTES)
    assert AUTHENTICATED
    assert all(op.path.startswith("/api/v1/") for op in OPERATIONS)
    assert not uncovered(), "API operations the isolation sweep does not cover:\n" + "\n".join(uncovered())
