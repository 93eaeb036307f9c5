"""Customer contracts: created from won registrations or by hand, edited, renewed or churned; and the reads the
pages need. See the package's docstring."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from insights.models import CustomerContract, RenewalOutcome
from partners.models import Partner
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.money import Totals, format_money, parse_currency, parse_money

Outcome = RenewalOutcome.Outcome
DEFAULT_TERM_MONTHS = 12
MAX_TERM_MONTHS = 120
DUE_SOON_DAYS = 90
NOTE_MAX = 2000

INVOLVEMENTS = {
    "sourced": "Sourced",
    "influenced": "Influenced",
    "fulfilled": "Fulfilled",
    "cosell": "Co-sell",
}


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept within the month (Jan 31 + 1 month = Feb 28/29)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require_manager(actor: User | None) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can change customer contracts.")


def _snapshot(contract: CustomerContract) -> dict[str, Any]:
    return {
        "customer": contract.customer_name,
        "amount": str(contract.amount),
        "currency": contract.currency,
        "starts_on": contract.starts_on.isoformat(),
        "term_months": contract.term_months,
        "renewal_on": contract.renewal_on.isoformat(),
        "status": contract.status,
        "owner": contract.owner_id,
    }


# --- Validation (one place for the form, the import and the hook) -------------------------------------------------


def clean_term(value: Any) -> int:
    try:
        term = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError("Give the term as a whole number of months, like 12.") from None
    if not 1 <= term <= MAX_TERM_MONTHS:
        raise ValidationError(f"The term is between 1 and {MAX_TERM_MONTHS} months.")
    return term


def clean_owner(owner: User | None) -> User | None:
    if owner is not None and not (owner.is_active and is_channel_manager(owner)):
        raise ValidationError(f"{owner.email} is not an active channel manager.")
    return owner


def _clean_contract(
    *,
    customer_name: str,
    starts_on: date | None,
    amount: Any,
    currency: Any,
    term_months: Any,
    renewal_on: date | None,
    partner: Partner | None,
    involvement: str,
    owner: User | None,
) -> dict[str, Any]:
    """The contract's fields, checked; a ValidationError names each field that is wrong."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def check(name: str, func, *args) -> None:
        try:
            values[name] = func(*args)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)

    name = " ".join(str(customer_name or "").split())
    if not name:
        errors["customer_name"] = ["Give the customer's name."]
    elif len(name) > 200:
        errors["customer_name"] = ["The customer's name is at most 200 characters."]
    values["customer_name"] = name
    if starts_on is None:
        errors["starts_on"] = ["Give the date the contract starts."]
    values["starts_on"] = starts_on
    check("amount", parse_money, amount)
    check("currency", parse_currency, currency)
    check("term_months", clean_term, DEFAULT_TERM_MONTHS if term_months in (None, "") else term_months)
    check("owner", clean_owner, owner)
    involvement = (involvement or "").strip().lower().replace("-", "")
    if involvement and involvement not in INVOLVEMENTS:
        errors["involvement"] = [f"The involvement is one of {', '.join(INVOLVEMENTS)}."]
    elif involvement and partner is None:
        errors["involvement"] = ["A direct customer came through no partner: leave the involvement empty."]
    values["involvement"] = involvement
    values["partner"] = partner
    if starts_on is not None and "term_months" in values:
        renewal_on = renewal_on or add_months(starts_on, values["term_months"])
        if renewal_on <= starts_on:
            errors["renewal_on"] = ["The renewal date comes after the start."]
    values["renewal_on"] = renewal_on
    if errors:
        raise ValidationError(errors)
    return values


# --- From a won registration ----------------------------------------------------------------------------------


def contract_from_registration(*, registration, actor: User | None = None) -> CustomerContract | None:
    """The customer contract of a won registration: created on the first call (start = the close date, 12 months,
    the won amount or else the estimated value, the partner's owner), the same one on every later call. Returns
    None for a registration that is not won."""
    from dealreg.models import Registration

    with transaction.atomic():
        reg = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("partner", "partner__owner")
            .filter(pk=registration.pk)
            .first()
        )
        if reg is None or reg.status != Registration.Status.WON:
            return None
        existing = CustomerContract.objects.filter(registration=reg).first()
        if existing is not None:
            return existing
        starts_on = timezone.localdate(reg.closed_at) if reg.closed_at else timezone.localdate()
        owner = reg.partner.owner if reg.partner.owner_id and reg.partner.owner.is_active else None
        amount = reg.won_amount if reg.won_amount is not None else (reg.value or Decimal("0"))
        contract = CustomerContract(
            customer_name=reg.name[:200],
            account_id=reg.account_id,
            registration=reg,
            partner=reg.partner,
            involvement=reg.involvement,
            starts_on=starts_on,
            term_months=DEFAULT_TERM_MONTHS,
            amount=amount,
            currency=reg.currency,
            renewal_on=add_months(starts_on, DEFAULT_TERM_MONTHS),
            source=CustomerContract.Source.REGISTRATION,
            owner=owner,
        )
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:  # created by a concurrent call between our read and write
            return CustomerContract.objects.get(registration=reg)
        audit_record(
            actor=None,
            verb="contract.created",
            target=contract,
            partner=reg.partner,
            after={**_snapshot(contract), "registration": reg.pk, "source": contract.source},
            reason=f"The registration “{reg.name}” was won.",
        )
    return contract


def contract_on_won(*, registration, actor: User | None = None) -> None:
    """dealreg's won hook (registered in insights.signals)."""
    contract_from_registration(registration=registration, actor=actor)


# --- Channel managers' writes -----------------------------------------------------------------------------------


def contract_create(
    *,
    actor: User,
    customer_name: str,
    starts_on: date | None,
    amount: Any,
    currency: Any,
    term_months: Any = DEFAULT_TERM_MONTHS,
    renewal_on: date | None = None,
    partner: Partner | None = None,
    involvement: str = "",
    owner: User | None = None,
    source: str = CustomerContract.Source.MANUAL,
) -> CustomerContract:
    """Add a contract by hand (a direct customer when `partner` is None). The renewal date defaults to start +
    term."""
    _require_manager(actor)
    values = _clean_contract(
        customer_name=customer_name,
        starts_on=starts_on,
        amount=amount,
        currency=currency,
        term_months=term_months,
        renewal_on=renewal_on,
        partner=partner,
        involvement=involvement,
        owner=owner,
    )
    with transaction.atomic():
        contract = CustomerContract.objects.create(source=source, **values)
        audit_record(
            actor=actor,
            verb="contract.created",
            target=contract,
            partner=partner,
            after={**_snapshot(contract), "source": source},
        )
    return contract


def contract_update(
    *, actor: User, contract: CustomerContract, term_months: Any, renewal_on: date | None, owner: User | None
) -> CustomerContract:
    """Change the term, the renewal date or the owner. A new term without a new renewal date moves the renewal
    date to the current term's start + the new term."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    try:
        term = clean_term(term_months)
    except ValidationError as exc:
        errors["term_months"] = exc.messages
        term = None
    try:
        clean_owner(owner)
    except ValidationError as exc:
        errors["owner"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = CustomerContract.objects.select_for_update().get(pk=contract.pk)
        before = _snapshot(current)
        new_renewal = renewal_on or current.renewal_on
        if term != current.term_months and (renewal_on is None or renewal_on == current.renewal_on):
            new_renewal = add_months(add_months(current.renewal_on, -current.term_months), term)
        if new_renewal <= current.starts_on:
            raise ValidationError({"renewal_on": ["The renewal date comes after the start."]})
        current.term_months, current.renewal_on, current.owner = term, new_renewal, owner
        after = _snapshot(current)
        if after == before:
            return current
        current.save(update_fields=["term_months", "renewal_on", "owner", "updated_at"])
        audit_record(
            actor=actor, verb="contract.updated", target=current, partner=current.partner, before=before, after=after
        )
    return current


def _clean_outcome(contract: CustomerContract, outcome: str, new_amount: Any) -> tuple[str, Decimal | None]:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": ["Choose renewed, expanded or churned."]})
    if outcome == Outcome.CHURNED:
        return outcome, None
    if new_amount in (None, ""):
        if outcome == Outcome.EXPANDED:
            raise ValidationError({"new_amount": ["Give the new amount of the expanded contract."]})
        return outcome, contract.amount
    try:
        amount = parse_money(new_amount, label="new amount")
    except ValidationError as exc:
        raise ValidationError({"new_amount": exc.messages}) from None
    if outcome == Outcome.EXPANDED and amount <= contract.amount:
        current = format_money(contract.amount, contract.currency)
        raise ValidationError(
            {
                "new_amount": [
                    f"An expansion is more than the current {current}; for the same or less, record “renewed”."
                ]
            }
        )
    return outcome, amount


def renewal_record(
    *,
    actor: User,
    contract: CustomerContract,
    outcome: str,
    new_amount: Any = None,
    note: str = "",
    due_on: date | None = None,
) -> RenewalOutcome:
    """Record what happened at the contract's renewal date (`due_on`, when given, must be that date: a second
    record for the same date is refused). Renewed or expanded: the amount becomes the new amount (renewed keeps the
    current one when none is given) and the renewal date moves on by the term. Churned: the contract ends."""
    _require_manager(actor)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"The note is at most {NOTE_MAX} characters."]})
    with transaction.atomic():
        current = CustomerContract.objects.select_for_update().get(pk=contract.pk)
        if current.status == CustomerContract.Status.CHURNED:
            raise ValidationError(f"{current.customer_name} has churned: there is no renewal to record.")
        due = due_on or current.renewal_on
        if RenewalOutcome.objects.filter(contract=current, due_on=due).exists():
            raise ValidationError(f"The renewal of {current.customer_name} due {due:%b %-d, %Y} is recorded already.")
        if due != current.renewal_on:
            raise ValidationError(
                f"{current.customer_name} comes up for renewal on {current.renewal_on:%b %-d, %Y}, "
                f"not {due:%b %-d, %Y}."
            )
        outcome, amount = _clean_outcome(current, outcome, new_amount)
        before = _snapshot(current)
        record = RenewalOutcome.objects.create(
            contract=current,
            due_on=due,
            outcome=outcome,
            new_amount=amount,
            currency=current.currency,
            note=note,
            recorded_by=actor,
        )
        if outcome == Outcome.CHURNED:
            current.status = CustomerContract.Status.CHURNED
        else:
            current.amount = amount
            current.renewal_on = add_months(current.renewal_on, current.term_months)
        current.save(update_fields=["status", "amount", "renewal_on", "updated_at"])
        audit_record(
            actor=actor,
            verb=f"contract.{outcome}",
            target=current,
            partner=current.partner,
            before=before,
            after={**_snapshot(current), "due_on": due.isoformat(), "outcome": outcome},
            reason=note,
        )
    return record


# --- Reads ------------------------------------------------------------------------------------------------------

WINDOWS = [
    ("", "Any renewal date"),
    ("overdue", "Renewal date passed"),
    ("30", "Due in 30 days"),
    ("60", "Due in 60 days"),
    ("90", "Due in 90 days"),
    ("later", "Due after 90 days"),
]


@dataclass(frozen=True)
class ContractFilters:
    partner: str = ""  # "" all, "direct", "partners", or a partner's id
    window: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params) -> "ContractFilters":
        partner = str(params.get("partner", "")).strip()
        if partner not in ("", "direct", "partners") and not (partner.isdigit() and len(partner) < 12):
            partner = ""
        window = str(params.get("window", ""))
        status = str(params.get("status", ""))
        return cls(
            partner=partner,
            window=window if window in dict(WINDOWS) else "",
            status=status if status in CustomerContract.Status.values else "",
            q=" ".join(str(params.get("q", "")).split())[:100],
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.partner or self.window or self.status or self.q)


def contract_list(*, filters: ContractFilters, today: date | None = None) -> QuerySet[CustomerContract]:
    """Contracts matching the filters: active renewals due within 90 days (and passed ones) first, soonest first;
    then the others by renewal date."""
    today = today or timezone.localdate()
    qs = CustomerContract.objects.select_related("partner", "owner")
    if filters.partner == "direct":
        qs = qs.filter(partner__isnull=True)
    elif filters.partner == "partners":
        qs = qs.filter(partner__isnull=False)
    elif filters.partner:
        qs = qs.filter(partner_id=int(filters.partner))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(Q(customer_name__icontains=filters.q) | Q(partner__name__icontains=filters.q))
    if filters.window == "overdue":
        qs = qs.filter(status=CustomerContract.Status.ACTIVE, renewal_on__lt=today)
    elif filters.window in ("30", "60", "90"):
        qs = qs.filter(
            status=CustomerContract.Status.ACTIVE,
            renewal_on__gte=today,
            renewal_on__lte=today + timedelta(days=int(filters.window)),
        )
    elif filters.window == "later":
        qs = qs.filter(renewal_on__gt=today + timedelta(days=DUE_SOON_DAYS))
    due_soon = Case(
        When(
            status=CustomerContract.Status.ACTIVE,
            renewal_on__lte=today + timedelta(days=DUE_SOON_DAYS),
            then=Value(0),
        ),
        default=Value(1),
        output_field=IntegerField(),
    )
    return qs.annotate(due_soon=due_soon).order_by("due_soon", "renewal_on", Lower("customer_name"), "pk")


def contract_totals(qs: QuerySet[CustomerContract]) -> Totals:
    """The amounts of `qs`, one sum per currency (one query)."""
    rows = qs.order_by().values("currency").annotate(total=Sum("amount"), n=Count("id"))
    return Totals((row["total"], row["currency"]) for row in rows)


def renewals_due(*, today: date | None = None, days: int = DUE_SOON_DAYS) -> QuerySet[CustomerContract]:
    """Active contracts whose renewal date is within `days` (including passed ones not yet recorded)."""
    today = today or timezone.localdate()
    return (
        CustomerContract.objects.filter(status=CustomerContract.Status.ACTIVE, renewal_on__lte=today + timedelta(days))
        .select_related("partner", "owner")
        .order_by("renewal_on", "pk")
    )


def contract_outcomes(*, contract: CustomerContract) -> QuerySet[RenewalOutcome]:
    return contract.outcomes.select_related("recorded_by").order_by("-due_on", "-pk")


EXPORT_HEADER = [
    "id",
    "customer",
    "partner",
    "involvement",
    "starts_on",
    "term_months",
    "amount",
    "currency",
    "renewal_on",
    "status",
    "source",
    "owner",
    "registration",
]


def contract_export_rows(qs: QuerySet[CustomerContract]):
    for c in qs.iterator(chunk_size=1000):
        yield [
            c.pk,
            c.customer_name,
            c.partner.name if c.partner_id else "",
            c.involvement,
            c.starts_on.isoformat(),
            c.term_months,
            c.amount,
            c.currency,
            c.renewal_on.isoformat(),
            c.status,
            c.source,
            c.owner.email if c.owner_id else "",
            c.registration_id or "",
        ]
