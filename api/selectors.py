"""The token pages' reads, scoped to the viewer: a partner's tokens (another partner's token is a 404), the staff
tokens."""

from django.db.models import QuerySet

from api.models import ApiToken
from partners.models import Partner
from prm.access import scoped_get


def tokens_for_partner(*, partner: Partner) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(partner=partner).select_related("user", "revoked_by").order_by("-created_at", "-pk")


def staff_tokens() -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(partner__isnull=True)
        .select_related("user", "revoked_by")
        .order_by("-created_at", "-pk")
    )


def access_partner_token(*, partner: Partner, pk: int) -> ApiToken:
    return scoped_get(ApiToken.objects.select_related("user", "partner"), partner=partner, pk=pk)


def access_staff_token(*, pk: int) -> ApiToken:
    return scoped_get(ApiToken.objects.select_related("user"), partner=None, pk=pk)
