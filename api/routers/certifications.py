"""Certifications: the awards of the partner's people (a staff token: everyone's, filterable by partner), and the
public verification of a code (no token), which says what the public verification page says."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_id, check_limit, partner_ref
from api.schemas import AwardPage, AwardStatus, Error, VerificationOut
from enablement import selectors
from enablement.models import CertificationAward
from enablement.views.public import CODE_SHAPE, verdict

router = Router(tags=["Certifications"])


def award_out(award: CertificationAward, today) -> dict[str, Any]:
    return {
        "id": award.pk,
        "partner": partner_ref(award.partner),
        "certification": {"id": award.certification_id, "name": award.certification.name},
        "holder": {"id": award.user_id, "name": award.user.get_full_name() or award.user.email},
        "status": award.status_on(today),
        "awarded_at": award.awarded_at,
        "expires_at": award.expires_at,
        "code": award.code if award.public else None,
        "revoked_at": award.revoked_at,
    }


class AwardFilters(Schema):
    status: AwardStatus | None = None
    partner: int | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get("/certifications", response={200: AwardPage, **ERRORS}, summary="List certifications")
def award_list(request: HttpRequest, filters: Query[AwardFilters]):
    """The certifications your company's people hold (renewed ones are replaced by their renewal), newest first;
    filter by `status` today. A staff token sees every partner's and may filter by `partner` (its id)."""
    partner = request.partner  # type: ignore[attr-defined]
    if partner is None and check_id(filters.partner, "partner"):
        from partners.models import Partner

        partner = Partner.objects.filter(pk=filters.partner).first()
        if partner is None:
            return {"items": [], "next": None}
    today = timezone.localdate()
    queryset = selectors.awards_list(status=filters.status or "", partner=partner, today=today)
    rows, next_cursor = page(queryset, cursor=filters.cursor, limit=check_limit(filters.limit), scope="certifications")
    return {"items": [award_out(a, today) for a in rows], "next": next_cursor}


@router.get(
    "/certifications/verify/{code}",
    auth=None,
    response={200: VerificationOut, 404: Error, 422: Error},
    summary="Verify a certification code (public)",
)
def award_verify(request: HttpRequest, code: str):
    """Anyone may check a certificate's code, as on its public page: valid today or not, until when, for whom.
    An unknown code, a hidden page and a revoked certification are 404 (a revoked one says so)."""
    award = selectors.award_by_code(code) if CODE_SHAPE.fullmatch(code or "") else None
    if award is None:
        raise Http404("Not found")
    result = verdict(award, timezone.localdate())
    if result.theme == "revoked":
        from ninja.errors import HttpError

        raise HttpError(404, f"{result.headline}. {result.detail}")
    return {
        "code": award.code,
        "valid": result.valid,
        "verdict": result.headline,
        "detail": result.detail,
        "valid_until": result.valid_until,
        "certification": award.certification.name,
        "holder": award.user.get_full_name() or "A certified professional",
        "partner": award.partner.name,
    }
