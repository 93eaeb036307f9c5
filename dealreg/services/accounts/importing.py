"""Importing accounts from a CSV file: parse and validate everything first (a preview the channel manager reads),
then apply all rows in one transaction, or nothing.

A file-level problem (too big, too many rows, no name column) is a ValidationError; a row-level problem is listed
on its row, with the row number a spreadsheet shows (the header is row 1). A row with an external id (the
account's id in the CRM) updates the account that has it; any other row for a company that already has an account
(same registrable domain, or same normalised name) updates it (and gives it the row's external id if it had
none); the others create accounts. Empty cells keep the current value of an updated account.

Between the preview and the confirmation the validated rows wait in the cache under a random token for 30
minutes (`account_import_store` / `account_import_load`), so the file is not uploaded twice.
"""

import csv
import io
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dealreg.models import Account
from dealreg.services.accounts.records import (
    ACCOUNT_FIELDS,
    clean_country,
    clean_external_id,
    clean_flag,
    clean_name,
    clean_short,
    clean_size,
    clean_website,
    require_manager,
)
from prm.audit import audit_record
from prm.models import User
from prm.names import company_name_key, registrable_domain

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_TTL_SECONDS = 30 * 60
_CACHE_PREFIX = "dealreg:account-import:"

# Column names people use, after lower-casing and turning spaces and dashes into underscores.
COLUMN_ALIASES = {
    "name": ("name", "company", "account", "company_name", "account_name"),
    "website": ("website", "domain", "url", "web", "web_site"),
    "country": ("country", "country_code"),
    "industry": ("industry", "sector"),
    "size": ("size", "company_size"),
    "is_named_account": ("named_account", "named", "is_named_account"),
    "is_customer": ("customer", "is_customer", "existing_customer"),
    "account_owner": ("owner", "account_owner"),
    "external_id": ("external_id", "crm_id", "external_ref"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in COLUMN_ALIASES.items() for alias in aliases}
FIELD_LABELS = {
    "name": "name",
    "website": "website",
    "country": "country",
    "industry": "industry",
    "size": "size",
    "is_named_account": "named account",
    "is_customer": "customer",
    "account_owner": "owner",
    "external_id": "external id",
}
_CLEANERS = {
    "name": clean_name,
    "website": clean_website,
    # A country written as a name ("Netherlands") is looked up among all names: the same few values fill a file.
    "country": lru_cache(maxsize=1024)(clean_country),
    "industry": lambda v: clean_short(v, "industry", 100),
    "size": clean_size,
    "is_named_account": lambda v: clean_flag(v, "named account"),
    "is_customer": lambda v: clean_flag(v, "customer"),
    "account_owner": lambda v: clean_short(v, "owner", 160),
    "external_id": clean_external_id,
}


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    action: Literal["create", "update", ""] = ""
    account_id: int | None = None
    account_name: str = ""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field → (now, after), as shown

    @property
    def change_lines(self) -> list[tuple[str, str, str]]:
        return [(FIELD_LABELS[name], old, new) for name, (old, new) in self.changes.items()]


@dataclass
class ImportPreview:
    filename: str
    columns: list[str]
    rows: list[ImportRow]
    notes: list[str] = field(default_factory=list)
    owner_id: int | None = None

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def creates(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.action == "create"]

    @property
    def updates(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors and row.action == "update"]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


# --- Reading the file ------------------------------------------------------------------------------------------


def _decode(raw: bytes, notes: list[str]) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        notes.append(
            "The file is not UTF-8, so it was read as Latin-1 (Windows-1252). "
            "Check that accented names look right below."
        )
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def _column_key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _map_columns(headers: list[str], notes: list[str]) -> list[str | None]:
    mapped: list[str | None] = []
    seen: dict[str, str] = {}
    ignored = []
    for header in headers:
        target = _ALIAS_TO_FIELD.get(_column_key(header))
        if target is None:
            if header.strip():
                ignored.append(header.strip())
            mapped.append(None)
            continue
        if target in seen:
            raise ValidationError(
                f"The columns “{seen[target]}” and “{header.strip()}” both mean the {FIELD_LABELS[target]}. "
                "Keep one of them."
            )
        seen[target] = header.strip()
        mapped.append(target)
    if "name" not in seen:
        raise ValidationError(
            "The file has no name column. Its first row must hold the column names, one of them "
            "“name” (or “company”, “account”)."
        )
    if ignored:
        notes.append(f"Ignored columns: {', '.join(ignored)}.")
    return mapped


def _read_file(file) -> tuple[list[str | None], list[tuple[int, list[str]]], list[str]]:
    size = getattr(file, "size", None)
    raw = file.read(IMPORT_MAX_BYTES + 1)
    if (size or len(raw)) > IMPORT_MAX_BYTES:
        megabytes = (size or len(raw)) / (1024 * 1024)
        shown = f"{megabytes:.1f} MB" if size else "more than 2 MB"
        raise ValidationError(f"The file is {shown}; the limit is 2 MB. Split it into smaller files.")
    notes: list[str] = []
    text = _decode(raw, notes)
    if not text.strip():
        raise ValidationError("The file is empty. Export the accounts as CSV with a header row.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        headers = next(reader)
        columns = _map_columns(headers, notes)
        records = []
        for index, cells in enumerate(reader):
            if not any(cell.strip() for cell in cells):
                continue
            records.append((index + 2, cells))
            if len(records) > IMPORT_MAX_ROWS:
                raise ValidationError(
                    f"The file has more than {IMPORT_MAX_ROWS:,} rows; the limit is {IMPORT_MAX_ROWS:,} per import. "
                    "Split it into smaller files."
                )
    except csv.Error as exc:
        raise ValidationError(f"The file could not be read as CSV ({exc}). Save it as CSV and try again.") from None
    return columns, records, notes


# --- Validating rows -------------------------------------------------------------------------------------------


def account_row_clean(*, number: int, cells: dict[str, str]) -> ImportRow:
    """One row's cells by field name (`COLUMN_ALIASES` keys) → its cleaned values and errors. An empty cell keeps
    the current value of an updated account (or the default of a new one); the name is required. The file import
    here and the background import (dealreg.importers) both check rows with it."""
    row = ImportRow(number=number)
    if not str(cells.get("name", "")).strip():
        row.errors.append("The name is missing.")
    for target, cell in cells.items():
        if not cell.strip():
            continue
        try:
            row.values[target] = _CLEANERS[target](cell)
        except ValidationError as exc:
            row.errors.extend(exc.messages)
    return row


def _clean_row(number: int, columns: list[str | None], cells: list[str]) -> ImportRow:
    extra = len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :])
    cells = cells + [""] * (len(columns) - len(cells))
    row = account_row_clean(
        number=number, cells={target: cell for target, cell in zip(columns, cells, strict=False) if target}
    )
    if extra:
        row.errors.insert(0, f"It has {len(cells)} cells but the header has {len(columns)} columns.")
    return row


def _name_key(row: ImportRow) -> str:
    return company_name_key(row.values["name"], row.values.get("country", ""))


def _existing_accounts(
    keys: list[tuple[str, str]], external_ids: set[str]
) -> tuple[dict[str, Account], dict[str, Account], dict[str, Account]]:
    """The accounts the rows could update, found by the indexed keys (domain, name key, external id) in three
    queries."""
    domains = {domain for domain, _ in keys} - {""}
    name_keys = {name_key for _, name_key in keys} - {""}
    by_domain: dict[str, Account] = {}
    by_name: dict[str, Account] = {}
    for account in Account.objects.filter(domain__in=domains).order_by("pk"):
        by_domain.setdefault(account.domain, account)
    for account in Account.objects.filter(name_key__in=name_keys).order_by("pk"):
        by_name.setdefault(account.name_key, account)
    by_external_id = {a.external_id: a for a in Account.objects.filter(external_id__in=external_ids - {""})}
    return by_domain, by_name, by_external_id


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value or "")


def account_rows_match(rows: list[ImportRow]) -> None:
    """Decide create or update for each valid row: the account with the row's external id, else the same company
    (domain, then name); flag rows about a company or an external id another row already covers (three queries for
    the whole list)."""
    named = [row for row in rows if "name" in row.values]
    # Each key once per row: normalising a company name is the costly part of a large import.
    keys = [(registrable_domain(row.values.get("website", "")), _name_key(row)) for row in named]
    external_ids = {row.values.get("external_id", "") for row in named}
    by_domain, by_name, by_external_id = _existing_accounts(keys, external_ids)
    first_by_domain: dict[str, int] = {}
    first_by_name: dict[str, int] = {}
    first_by_account: dict[int, int] = {}
    first_by_external_id: dict[str, int] = {}
    for row, (domain, name_key) in zip(named, keys, strict=True):
        external_id = row.values.get("external_id", "")
        if external_id and external_id in first_by_external_id:
            row.errors.append(
                f"Same external id ({external_id}) as row {first_by_external_id[external_id]}: keep one of the two."
            )
        elif domain and domain in first_by_domain:
            row.errors.append(f"Same web domain ({domain}) as row {first_by_domain[domain]}: keep one of the two.")
        elif name_key and name_key in first_by_name:
            row.errors.append(f"Same company name as row {first_by_name[name_key]}: keep one of the two.")
        if domain:
            first_by_domain.setdefault(domain, row.number)
        if name_key:
            first_by_name.setdefault(name_key, row.number)
        if external_id:
            first_by_external_id.setdefault(external_id, row.number)
        account = by_external_id.get(external_id) if external_id else None
        if account is None:
            account = (by_domain.get(domain) if domain else None) or by_name.get(name_key)
            if account is not None and external_id and account.external_id:
                row.errors.append(
                    f"The account {account.name} (same company) has the external id {account.external_id}, "
                    f"not {external_id}: correct the id, or change it on the account first."
                )
        if account is None:
            row.action = "create"
            continue
        if account.pk in first_by_account and not row.errors:
            row.errors.append(
                f"Row {first_by_account[account.pk]} already updates the account {account.name}: keep one of the two."
            )
        first_by_account.setdefault(account.pk, row.number)
        row.action, row.account_id, row.account_name = "update", account.pk, account.name
        for name, value in row.values.items():
            current = getattr(account, name)
            current = str(current) if name == "country" else current
            if name == "website" and registrable_domain(current) == registrable_domain(value):
                continue  # the same site written differently (https://www.acme.com vs acme.com): keep it
            if current != value:
                row.changes[name] = (_shown(current), _shown(value))


def account_import_parse(*, file) -> ImportPreview:
    """Read and validate an uploaded CSV file; nothing is written. Raises ValidationError for a file that cannot
    be imported at all; row problems are listed on their rows."""
    columns, records, notes = _read_file(file)
    if not records:
        raise ValidationError("The file has a header row but no accounts under it.")
    rows = [_clean_row(number, columns, cells) for number, cells in records]
    account_rows_match(rows)
    return ImportPreview(
        filename=getattr(file, "name", "") or "accounts.csv",
        columns=[c for c in columns if c],
        rows=rows,
        notes=notes,
    )


# --- Between the preview and the confirmation ------------------------------------------------------------------


def account_import_store(*, actor: User, preview: ImportPreview) -> str:
    """Keep a validated preview for 30 minutes; returns the token the confirmation sends back."""
    token = secrets.token_urlsafe(24)
    preview.owner_id = actor.pk
    cache.set(_CACHE_PREFIX + token, preview, timeout=IMPORT_TTL_SECONDS)
    return token


def account_import_load(*, actor: User, token: str) -> ImportPreview:
    preview = cache.get(_CACHE_PREFIX + str(token or "")[:100]) if token else None
    if not isinstance(preview, ImportPreview) or preview.owner_id != actor.pk:
        raise ValidationError(
            "This import preview has expired (previews are kept for 30 minutes) or was already imported. "
            "Upload the file again."
        )
    return preview


def account_import_forget(*, token: str) -> None:
    cache.delete(_CACHE_PREFIX + str(token or "")[:100])


# --- Applying it -----------------------------------------------------------------------------------------------


def account_import_commit(*, actor: User, preview: ImportPreview) -> ImportResult:
    """Apply every row of a preview without errors, in one transaction: new accounts in bulk, changed accounts in
    bulk. Rows are matched again against the accounts as they are now, so an account added since the preview is
    updated rather than duplicated. One audit event ("accounts.imported", on the importing user) holds the counts."""
    require_manager(actor)
    if preview.has_errors:
        raise ValidationError(
            f"{len(preview.error_rows)} row(s) have errors. Correct the file and upload it again: nothing was imported."
        )
    rows = [ImportRow(number=row.number, values=dict(row.values)) for row in preview.rows]
    try:
        with transaction.atomic():
            account_rows_match(rows)
            problems = [row for row in rows if row.errors]
            if problems:
                raise ValidationError(
                    f"Row {problems[0].number}: {problems[0].errors[0]} (the accounts changed since the preview). "
                    "Upload the file again: nothing was imported."
                )
            created, changed = account_rows_write(actor=actor, rows=rows)
            result = ImportResult(created=created, updated=len([r for r in rows if r.action == "update"]))
            audit_record(
                actor=actor,
                verb="accounts.imported",
                target=actor,
                after={
                    "file": preview.filename,
                    "rows": len(rows),
                    "created": result.created,
                    "updated": result.updated,
                    "changed": changed,
                    "fields": [f for f in preview.columns if f in ACCOUNT_FIELDS],
                },
            )
    except IntegrityError:  # another import or the API gave an account one of these external ids meanwhile
        raise ValidationError(
            "An account was given one of the file's external ids while importing. Upload the file again: nothing "
            "was imported."
        ) from None
    return result


def account_rows_write(*, actor: User, rows: list[ImportRow]) -> tuple[int, int]:
    """Write matched rows (`account_rows_match`, no errors) in bulk: new accounts created, changed accounts
    updated. Call inside a transaction. Returns (created, changed)."""
    new_accounts = []
    for row in rows:
        if row.action == "create":
            account = Account(created_by=actor, **row.values)
            account.refresh_match_keys()  # bulk_create skips save(), which keeps the keys in step
            new_accounts.append(account)
    Account.objects.bulk_create(new_accounts, batch_size=500)
    changed = {row.account_id: row for row in rows if row.action == "update" and row.changes}
    accounts = list(Account.objects.select_for_update().filter(pk__in=changed).order_by("pk"))
    fields: set[str] = {"name_key", "domain", "updated_at"}
    for account in accounts:
        row = changed[account.pk]
        for name in row.changes:
            setattr(account, name, row.values[name])
            fields.add(name)
        account.refresh_match_keys()
    now = timezone.now()
    for account in accounts:
        account.updated_at = now  # bulk_update skips auto_now
    if accounts:
        Account.objects.bulk_update(accounts, sorted(fields), batch_size=500)
    return len(new_accounts), len(accounts)
