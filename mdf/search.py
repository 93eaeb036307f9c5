"""What the managers' global search finds in MDF: requests (by title or description; the claim's state is said
with it, and the request page shows the claim) and claims by their payout reference, the number finance asks
about. Registered in MdfConfig.ready(); the request vector has a GIN index on PostgreSQL (migration 0002).
"""

from django.urls import reverse

from mdf.models import Claim, FundRequest
from prm.money import format_money
from prm.search import SearchResult, register_search_provider, text_match

# The request search vector, as migration 0002 indexes it: keep the two in step.
REQUEST_FIELDS = ("title", "description")


def _words(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def search_requests(query: str, limit: int) -> list[SearchResult]:
    requests = FundRequest.objects.select_related("partner", "claim")
    results = []
    for fund_request in text_match(
        requests, query, fields=REQUEST_FIELDS, limit=limit, order_by=("-created_at", "-pk")
    ):
        claim = getattr(fund_request, "claim", None)  # None when no claim was filed
        subtitle = _words(
            fund_request.partner.name,
            fund_request.get_activity_type_display(),
            format_money(fund_request.requested_amount, fund_request.currency),
            fund_request.get_status_display(),
            f"claim: {claim.get_status_display().lower()}" if claim else "",
        )
        url = reverse("manage:mdf_request", args=[fund_request.pk])
        results.append(SearchResult(title=fund_request.title, subtitle=subtitle, url=url, kind="mdf_requests"))
    return results


def search_claims(query: str, limit: int) -> list[SearchResult]:
    """Claims whose payout reference contains the query (references are codes: matched as typed, not as words)."""
    claims = (
        Claim.objects.select_related("partner", "request")
        .exclude(payout_reference="")
        .filter(payout_reference__icontains=query)
        .order_by("-paid_on", "-pk")
    )
    return [
        SearchResult(
            title=f"Claim for “{claim.request.title}”",
            subtitle=_words(
                claim.partner.name,
                f"paid {format_money(claim.paid_amount, claim.currency)}" if claim.paid_amount is not None else "",
                f"reference {claim.payout_reference}",
            ),
            url=reverse("manage:mdf_claim", args=[claim.pk]),
            kind="mdf_claims",
        )
        for claim in claims[:limit]
    ]


def register() -> None:
    register_search_provider("mdf_requests", "MDF requests", search_requests, order=50)
    register_search_provider("mdf_claims", "MDF claims", search_claims, order=60)
