"""What the startup tells the app about money: its exchange rates into the reporting currency, its direct revenue and
what it spends on partners besides MDF. Every write is here, audited, with the actor; rates are only ever entered
or imported by people (the app never fetches them).

Also the one read the money page needs beyond plain lists: `missing_rates`, the (currency, month) pairs the data
has amounts in that no rate converts yet, so the channel manager sees what to enter.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from insights.models import CustomerContract, DirectRevenue, ProgramCost, RenewalOutcome
from partners.models import Partner
from partners.services.program import reporting_currency
from prm.audit import audit_record
from prm.models import ExchangeRate, User
from prm.money import month_of, parse_currency, parse_money

RATE_MAX = Decimal("9999999999.99999999")  # what the rate column holds (18 digits, 8 places)
NOTE_MAX = 200
MAX_ROWS = 5000


# --- Field cleaners (shared by the forms' services and the CSV imports) ---------------------------------------------


def clean_month(value: Any) -> date:
    """ "2026-03" (or a date) -> date(2026, 3, 1); ValidationError otherwise."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit() and len(parts[1]) <= 2:
        year, month = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and 1900 <= year <= 2999:
            return date(year, month, 1)
    raise ValidationError(f"Give the month as YYYY-MM, like 2026-03{f' (not “{text}”)' if text else ''}.")


def clean_rate(value: Any) -> Decimal:
    """A positive rate with at most 8 decimals ("1.0825", "0,92" is refused: a decimal point, please)."""
    text = str(value if value is not None else "").strip().replace(" ", "")
    if isinstance(value, float):
        raise ValidationError("Give the rate as text or a Decimal, not a float.")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValidationError("Give the rate as a number with a decimal point, like 1.0825.") from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationError("The rate must be more than 0.")
    if rate > RATE_MAX:  # before quantize(), which cannot hold a number this large
        raise ValidationError("That rate is too large: check it.")
    if rate != rate.quantize(Decimal("0.00000001")):
        raise ValidationError("Give the rate with at most 8 decimals.")
    return rate.quantize(Decimal("0.00000001"))


def clean_note(value: Any) -> str:
    note = " ".join(str(value or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep the note under {NOTE_MAX} characters (it has {len(note)}).")
    return note


def _collect(cleaners: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Run each field's cleaner; one ValidationError keyed by field with every problem."""
    cleaned, errors = {}, {}
    for name, clean in cleaners.items():
        try:
            cleaned[name] = clean(data.get(name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_manager(actor: User | None) -> None:
    if not (actor and getattr(actor, "is_channel_manager", False)):
        raise ValidationError("Only channel managers can change the program's money settings.")


# --- Exchange rates --------------------------------------------------------------------------------------------------


def _rate_fields(data: dict[str, Any], to: str) -> dict[str, Any]:
    cleaned = _collect({"currency": parse_currency, "month": clean_month, "rate": clean_rate}, data)
    if cleaned["currency"] == to:
        raise ValidationError({"currency": f"{to} is the reporting currency: it needs no rate."})
    return cleaned


def _rate_audit(rate: ExchangeRate) -> dict[str, str]:
    return {"currency": rate.currency, "to": rate.to_currency, "month": f"{rate.month:%Y-%m}", "rate": str(rate.rate)}


def exchange_rate_save(
    *, actor: User, data: dict[str, Any], rate: ExchangeRate | None = None
) -> tuple[ExchangeRate, bool]:
    """Add a rate (currency, month as YYYY-MM, rate) into the reporting currency, or change `rate`. Adding a rate
    for a month that has one already replaces it (the table keeps one per currency and month). Returns
    (rate, created)."""
    _require_manager(actor)
    to = rate.to_currency if rate is not None else reporting_currency()
    cleaned = _rate_fields(data, to)
    with transaction.atomic():
        if rate is None:
            current = (
                ExchangeRate.objects.select_for_update()
                .filter(currency=cleaned["currency"], to_currency=to, month=cleaned["month"])
                .first()
            )
        else:
            current = ExchangeRate.objects.select_for_update().filter(pk=rate.pk).first()
            if current is None:
                raise ValidationError("This rate was deleted meanwhile.")
            clash = (
                ExchangeRate.objects.filter(currency=cleaned["currency"], to_currency=to, month=cleaned["month"])
                .exclude(pk=current.pk)
                .exists()
            )
            if clash:
                raise ValidationError({"month": "There is a rate for this currency and month already: edit that one."})
        before = _rate_audit(current) if current else {}
        created = current is None
        current = current or ExchangeRate(to_currency=to)
        current.currency, current.month, current.rate = cleaned["currency"], cleaned["month"], cleaned["rate"]
        current.updated_by = actor
        current.save()
        audit_record(
            actor=actor,
            verb="money.rate_added" if created else "money.rate_changed",
            target=current,
            before=before,
            after=_rate_audit(current),
        )
    return current, created


def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    _require_manager(actor)
    with transaction.atomic():
        current = ExchangeRate.objects.select_for_update().filter(pk=rate.pk).first()
        if current is None:
            return  # deleted already (a double click)
        before = _rate_audit(current)
        audit_record(actor=actor, verb="money.rate_deleted", target=current, before=before)
        current.delete()


# --- CSV imports (checked first; written together only when every row is right) -------------------------------------


@dataclass
class ImportRow:
    line: int
    raw: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    replaces: str = ""  # what the row overwrites, in words ("was 1.08")


@dataclass
class CsvImport:
    kind: str
    rows: list[ImportRow] = field(default_factory=list)
    problem: str = ""  # about the file as a whole
    written: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for row in self.rows if row.error) + (1 if self.problem else 0)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.error]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _read(text: str, *, required: tuple[str, ...], optional: tuple[str, ...], result: CsvImport) -> list[tuple]:
    text = (text or "").lstrip("\ufeff")
    header_words = ",".join(required + optional)
    if not text.strip():
        result.problem = f"The file is empty. Its first line is the header: {header_words}"
        return []
    reader = csv.reader(io.StringIO(text))
    try:
        lines = list(reader)
    except csv.Error as exc:
        result.problem = f"The file is not a readable CSV ({exc})."
        return []
    header = [cell.strip().lower() for cell in lines[0]]
    missing = [name for name in required if name not in header]
    if missing:
        result.problem = (
            f"The header must name {', '.join(required)} (missing: {', '.join(missing)}). Example: {header_words}"
        )
        return []
    unknown = [name for name in header if name and name not in required + optional]
    if unknown:
        result.problem = f"Unknown column{'s' * (len(unknown) > 1)}: {', '.join(unknown)}. Use {header_words}."
        return []
    body = [(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    if len(body) > MAX_ROWS:
        result.problem = f"At most {MAX_ROWS} rows at a time (this file has {len(body)}): split it."
        return []
    if not body:
        result.problem = "The file has a header but no rows."
        return []
    return [
        (number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)})
        for number, cells in body
    ]


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def _duplicates(result: CsvImport, key) -> None:
    seen: dict = {}
    for row in result.rows:
        if row.error:
            continue
        k = key(row.cleaned)
        if k in seen:
            row.error = f"the same {k[0]} and month as line {seen[k]}"
        else:
            seen[k] = row.line


def exchange_rates_import(*, actor: User, text: str, commit: bool = False) -> CsvImport:
    """Rates from CSV: `currency,month,rate` (`to_currency` optional; it must be the reporting currency). Every row
    is checked; with `commit`, and only when no row has a problem, all are written together (a rate for a month
    that has one replaces it)."""
    _require_manager(actor)
    to = reporting_currency()
    result = CsvImport("rates")
    for line, raw in _read(text, required=("currency", "month", "rate"), optional=("to_currency",), result=result):
        row = ImportRow(line, raw)
        try:
            if raw.get("to_currency") and parse_currency(raw["to_currency"]) != to:
                raise ValidationError(f"rates are kept into the reporting currency, {to} (not {raw['to_currency']})")
            row.cleaned = _rate_fields(raw, to)
        except ValidationError as exc:
            row.error = _messages(exc)
        result.rows.append(row)
    _duplicates(result, lambda c: (c["currency"], c["month"]))
    existing = {
        (r.currency, r.month): r
        for r in ExchangeRate.objects.filter(
            to_currency=to, month__in={row.cleaned["month"] for row in result.rows if row.cleaned}
        )
    }
    for row in result.rows:
        if row.cleaned and (old := existing.get((row.cleaned["currency"], row.cleaned["month"]))):
            row.replaces = f"was {old.rate.normalize():f}"
    if commit and result.ok:
        with transaction.atomic():
            for row in result.rows:
                exchange_rate_save(actor=actor, data={**row.cleaned, "month": row.cleaned["month"]})
                result.written += 1
    return result


# --- Direct revenue ---------------------------------------------------------------------------------------------------


def _direct_fields(data: dict[str, Any]) -> dict[str, Any]:
    return _collect(
        {
            "month": clean_month,
            "currency": parse_currency,
            "amount": lambda v: parse_money(v, label="amount"),
            "note": clean_note,
        },
        data,
    )


def _direct_audit(row: DirectRevenue) -> dict[str, str]:
    return {"month": f"{row.month:%Y-%m}", "amount": str(row.amount), "currency": row.currency, "note": row.note}


def direct_revenue_save(
    *, actor: User, data: dict[str, Any], row: DirectRevenue | None = None, replace: bool = False
) -> DirectRevenue:
    """Record the startup's direct revenue for a month and currency (month as YYYY-MM), or change `row`. A month
    and currency that has a figure already is refused (edit it) unless `replace` (the CSV import)."""
    _require_manager(actor)
    cleaned = _direct_fields(data)
    with transaction.atomic():
        same = DirectRevenue.objects.select_for_update().filter(month=cleaned["month"], currency=cleaned["currency"])
        if row is not None:
            current = DirectRevenue.objects.select_for_update().filter(pk=row.pk).first()
            if current is None:
                raise ValidationError("This entry was deleted meanwhile.")
            if same.exclude(pk=current.pk).exists():
                raise ValidationError({"month": "This month has a figure in this currency already: edit that one."})
        else:
            current = same.first()
            if current is not None and not replace:
                raise ValidationError(
                    {"month": f"{cleaned['month']:%B %Y} has a {cleaned['currency']} figure already: edit it instead."}
                )
        before = _direct_audit(current) if current else {}
        created = current is None
        current = current or DirectRevenue()
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.updated_by = actor
        current.save()
        audit_record(
            actor=actor,
            verb="money.direct_revenue_added" if created else "money.direct_revenue_changed",
            target=current,
            before=before,
            after=_direct_audit(current),
        )
    return current


def direct_revenue_delete(*, actor: User, row: DirectRevenue) -> None:
    _require_manager(actor)
    with transaction.atomic():
        current = DirectRevenue.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:
            return
        audit_record(actor=actor, verb="money.direct_revenue_deleted", target=current, before=_direct_audit(current))
        current.delete()


def direct_revenue_import(*, actor: User, text: str, commit: bool = False) -> CsvImport:
    """Direct revenue from CSV: `month,currency,amount` (`note` optional), one row per month and currency. A month
    and currency that has a figure is replaced. Written only when every row is right, all together."""
    _require_manager(actor)
    result = CsvImport("direct")
    for line, raw in _read(text, required=("month", "currency", "amount"), optional=("note",), result=result):
        row = ImportRow(line, raw)
        try:
            row.cleaned = _direct_fields(raw)
        except ValidationError as exc:
            row.error = _messages(exc)
        result.rows.append(row)
    _duplicates(result, lambda c: (c["currency"], c["month"]))
    months = {row.cleaned["month"] for row in result.rows if row.cleaned}
    existing = {(r.currency, r.month): r for r in DirectRevenue.objects.filter(month__in=months)}
    for row in result.rows:
        if row.cleaned and (old := existing.get((row.cleaned["currency"], row.cleaned["month"]))):
            row.replaces = f"was {old.amount:,.2f}"
    if commit and result.ok:
        with transaction.atomic():
            for row in result.rows:
                direct_revenue_save(actor=actor, data=row.cleaned, replace=True)
                result.written += 1
    return result


# --- Program costs ----------------------------------------------------------------------------------------------------


def _clean_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError("Give the date as YYYY-MM-DD.") from None


def program_cost_add(*, actor: User, partner: Partner, data: dict[str, Any]) -> ProgramCost:
    """Record money spent on a partner besides MDF (enablement, events, fees): partner ROI's other cost."""
    _require_manager(actor)
    kinds = ProgramCost.Kind.values

    def clean_kind(value: Any) -> str:
        if value not in kinds:
            raise ValidationError(f"Choose one of: {', '.join(kinds)}.")
        return value

    cleaned = _collect(
        {
            "kind": clean_kind,
            "incurred_on": _clean_day,
            "amount": lambda v: parse_money(v, label="amount"),
            "currency": parse_currency,
            "note": clean_note,
        },
        data,
    )
    if cleaned["amount"] <= 0:
        raise ValidationError({"amount": "The amount must be more than 0."})
    with transaction.atomic():
        cost = ProgramCost.objects.create(partner=partner, created_by=actor, **cleaned)
        audit_record(
            actor=actor,
            verb="money.cost_added",
            target=cost,
            partner=partner,
            after={k: str(v) for k, v in cleaned.items()},
        )
    return cost


def program_cost_delete(*, actor: User, cost: ProgramCost) -> None:
    _require_manager(actor)
    with transaction.atomic():
        current = ProgramCost.objects.select_for_update().filter(pk=cost.pk).first()
        if current is None:
            return
        audit_record(
            actor=actor,
            verb="money.cost_deleted",
            target=current,
            partner=current.partner,
            before={
                "kind": current.kind,
                "incurred_on": str(current.incurred_on),
                "amount": str(current.amount),
                "currency": current.currency,
                "note": current.note,
            },
        )
        current.delete()


# --- What the data needs -------------------------------------------------------------------------------------------


@dataclass
class MissingRate:
    currency: str
    month: date
    needed_by: dict[str, int]  # what has amounts in that currency and month: {"won deals": 3, ...}

    @property
    def words(self) -> str:
        # "1 contract", "3 won deals": the labels are plural, one of them is said in the singular.
        singular = {"won deals": "won deal", "submitted deals": "submitted deal", "MDF payouts": "MDF payout"}
        return ", ".join(
            f"{count} {what if count != 1 else singular.get(what, what.removesuffix('s'))}"
            for what, count in self.needed_by.items()
        )


def _pairs(queryset, currency_field: str, when_field: str, *, truncate: bool = True):
    when = TruncMonth(when_field) if truncate else F(when_field)
    return queryset.annotate(m=when).values_list(currency_field, "m").order_by().annotate(n=Count("pk"))


def missing_rates(*, to: str | None = None) -> list[MissingRate]:
    """The (currency, month) pairs some amount is recorded in, other than the reporting currency, with no rate into
    it: won deals (at closing), submitted deals (at submission), MDF payouts, direct revenue, program costs, customer
    contracts (at their start) and renewals (at their due date). Newest month first. One grouped query per source."""
    from dealreg.models import Registration
    from mdf.models import LedgerEntry

    to = to or reporting_currency()
    won = Registration.objects.filter(status=Registration.Status.WON, closed_at__isnull=False)
    submitted = Registration.objects.filter(submitted_at__isnull=False)
    sources = [
        ("won deals", _pairs(won, "currency", "closed_at")),
        ("submitted deals", _pairs(submitted, "currency", "submitted_at")),
        ("MDF payouts", _pairs(LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT), "currency", "created_at")),
        ("direct revenue", _pairs(DirectRevenue.objects.all(), "currency", "month", truncate=False)),
        ("program costs", _pairs(ProgramCost.objects.all(), "currency", "incurred_on")),
        ("contracts", _pairs(CustomerContract.objects.all(), "currency", "starts_on")),
        ("renewals", _pairs(RenewalOutcome.objects.all(), "currency", "due_on")),
    ]
    needed: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)
    for label, rows in sources:
        for currency, month, count in rows:
            if not currency or currency == to or month is None:
                continue
            key = (currency, month_of(month))
            needed[key][label] = needed[key].get(label, 0) + count
    if not needed:
        return []
    rates = ExchangeRate.objects.filter(to_currency=to, currency__in={c for c, _ in needed})
    have = set(rates.values_list("currency", "month"))
    missing = [MissingRate(c, m, needed[(c, m)]) for c, m in needed if (c, m) not in have]
    missing.sort(key=lambda r: (-r.month.toordinal(), r.currency))
    return missing
