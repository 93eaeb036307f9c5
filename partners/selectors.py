"""Reads for partner pages, scoped to who is looking."""

from django.db.models import Count, Q, QuerySet

from partners.models import Invitation, Partner, PartnerMembership
from prm.access import scoped_get


def partner_list(*, search: str = "", type: str = "", status: str = "") -> QuerySet[Partner]:
    """Channel managers' directory."""
    qs = Partner.objects.select_related("parent").annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True)
    )
    if search:
        qs = qs.filter(name__icontains=search.strip())
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name")


def partner_members(*, partner: Partner) -> QuerySet[PartnerMembership]:
    return partner.memberships.filter(is_active=True).select_related("user").order_by("role", "user__email")


def partner_open_invitations(*, partner: Partner) -> QuerySet[Invitation]:
    return (
        partner.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


# --- Access helpers for portal views: another partner's object is a 404. ---------------------------------------


def access_membership(*, viewer: PartnerMembership, pk: int) -> PartnerMembership:
    return scoped_get(
        PartnerMembership.objects.select_related("user", "partner"),
        partner=viewer.partner,
        pk=pk,
        is_active=True,
    )


def access_invitation(*, viewer: PartnerMembership, pk: int) -> Invitation:
    return scoped_get(Invitation.objects.select_related("partner"), partner=viewer.partner, pk=pk)
