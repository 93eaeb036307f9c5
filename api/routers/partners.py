"""Partners, for staff tokens: list, detail, create (through the partners service, so it starts onboarding and is
audited like one created in the manager app). A partner token gets 403."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from api.auth import require_staff
from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_id, check_limit, partner_ref
from api.schemas import PartnerIn, PartnerOut, PartnerPage, PartnerStatus, PartnerType
from partners import selectors
from partners.models import Partner
from partners.services.people import partner_create

router = Router(tags=["Partners (staff)"])


def partner_out(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "name": partner.name,
        "partner_type": partner.type,
        "status": partner.status,
        "tier": {"id": partner.tier_id, "name": partner.tier.name} if partner.tier_id else None,
        "parent": partner_ref(partner.parent) if partner.parent_id else None,
        "website": partner.website,
        "regions": list(partner.regions or []),
        "owner_email": partner.owner.email if partner.owner_id else None,
        "applied_at": partner.applied_at,
        "approved_at": partner.approved_at,
        "activated_at": partner.activated_at,
        "created_at": partner.created_at,
    }


class PartnerFilters(Schema):
    status: PartnerStatus | None = None
    partner_type: PartnerType | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get("/partners", response={200: PartnerPage, **ERRORS}, summary="List partners")
def partner_list(request: HttpRequest, filters: Query[PartnerFilters]):
    """Every partner, newest first; filter by `status` and `partner_type`."""
    require_staff(request)
    queryset = selectors.partner_list(status=filters.status or "", type=filters.partner_type or "")
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="partners")
    return {"items": [partner_out(p) for p in rows], "next": next_cursor}


@router.get("/partners/{id:partner_id}", response={200: PartnerOut, **ERRORS})
def partner_detail(request: HttpRequest, partner_id: int):
    require_staff(request)
    return partner_out(selectors.partner_get(pk=partner_id))


@router.post("/partners", response={201: PartnerOut, **ERRORS}, summary="Create a partner")
def partner_add(request: HttpRequest, payload: PartnerIn):
    """Create a partner directly (it starts in onboarding); a name already taken is a 400."""
    require_staff(request)
    parent = selectors.partner_get(pk=check_id(payload.parent_id, "parent")) if payload.parent_id else None
    partner = partner_create(actor=request.user, name=payload.name, type=payload.partner_type, parent=parent)
    return Status(201, partner_out(selectors.partner_get(pk=partner.pk)))
