"""The locator's demo: public profiles written by the partners' own admins (through the service, so the audit trail
and the channel manager's inbox show it). The active partners are listed and found at /partners/find/; a dormant
and an onboarding partner opted in too, and stay hidden until they are active. Idempotent: a partner whose profile
exists is left as it is. Registered in PartnersConfig.ready() (seed_demo runs it after the other apps' partners)."""

import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from partners import services
from partners.models import Partner, PartnerMembership, PublicProfile
from partners.services.locator import public_profile_update

# name: (industries, countries, headline, description, services, logo colours or None)
PROFILES: dict[str, tuple[list[str], list[str], str, str, list[str], tuple[bytes, bytes] | None]] = {
    "Northwind Solutions": (
        ["Retail", "Manufacturing", "Logistics"],
        [],
        "Rollouts and managed service for retail and manufacturing in DACH",
        "Northwind has implemented the platform for more than forty mid-sized retailers and manufacturers in "
        "Germany, Austria and Switzerland. We run discovery workshops, migrate your data, train your teams and "
        "keep the platform running with a 24/7 managed service in German and English.",
        ["Discovery workshops", "Implementation", "Data migration", "Training", "24/7 managed service"],
        (b"\x0f\x76\x6e", b"\xf0\xfd\xfa"),
    ),
    "Atlas Distribution": (
        ["Retail", "Public sector", "Education"],
        [],
        "Licences, logistics and a network of 120 resellers in Southern Europe",
        "Atlas distributes the platform in France, Italy and Spain. Buy licences through us or through one of our "
        "certified resellers near you; we handle procurement frameworks for public bodies and schools.",
        ["Licensing", "Public procurement", "Reseller network", "Pre-sales support"],
        (b"\x1e\x3a\x8a", b"\xe0\xe7\xff"),
    ),
    "Brightpath Advisors": (
        ["Healthcare", "Financial services"],
        ["GB", "IE"],
        "Independent advice on choosing and adopting the platform",
        "Brightpath's consultants help hospitals, insurers and banks decide whether the platform fits, build the "
        "business case and plan a safe adoption with their compliance teams.",
        ["Business case", "Vendor selection", "Compliance review", "Adoption planning"],
        None,
    ),
    # Opted in, but not shown: dormant, and still onboarding.
    "Quartz Systems": (
        ["Hospitality"],
        ["US"],
        "Cloud operations for hotels",
        "Quartz manages cloud infrastructure for hotel groups.",
        ["Managed cloud"],
        None,
    ),
    "Bluepeak Consulting": (
        ["Energy", "Utilities"],
        ["NO", "SE"],
        "Data platforms for energy companies",
        "Bluepeak builds data platforms for utilities in the Nordics.",
        ["Implementation", "Integration"],
        None,
    ),
}


def logo_png(foreground: bytes, background: bytes, size: int = 64) -> bytes:
    """A small square logo (a diagonal band on a tint), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    def pixel(x: int, y: int) -> bytes:
        return foreground if abs(x - y) < size // 5 or x + y < size // 4 else background

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(size)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def seed_locator(*, stdout: Any = None) -> int:
    """Public profiles for the demo partners that have an admin and no profile yet; returns how many it wrote."""
    written = 0
    for name, (industries, countries, headline, description, offered, colours) in PROFILES.items():
        partner = Partner.objects.filter(name=name).first()
        if partner is None or PublicProfile.objects.filter(partner=partner).exists():
            continue
        admin = (
            PartnerMembership.objects.filter(partner=partner, role=PartnerMembership.Role.ADMIN, is_active=True)
            .select_related("user")
            .first()
        )
        if admin is None:
            continue
        with transaction.atomic():
            reach = {"verticals": industries} if not partner.verticals else {}
            if countries and not partner.countries:
                reach["countries"] = countries
            if reach:
                services.partner_update_profile(actor=admin.user, partner=partner, data=reach)
            logo = SimpleUploadedFile("logo.png", logo_png(*colours), content_type="image/png") if colours else None
            public_profile_update(
                actor=admin.user,
                partner=partner,
                data={
                    "listed": True,
                    "headline": headline,
                    "description": description,
                    "services": offered,
                    "public_website": partner.website,
                },
                logo=logo,
            )
        written += 1
    if stdout is not None:
        stdout.write(f"Locator profiles ready ({written} added): /partners/find/")
    return written
