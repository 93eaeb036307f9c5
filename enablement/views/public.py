"""The public verification of a certification: `/verify/<code>/` and its badge, `/verify/<code>/badge.svg`. No
sign-in. They show the holder's name (never the email address), the partner company, the certification and
whether it is valid today. An unknown code and a page its holder hid look the same (404); a revoked certification
says so, also with a 404 status, so nothing treats it as a live credential. The holder, signed in, still sees
their own hidden page."""

import re
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from enablement.badges import badge_svg, public_validity
from enablement.models import CertificationAward
from enablement.selectors import award_by_code
from partners.services.program import program_get
from prm.access import public

# What a code can look like (see models.new_award_code; older codes may be longer). Anything else is not looked up.
CODE_SHAPE = re.compile(r"[A-Za-z0-9]{1,32}")
BADGE_MAX_AGE = 300  # seconds: a hidden or revoked badge stops showing within minutes everywhere it is embedded


@dataclass(frozen=True)
class Verdict:
    valid: bool
    theme: str  # valid | expiring | expired | revoked
    headline: str
    detail: str
    valid_until: date | None


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def verdict(award: CertificationAward, today: date) -> Verdict:
    """Whether the award proves the certification on `today` (the badge's `public_validity`), in words a stranger
    understands."""
    validity = public_validity(award, today)
    theme, until = validity.theme, validity.until
    if until is None:
        return Verdict(
            False,
            theme,
            "Not valid: revoked",
            f"This certification was withdrawn on {_day(timezone.localdate(award.revoked_at))}. It does not "
            "prove the holder's certification.",
            None,
        )
    if theme == "expired":
        return Verdict(
            False, theme, "Not valid today: expired", f"It expired on {_day(until)} and has not been renewed.", until
        )
    if theme == "expiring":
        return Verdict(True, theme, "Valid today", f"Valid until {_day(until)} (due for renewal).", until)
    detail = f"Renewed: valid until {_day(until)}." if validity.renewed else f"Valid until {_day(until)}."
    return Verdict(True, theme, "Valid today", detail, until)


def _find(request: HttpRequest, code: str) -> tuple[CertificationAward | None, bool]:
    """(the award, whether the viewer is its holder looking at a hidden page)."""
    if not CODE_SHAPE.fullmatch(code or ""):
        return None, False
    award = award_by_code(code, include_hidden=True)
    if award is None:
        return None, False
    is_holder = request.user.is_authenticated and award.user_id == request.user.pk
    if not award.public and not is_holder:
        return None, False
    return award, not award.public


@public
def verify(request: HttpRequest, code: str) -> HttpResponse:
    award, hidden = _find(request, code)
    if award is None:
        shown = code if CODE_SHAPE.fullmatch(code) else ""
        return render(request, "enablement/public/verify_missing.html", {"code": shown}, status=404)
    today = timezone.localdate()
    result = verdict(award, today)
    context = {
        "award": award,
        "verdict": result,
        "today": today,
        "hidden": hidden,
        "program": program_get(),
        "badge_url": reverse("verify_badge", args=[award.code]),
        "page_url": request.build_absolute_uri(reverse("verify", args=[award.code])),
    }
    status = 404 if result.theme == "revoked" else 200
    response = render(request, "enablement/public/verify.html", context, status=status)
    if hidden:
        response["Cache-Control"] = "private, no-store"
    return response


_MISSING_BADGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 600 300" role="img" '
    'aria-label="Certification not found"><title>Certification not found</title>'
    '<rect width="600" height="300" rx="22" fill="#f3f4f6"/>'
    '<text x="300" y="150" text-anchor="middle" font-family="-apple-system, Segoe UI, Roboto, Helvetica, Arial, '
    'sans-serif" font-size="24" fill="#4b5563">Certification not found</text></svg>'
)


@public
def verify_badge(request: HttpRequest, code: str) -> HttpResponse:
    """The badge as an image; a missing or hidden one is a plain "not found" image with a 404 status."""
    award, hidden = _find(request, code)
    if award is None:
        response = HttpResponse(_MISSING_BADGE, content_type="image/svg+xml", status=404)
        response["Cache-Control"] = f"public, max-age={BADGE_MAX_AGE}"
    else:
        response = HttpResponse(badge_svg(award=award, today=timezone.localdate()), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store" if hidden else f"public, max-age={BADGE_MAX_AGE}"
    # An SVG is a document: it may run nothing and load nothing, even when opened on its own.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
