"""MDF's CSV importer for the background imports (imports.registry): allocations, checked by the allocation
import's own row check and written by the same `allocate` (audited, the partner told)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from imports.registry import Checked, Importer, ImportField, Row, register_importer
from mdf.models import Period
from mdf.services.importing import ImportRow, allocation_rows_check
from mdf.services.periods import allocate, current_period, mdf_settings, period_for
from prm.models import User
from prm.money import format_money


@dataclass
class AllocationRow:
    checked: ImportRow
    period: Period


def _period(raw: str, named: dict[str, Period]) -> tuple[Period | None, str]:
    if not raw:
        return current_period(), ""
    if raw.lower() in named:
        return named[raw.lower()], ""
    try:
        return period_for(date.fromisoformat(raw)), ""
    except ValueError:
        return None, f"No period is called “{raw}” (write its name, like FY2026 Q3, or a date in it)."


class AllocationImporter(Importer):
    label = "MDF allocations"
    description = "Funds allocated to partners for a period, one partner a row (per period)."
    fields = (
        ImportField("partner", "partner", True, "The partner's exact name or its id.", ("partner_name", "partner_id")),
        ImportField("amount", "amount", True, "More than 0, like 5000 or 5,000.00, in the MDF currency."),
        ImportField("memo", "memo", False, "A note the partner sees.", ("note", "notes")),
        ImportField("period", "period", False, "Its name (FY2026 Q3) or a date in it; the current one when empty."),
    )

    def validate_row(self, row: Row) -> Checked:
        return self.validate_rows([row], [0])[0]

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        wanted = {r.get("period", "").lower() for r in rows} - {""}
        named = {p.name.lower(): p for p in Period.objects.all() if p.name.lower() in wanted} if wanted else {}
        periods = [_period(r.get("period", ""), named) for r in rows]
        lines = [
            (n, r.get("partner", ""), r.get("amount", ""), r.get("memo", ""))
            for n, r in zip(numbers, rows, strict=True)
        ]
        checked = allocation_rows_check(lines, groups=[p.pk if p else None for p, _ in periods])
        out: list[Checked] = []
        for row, (period, problem) in zip(checked, periods, strict=True):
            errors = [row.error] if row.error else []
            if problem:
                errors.append(problem)
            elif period is not None and period.funds_expired_at is not None:
                errors.append(f"The unused funds of {period} have expired: import into a current or future period.")
            out.append((None if errors else AllocationRow(checked=row, period=period), errors))
        return out

    def apply(self, rows: Sequence[AllocationRow], actor: User) -> tuple[int, int, int]:
        for row in rows:
            line = row.checked
            allocate(
                actor=actor, partner=line.partner, period=row.period, amount=line.amount, memo=line.memo or "CSV import"
            )
        return len(rows), 0, 0

    def describe(self, clean: AllocationRow) -> str:
        amount = format_money(clean.checked.amount, mdf_settings().currency)
        return f"{amount} to {clean.checked.partner} for {clean.period}"


register_importer("mdf_allocations", AllocationImporter)
