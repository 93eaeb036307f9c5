"""Deal registration's CSV importers for the background imports (imports.registry): accounts, direct
opportunities and deal registrations. Each checks rows with the rules its service already has: accounts with the
account import's own row check, opportunities with the direct pipeline's cleaner, registrations through the
registration service itself (drafts saved and submitted by `registration_save_draft` and `registration_submit`,
so conflict detection runs for every submitted row)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from dealreg.models import Account, DirectOpportunity, Registration
from dealreg.services.accounts.importing import (
    COLUMN_ALIASES,
    FIELD_LABELS,
    ImportRow,
    account_row_clean,
    account_rows_match,
    account_rows_write,
)
from dealreg.services.accounts.records import (
    OPPORTUNITY_FIELDS,
    _clean_opportunity_data,
    opportunity_create,
    opportunity_upsert,
)
from dealreg.services.registrations.drafts import DRAFT_FIELDS, _apply, registration_save_draft
from dealreg.services.registrations.requirements import missing_to_submit
from dealreg.services.registrations.submit import registration_submit
from imports.registry import Checked, Importer, ImportField, Row, register_importer
from partners.models import Partner, PartnerMembership
from prm.models import User
from prm.names import company_name_key, registrable_domain

_ACCOUNT_HELP = {
    "name": "The company's name.",
    "website": "Its web address or domain, like northwind.com.",
    "country": "A code like DE or an English name like Germany.",
    "size": "smb, midmarket or enterprise.",
    "is_named_account": "yes or no: reserved for our direct sales team.",
    "is_customer": "yes or no: an existing customer.",
    "account_owner": "Who at our company owns it.",
    "external_id": "The account's id in your CRM: a row with an id an account has updates that account.",
}
_FLAG_WORDS = {"yes": True, "y": True, "true": True, "1": True, "x": True, "no": False, "n": False, "false": False}


class AccountImporter(Importer):
    label = "Accounts"
    description = (
        "End customers we know. A row whose external id (the CRM's id) an account has updates that account; else a "
        "company we already have (same web domain or same name) is updated; an empty cell keeps what it has."
    )
    fields = tuple(
        ImportField(
            name=name,
            label=FIELD_LABELS[name],
            required=name == "name",
            help=_ACCOUNT_HELP.get(name, ""),
            synonyms=aliases,
        )
        for name, aliases in COLUMN_ALIASES.items()
    )
    batch_size = 1000

    def validate_row(self, row: Row) -> Checked:
        checked = account_row_clean(number=0, cells=row)
        return checked, checked.errors

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        checked = [account_row_clean(number=n, cells=row) for n, row in zip(numbers, rows, strict=True)]
        account_rows_match(checked)
        return [(row, row.errors) for row in checked]

    def apply(self, rows: Sequence[ImportRow], actor: User) -> tuple[int, int, int]:
        created, _ = account_rows_write(actor=actor, rows=list(rows))
        updated = sum(1 for row in rows if row.action == "update" and row.changes)
        return created, updated, len(rows) - created - updated  # skipped: same values as the account has

    def describe(self, clean: ImportRow) -> str:
        if clean.action == "update":
            return f"Updates {clean.account_name}" if clean.changes else f"{clean.account_name}: no change"
        return f"New account {clean.values.get('name', '')}"


# --- Direct opportunities --------------------------------------------------------------------------------------


@dataclass
class OpportunityRow:
    account: Account | None  # None: an update that keeps the opportunity's account
    data: dict[str, Any]
    existing: DirectOpportunity | None = None  # the opportunity with the row's external id: updated


def _accounts_for(rows: Sequence[Row]) -> tuple[dict[str, Account], dict[str, list[Account]]]:
    domains = {registrable_domain(r.get("account", "")) for r in rows} - {""}
    names = {company_name_key(r.get("account", "")) for r in rows} - {""}
    by_domain: dict[str, Account] = {}
    by_name: dict[str, list[Account]] = {}
    for account in Account.objects.filter(domain__in=domains).order_by("pk"):
        by_domain.setdefault(account.domain, account)
    for account in Account.objects.filter(name_key__in=names).order_by("pk"):
        by_name.setdefault(account.name_key, []).append(account)
    return by_domain, by_name


class OpportunityImporter(Importer):
    label = "Direct opportunities"
    description = (
        "Our own sales team's opportunities, each on an account we already have (import the accounts first). A row "
        "whose external id (the CRM's id) an opportunity has updates that opportunity; the others are new."
    )
    fields = (
        ImportField("account", "account", True, "The account's name or web domain.", ("company", "customer")),
        ImportField("title", "title", True, "What is being sold.", ("opportunity", "opportunity_name", "deal")),
        ImportField("stage", "stage", False, "open, won or lost (open when empty)."),
        ImportField("amount", "amount", False, "Like 48000 or 48,000.00.", ("value",)),
        ImportField("currency", "currency", False, "A code like EUR (USD when empty).", ("ccy",)),
        ImportField("expected_close", "expected close", False, "A date like 2026-03-31.", ("close_date", "close")),
        ImportField("owner_name", "owner", False, "Who sells it.", ("owner",)),
        ImportField(
            "external_id",
            "external id",
            False,
            "The opportunity's id in your CRM: a row with an id an opportunity has updates it (the account may then "
            "be left empty).",
            ("crm_id", "external_ref"),
        ),
    )

    def validate_row(self, row: Row) -> Checked:
        return self.validate_rows([row], [0])[0]

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        by_domain, by_name = _accounts_for(rows)
        by_external_id = {
            o.external_id: o
            for o in DirectOpportunity.objects.select_related("account").filter(
                external_id__in={r.get("external_id", "").strip() for r in rows} - {""}
            )
        }
        first_by_external_id: dict[str, int] = {}
        out: list[Checked] = []
        for number, row in zip(numbers, rows, strict=True):
            errors: list[str] = []
            external_id = row.get("external_id", "").strip()
            existing = by_external_id.get(external_id) if external_id else None
            if external_id and external_id in first_by_external_id:
                errors.append(
                    f"Same external id ({external_id}) as row {first_by_external_id[external_id]}: keep one of the two."
                )
            elif external_id:
                first_by_external_id[external_id] = number
            raw = row.get("account", "")
            domain = registrable_domain(raw) if "." in raw and " " not in raw else ""
            account = by_domain.get(domain) if domain else None
            if account is None and raw:
                matches = by_name.get(company_name_key(raw), [])
                if len(matches) > 1:
                    errors.append(f"{len(matches)} accounts are called “{raw}”: use the web domain.")
                account = matches[0] if len(matches) == 1 else None
            if account is None and not errors and (raw or existing is None):
                errors.append(
                    f"No account is called “{raw}”: import or add the account first."
                    if raw
                    else "The account is missing."
                )
            fields = ("title", "stage", "amount", "currency", "expected_close", "owner_name", "external_id")
            # An update changes what the row fills in (an empty cell keeps the value); a new one takes defaults.
            data = {k: row[k] for k in fields if k in row and (existing is None or row[k])}
            if "stage" in data:
                data["stage"] = data["stage"].lower()
            try:
                clean = _clean_opportunity_data(data, partial=existing is not None)
            except ValidationError as exc:
                errors.extend(m for messages in exc.message_dict.values() for m in messages)
                clean = {}
            if errors:
                out.append((None, errors))
            else:
                out.append((OpportunityRow(account=account, data=clean, existing=existing), errors))
        return out

    def apply(self, rows: Sequence[OpportunityRow], actor: User) -> tuple[int, int, int]:
        created = updated = skipped = 0
        for row in rows:
            if row.data.get("external_id"):
                before = _opportunity_state(row.existing)
                opportunity, new = opportunity_upsert(
                    actor=actor, external_id=row.data["external_id"], data=row.data, account=row.account
                )
                if new:
                    created += 1
                elif _opportunity_state(opportunity) != before:
                    updated += 1
                else:
                    skipped += 1  # the same values as the opportunity has
            else:
                opportunity_create(actor=actor, account=row.account, data=row.data)
                created += 1
        return created, updated, skipped

    def describe(self, clean: OpportunityRow) -> str:
        if clean.existing is not None:
            account = clean.account or clean.existing.account
            return f"Updates “{clean.existing.title}” ({clean.existing.external_id}) on {account.name}"
        return f"New opportunity “{clean.data['title']}” on {clean.account.name}"


def _opportunity_state(opportunity: DirectOpportunity | None) -> tuple | None:
    if opportunity is None:
        return None
    return tuple(getattr(opportunity, f) for f in ("account_id", *OPPORTUNITY_FIELDS))


# --- Deal registrations ----------------------------------------------------------------------------------------


@dataclass
class RegistrationRow:
    partner: Partner
    registrant: User
    data: dict[str, Any]
    submit: bool


def _partners_for(rows: Sequence[Row]) -> tuple[dict[int, Partner], dict[str, list[Partner]]]:
    raw = [r.get("partner", "") for r in rows]
    ids = [int(v) for v in raw if v.isdigit() and len(v) < 12]
    names = {v.lower() for v in raw if v and not v.isdigit()}
    by_name: dict[str, list[Partner]] = {}
    for partner in Partner.objects.annotate(lname=Lower("name")).filter(lname__in=names):
        by_name.setdefault(partner.name.lower(), []).append(partner)
    return Partner.objects.in_bulk(ids), by_name


def _members_for(partner_ids: set[int]) -> dict[int, list[PartnerMembership]]:
    """Each partner's active members, admins first (the default registrant is the longest-standing admin)."""
    found: dict[int, list[PartnerMembership]] = {}
    memberships = (
        PartnerMembership.objects.filter(partner_id__in=partner_ids, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for membership in memberships:
        found.setdefault(membership.partner_id, []).append(membership)
    return found


class RegistrationImporter(Importer):
    label = "Deal registrations"
    description = (
        "Registrations in a partner's name, saved as drafts or submitted (the submit column): submitted ones go "
        "through conflict detection like the portal's. They are registered by the partner's member named in "
        "registered_by, or else by its first admin."
    )
    fields = (
        ImportField("partner", "partner", True, "The partner's exact name or its id.", ("partner_name", "partner_id")),
        ImportField("name", "customer", True, "The customer's company name.", ("customer", "company", "account")),
        ImportField("website", "website", False, "The customer's web domain.", ("domain", "url")),
        ImportField("country", "country", False, "A two-letter code like DE."),
        ImportField("contact_name", "contact name", False, "Needed to submit.", ("contact",)),
        ImportField("contact_email", "contact email", False, "Needed to submit.", ("email",)),
        ImportField("contact_title", "contact title", False),
        ImportField("products", "products", False, "What they buy, as text.", ("product",)),
        ImportField("value", "value", False, "The estimated value, like 48000 (needed to submit).", ("amount",)),
        ImportField("currency", "currency", False, "A code like EUR.", ("ccy",)),
        ImportField(
            "expected_close",
            "expected close",
            False,
            "A date like 2026-03-31 (needed to submit).",
            ("close_date", "close"),
        ),
        ImportField("stage", "stage", False, "discovery, poc, proposal or negotiation."),
        ImportField("involvement", "involvement", False, "sourced, influenced, fulfilled or cosell."),
        ImportField("notes", "notes", False),
        ImportField(
            "submit", "submit", False, "yes to submit it, no (or empty) to keep it a draft.", ("submitted", "status")
        ),
        ImportField(
            "registered_by",
            "registered by",
            False,
            "The email of the partner's member who registers it.",
            ("registrant", "member", "member_email"),
        ),
    )
    batch_size = 200

    def validate_row(self, row: Row) -> Checked:
        return self.validate_rows([row], [0])[0]

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        from dealreg.services.products import products_offered

        by_id, by_name = _partners_for(rows)
        partners = {*by_id.values(), *(p for found in by_name.values() for p in found)}
        members = _members_for({p.pk for p in partners})
        with_catalogue = products_offered().exists()
        out: list[Checked] = []
        for row in rows:
            errors: list[str] = []
            raw = row.get("partner", "")
            partner = None
            if raw.isdigit():
                partner = by_id.get(int(raw)) if len(raw) < 12 else None
                if partner is None:
                    errors.append(f"No partner has the id {raw}.")
            elif raw:
                matches = by_name.get(raw.lower(), [])
                if not matches:
                    errors.append(f"No partner is called “{raw}” (check the spelling, or use its id).")
                elif len(matches) > 1:
                    errors.append(f"{len(matches)} partners are called “{raw}”: use the id.")
                else:
                    partner = matches[0]
            else:
                errors.append("The partner is missing.")
            registrant = None
            if partner is not None:
                people = members.get(partner.pk, [])
                email = row.get("registered_by", "").lower()
                if email:
                    registrant = next((m.user for m in people if m.user.email.lower() == email), None)
                    if registrant is None:
                        errors.append(f"{email} is not an active member of {partner.name}.")
                else:
                    admins = [m for m in people if m.role == PartnerMembership.Role.ADMIN] or people
                    registrant = admins[0].user if admins else None
                    if registrant is None:
                        errors.append(f"{partner.name} has no active member to register in its name.")
            submit_word = row.get("submit", "").strip().lower()
            submit = submit_word in ("submit", "submitted") or _FLAG_WORDS.get(submit_word) is True
            if (
                submit_word
                and not submit
                and submit_word not in ("draft", *(w for w, f in _FLAG_WORDS.items() if not f))
            ):
                errors.append(f"“{row['submit']}” in submit is not yes or no.")
            data = {k: v for k, v in row.items() if k in DRAFT_FIELDS and v}  # an empty cell: the default
            for key in ("stage", "involvement"):
                if key in data:
                    data[key] = data[key].lower()
            probe = Registration(partner=partner)  # never saved: the draft service's own checks, run here
            try:
                _apply(probe, data, DRAFT_FIELDS)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    labels = {f.name: f.label for f in self.fields}
                    for key, found in exc.message_dict.items():
                        errors.extend(f"{labels.get(key, key).capitalize()}: {m}" for m in found)
                else:
                    errors.extend(exc.messages)
            if submit and not errors:
                values = {
                    f: getattr(probe, f)
                    for f in ("name", "contact_name", "contact_email", "products", "value", "expected_close")
                }
                missing = missing_to_submit(values, with_catalogue=with_catalogue)
                if missing:
                    errors.append(f"To submit, add {', '.join(r.what for r in missing)}.")
            clean = RegistrationRow(partner=partner, registrant=registrant, data=data, submit=submit)
            out.append((None if errors else clean, errors))
        return out

    def apply(self, rows: Sequence[RegistrationRow], actor: User) -> tuple[int, int, int]:
        for row in rows:
            registration = registration_save_draft(actor=row.registrant, partner=row.partner, data=row.data)
            if row.submit:
                registration_submit(actor=row.registrant, registration=registration)
        return len(rows), 0, 0

    def describe(self, clean: RegistrationRow) -> str:
        action = "Submitted" if clean.submit else "Draft"
        return f"{action} for {clean.partner.name}: {clean.data.get('name', '')} (by {clean.registrant.email})"


register_importer("accounts", AccountImporter)
register_importer("opportunities", OpportunityImporter)
register_importer("registrations", RegistrationImporter)
