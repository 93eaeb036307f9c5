"""Contracts and renewal outcomes from CSV: every row is checked first (the preview lists each row's problems);
rows are written only when none has a problem, all in one transaction. Importing the same file twice is refused
row by row ("exists already", "recorded already"), never applied twice."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from insights.models import CustomerContract, RenewalOutcome
from partners.models import Partner
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money

from .contracts import (
    NOTE_MAX,
    Outcome,
    _clean_contract,
    _clean_outcome,
    _require_manager,
    _snapshot,
    renewal_record,
)

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_CHARS = 2 * 1024 * 1024

# --- CSV import ---------------------------------------------------------------------------------------------------

CONTRACT_COLUMNS = {
    "customer_name": ("customer", "customer_name", "name", "company", "account"),
    "starts_on": ("starts_on", "start", "start_date", "starts", "started_on"),
    "amount": ("amount", "value", "arr", "contract_value"),
    "currency": ("currency", "ccy"),
    "term_months": ("term_months", "term", "months"),
    "renewal_on": ("renewal_on", "renewal", "renewal_date", "renews_on"),
    "partner": ("partner", "partner_name", "partner_id"),
    "involvement": ("involvement",),
    "registration": ("registration", "registration_id", "deal", "deal_id"),
    "owner": ("owner", "owner_email"),
}
CONTRACT_REQUIRED = ("customer_name", "starts_on", "amount", "currency")
OUTCOME_COLUMNS = {
    "contract": ("contract", "contract_id", "id"),
    "customer_name": ("customer", "customer_name", "name"),
    "due_on": ("renewal_on", "due_on", "renewal_date", "due"),
    "outcome": ("outcome", "result"),
    "new_amount": ("new_amount", "amount"),
    "note": ("note", "notes", "comment"),
}
OUTCOME_REQUIRED = ("due_on", "outcome")


@dataclass
class ImportRow:
    number: int  # the line in the file (the header is line 1)
    cells: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    summary: str = ""  # what the row will do, in words


@dataclass
class ImportResult:
    kind: str  # "contracts" | "outcomes"
    rows: list[ImportRow] = field(default_factory=list)
    problem: str = ""  # a problem with the file as a whole
    notes: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.problem) or any(row.errors for row in self.rows)


def _column_key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _read(text: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], result: ImportResult):
    """The file's rows as dicts of our field names; file-level problems go to `result.problem`."""
    text = (text or "").lstrip("\ufeff")
    if len(text) > IMPORT_MAX_CHARS:
        result.problem = "The file is larger than 2 MB. Split it into smaller files."
        return []
    if not text.strip():
        result.problem = "The file is empty. Its first line holds the column names."
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    aliases = {alias: name for name, names in columns.items() for alias in names}
    try:
        headers = next(reader)
        mapped: list[str | None] = []
        ignored = []
        for header in headers:
            target = aliases.get(_column_key(header))
            if target is not None and target in mapped:
                result.problem = f"Two columns mean the {target.replace('_', ' ')}: keep one of them."
                return []
            mapped.append(target)
            if target is None and header.strip():
                ignored.append(header.strip())
        if ignored:
            result.notes.append(f"Ignored columns: {', '.join(ignored)}.")
        missing = [name for name in required if name not in mapped]
        if result.kind == "outcomes" and "contract" not in mapped and "customer_name" not in mapped:
            missing.insert(0, "contract")
        if missing:
            result.problem = (
                f"The file has no {', '.join(m.replace('_', ' ') for m in missing)} column. "
                "Its first line holds the column names: see the columns below."
            )
            return []
        records = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(records) >= IMPORT_MAX_ROWS:
                result.problem = f"The file has more than {IMPORT_MAX_ROWS:,} rows; split it into smaller files."
                return []
            row = ImportRow(number=number)
            for target, cell in zip(mapped, cells, strict=False):
                if target is not None:
                    row.cells[target] = cell.strip()
            records.append(row)
    except StopIteration:
        result.problem = "The file is empty. Its first line holds the column names."
        return []
    except csv.Error as exc:
        result.problem = f"The file could not be read as CSV ({exc}). Save it as CSV and try again."
        return []
    if not records:
        result.problem = "The file has a header but no rows under it."
    return records


def _parse_date(raw: str, label: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"The {label} “{raw}” is not a date written like 2026-03-31.") from None


def _partners_for(rows: list[ImportRow]) -> tuple[dict[int, Partner], dict[str, list[Partner]]]:
    ids = {
        int(r.cells["partner"]) for r in rows if r.cells.get("partner", "").isdigit() and len(r.cells["partner"]) < 12
    }
    names = {r.cells["partner"].lower() for r in rows if r.cells.get("partner") and not r.cells["partner"].isdigit()}
    by_name: dict[str, list[Partner]] = {}
    for partner in Partner.objects.select_related("owner").annotate(lname=Lower("name")).filter(lname__in=names):
        by_name.setdefault(partner.name.lower(), []).append(partner)
    return Partner.objects.select_related("owner").in_bulk(ids), by_name


def _check_contract_rows(rows: list[ImportRow]) -> None:
    from dealreg.models import Registration

    by_id, by_name = _partners_for(rows)
    reg_ids = {int(r.cells["registration"]) for r in rows if r.cells.get("registration", "").isdigit()}
    registrations = Registration.objects.select_related("partner__owner").in_bulk([i for i in reg_ids if i < 10**11])
    linked = set(CustomerContract.objects.filter(registration_id__in=reg_ids).values_list("registration_id", flat=True))
    emails = {r.cells["owner"].lower() for r in rows if r.cells.get("owner")}
    owners = {u.email.lower(): u for u in User.objects.filter(email__in=emails)} if emails else {}
    keys = set()
    for row in rows:
        if row.cells.get("customer_name") and row.cells.get("starts_on"):
            keys.add(row.cells["customer_name"].lower())
    existing = {
        (name.lower(), partner_id, start)
        for name, partner_id, start in CustomerContract.objects.annotate(lname=Lower("customer_name"))
        .filter(lname__in=keys)
        .values_list("customer_name", "partner_id", "starts_on")
    }
    seen_registrations: dict[int, int] = {}
    seen_keys: dict[tuple, int] = {}
    for row in rows:
        cells = row.cells
        partner = None
        registration = None
        raw_reg = cells.get("registration", "")
        if raw_reg:
            registration = registrations.get(int(raw_reg)) if raw_reg.isdigit() and len(raw_reg) < 12 else None
            if registration is None:
                row.errors.append(f"No deal registration has the id {raw_reg}.")
            elif registration.status != Registration.Status.WON:
                row.errors.append(f"The registration {raw_reg} is not won.")
                registration = None
            elif registration.pk in linked:
                row.errors.append(f"The registration {raw_reg} has a contract already.")
                registration = None
            elif registration.pk in seen_registrations:
                row.errors.append(f"Row {seen_registrations[registration.pk]} links the registration {raw_reg} too.")
                registration = None
            else:
                seen_registrations[registration.pk] = row.number
                partner = registration.partner
        raw_partner = cells.get("partner", "")
        if raw_partner and registration is None and not raw_reg:
            if raw_partner.isdigit():
                partner = by_id.get(int(raw_partner)) if len(raw_partner) < 12 else None
                if partner is None:
                    row.errors.append(f"No partner has the id {raw_partner}.")
            else:
                matches = by_name.get(raw_partner.lower(), [])
                if not matches:
                    row.errors.append(f"No partner is called “{raw_partner}” (check the spelling, or use its id).")
                elif len(matches) > 1:
                    row.errors.append(f"{len(matches)} partners are called “{raw_partner}”: use the id.")
                else:
                    partner = matches[0]
        owner = None
        if cells.get("owner"):
            owner = owners.get(cells["owner"].lower())
            if owner is None:
                row.errors.append(f"No user has the email {cells['owner']}.")
        elif partner is not None and partner.owner_id:
            owner = partner.owner
        dates: dict[str, date | None] = {"starts_on": None, "renewal_on": None}
        for name, label in (("starts_on", "start"), ("renewal_on", "renewal date")):
            if cells.get(name):
                try:
                    dates[name] = _parse_date(cells[name], label)
                except ValidationError as exc:
                    row.errors.extend(exc.messages)
        involvement = cells.get("involvement", "")
        if registration is not None and not involvement:
            involvement = registration.involvement
        try:
            values = _clean_contract(
                customer_name=cells.get("customer_name", ""),
                starts_on=dates["starts_on"],
                amount=cells.get("amount", ""),
                currency=cells.get("currency", ""),
                term_months=cells.get("term_months", ""),
                renewal_on=dates["renewal_on"],
                partner=partner,
                involvement=involvement,
                owner=owner,
            )
        except ValidationError as exc:
            unreadable_start = bool(cells.get("starts_on")) and dates["starts_on"] is None
            for name, messages in exc.message_dict.items():
                if not (name == "starts_on" and unreadable_start):  # its own message is there already
                    row.errors.extend(messages)
            continue
        key = (values["customer_name"].lower(), partner.pk if partner else None, values["starts_on"])
        if key in existing:
            row.errors.append("This contract exists already (same customer, partner and start).")
        elif key in seen_keys:
            row.errors.append(f"Row {seen_keys[key]} has the same customer, partner and start.")
        seen_keys.setdefault(key, row.number)
        values["registration"] = registration
        values["account_id"] = registration.account_id if registration else None
        row.values = values
        who = partner.name if partner else "direct"
        row.summary = (
            f"{values['customer_name']} ({who}): {format_money(values['amount'], values['currency'])}, "
            f"{values['starts_on']:%b %-d, %Y} for {values['term_months']} months, "
            f"renews {values['renewal_on']:%b %-d, %Y}"
        )


def contracts_import(*, actor: User, text: str, commit: bool) -> ImportResult:
    """Check every row of a contracts CSV; with `commit` and no problem anywhere, create them all in one
    transaction (one audit event per contract)."""
    _require_manager(actor)
    result = ImportResult(kind="contracts")
    result.rows = _read(text, CONTRACT_COLUMNS, CONTRACT_REQUIRED, result)
    if result.rows:
        _check_contract_rows(result.rows)
    if not commit or result.has_errors:
        return result
    with transaction.atomic():
        contract_rows_create(actor=actor, rows=result.rows)
    result.committed = True
    return result


def contract_rows_check(rows: list[ImportRow]) -> None:
    """Check contract rows (`cells` by CONTRACT_COLUMNS field names): each gets its errors or its `values` and a
    summary. A few queries for the whole list. The file import here and the background import share it."""
    _check_contract_rows(rows)


def contract_rows_create(*, actor: User, rows: list[ImportRow]) -> int:
    """Create the contracts of checked rows without errors (one audit event each). Call inside a transaction."""
    for row in rows:
        contract = CustomerContract.objects.create(source=CustomerContract.Source.IMPORT, **row.values)
        audit_record(
            actor=actor,
            verb="contract.created",
            target=contract,
            partner=contract.partner,
            after={**_snapshot(contract), "source": contract.source, "registration": contract.registration_id},
            reason=f"Imported from CSV (row {row.number}).",
        )
    return len(rows)


def _check_outcome_rows(rows: list[ImportRow]) -> None:
    ids = {
        int(r.cells["contract"])
        for r in rows
        if r.cells.get("contract", "").isdigit() and len(r.cells["contract"]) < 12
    }
    names = {
        r.cells["customer_name"].lower() for r in rows if r.cells.get("customer_name") and not r.cells.get("contract")
    }
    contracts = CustomerContract.objects.in_bulk(ids)
    by_name: dict[str, list[CustomerContract]] = {}
    if names:
        for contract in CustomerContract.objects.annotate(lname=Lower("customer_name")).filter(
            lname__in=names, status=CustomerContract.Status.ACTIVE
        ):
            by_name.setdefault(contract.customer_name.lower(), []).append(contract)
    recorded = set(
        RenewalOutcome.objects.filter(
            contract_id__in={c.pk for c in contracts.values()} | {c.pk for found in by_name.values() for c in found}
        ).values_list("contract_id", "due_on")
    )
    seen: dict[int, int] = {}
    for row in rows:
        cells = row.cells
        contract = None
        if cells.get("contract"):
            raw = cells["contract"]
            contract = contracts.get(int(raw)) if raw.isdigit() and len(raw) < 12 else None
            if contract is None:
                row.errors.append(f"No contract has the id {raw}.")
        elif cells.get("customer_name"):
            matches = by_name.get(cells["customer_name"].lower(), [])
            if not matches:
                row.errors.append(f"No active contract is for a customer called “{cells['customer_name']}”.")
            elif len(matches) > 1:
                row.errors.append(f"{len(matches)} active contracts are for “{cells['customer_name']}”: use the id.")
            else:
                contract = matches[0]
        else:
            row.errors.append("Give the contract's id (or its customer's name).")
        due = None
        if cells.get("due_on"):
            try:
                due = _parse_date(cells["due_on"], "renewal date")
            except ValidationError as exc:
                row.errors.extend(exc.messages)
        else:
            row.errors.append("Give the renewal date the outcome answers.")
        outcome = cells.get("outcome", "").strip().lower()
        if outcome not in Outcome.values:
            row.errors.append("The outcome is renewed, expanded or churned.")
        if contract is None or row.errors:
            continue
        if contract.pk in seen:
            row.errors.append(f"Row {seen[contract.pk]} records an outcome for this contract too: one per file.")
            continue
        seen[contract.pk] = row.number
        if (contract.pk, due) in recorded:
            row.errors.append(f"The renewal of {contract.customer_name} due {due:%b %-d, %Y} is recorded already.")
            continue
        if contract.status == CustomerContract.Status.CHURNED:
            row.errors.append(f"{contract.customer_name} has churned already.")
            continue
        if due != contract.renewal_on:
            row.errors.append(
                f"{contract.customer_name} comes up for renewal on {contract.renewal_on:%Y-%m-%d}, not {due:%Y-%m-%d}."
            )
            continue
        try:
            outcome, amount = _clean_outcome(contract, outcome, cells.get("new_amount", ""))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                row.errors.extend(messages)
            continue
        note = cells.get("note", "")
        if len(note) > NOTE_MAX:
            row.errors.append(f"The note is at most {NOTE_MAX} characters.")
            continue
        row.values = {"contract": contract, "due_on": due, "outcome": outcome, "new_amount": amount, "note": note}
        label = Outcome(outcome).label.lower()
        amount_words = f" at {format_money(amount, contract.currency)}" if amount is not None else ""
        row.summary = f"{contract.customer_name}: {label}{amount_words} (due {due:%b %-d, %Y})"


def outcomes_import(*, actor: User, text: str, commit: bool) -> ImportResult:
    """Check every row of a renewal-outcomes CSV; with `commit` and no problem anywhere, record them all in one
    transaction (through `renewal_record`, so each moves its contract on and is audited)."""
    _require_manager(actor)
    result = ImportResult(kind="outcomes")
    result.rows = _read(text, OUTCOME_COLUMNS, OUTCOME_REQUIRED, result)
    if result.rows:
        _check_outcome_rows(result.rows)
    if not commit or result.has_errors:
        return result
    try:
        with transaction.atomic():
            for row in result.rows:
                values = row.values
                renewal_record(
                    actor=actor,
                    contract=values["contract"],
                    outcome=values["outcome"],
                    new_amount=values["new_amount"],
                    note=values["note"],
                    due_on=values["due_on"],
                )
    except ValidationError as exc:  # the contracts changed since the check: nothing was written
        result.problem = f"{' '.join(exc.messages)} Nothing was imported; check the file again."
        return result
    result.committed = True
    return result
