"""Partners' CSV importer for the background imports (imports.registry). A row names a partner: a new name creates
it (`partner_create`: audited, onboarding started), a name we have updates it; the other columns go through
`partner_update_profile`, the one place that checks and audits a partner's profile (a tier through
`partner_set_tier`, so the partner is told)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models.functions import Lower
from django_countries import countries as all_countries

from imports.registry import Checked, Importer, ImportField, Row, register_importer
from partners.models import Partner, Tier
from partners.services.people import partner_create
from partners.services.profile import _normalize, partner_update_profile
from prm.models import User

_SPLIT = re.compile(r"[,;|]")
_CHOICES = {
    "type": Partner.Type,
    "influence": Partner.Influence,
    "commercial_model": Partner.CommercialModel,
    "route_to_market": Partner.RouteToMarket,
    "regions": Partner.Region,
    "segments": Partner.Segment,
    "functions": Partner.Function,
}


def _choice(field: str, text: str) -> str:
    """A choice by its code or its label, case aside ("emea", "EMEA", "Europe, Middle East & Africa")."""
    choices = _CHOICES[field]
    wanted = " ".join(text.split()).lower()
    for value, label in choices.choices:
        if wanted in (value, str(label).lower()):
            return value
    codes = ", ".join(choices.values)
    raise ValidationError(f"“{text}” is not a {field.replace('_', ' ').rstrip('s')} ({codes}).")


def _country(text: str) -> str:
    code = all_countries.alpha2(text) or all_countries.by_name(text)
    if not code:
        raise ValidationError(f"Unknown country “{text}”: use a code like DE or an English name like Germany.")
    return str(code)


def _website(text: str) -> str:
    """northwind.com or https://northwind.com → the URL the profile keeps (the model asks for a scheme)."""
    url = text if "//" in text else f"https://{text}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(f"“{text}” is not a web address: write it like northwind.com.") from None
    return url


@dataclass
class PartnerRow:
    partner: Partner | None  # None: a new partner
    name: str
    type: str
    profile: dict[str, Any]


class PartnerImporter(Importer):
    label = "Partners"
    description = (
        "Partner companies. A name we have already updates that partner (empty cells keep what it has); a new name "
        "creates it, in onboarding."
    )
    fields = (
        ImportField("name", "name", True, "The company's name.", ("partner", "company", "partner_name")),
        ImportField(
            "type", "type", False, "reseller, si, msp, distributor… (needed for a new partner).", ("partner_type",)
        ),
        ImportField("website", "website", False, "Like northwind.com.", ("domain", "url")),
        ImportField("countries", "countries", False, "Codes or names, separated by commas.", ("country",)),
        ImportField("regions", "regions", False, "na, latam, emea, apac (commas between).", ("region",)),
        ImportField("segments", "segments", False, "enterprise, midmarket, smb (commas between).", ("segment",)),
        ImportField("functions", "functions", False, "build, sell, service, influence.", ("function",)),
        ImportField("verticals", "industries", False, "Commas between.", ("industries", "industry")),
        ImportField("seller_count", "number of sellers", False, "A whole number.", ("sellers",)),
        ImportField("description", "what they sell", False, "", ("about",)),
        ImportField("tier", "tier", False, "The tier's name.", ("tier_name", "level")),
        ImportField(
            "owner",
            "channel manager",
            False,
            "The email of the channel manager who owns it.",
            ("owner_email", "account_manager"),
        ),
        ImportField("influence", "influence", False, "high, mid or low."),
        ImportField("commercial_model", "commercial model", False, "resell, referral, service or cocreation."),
        ImportField(
            "route_to_market", "route to market", False, "distribution, si, resellers, marketplaces or alliances."
        ),
    )
    batch_size = 200

    def validate_row(self, row: Row) -> Checked:
        return self.validate_rows([row], [0])[0]

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        names = {" ".join(r.get("name", "").split()).lower() for r in rows} - {""}
        existing = {p.lname: p for p in Partner.objects.annotate(lname=Lower("name")).filter(lname__in=names)}
        tiers = {t.name.lower(): t for t in Tier.objects.all()}
        emails = {r["owner"].lower() for r in rows if r.get("owner")}
        owners = {u.email.lower(): u for u in User.objects.filter(email__in=emails)} if emails else {}
        seen: dict[str, int] = {}
        out: list[Checked] = []
        for number, row in zip(numbers, rows, strict=True):
            errors: list[str] = []
            profile: dict[str, Any] = {}
            name = " ".join(row.get("name", "").split())
            partner = existing.get(name.lower())
            if not name:
                errors.append("The name is missing.")
            elif name.lower() in seen:
                errors.append(f"Row {seen[name.lower()]} is about {name} too: keep one of the two.")
            seen.setdefault(name.lower(), number)
            kind = ""
            for field, text in row.items():
                if field == "name" or not text:
                    continue
                try:
                    if field == "type":
                        kind = _choice("type", text)
                        if partner is not None:
                            profile["type"] = kind
                    elif field in ("regions", "segments", "functions"):
                        profile[field] = [_choice(field, t) for t in _SPLIT.split(text) if t.strip()]
                    elif field == "countries":
                        profile[field] = [_country(t.strip()) for t in _SPLIT.split(text) if t.strip()]
                    elif field in ("influence", "commercial_model", "route_to_market"):
                        profile[field] = _choice(field, text)
                    elif field == "tier":
                        if text.lower() not in tiers:
                            raise ValidationError(
                                f"No tier is called “{text}” ({', '.join(t.name for t in tiers.values())})."
                            )
                        profile["tier"] = tiers[text.lower()]
                    elif field == "website":
                        profile[field] = _website(text)
                    elif field == "owner":
                        if text.lower() not in owners:
                            raise ValidationError(f"No user has the email {text}.")
                        profile["owner"] = owners[text.lower()]
                    else:
                        profile[field] = text
                    if field in profile:
                        profile[field] = _normalize(field, profile[field])  # the profile service's own checks
                except ValidationError as exc:
                    messages = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
                    errors.extend(m for found in messages for m in found)
            if partner is None and name and not kind:
                errors.append(f"{name} is a new partner: give its type (reseller, si, msp, distributor…).")
            clean = PartnerRow(partner=partner, name=name, type=kind, profile=profile)
            out.append((None if errors else clean, errors))
        return out

    def apply(self, rows: Sequence[PartnerRow], actor: User) -> tuple[int, int, int]:
        created = updated = unchanged = 0
        for row in rows:
            if row.partner is None:
                partner = partner_create(actor=actor, name=row.name, type=row.type)
                created += 1
            else:
                partner = row.partner
            if row.profile:
                partner_update_profile(actor=actor, partner=partner, data=row.profile)
            if row.partner is not None:
                if row.profile:
                    updated += 1
                else:
                    unchanged += 1
        return created, updated, unchanged

    def describe(self, clean: PartnerRow) -> str:
        if clean.partner is None:
            return f"New partner {clean.name}"
        return f"Updates {clean.partner.name}" if clean.profile else f"{clean.partner.name}: no change"


register_importer("partners", PartnerImporter)
