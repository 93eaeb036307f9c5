"""Bulk allocation from a CSV: `partner,amount[,memo]`, one partner a row. Checked first (every row, every
problem said in words); written only when nothing is wrong, all rows in one transaction."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from mdf.models import Period
from partners.models import Partner, Tier
from prm.models import User
from prm.money import format_money, parse_money

from .common import require_manager
from .periods import allocate, mdf_settings, require_eligible

MAX_ROWS = 5000
MEMO_MAX = 300


@dataclass
class ImportRow:
    row_number: int  # the line in the file (the header is line 1)
    partner: Partner | None
    amount: Decimal | None
    memo: str
    error: str = ""
    name: str = ""  # what the file said, shown when the partner was not found


@dataclass
class AllocationImport:
    rows: list[ImportRow] = field(default_factory=list)
    committed: bool = False
    problem: str = ""  # a problem with the file as a whole (no header, empty, too long)
    currency: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.error) + (1 if self.problem else 0)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount is not None and not row.error), Decimal("0.00"))

    @property
    def total_display(self) -> str:
        return format_money(self.total, self.currency)


def _amount(raw: str) -> Decimal:
    """An amount as people write it (prm.money.parse_money); ValueError for anything else, negatives included."""
    if not raw.strip():
        raise ValueError
    try:
        return parse_money(raw, label="amount")
    except ValidationError:
        raise ValueError from None


def _partners_by_name(names: set[str]) -> dict[str, list[Partner]]:
    found: dict[str, list[Partner]] = {}
    lowered = {n.lower() for n in names}
    for partner in Partner.objects.annotate(lname=Lower("name")).filter(lname__in=lowered).select_related("tier"):
        found.setdefault(partner.name.lower(), []).append(partner)
    return found


def _parse(text: str, result: AllocationImport) -> list[tuple[int, str, str, str]]:
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        result.problem = "The file is empty. Its first line is the header: partner,amount,memo"
        return []
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        result.problem = "The file could not be read as CSV. Its first line is the header: partner,amount,memo"
        return []
    if header[:2] != ["partner", "amount"] or (len(header) > 2 and header[2] not in ("memo", "")):
        result.problem = (
            f"The first line must be the header partner,amount (and optionally memo); it is “{','.join(header)}”."
        )
        return []
    lines = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            cells = [*cells, "", "", ""]
            lines.append((number, cells[0].strip(), cells[1].strip(), cells[2].strip()))
            if len(lines) > MAX_ROWS:
                result.problem = f"The file has more than {MAX_ROWS} rows; split it."
                return []
    except csv.Error as exc:
        result.problem = f"Line {reader.line_num} could not be read: {exc}."
        return []
    if not lines:
        result.problem = "The file has a header but no rows."
    return lines


def allocations_import(*, actor: User, text: str, period: Period, commit: bool) -> AllocationImport:
    """Check (and, with commit=True and no errors, write) allocations for `period` from CSV text. Partners are
    named exactly (case aside) or by id; amounts like 5000 or 5,000.00, more than 0. A partner may appear once.
    Any error means nothing is written."""
    require_manager(actor, what="allocate MDF funds")
    result = AllocationImport(currency=mdf_settings().currency)
    lines = _parse(text, result)
    if period.funds_expired_at is not None:
        result.problem = f"The unused funds of {period} have expired: import into a current or future period."
    result.rows.extend(allocation_rows_check(lines))
    if not commit or result.errors:
        return result
    try:
        with transaction.atomic():
            for row in result.rows:
                current = row
                allocate(
                    actor=actor, partner=row.partner, period=period, amount=row.amount, memo=row.memo or "CSV import"
                )
    except ValidationError as exc:
        current.error = " ".join(exc.messages)
        return result
    result.committed = True
    return result


def allocation_rows_check(
    lines: list[tuple[int, str, str, str]], *, groups: list[object] | None = None
) -> list[ImportRow]:
    """Check allocation lines (row number, partner name or id, amount, memo): the partner exists once by that name
    (or id) and is in an MDF-eligible tier, the amount is more than 0, the memo fits, and a partner appears once
    (per group: `groups` gives each line's group, such as its period). A few queries for the whole list. The file
    import here and the background import (mdf.importers) share it."""
    rows: list[ImportRow] = []
    names = {name for _, name, _, _ in lines if not name.isdigit()}
    by_name = _partners_by_name(names)
    by_id = Partner.objects.select_related("tier").in_bulk(
        [int(n) for _, n, _, _ in lines if n.isdigit() and len(n) < 12]
    )
    tiered = Tier.objects.exists()
    seen: dict[tuple[object, int], int] = {}
    for index, (number, name, raw_amount, memo) in enumerate(lines):
        group = groups[index] if groups else None
        row = ImportRow(row_number=number, partner=None, amount=None, memo=memo[:MEMO_MAX], name=name)
        rows.append(row)
        errors = []
        if not name:
            errors.append("the partner is missing")
        elif name.isdigit():
            row.partner = by_id.get(int(name)) if len(name) < 12 else None
            if row.partner is None:
                errors.append(f"no partner has the id {name}")
        else:
            matches = by_name.get(name.lower(), [])
            if not matches:
                errors.append(f"no partner is called “{name}” (check the spelling, or use its id)")
            elif len(matches) > 1:
                ids = ", ".join(str(p.pk) for p in matches)
                errors.append(f"{len(matches)} partners are called “{name}”: use the id ({ids})")
            else:
                row.partner = matches[0]
        try:
            row.amount = _amount(raw_amount)
            if row.amount <= 0:
                errors.append("the amount must be more than 0 (correct an allocation on the budgets page)")
        except ValueError:
            errors.append(
                f"“{raw_amount}” is not an amount (write 5000 or 5,000.00)" if raw_amount else "the amount is missing"
            )
        if len(memo) > MEMO_MAX:
            errors.append(f"the memo is longer than {MEMO_MAX} characters")
        if row.partner is not None and tiered:
            try:
                require_eligible(row.partner)
            except ValidationError:
                tier = row.partner.tier.name if row.partner.tier else "no tier"
                errors.append(f"{row.partner} is not in an MDF-eligible tier ({tier})")
        if row.partner is not None:
            if (group, row.partner.pk) in seen:
                errors.append(f"{row.partner} is already on line {seen[group, row.partner.pk]}")
            else:
                seen[group, row.partner.pk] = number
        message = "; ".join(errors)
        row.error = message[:1].upper() + message[1:]
    return rows
