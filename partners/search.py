"""What the managers' global search finds in partners: the companies, and people (partner users and applicants).

Registered in PartnersConfig.ready(). The partner vector (name, domain) has a GIN index on PostgreSQL (migration
0007); people are matched through their user row and the applications, small tables scanned in one query each.
"""

from urllib.parse import urlencode

from django.db.models import F, Value
from django.db.models.functions import Replace
from django.urls import reverse

from partners.models import Application, Partner, PartnerMembership
from prm.search import SearchResult, register_search_provider, text_match

# The partner search vector, as migration 0007 indexes it: keep the two in step.
PARTNER_FIELDS = ("name", "domain")


def _words(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def search_partners(query: str, limit: int) -> list[SearchResult]:
    partners = Partner.objects.select_related("tier").annotate(application_pk=F("application__pk"))
    results = []
    for partner in text_match(partners, query, fields=PARTNER_FIELDS, limit=limit, order_by=("name", "pk")):
        awaiting = partner.status in (Partner.Status.APPLIED, Partner.Status.DECLINED) and partner.application_pk
        url = (
            reverse("manage:application_detail", args=[partner.application_pk])
            if awaiting
            else reverse("manage:partner_detail", args=[partner.pk])
        )
        subtitle = _words(
            partner.get_type_display(),
            partner.get_status_display(),
            partner.tier.name if partner.tier else "",
            partner.domain,
        )
        results.append(SearchResult(title=partner.name, subtitle=subtitle, url=url, kind="partners"))
    return results


def search_people(query: str, limit: int) -> list[SearchResult]:
    """Partner users (by name or email) first, then applicants not yet partners' users; at most `limit` in all."""
    email_words = Replace("user__email", Value("@"), Value(" "))  # "anna northwind.com": the domain is a word too
    members = PartnerMembership.objects.select_related("user", "partner")
    results = [
        SearchResult(
            title=membership.user.get_full_name() or membership.user.email,
            subtitle=_words(
                f"{membership.get_role_display()} at {membership.partner.name}",
                membership.user.email,
                "" if membership.is_active else "no longer active",
            ),
            url=reverse("manage:partner_detail", args=[membership.partner_id]),
            kind="people",
        )
        for membership in text_match(
            members,
            query,
            fields=("user__first_name", "user__last_name", "user__email", email_words),
            limit=limit,
            order_by=("user__last_name", "user__first_name", "pk"),
        )
    ]
    if len(results) >= limit:
        return results
    contact_words = Replace("contact_email", Value("@"), Value(" "))
    applications = Application.objects.select_related("partner")
    for application in text_match(
        applications,
        query,
        fields=("contact_name", "contact_email", contact_words),
        limit=limit - len(results),
        order_by=("-submitted_at", "pk"),
    ):
        results.append(
            SearchResult(
                title=application.contact_name,
                subtitle=_words(f"Applicant for {application.partner.name}", application.contact_email),
                url=reverse("manage:application_detail", args=[application.pk]),
                kind="people",
            )
        )
    return results


def _partner_list_url(query: str) -> str:
    return f"{reverse('manage:partner_list')}?{urlencode({'q': query})}"


def register() -> None:
    register_search_provider("partners", "Partners", search_partners, order=10, more_url=_partner_list_url)
    register_search_provider("people", "People", search_people, order=20)
