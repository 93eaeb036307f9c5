"""Leads from CSV through the background imports (imports.registry): each row checked by the lead's own cleaner
and created by `create_lead` (source "import"), so every lead is matched against our accounts and registrations
and handed on as the distribution settings say."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from imports.registry import Checked, Importer, ImportField, Row, register_importer
from leads.models import Lead
from leads.services.intake import clean_lead_data, create_lead
from prm.models import User

COLUMNS = {
    "name": ("company", True, "The company's name.", ("company", "company_name", "account", "organisation")),
    "website": ("website", False, "Its web address or domain.", ("domain", "url", "web")),
    "country": ("country", False, "A code like DE or an English name like Germany.", ("country_code",)),
    "contact_name": ("contact name", True, "Who to talk to.", ("contact", "full_name", "name")),
    "contact_email": ("contact email", True, "Their email address.", ("email", "e_mail")),
    "contact_phone": ("contact phone", False, "", ("phone", "telephone")),
    "industry": ("industry", False, "Like Healthcare or Retail.", ("vertical", "sector")),
    "size": ("size", False, "smb, midmarket or enterprise.", ("segment", "company_size")),
    "interest": ("interest", False, "What they asked about.", ("product", "products", "product_interest")),
    "notes": ("notes", False, "", ("note", "comments")),
}


class LeadImporter(Importer):
    label = "Leads"
    description = (
        "Prospects to hand to partners (from an event, a campaign, your CRM). Each is checked against our accounts "
        "and registrations, then offered as the lead distribution settings say."
    )
    fields = tuple(
        ImportField(name, label, required, help, synonyms)
        for name, (label, required, help, synonyms) in COLUMNS.items()
    )
    batch_size = 200

    def validate_row(self, row: Row) -> Checked:
        data = {name: row.get(name, "") for name in COLUMNS}
        try:
            clean = clean_lead_data(data)
        except ValidationError as exc:
            return None, [f"{COLUMNS[k][0]}: {' '.join(v)}" for k, v in exc.message_dict.items()]
        return clean, []

    def apply(self, rows: Sequence[dict], actor: User) -> tuple[int, int, int]:
        for clean in rows:
            create_lead(
                actor=actor,
                company_name=clean["name"],
                website=clean.get("website", ""),
                country=clean.get("country", ""),
                contact_name=clean["contact_name"],
                contact_email=clean["contact_email"],
                contact_phone=clean.get("contact_phone", ""),
                industry=clean.get("industry", ""),
                size=clean.get("size", ""),
                interest=clean.get("interest", ""),
                notes=clean.get("notes", ""),
                source=Lead.Source.IMPORT,
            )
        return len(rows), 0, 0

    def describe(self, clean: dict) -> str:
        where = f" ({clean['country']})" if clean.get("country") else ""
        return f"New lead {clean['name']}{where}, contact {clean['contact_name']}"


register_importer("leads", LeadImporter)
