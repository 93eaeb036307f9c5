"""The objects in webhook payloads, exactly as the API shows them to a staff token (webhooks are for the company's
own systems): the API router's serializer, checked by its response schema and encoded by the API's JSON encoder, so
a webhook's `data` and a GET of the same object agree field for field (amounts as strings with their currency, the
partner's id and name, times in ISO 8601 as the API writes them).

One serializer per object: they live in `api/routers/`; this module only says which one describes which model and
how to load the object for it.
"""

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from ninja import Schema
from ninja.responses import NinjaJSONEncoder

from api import schemas
from api.routers.certifications import award_out
from api.routers.common import partner_ref
from api.routers.deals import registration_out
from api.routers.earnings import line_out
from api.routers.mdf import claim_out, fund_request_out
from api.routers.partners import partner_out
from dealreg.models import Registration
from enablement.models import CertificationAward
from incentives.models import EarningLine
from mdf.models import Claim, FundRequest
from partners.models import Partner

Serializer = Callable[[Any], dict[str, Any]]


def api_serializer(schema: type[Schema], serializer: Serializer) -> Serializer:
    """The API's `serializer` for one object, its result as the API's response for `schema` carries it: validated
    and dumped by the schema, then encoded by the encoder the API renders with (so a time reads the same in both).
    An app registering its own kind (its `hooks.py`) wraps its router's serializer with this."""

    def as_api_json(obj: Any) -> dict[str, Any]:
        dumped = schema.model_validate(serializer(obj)).model_dump()
        return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))

    as_api_json.schema = schema  # type: ignore[attr-defined]
    return as_api_json


# model label → (queryset that loads what the serializer reads, serializer). Other apps add theirs from their
# hooks.py (leads: "leads.lead").
SERIALIZERS: dict[str, tuple[Callable[[], models.QuerySet], Serializer]] = {
    "partners.partner": (
        lambda: Partner.objects.select_related("tier", "owner", "parent"),
        api_serializer(schemas.PartnerOut, partner_out),
    ),
    "dealreg.registration": (
        lambda: Registration.objects.select_related("partner", "created_by", "account"),
        api_serializer(schemas.RegistrationOut, registration_out),
    ),
    "enablement.certificationaward": (
        lambda: CertificationAward.objects.select_related("partner", "certification", "user"),
        api_serializer(schemas.AwardOut, lambda award: award_out(award, timezone.localdate())),
    ),
    "mdf.fundrequest": (
        lambda: FundRequest.objects.select_related("partner"),
        api_serializer(schemas.FundRequestOut, fund_request_out),
    ),
    "mdf.claim": (
        lambda: Claim.objects.select_related("partner", "request"),
        api_serializer(schemas.ClaimOut, claim_out),
    ),
    "incentives.earningline": (
        # What the API's staff read loads (api/routers/earnings.py `_visible_lines`).
        lambda: EarningLine.objects.select_related(
            "partner", "payout_run", "plan_version", "registration", "renewal__contract"
        ),
        api_serializer(schemas.EarningLineOut, line_out),
    ),
}


# Kept for leads/hooks.py `lead_payload`, which still writes its own lead payload with them (it should become
# `api_serializer(LeadOut, lead_out)` from api/routers/leads.py).
def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


_partner_ref = partner_ref


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
