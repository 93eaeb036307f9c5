"""The Content-Security-Policy of every HTML page (issue 19, item 4).

Scripts run only from our own static files (htmx, Chart.js, allauth's and our small behaviour scripts): no inline
script, no `on…=` attribute, no eval. Styles may be inline (style attributes written by templates and by htmx's and
Chart.js's own code) but load only from us. Images from us and `data:` (the QR code of the authenticator setup).
Nothing may frame the app, post a form elsewhere or change the base URL. A response that sets its own policy (a
private file download) keeps it.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def policy_for(request: HttpRequest) -> str:
    """The sign-in pages' single sign-on button posts to prm, which redirects to the identity provider: browsers
    check that redirect against form-action too, so those pages also allow the provider's origin (prm.sso)."""
    if request.path.startswith("/accounts/"):
        from prm.sso import identity_provider_origins

        origins = identity_provider_origins()
        if origins:
            return POLICY.replace("form-action 'self'", " ".join(["form-action 'self'", *origins]))
    return POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = policy_for(request)
        return response
