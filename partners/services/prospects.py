"""Writes on recruitment prospects: add, edit, move through the statuses, and check a customer list's overlap with
our accounts. Every change is audited (who, when, why). A prospect is not a partner yet: it has no portal and is
told nothing; only the channel team sees it."""

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.fit import customer_matcher
from partners.models import Partner, Prospect
from prm.audit import audit_record
from prm.models import AUDIT_SENTENCES, User

# What a channel manager fills in about a prospect (one field list: the form, the service and the audit use it).
PROSPECT_FIELDS = (
    "name",
    "website",
    "type",
    "regions",
    "countries",
    "verticals",
    "segments",
    "seller_count",
    "contact_name",
    "contact_email",
    "notes",
)
MAX_LIST_ROWS = 20_000
MAX_LIST_BYTES = 5 * 1024 * 1024
NAME_HEADERS = ("company", "company name", "name", "customer", "customer name", "account", "account name")
WEBSITE_HEADERS = ("website", "domain", "url", "web", "site", "web site")

AUDIT_SENTENCES.update(
    {
        "prospect.created": "added the prospect “{name}”",
        "prospect.updated": "updated the prospect",
        "prospect.status_changed": "moved the prospect to “{status}”",
        "prospect.customer_list_checked": "checked the prospect's customer list ({rows} rows, {overlap} ours)",
    }
)


def _values(prospect: Prospect) -> dict[str, Any]:
    return {field: getattr(prospect, field) for field in PROSPECT_FIELDS}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data[field] for field in PROSPECT_FIELDS if field in data}
    if "name" in values:
        values["name"] = " ".join(str(values["name"] or "").split())
        if not values["name"]:
            raise ValidationError({"name": "The company needs a name."})
    if "type" in values and values["type"] not in Partner.Type.values:
        raise ValidationError({"type": "Choose a partner type from the list."})
    return values


@transaction.atomic
def prospect_create(*, actor: User, data: dict[str, Any]) -> Prospect:
    """Add a prospect (the channel team's list of companies to recruit); audited."""
    prospect = Prospect(created_by=actor, **_clean(data))
    prospect.domain = _domain(prospect.website)
    prospect.full_clean()
    prospect.save()
    audit_record(actor=actor, verb="prospect.created", target=prospect, after=_snapshot(_values(prospect)))
    return prospect


@transaction.atomic
def prospect_update(*, actor: User, prospect: Prospect, data: dict[str, Any]) -> Prospect:
    """Change what we know of a prospect; audits the changed fields only (nothing changed, nothing recorded)."""
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    before = _values(prospect)
    for field, value in _clean(data).items():
        setattr(prospect, field, value)
    prospect.domain = _domain(prospect.website)
    prospect.full_clean()
    after = _values(prospect)
    changed = [field for field in PROSPECT_FIELDS if before[field] != after[field]]
    if not changed:
        return prospect
    prospect.save()
    audit_record(
        actor=actor,
        verb="prospect.updated",
        target=prospect,
        before=_snapshot({f: before[f] for f in changed}),
        after=_snapshot({f: after[f] for f in changed}),
    )
    return prospect


def prospect_set_status(*, actor: User, prospect: Prospect, status: str, reason: str = "") -> Prospect:
    """Move a prospect to `status` (compare-and-set: a double click changes it once); audited with the reason."""
    if status not in Prospect.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if status == Prospect.Status.DROPPED and not reason.strip():
        raise ValidationError({"reason": "Say why you are not pursuing it: the team will want to know later."})
    old = prospect.status
    if old == status:
        raise ValidationError({"status": f"It is already “{prospect.get_status_display()}”."})
    with transaction.atomic():
        moved = Prospect.objects.filter(pk=prospect.pk, status=old).update(status=status, updated_at=timezone.now())
        if not moved:
            raise ValidationError("Someone changed this prospect's status a moment ago. Look again and retry.")
        prospect.status = status
        audit_record(
            actor=actor,
            verb="prospect.status_changed",
            target=prospect,
            before={"status": old},
            after={"status": status},
            reason=reason.strip(),
        )
    return prospect


def read_customer_list(raw: bytes) -> list[tuple[str, str]]:
    """(name, website) per data row of a CSV: columns found by their header (company/name, website/domain), else
    the first column is the name and the second the website. Raises ValidationError with a clear message."""
    if len(raw) > MAX_LIST_BYTES:
        raise ValidationError(f"The file is larger than {MAX_LIST_BYTES // (1024 * 1024)} MB. Split it in parts.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if "\x00" in text:
        raise ValidationError("This is not a CSV file (save it from your spreadsheet as “CSV UTF-8”).")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ValidationError(f"The file could not be read as CSV ({exc}).") from None
    if not lines:
        raise ValidationError("The file has no rows.")
    header = [cell.strip().lower() for cell in lines[0]]
    name_at = next((i for i, h in enumerate(header) if h in NAME_HEADERS), None)
    site_at = next((i for i, h in enumerate(header) if h in WEBSITE_HEADERS), None)
    if name_at is None and site_at is None:
        name_at, site_at = 0, 1 if len(lines[0]) > 1 else None
    else:
        lines = lines[1:]
    if len(lines) > MAX_LIST_ROWS:
        raise ValidationError(f"The file has {len(lines):,} rows; at most {MAX_LIST_ROWS:,} are checked at once.")
    rows = []
    for line in lines:
        name = line[name_at].strip() if name_at is not None and name_at < len(line) else ""
        site = line[site_at].strip() if site_at is not None and site_at < len(line) else ""
        if name or site:
            rows.append((name[:200], site[:300]))
    if not rows:
        raise ValidationError("No company names or websites were found in the file.")
    return rows


def prospect_check_customers(*, actor: User, prospect: Prospect, rows: list[tuple[str, str]]) -> Prospect:
    """Count how many of the prospect's customers (rows of name, website) are our accounts or customers, and keep
    only the counts: the names are neither stored nor audited."""
    matcher = customer_matcher()
    if matcher is None:
        raise ValidationError("Customer lists are checked against deal registration's accounts, which is not set up.")
    overlap = matcher(rows)
    before = {"rows": prospect.customer_list_rows, "overlap": prospect.customer_overlap}
    with transaction.atomic():
        Prospect.objects.filter(pk=prospect.pk).update(
            customer_list_rows=len(rows),
            customer_overlap=overlap,
            customer_list_checked_at=timezone.now(),
            updated_at=timezone.now(),
        )
        prospect.refresh_from_db()
        audit_record(
            actor=actor,
            verb="prospect.customer_list_checked",
            target=prospect,
            before=before,
            after={"rows": len(rows), "overlap": overlap},
        )
    return prospect


def _domain(website: str) -> str:
    from prm.names import registrable_domain

    return registrable_domain(website or "")


def _snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in values.items()}
