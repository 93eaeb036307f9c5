"""What the managers' global search finds in deal registration: partners' registrations (by customer, its domain
or contact) and the startup's accounts. Registered in DealregConfig.ready(); both search vectors have a GIN index
on PostgreSQL (migration 0011), so a search stays fast with a million registrations.
"""

from urllib.parse import urlencode

from django.urls import reverse

from dealreg.models import Account, Registration
from prm.money import format_money
from prm.search import SearchResult, register_search_provider, text_match

# The search vectors, as migration 0011 indexes them: keep them in step.
REGISTRATION_FIELDS = ("name", "domain", "contact_name")
ACCOUNT_FIELDS = ("name", "domain")


def _words(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def search_registrations(query: str, limit: int) -> list[SearchResult]:
    registrations = Registration.objects.select_related("partner")
    return [
        SearchResult(
            title=registration.name,
            subtitle=_words(
                registration.partner.name,
                registration.get_status_display(),
                format_money(registration.value, registration.currency, places=0),
                registration.contact_name,
            ),
            url=reverse("manage:deal_detail", args=[registration.pk]),
            kind="registrations",
        )
        for registration in text_match(
            registrations, query, fields=REGISTRATION_FIELDS, limit=limit, order_by=("-created_at", "-pk")
        )
    ]


def search_accounts(query: str, limit: int) -> list[SearchResult]:
    results = []
    for account in text_match(
        Account.objects.all(), query, fields=ACCOUNT_FIELDS, limit=limit, order_by=("name", "pk")
    ):
        flags = [
            label
            for flag, label in ((account.is_named_account, "named account"), (account.is_customer, "customer"))
            if flag
        ]
        subtitle = _words(
            ", ".join(flags).capitalize(), account.domain, account.country.name if account.country else ""
        )
        url = reverse("manage:account_detail", args=[account.pk])
        results.append(SearchResult(title=account.name, subtitle=subtitle, url=url, kind="accounts"))
    return results


def _list_url(name: str):
    return lambda query: f"{reverse(name)}?{urlencode({'q': query})}"


def register() -> None:
    register_search_provider(
        "registrations", "Deal registrations", search_registrations, order=30, more_url=_list_url("manage:deals")
    )
    register_search_provider(
        "accounts", "Accounts", search_accounts, order=40, more_url=_list_url("manage:account_list")
    )
