"""What the MDF services share: who may act, money and text cleaning, refusals that explain themselves, links to
requests and claims, and who is told (through prm.notifications and partners.selectors)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from mdf.ledger import entry_add
from mdf.models import Budget, Claim, FundRequest, LedgerEntry
from partners.models import Partner, PartnerMembership
from partners.selectors import owner_or_managers, partner_people
from prm.access import is_channel_manager, user_membership
from prm.models import User
from prm.money import MONEY_MAX, format_money, to_cents
from prm.notifications import notify_each

TEXT_MAX = 2000
# Members who may request funds, edit, cancel and claim (every member sees the MDF pages).
REQUESTER_ROLES = (PartnerMembership.Role.ADMIN, PartnerMembership.Role.MARKETING)


def require_manager(actor: User | None, *, what: str = "decide on MDF requests and claims") -> None:
    if not is_channel_manager(actor):
        raise ValidationError(f"Only channel managers can {what}.")


def require_requester(actor: User | None, partner: Partner) -> None:
    """The actor is an admin or marketing member of this partner."""
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner.pk:
        raise ValidationError("Only your company's people can work on its market development funds.")
    if membership.role not in REQUESTER_ROLES:
        raise ValidationError(
            "Only your company's admin or marketing users can request funds and file claims. Ask one of them."
        )


def clean_text(value: Any, *, what: str, required: bool = True, max_length: int = TEXT_MAX) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError(f"Give {what}.")
    if len(value) > max_length:
        raise ValidationError(f"Keep {what} under {max_length} characters (it has {len(value)}).")
    return value


def clean_money(
    value: Any, *, field: str, label: str, allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """An amount from a form or a caller, as cents; a ValidationError keyed by `field` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: f"Give the {label}."})
    try:
        amount = to_cents(value)
    except ValueError:
        raise ValidationError({field: f"Give the {label} as a number, like 5000 or 5000.00."}) from None
    if abs(amount) > MONEY_MAX:
        raise ValidationError({field: f"The {label} is too large."})
    if amount < 0 and not allow_negative:
        raise ValidationError({field: f"The {label} cannot be negative."})
    if amount == 0 and not allow_zero:
        raise ValidationError({field: f"The {label} must be more than 0."})
    return amount


def fmt_date(day) -> str:
    return date_format(day, "j F Y") if day else ""


def refused(obj: FundRequest | Claim, action: str) -> ValidationError:
    """Why a transition found the object in another state than expected (a double click, or a colleague who was
    quicker)."""
    what = "request" if isinstance(obj, FundRequest) else "claim"
    current = type(obj).objects.filter(pk=obj.pk).select_related("decided_by").first()
    if current is None:
        return ValidationError(f"This {what} no longer exists.")
    label = current.get_status_display()
    decided = ""
    if current.decided_at and current.decided_by:
        when = date_format(timezone.localtime(current.decided_at), "DATETIME_FORMAT")
        decided = f" (last decision by {current.decided_by.display_name}, {when})"
    return ValidationError(f"This {what} is now “{label}”{decided}, so it cannot be {action} now. Nothing was changed.")


def portal_request_url(request: FundRequest) -> str:
    return reverse("portal:mdf_request", args=[request.pk])


def manage_request_url(request: FundRequest) -> str:
    return reverse("manage:mdf_request", args=[request.pk])


def manage_claim_url(claim: Claim) -> str:
    return reverse("manage:mdf_claim", args=[claim.pk])


def portal_claim_url(claim: Claim) -> str:
    return reverse("portal:mdf_claim", args=[claim.pk])


def admins() -> list[User]:
    """Who can give the second approval above the amount band: active superusers."""
    return list(User.objects.filter(is_active=True, is_superuser=True, is_staff=True).order_by("pk"))


def tell_partner(
    *, event_pk: int, request: FundRequest, template: str, context: dict, url: str = "", label: str = ""
) -> int:
    """Tell the partner's admins and the request's author (each once), linking to the request (or `url`)."""
    url = url or portal_request_url(request)
    return notify_each(
        key=f"audit:{event_pk}:{template}",
        template=template,
        users=partner_people(request.partner, request.created_by),
        partner=request.partner,
        url=url,
        label=label or "Open the request",
        context={"request": request, **_amounts(request), **context},
    )


def tell_managers(
    *, event_pk: int, request: FundRequest, template: str, context: dict, url: str = "", users: list[User] | None = None
) -> int:
    url = url or manage_request_url(request)
    return notify_each(
        key=f"audit:{event_pk}:{template}",
        template=template,
        users=users if users is not None else owner_or_managers(request.partner),
        partner=request.partner,
        url=url,
        label="Review it",
        context={"request": request, **_amounts(request), **context},
    )


def _amounts(request: FundRequest) -> dict:
    """Amounts already in words, so templates never format money themselves."""
    return {
        "requested": format_money(request.requested_amount, request.currency),
        "total_cost": format_money(request.total_cost, request.currency),
        "approved": format_money(request.approved_amount, request.currency),
        "claim_deadline": fmt_date(request.claim_deadline),
    }


def release(
    *, budget: Budget, amount: Decimal, actor: User | None, request: FundRequest, memo: str
) -> list[LedgerEntry]:
    """Give reserved money back to the budget (the caller holds its lock). When the period's unused funds have
    already expired, what comes back expires at once, so an expired period never shows money to spend."""
    if amount <= 0:
        return []
    entries = [
        entry_add(budget=budget, kind=LedgerEntry.Kind.RELEASE, amount=amount, actor=actor, request=request, memo=memo)
    ]
    if budget.period.funds_expired_at is not None:
        entries.append(
            entry_add(
                budget=budget,
                kind=LedgerEntry.Kind.EXPIRY,
                amount=amount,
                actor=None,
                request=request,
                memo=f"Released after the funds of {budget.period} expired",
            )
        )
    return entries
