"""The shareable badge of a certification award: a self-contained SVG (no fonts, images or scripts fetched), so it
can be embedded anywhere (a profile, an email signature, a proposal) and always shows today's validity.

Every text comes from people (names, companies, certification names), so each one is escaped for XML and shortened
to fit; nothing from the award is ever placed in an attribute unescaped.
"""

import math
import textwrap
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape as _xml_escape

from django.utils.formats import date_format

from enablement.models import CertificationAward

Status = CertificationAward.Status

WIDTH, HEIGHT = 600, 300
# Palette per state: background gradient (from, to), seal colour, status line colour.
_THEMES = {
    "valid": ("#0b4f4a", "#0f766e", "#f5c542", "#d1fae5"),
    "expiring": ("#0b4f4a", "#0f766e", "#f5c542", "#fde68a"),
    "expired": ("#374151", "#4b5563", "#9ca3af", "#e5e7eb"),
    "revoked": ("#4c1d1d", "#7f1d1d", "#9ca3af", "#fecaca"),
}


def _esc(text: str) -> str:
    return _xml_escape(str(text), {'"': "&quot;", "'": "&apos;"})


def _fit(text: str, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(text: str, width: int, max_lines: int) -> list[str]:
    text = " ".join(str(text or "").split())
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + " …", width)
    return lines


@dataclass(frozen=True)
class PublicValidity:
    """What the award proves on a day, as its badge and public page tell strangers."""

    theme: str  # valid | expiring | expired | revoked
    until: date | None  # valid until (or expired on); None when revoked
    renewed: bool = False  # valid through its renewal (`until` is the renewal's expiry)


def public_validity(award: CertificationAward, today: date) -> PublicValidity:
    """The award's validity on `today`. A renewed award stands for its renewal while that one holds, else for
    its own period."""
    status = award.status_on(today)
    if status == Status.REVOKED:
        return PublicValidity("revoked", None)
    if status == Status.RENEWED:
        successor = award.renewed_by
        if successor is not None and successor.revoked_at is None and today <= successor.expires_at:
            return PublicValidity("valid", successor.expires_at, renewed=True)
        return PublicValidity("valid" if today <= award.expires_at else "expired", award.expires_at)
    if status == Status.EXPIRED:
        return PublicValidity("expired", award.expires_at)
    if status == Status.EXPIRING_SOON:
        return PublicValidity("expiring", award.expires_at)
    return PublicValidity("valid", award.expires_at)


def _state(award: CertificationAward, today: date) -> tuple[str, str]:
    """(theme, status line) for the award on `today`."""
    validity = public_validity(award, today)
    if validity.until is None:
        return validity.theme, "Revoked: no longer valid"
    until = date_format(validity.until, "j F Y")
    if validity.theme == "expired":
        return validity.theme, f"Expired {until}"
    return validity.theme, f"Renewed · valid until {until}" if validity.renewed else f"Valid until {until}"


def _seal(theme: str, colour: str) -> str:
    """A rosette with a check (valid), a clock hand (expired) or a cross (revoked)."""
    cx, cy = 112, 150
    points = []
    for i in range(24):  # a scalloped edge: alternating radii
        angle = math.pi * 2 * i / 24
        radius = 72 if i % 2 == 0 else 64
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    mark = {
        "valid": f'<path d="M{cx - 22} {cy + 2} l16 16 l30 -34" fill="none" stroke="#0b4f4a" stroke-width="9" '
        'stroke-linecap="round" stroke-linejoin="round"/>',
        "expiring": f'<path d="M{cx - 22} {cy + 2} l16 16 l30 -34" fill="none" stroke="#0b4f4a" stroke-width="9" '
        'stroke-linecap="round" stroke-linejoin="round"/>',
        "expired": f'<path d="M{cx} {cy - 26} v26 l18 12" fill="none" stroke="#374151" stroke-width="8" '
        'stroke-linecap="round" stroke-linejoin="round"/>',
        "revoked": f'<path d="M{cx - 20} {cy - 20} l40 40 M{cx + 20} {cy - 20} l-40 40" fill="none" '
        'stroke="#4c1d1d" stroke-width="9" stroke-linecap="round"/>',
    }[theme]
    return (
        f'<polygon points="{" ".join(points)}" fill="{colour}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="52" fill="none" stroke="#ffffff" stroke-opacity="0.7" stroke-width="3"/>'
        f"{mark}"
    )


def badge_svg(*, award: CertificationAward, today: date) -> str:
    """The badge of `award` as it stands on `today`: holder, certification, partner company and validity."""
    theme, status_line = _state(award, today)
    start, end, seal, status_colour = _THEMES[theme]
    certification = _lines(award.certification.name, 22, 2)
    holder = _fit(award.holder_name, 30)
    company = _fit(award.partner.name, 40)
    label = f"{award.certification.name} — {award.holder_name}, {award.partner.name}. {status_line}. Code {award.code}."
    font = "font-family=\"-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\""
    title_y = 118 if len(certification) == 1 else 104
    cert_text = "".join(
        f'<tspan x="214" dy="{0 if i == 0 else 32}">{_esc(line)}</tspan>' for i, line in enumerate(certification)
    )
    holder_y = title_y + 32 * len(certification) + 14
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{_esc(label)}">'
        f"<title>{_esc(label)}</title>"
        "<defs>"
        f'<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{start}"/>'
        f'<stop offset="1" stop-color="{end}"/></linearGradient>'
        "</defs>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" rx="22" fill="url(#bg)"/>'
        f'<rect x="8" y="8" width="{WIDTH - 16}" height="{HEIGHT - 16}" rx="16" fill="none" stroke="#ffffff" '
        'stroke-opacity="0.18" stroke-width="2"/>'
        f"{_seal(theme, seal)}"
        f'<g {font} fill="#ffffff">'
        '<text x="214" y="62" font-size="13" font-weight="700" letter-spacing="3" fill-opacity="0.75">'
        "CERTIFIED PARTNER PROFESSIONAL</text>"
        f'<text x="214" y="{title_y}" font-size="27" font-weight="700">{cert_text}</text>'
        f'<text x="214" y="{holder_y}" font-size="20">{_esc(holder)}</text>'
        f'<text x="214" y="{holder_y + 26}" font-size="15" fill-opacity="0.8">{_esc(company)}</text>'
        f'<text x="214" y="246" font-size="15" font-weight="700" fill="{status_colour}">{_esc(status_line)}</text>'
        f'<text x="214" y="270" font-size="12" fill-opacity="0.7" font-family="ui-monospace, Menlo, Consolas, '
        f'monospace">Verify: {_esc(award.code)}</text>'
        "</g></svg>"
    )
