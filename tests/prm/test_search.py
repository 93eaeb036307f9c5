"""The channel managers' global search (/manage/search/): it finds each kind (partners, people, registrations,
accounts, MDF requests and claims), only managers may use it, junk input never breaks it, and its query count does
not grow with the data. Runs on SQLite (icontains) and PostgreSQL (full-text search with prefixes)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dealreg.models import Registration
from mdf.models import Claim
from partners.models import Partner
from prm import search
from prm.search import SearchResult, clean_query, query_terms, register_search_provider, unregister_search_provider
from tests.dealreg.factories_accounts import AccountFactory
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import PartnerFactory
from tests.mdf.factories import FundRequestFactory, claimed_request, funded_budget
from tests.partners.factories_recruitment import submit_application

URL = reverse("manage:search")
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")


def _search(client, q: str):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return response


def _group(response, kind: str) -> list[SearchResult]:
    return next((g.results for g in response.context["groups"] if g.kind == kind), [])


def _titles(response, kind: str) -> list[str]:
    return [result.title for result in _group(response, kind)]


# --- Finds each kind -------------------------------------------------------------------------------------------


def test_the_start_of_a_word_finds_the_partner(manager_client, partner_a, partner_b):
    response = _search(manager_client, "north")
    assert _titles(response, "partners") == ["Northwind Solutions"]
    assert _group(response, "partners")[0].url == reverse("manage:partner_detail", args=[partner_a.pk])
    html = response.content.decode()
    assert f'href="{reverse("manage:partner_detail", args=[partner_a.pk])}"' in html
    assert "Contoso" not in html


def test_every_word_must_match(manager_client, partner_a, partner_b):
    response = _search(manager_client, "northwind solutions")
    assert _titles(response, "partners") == ["Northwind Solutions"]
    assert _titles(_search(manager_client, "northwind contoso"), "partners") == []


def test_a_partner_found_by_its_web_domain(manager_client):
    PartnerFactory(name="Bluepeak Consulting", website="https://www.bluepeak.io/en")
    assert _titles(_search(manager_client, "bluepeak.io"), "partners") == ["Bluepeak Consulting"]


def test_people_found_by_name_and_email_link_to_their_partner(manager_client, partner_a, partner_a_admin):
    partner_a_admin.first_name, partner_a_admin.last_name = "Anna", "Lindqvist"
    partner_a_admin.save()
    for q in ("lindq", "anna@northwind.example.com", "northwind.example.com"):
        people = _group(_search(manager_client, q), "people")
        assert [p.title for p in people] == ["Anna Lindqvist"], q
        assert people[0].url == reverse("manage:partner_detail", args=[partner_a.pk])
        assert "Admin at Northwind Solutions" in people[0].subtitle


def test_an_applicant_and_the_applying_company_link_to_the_application(manager_client):
    application = submit_application(name="Bluepeak Consulting", contact_name="Jo Bloggs")
    detail = reverse("manage:application_detail", args=[application.pk])
    response = _search(manager_client, "bloggs")
    assert [(p.title, p.url) for p in _group(response, "people")] == [("Jo Bloggs", detail)]
    partners = _group(_search(manager_client, "bluepeak"), "partners")
    assert [(p.title, p.url) for p in partners] == [("Bluepeak Consulting", detail)]
    assert "Applied" in partners[0].subtitle


def test_a_registration_found_by_customer_with_its_partner_and_amount(manager_client, partner_a):
    registration = RegistrationFactory(
        partner=partner_a,
        name="Globex Manufacturing",
        contact_name="Hank Scorpio",
        value=Decimal("48000"),
        currency="EUR",
        status=Registration.Status.SUBMITTED,
    )
    for q in ("globex", "scorpio"):
        found = _group(_search(manager_client, q), "registrations")
        assert [r.title for r in found] == ["Globex Manufacturing"], q
        assert found[0].url == reverse("manage:deal_detail", args=[registration.pk])
        assert "Northwind Solutions" in found[0].subtitle
        assert "€48,000" in found[0].subtitle  # an amount always with its currency
        assert "Submitted" in found[0].subtitle


def test_an_account_found_by_name(manager_client):
    account = AccountFactory(name="Initech GmbH", is_named_account=True)
    found = _group(_search(manager_client, "initech"), "accounts")
    assert [(a.title, a.url) for a in found] == [("Initech GmbH", reverse("manage:account_detail", args=[account.pk]))]
    assert "Named account" in found[0].subtitle


def test_an_mdf_request_found_by_title_and_description(manager_client, partner_a):
    budget = funded_budget(partner_a, "10000")
    fund_request = FundRequestFactory(
        partner=partner_a, budget=budget, title="Kubernetes roadshow Berlin", description="Three cities in Germany."
    )
    for q in ("roadshow berl", "germany"):
        found = _group(_search(manager_client, q), "mdf_requests")
        assert [r.title for r in found] == ["Kubernetes roadshow Berlin"], q
        assert found[0].url == reverse("manage:mdf_request", args=[fund_request.pk])
        assert "Northwind Solutions" in found[0].subtitle


def test_a_claim_found_by_its_payout_reference(manager_client, partner_a):
    budget = funded_budget(partner_a, "10000")
    claim = claimed_request(partner=partner_a, budget=budget, title="Trade show booth", amount="3000").claim
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.PAID, paid_amount=Decimal("3000"), payout_reference="PAY-2026-0042"
    )
    response = _search(manager_client, "pay-2026-0042")
    found = _group(response, "mdf_claims")
    assert [(c.title, c.url) for c in found] == [
        ("Claim for “Trade show booth”", reverse("manage:mdf_claim", args=[claim.pk]))
    ]
    # The request itself says its claim's state.
    requests = _group(_search(manager_client, "trade show"), "mdf_requests")
    assert "claim: paid" in requests[0].subtitle


def test_results_are_grouped_with_counts_and_the_query_stays_in_the_box(manager_client, partner_a):
    RegistrationFactory(partner=partner_a, name="Northwind Traders")
    html = _search(manager_client, "northwind").content.decode()
    assert 'value="northwind"' in html
    assert "Partners (1)" in html
    assert "Deal registrations (1)" in html
    assert "Accounts (" not in html  # empty groups are not shown


@on_postgresql
def test_postgresql_ranks_the_closer_match_first(manager_client):
    PartnerFactory(name="Acme Northern Logistics")
    PartnerFactory(name="North")
    assert _titles(_search(manager_client, "north"), "partners")[0] == "North"


@on_postgresql
def test_postgresql_understands_websearch_syntax(manager_client, partner_a, partner_b):
    assert _titles(_search(manager_client, "northwind or contoso"), "partners") == [
        "Contoso Partners",
        "Northwind Solutions",
    ]
    assert _titles(_search(manager_client, "solutions -northwind"), "partners") == []


# --- Bounded -----------------------------------------------------------------------------------------------------


def test_each_kind_shows_at_most_ten_and_says_there_are_more(manager_client):
    for n in range(14):
        PartnerFactory(name=f"Northwind Branch {n:02}")
    response = _search(manager_client, "northwind")
    assert len(_titles(response, "partners")) == search.PER_KIND
    html = response.content.decode()
    assert "Partners (10+)" in html
    assert f'href="{reverse("manage:partner_list")}?q=northwind"' in html


def _world(partner, n: int) -> None:
    budget = funded_budget(partner, "100000")
    for i in range(n):
        RegistrationFactory(partner=partner, name=f"Northwind Customer {i}")
        AccountFactory(name=f"Northwind Account {i}")
        FundRequestFactory(partner=partner, budget=budget, title=f"Northwind event {i}", requested_amount=Decimal(10))
    PartnerFactory.create_batch(n, name="Northwind Reseller")


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        _search(client, "northwind")
    return len(queries)


def test_query_count_does_not_grow_with_the_data(manager_client, partner_a, django_assert_max_num_queries):
    _world(partner_a, 1)
    few = _count_queries(manager_client)
    _world(partner_a, 15)
    with django_assert_max_num_queries(few):
        response = _search(manager_client, "northwind")
    assert all(len(g.results) <= search.PER_KIND for g in response.context["groups"])


# --- Managers only -------------------------------------------------------------------------------------------------


def test_partner_users_get_404_and_visitors_sign_in(client, admin_client_a, seller_client_a, outsider_client):
    for partner_client in (admin_client_a, seller_client_a, outsider_client):
        assert partner_client.get(URL, {"q": "north"}).status_code == 404
    response = client.get(URL, {"q": "north"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_provider_hidden_from_the_user_is_not_run(manager_client, partner_a):
    calls = []

    def secret(query: str, limit: int) -> list[SearchResult]:
        calls.append(query)
        return [SearchResult(title="Secret", url="/", kind="secret")]

    register_search_provider("secret", "Secrets", secret, visible_to=lambda user: False)
    try:
        response = _search(manager_client, "northwind")
    finally:
        unregister_search_provider("secret")
    assert calls == []
    assert "Secrets" not in response.content.decode()


# --- Junk ----------------------------------------------------------------------------------------------------------

JUNK = [
    "x" * 5000,
    "north " * 400,
    "Müller 東京 😀 مرحبا",
    "!@#$%^&*()[]{}<>?/\\|`~'\";:",
    "' OR 1=1 --",
    '"unbalanced',
    "-",
    "north & | ! :* ()",
    "%_%",
    "\x00north\x00",
    "\u200b\u202e",
    "a:*",
    "!!",
]


@pytest.mark.parametrize("q", JUNK)
def test_junk_never_breaks_the_page(manager_client, partner_a, q):
    response = _search(manager_client, q)
    assert "Search" in response.content.decode()


def test_a_nul_byte_is_dropped_and_the_word_still_found(manager_client, partner_a):
    assert _titles(_search(manager_client, "\x00north\x00"), "partners") == ["Northwind Solutions"]


def test_a_long_query_is_cut_and_says_so(manager_client):
    response = _search(manager_client, "y" * 500)
    assert response.context["query"] == "y" * search.MAX_QUERY_LENGTH
    assert "Only the first 100 characters were searched." in response.content.decode()


def test_one_letter_asks_for_more(manager_client, partner_a):
    response = _search(manager_client, "n")
    assert "Type at least 2 letters or digits" in response.content.decode()
    assert all(not g.results for g in response.context["groups"])


def test_nothing_found_says_what_was_searched_and_helps(manager_client, partner_a):
    html = _search(manager_client, "zzqqx").content.decode()
    assert "No partner, deal, account or MDF request matches “zzqqx”." in html
    assert "the start of a name" in html


def test_markup_in_names_and_queries_is_escaped(manager_client):
    PartnerFactory(name="<script>alert(1)</script> Evil")
    html = _search(manager_client, "evil").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil" in html  # the name, found and escaped
    html = _search(manager_client, "<b>zzqqx</b>").content.decode()
    assert "<b>zzqqx" not in html
    assert 'value="&lt;b&gt;zzqqx&lt;/b&gt;"' in html  # the query, kept and escaped
    assert "matches “&lt;b&gt;zzqqx&lt;/b&gt;”" in html


def test_no_query_shows_the_box_and_a_hint(manager_client):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert 'name="q" value=""' in response.content.decode()
    assert "Type the start of" in response.content.decode()


def test_clean_query_and_terms():
    assert clean_query("  north\x00wind \n\t co ") == "north wind co"
    assert clean_query(None) == ""
    assert query_terms("Müller-Lüdenscheid & Co. (GmbH)") == ["müller", "lüdenscheid", "co", "gmbh"]
    assert query_terms("a_b :* ' \"") == ["a", "b"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(50)))) == search.MAX_TERMS


def test_every_app_registers_its_providers_in_display_order(channel_manager, partner_a_admin):
    kinds = [p.kind for p in search.search_providers(channel_manager)]
    assert kinds == ["partners", "people", "registrations", "accounts", "mdf_requests", "mdf_claims"]
    assert search.search_providers(partner_a_admin) == []


def test_status_words_stay_in_the_subtitle(manager_client):
    PartnerFactory(name="Dormant Dynamics", status=Partner.Status.DORMANT)
    assert "Dormant" in _group(_search(manager_client, "dynamics"), "partners")[0].subtitle
