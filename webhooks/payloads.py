"""The objects in webhook payloads, as the API shows them: id, type, the main fields, the partner (id and name),
amounts as strings with their currency ({"amount": "48000.00", "currency": "EUR"}), times in ISO 8601.

These are small serializers of our own until the API's schemas exist (api/); when they do, `serialize` should
call them so a webhook and a GET of the same object agree field for field.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from dealreg.models import Registration
from enablement.models import CertificationAward
from incentives.models import EarningLine
from mdf.models import Claim, FundRequest
from partners.models import Partner


def money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    if amount is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": currency}


def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _partner_ref(partner: Partner | None) -> dict[str, Any] | None:
    return {"id": partner.pk, "name": partner.name} if partner is not None else None


def partner_payload(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "type": "partner",
        "name": partner.name,
        "partner_type": partner.type,
        "status": partner.status,
        "tier": {"id": partner.tier_id, "name": partner.tier.name} if partner.tier_id else None,
        "website": partner.website,
        "regions": partner.regions,
        "owner_email": partner.owner.email if partner.owner_id else None,
        "applied_at": _time(partner.applied_at),
        "approved_at": _time(partner.approved_at),
        "activated_at": _time(partner.activated_at),
        "created_at": _time(partner.created_at),
    }


def registration_payload(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.pk,
        "type": "deal_registration",
        "partner": _partner_ref(registration.partner),
        "name": registration.name,
        "website": registration.website,
        "country": registration.country.code or "",
        "contact_name": registration.contact_name,
        "contact_email": registration.contact_email,
        "products": registration.products,
        "value": money(registration.value, registration.currency),
        "expected_close": _time(registration.expected_close),
        "stage": registration.stage,
        "involvement": registration.involvement,
        "status": registration.status,
        "has_conflict": registration.has_conflict,
        "submitted_at": _time(registration.submitted_at),
        "decided_at": _time(registration.decided_at),
        "decision_reason": registration.decision_reason,
        "protected_until": _time(registration.protected_until),
        "won_amount": money(registration.won_amount, registration.currency),
        "closed_at": _time(registration.closed_at),
    }


def award_payload(award: CertificationAward) -> dict[str, Any]:
    return {
        "id": award.pk,
        "type": "certification_award",
        "partner": _partner_ref(award.partner),
        "certification": {"id": award.certification_id, "name": award.certification.name},
        "holder": {"id": award.user_id, "name": award.user.get_full_name() or award.user.email},
        "status": award.status_on(timezone.localdate()),
        "awarded_at": _time(award.awarded_at),
        "expires_at": _time(award.expires_at),
        "code": award.code if award.public else None,
        "revoked_at": _time(award.revoked_at),
    }


def fund_request_payload(request: FundRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "type": "mdf_request",
        "partner": _partner_ref(request.partner),
        "title": request.title,
        "activity_type": request.activity_type,
        "status": request.status,
        "starts_on": _time(request.starts_on),
        "ends_on": _time(request.ends_on),
        "total_cost": money(request.total_cost, request.currency),
        "requested_amount": money(request.requested_amount, request.currency),
        "approved_amount": money(request.approved_amount, request.currency),
        "decided_at": _time(request.decided_at),
        "decision_reason": request.decision_reason,
        "claim_deadline": _time(request.claim_deadline),
    }


def claim_payload(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "type": "mdf_claim",
        "partner": _partner_ref(claim.partner),
        "request": {"id": claim.request_id, "title": claim.request.title},
        "status": claim.status,
        "actual_cost": money(claim.actual_cost, claim.currency),
        "amount_claimed": money(claim.amount_claimed, claim.currency),
        "approved_amount": money(claim.approved_amount, claim.currency),
        "paid_amount": money(claim.paid_amount, claim.currency),
        "paid_on": _time(claim.paid_on),
        "payout_reference": claim.payout_reference,
        "decided_at": _time(claim.decided_at),
        "decision_reason": claim.decision_reason,
    }


def earning_line_payload(line: EarningLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "type": "earning_line",
        "partner": _partner_ref(line.partner),
        "kind": line.rule_kind,
        "state": line.state,
        "amount": money(line.amount, line.currency),
        "base": money(line.base_amount, line.base_currency),
        "calculation": line.calculation,
        "registration_id": line.registration_id,
        "reverses_id": line.reverses_id,
        "earned_on": _time(line.earned_on),
        "payable_on": _time(line.payable_on),
    }


# model label → (queryset that loads what the serializer reads, serializer)
SERIALIZERS: dict[str, tuple[Callable[[], models.QuerySet], Callable[[Any], dict[str, Any]]]] = {
    "partners.partner": (lambda: Partner.objects.select_related("tier", "owner"), partner_payload),
    "dealreg.registration": (lambda: Registration.objects.select_related("partner"), registration_payload),
    "enablement.certificationaward": (
        lambda: CertificationAward.objects.select_related("partner", "certification", "user"),
        award_payload,
    ),
    "mdf.fundrequest": (lambda: FundRequest.objects.select_related("partner"), fund_request_payload),
    "mdf.claim": (lambda: Claim.objects.select_related("partner", "request"), claim_payload),
    "incentives.earningline": (lambda: EarningLine.objects.select_related("partner"), earning_line_payload),
}


def serialize(model: str, object_id: str) -> dict[str, Any]:
    """The object as the API shows it now; a short stub when it is gone (or of a kind we do not describe)."""
    found = SERIALIZERS.get(model)
    if found is not None:
        queryset, serializer = found
        try:
            obj = queryset().filter(pk=int(object_id)).first()
        except (TypeError, ValueError):
            obj = None
        if obj is not None:
            return serializer(obj)
    return {"id": object_id, "type": model.rsplit(".", 1)[-1], "deleted": found is not None}
