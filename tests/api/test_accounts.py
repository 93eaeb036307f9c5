"""Accounts, customers and direct opportunities through the API (staff tokens, for a CRM sync): create, upsert by
external id (201 then 200, idempotent), uniqueness of the external id, field messages, filters, pages, audit, and
403 for partner tokens."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiToken
from dealreg.models import Account, DirectOpportunity
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def put(api, path: str, body) -> object:
    return api.client.put(path, json.dumps(body), content_type="application/json", headers=api._headers(None))


NORTHWIND = {
    "name": "Northwind Traders",
    "website": "northwind.com",
    "country": "US",
    "industry": "Retail",
    "size": "midmarket",
    "is_named_account": True,
    "account_owner": "Maya Chen",
}


# --- Accounts ----------------------------------------------------------------------------------------------------


def test_create_an_account_is_audited_with_the_token(api_staff, channel_manager):
    response = api_staff.post("/api/v1/accounts", {**NORTHWIND, "external_id": "0015g00000Nw1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "account"
    assert body["external_id"] == "0015g00000Nw1"
    assert body["domain"] == "northwind.com"
    assert body["country"] == "US"
    assert body["is_customer"] is False
    assert body["open_opportunities"] == 0
    account = Account.objects.get(pk=body["id"])
    assert account.created_by == channel_manager
    event = AuditEvent.objects.get(verb="account.created", target_id=str(account.pk))
    assert event.actor == channel_manager
    assert event.after["external_id"] == "0015g00000Nw1"
    assert "Through the API" in event.reason
    assert "prm_" in event.reason


def test_upsert_twice_creates_then_finds_and_changes_nothing(api_staff):
    first = put(api_staff, "/api/v1/accounts/by-external-id/CRM-1", NORTHWIND)
    assert first.status_code == 201, first.content
    second = put(api_staff, "/api/v1/accounts/by-external-id/CRM-1", NORTHWIND)
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert Account.objects.filter(external_id="CRM-1").count() == 1
    account_id = str(first.json()["id"])
    assert AuditEvent.objects.filter(target_id=account_id, verb="account.created").count() == 1
    assert not AuditEvent.objects.filter(target_id=account_id, verb="account.updated").exists()


def test_upsert_sets_the_fields_sent_and_keeps_the_others(api_staff):
    put(api_staff, "/api/v1/accounts/by-external-id/CRM-2", NORTHWIND)
    response = put(api_staff, "/api/v1/accounts/by-external-id/CRM-2", {"industry": "Wholesale", "is_customer": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["industry"] == "Wholesale"
    assert body["is_customer"] is True
    assert body["account_owner"] == "Maya Chen"  # not sent: kept
    event = AuditEvent.objects.get(verb="account.updated", target_id=str(body["id"]))
    assert event.before == {"industry": "Retail", "is_customer": False}
    assert event.after == {"industry": "Wholesale", "is_customer": True}


def test_upsert_of_a_new_account_needs_a_name(api_staff):
    response = put(api_staff, "/api/v1/accounts/by-external-id/CRM-3", {"industry": "Retail"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Give the company's name."]}
    assert not Account.objects.exists()


def test_external_id_is_unique(api_staff):
    AccountFactory(external_id="CRM-9", name="Contoso")
    response = api_staff.post("/api/v1/accounts", {**NORTHWIND, "external_id": "CRM-9"})
    assert response.status_code == 409
    body = response.json()
    assert "CRM-9" in body["detail"]
    assert body["errors"]["external_id"]
    assert body["existing_id"] == Account.objects.get(external_id="CRM-9").pk
    # PATCH another account to the same id: refused the same way.
    other = AccountFactory(name="Fabrikam")
    response = api_staff.patch(f"/api/v1/accounts/{other.pk}", {"external_id": "CRM-9"})
    assert response.status_code == 409


def test_the_database_refuses_a_second_external_id_but_many_empty_ones():
    AccountFactory(external_id="")
    AccountFactory(external_id="")
    AccountFactory(external_id="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountFactory(external_id="X-1")
    account = AccountFactory()
    OpportunityFactory(account=account, external_id="O-1")
    OpportunityFactory(account=account, external_id="")
    OpportunityFactory(account=account, external_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        OpportunityFactory(account=account, external_id="O-1")


def test_same_company_is_a_409_and_patch_attaches_the_crm_id(api_staff):
    existing = AccountFactory(name="Northwind Traders", website="https://www.northwind.com")
    response = put(api_staff, "/api/v1/accounts/by-external-id/CRM-4", NORTHWIND)
    assert response.status_code == 409
    assert response.json()["existing_id"] == existing.pk
    assert "already exists" in response.json()["detail"]
    attached = api_staff.patch(f"/api/v1/accounts/{existing.pk}", {"external_id": "CRM-4"})
    assert attached.status_code == 200, attached.content
    assert attached.json()["external_id"] == "CRM-4"
    again = put(api_staff, "/api/v1/accounts/by-external-id/CRM-4", NORTHWIND)
    assert again.status_code == 200
    assert again.json()["id"] == existing.pk
    assert again.json()["is_named_account"] is True


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"website": "not a website"}, "website", "is not a web address"),
        ({"country": "Atlantis"}, "country", "Unknown country"),
        ({"account_owner": "x" * 161}, "account_owner", "longer than 160"),
        ({"name": "   "}, "name", "Give the company's name."),
    ],
)
def test_field_messages(api_staff, body, field, words):
    response = api_staff.post("/api/v1/accounts", {**NORTHWIND, **body})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors
    assert words in " ".join(errors[field])


def test_schema_mistakes_are_422_with_the_field(api_staff):
    response = api_staff.post("/api/v1/accounts", {**NORTHWIND, "size": "huge", "colour": "red"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"size", "colour"} <= fields
    too_long = put(api_staff, "/api/v1/accounts/by-external-id/" + "x" * 101, NORTHWIND)
    assert too_long.status_code == 422


def test_list_filters_and_pages(api_staff):
    named = AccountFactory(name="Alpha Named", is_named_account=True, country="DE", external_id="A-1")
    customer = AccountFactory(name="Beta Customer", website="https://www.beta-shop.io", is_customer=True, country="FR")
    plain = AccountFactory(name="Gamma Plain", country="DE")
    OpportunityFactory(account=plain)
    OpportunityFactory(account=plain, stage=DirectOpportunity.Stage.LOST)

    def ids(**params):
        response = api_staff.get("/api/v1/accounts", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [plain.pk, customer.pk, named.pk]  # newest first
    assert ids(is_customer="true") == [customer.pk]
    assert ids(is_customer="false") == [plain.pk, named.pk]
    assert ids(is_named_account="true") == [named.pk]
    assert ids(country="de") == [plain.pk, named.pk]
    assert ids(external_id="A-1") == [named.pk]
    assert ids(q="gamma") == [plain.pk]
    assert ids(q="beta-shop.io") == [customer.pk]  # by domain
    assert ids(q="Beta Customer Ltd.") == [customer.pk]  # by normalised name
    listed = {item["id"]: item for item in api_staff.get("/api/v1/accounts").json()["items"]}
    assert listed[plain.pk]["open_opportunities"] == 1

    first = api_staff.get("/api/v1/accounts", {"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [plain.pk, customer.pk]
    second = api_staff.get("/api/v1/accounts", {"limit": 2, "cursor": first["next"]}).json()
    assert [i["id"] for i in second["items"]] == [named.pk]
    assert second["next"] is None
    # A cursor of another list is refused.
    assert api_staff.get("/api/v1/customers", {"cursor": first["next"]}).status_code == 400
    assert api_staff.get("/api/v1/accounts", {"country": "Germany"}).status_code == 400
    assert api_staff.get("/api/v1/accounts", {"limit": 0}).status_code == 400


def test_list_query_count_does_not_grow_with_rows(api_staff, django_assert_max_num_queries):
    for _ in range(5):
        OpportunityFactory(account=AccountFactory())
    api_staff.get("/api/v1/accounts")  # the token's last use is recorded once
    with django_assert_max_num_queries(6):
        assert len(api_staff.get("/api/v1/accounts").json()["items"]) == 5


def test_detail_and_404(api_staff):
    account = AccountFactory(name="Delta")
    assert api_staff.get(f"/api/v1/accounts/{account.pk}").json()["name"] == "Delta"
    assert api_staff.get(f"/api/v1/accounts/{account.pk + 1000}").status_code == 404


# --- Customers ---------------------------------------------------------------------------------------------------


def test_customers_are_the_accounts_that_are_customers(api_staff):
    customer = AccountFactory(is_customer=True)
    prospect = AccountFactory(is_customer=False)
    listed = api_staff.get("/api/v1/customers").json()["items"]
    assert [c["id"] for c in listed] == [customer.pk]
    assert api_staff.get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert api_staff.get(f"/api/v1/customers/{prospect.pk}").status_code == 404
    assert api_staff.get(f"/api/v1/accounts/{prospect.pk}").status_code == 200


def test_customer_create_and_upsert_make_a_customer(api_staff):
    created = api_staff.post("/api/v1/customers", {"name": "Epsilon", "website": "epsilon.io"})
    assert created.status_code == 201, created.content
    assert created.json()["is_customer"] is True
    # is_customer is not a customer field: the customer endpoints set it.
    assert api_staff.post("/api/v1/customers", {"name": "Zeta", "is_customer": False}).status_code == 422
    prospect = AccountFactory(name="Eta", external_id="C-7", is_customer=False)
    upserted = put(api_staff, "/api/v1/customers/by-external-id/C-7", {"industry": "Energy"})
    assert upserted.status_code == 200, upserted.content
    assert upserted.json()["id"] == prospect.pk
    prospect.refresh_from_db()
    assert prospect.is_customer is True
    assert prospect.industry == "Energy"
    new = put(api_staff, "/api/v1/customers/by-external-id/C-8", {"name": "Theta"})
    assert new.status_code == 201
    assert new.json()["is_customer"] is True
    assert put(api_staff, "/api/v1/customers/by-external-id/C-8", {"name": "Theta"}).status_code == 200


# --- Direct opportunities ----------------------------------------------------------------------------------------


def test_opportunity_create_by_account_external_id_with_money(api_staff):
    account = AccountFactory(external_id="ACC-1")
    response = api_staff.post(
        "/api/v1/direct-opportunities",
        {
            "account_external_id": "ACC-1",
            "title": "400 seats",
            "amount": "48000.50",
            "currency": "eur",
            "expected_close": "2027-03-31",
            "external_id": "OPP-1",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["account"] == {"id": account.pk, "name": account.name, "external_id": "ACC-1"}
    assert body["amount"] == {"amount": "48000.50", "currency": "EUR"}
    assert body["stage"] == "open"
    event = AuditEvent.objects.get(verb="opportunity.created", target_id=str(body["id"]))
    assert event.after["amount"] == "48000.50"
    assert event.after["external_id"] == "OPP-1"


def test_opportunity_upsert_twice_and_moves(api_staff):
    first_account = AccountFactory()
    second_account = AccountFactory(external_id="ACC-2")
    body = {"account": first_account.pk, "title": "Renewal uplift", "amount": 12000, "currency": "USD"}
    first = put(api_staff, "/api/v1/direct-opportunities/by-external-id/OPP-9", body)
    assert first.status_code == 201, first.content
    second = put(api_staff, "/api/v1/direct-opportunities/by-external-id/OPP-9", body)
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert DirectOpportunity.objects.filter(external_id="OPP-9").count() == 1
    assert AuditEvent.objects.filter(target_id=str(first.json()["id"]), verb__startswith="opportunity.").count() == 1
    won = put(
        api_staff,
        "/api/v1/direct-opportunities/by-external-id/OPP-9",
        {"stage": "won", "account_external_id": "ACC-2"},
    )
    assert won.status_code == 200, won.content
    assert won.json()["stage"] == "won"
    assert won.json()["account"]["id"] == second_account.pk
    assert won.json()["amount"] == {"amount": "12000.00", "currency": "USD"}
    event = AuditEvent.objects.get(verb="opportunity.updated", target_id=str(first.json()["id"]))
    assert event.before == {"stage": "open", "account": first_account.name}
    assert event.after == {"stage": "won", "account": second_account.name}


def test_opportunity_refusals(api_staff):
    account = AccountFactory()
    OpportunityFactory(account=account, external_id="OPP-T")
    new = "/api/v1/direct-opportunities/by-external-id/OPP-NEW"
    no_account = put(api_staff, new, {"title": "No account"})
    assert no_account.status_code == 400
    assert "account" in no_account.json()["errors"]
    unknown = put(api_staff, new, {"title": "x", "account_external_id": "nope"})
    assert unknown.status_code == 400
    assert "no account with the external id" in unknown.json()["errors"]["account_external_id"][0]
    both = put(api_staff, new, {"title": "x", "account": account.pk, "account_external_id": "nope"})
    assert both.status_code == 400
    negative = put(api_staff, new, {"title": "x", "account": account.pk, "amount": "-5"})
    assert negative.status_code == 400
    assert negative.json()["errors"]["amount"] == ["The amount cannot be negative."]
    cents = put(api_staff, new, {"title": "x", "account": account.pk, "amount": "1.005"})
    assert cents.json()["errors"]["amount"] == ["Give the amount in whole cents: at most two decimals."]
    currency = put(api_staff, new, {"title": "x", "account": account.pk, "currency": "EURO"})
    assert "currency" in currency.json()["errors"]
    taken = api_staff.post(
        "/api/v1/direct-opportunities", {"account": account.pk, "title": "Dup", "external_id": "OPP-T"}
    )
    assert taken.status_code == 409
    assert taken.json()["existing_id"] == DirectOpportunity.objects.get(external_id="OPP-T").pk
    assert not DirectOpportunity.objects.filter(external_id="OPP-NEW").exists()


def test_opportunity_list_filters_and_pages(api_staff):
    one = AccountFactory(external_id="ACC-L")
    two = AccountFactory()
    a = OpportunityFactory(account=one)
    b = OpportunityFactory(account=one, stage=DirectOpportunity.Stage.WON, external_id="OPP-B")
    c = OpportunityFactory(account=two)

    def ids(**params):
        response = api_staff.get("/api/v1/direct-opportunities", params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [c.pk, b.pk, a.pk]
    assert ids(account=one.pk) == [b.pk, a.pk]
    assert ids(account_external_id="ACC-L") == [b.pk, a.pk]
    assert ids(stage="won") == [b.pk]
    assert ids(external_id="OPP-B") == [b.pk]
    first = api_staff.get("/api/v1/direct-opportunities", {"limit": 1}).json()
    second = api_staff.get("/api/v1/direct-opportunities", {"limit": 1, "cursor": first["next"]}).json()
    assert [i["id"] for i in second["items"]] == [b.pk]
    assert api_staff.get("/api/v1/direct-opportunities", {"stage": "pending"}).status_code == 422
    assert api_staff.get(f"/api/v1/direct-opportunities/{a.pk}").json()["account"]["external_id"] == "ACC-L"
    assert api_staff.get(f"/api/v1/direct-opportunities/{c.pk + 100}").status_code == 404


# --- Who may --------------------------------------------------------------------------------------------------


STAFF_ONLY = [
    ("get", "/api/v1/accounts"),
    ("get", "/api/v1/accounts/{account}"),
    ("post", "/api/v1/accounts"),
    ("put", "/api/v1/accounts/by-external-id/X-1"),
    ("patch", "/api/v1/accounts/{account}"),
    ("get", "/api/v1/customers"),
    ("get", "/api/v1/customers/{account}"),
    ("post", "/api/v1/customers"),
    ("put", "/api/v1/customers/by-external-id/X-1"),
    ("get", "/api/v1/direct-opportunities"),
    ("get", "/api/v1/direct-opportunities/{opportunity}"),
    ("post", "/api/v1/direct-opportunities"),
    ("put", "/api/v1/direct-opportunities/by-external-id/X-1"),
    ("patch", "/api/v1/direct-opportunities/{opportunity}"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ONLY)
def test_partner_tokens_get_403(api_a, method, path):
    account = AccountFactory(is_customer=True)
    opportunity = OpportunityFactory(account=account)
    url = path.format(account=account.pk, opportunity=opportunity.pk)
    if "opportunities" in url:  # valid bodies: the refusal is not about the body
        body = {"title": "x", "account": account.pk} if method != "patch" else {"stage": "won"}
    else:
        body = {"name": "Partner's try"} if method != "patch" else {"industry": "x"}
    if method == "put":
        response = put(api_a, url, body)
    elif method == "get":
        response = api_a.get(url)
    else:
        response = getattr(api_a, method)(url, body)
    assert response.status_code == 403, (url, response.content)
    assert "staff" in response.json()["detail"]
    assert Account.objects.count() == 1


def test_refused_tokens_get_401(api_staff, staff_token, api_anonymous):
    assert api_anonymous.get("/api/v1/accounts").status_code == 401
    token = ApiToken.objects.get(prefix=staff_token.split("_")[1])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = api_staff.get("/api/v1/accounts")
    assert expired.status_code == 401
    assert expired.json()["detail"] == "This API token has expired."
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    revoked = put(api_staff, "/api/v1/accounts/by-external-id/CRM-1", NORTHWIND)
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "This API token was revoked."
    assert not Account.objects.exists()


def test_nul_characters_are_refused_not_a_500(api_staff):
    """PostgreSQL cannot compare or store a NUL: a clear 400 (422 in a body) on both databases."""
    for path, params in (
        ("/api/v1/accounts", {"q": "north\x00wind"}),
        ("/api/v1/accounts", {"external_id": "A\x00"}),
        ("/api/v1/customers", {"q": "\x00"}),
        ("/api/v1/direct-opportunities", {"external_id": "\x00"}),
        ("/api/v1/direct-opportunities", {"account_external_id": "\x00"}),
    ):
        response = api_staff.get(path, params)
        assert response.status_code == 400, (path, params, response.content)
        assert "NUL" in response.json()["detail"]
    assert put(api_staff, "/api/v1/accounts/by-external-id/A%00B", NORTHWIND).status_code == 400
    assert put(api_staff, "/api/v1/accounts/by-external-id/A-1", {"name": "North\x00wind"}).status_code == 422
    assert not Account.objects.exists()


def test_a_lost_race_for_a_new_external_id_ends_as_an_update(channel_manager, monkeypatch):
    """Two syncs upserting the same new id at once: the database's constraint stops the second insert, and the
    upsert then updates the winner's account (simulated: the early check misses the other sync's row)."""
    from dealreg.services.accounts import records

    winner = AccountFactory(name="Winner Inc", website="https://winner.example.com", external_id="RACE-1")
    monkeypatch.setattr(records, "_external_id_taken", lambda *args, **kwargs: None)
    real_filter = Account.objects.filter
    calls = {"n": 0}

    def filter_missing_once(*args, **kwargs):
        # The upsert's first look-up runs before the other sync committed: it finds nothing.
        if kwargs == {"external_id": "RACE-1"} and calls["n"] == 0:
            calls["n"] += 1
            return Account.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Account.objects, "filter", filter_missing_once)
    account, created = records.account_upsert(
        actor=channel_manager, external_id="RACE-1", data={"name": "Race Corp", "industry": "Energy"}
    )
    assert created is False
    assert account.pk == winner.pk
    assert Account.objects.get(pk=winner.pk).industry == "Energy"
    assert real_filter(external_id="RACE-1").count() == 1


def test_patch_an_opportunity_and_empty_patches(api_staff):
    first, second = AccountFactory(), AccountFactory()
    opportunity = OpportunityFactory(account=first, amount="1000.00", currency="USD")
    response = api_staff.patch(
        f"/api/v1/direct-opportunities/{opportunity.pk}", {"stage": "lost", "account": second.pk, "external_id": "O-77"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stage"], body["account"]["id"], body["external_id"]) == ("lost", second.pk, "O-77")
    assert body["amount"] == {"amount": "1000.00", "currency": "USD"}
    nothing = api_staff.patch(f"/api/v1/direct-opportunities/{opportunity.pk}", {})
    assert nothing.status_code == 400
    assert "Nothing to change" in nothing.json()["detail"]
    assert api_staff.patch(f"/api/v1/accounts/{first.pk}", {}).status_code == 400
    # Clearing the external id frees it for another record.
    cleared = api_staff.patch(f"/api/v1/direct-opportunities/{opportunity.pk}", {"external_id": ""})
    assert cleared.json()["external_id"] is None


def test_opportunity_list_query_count(api_staff, django_assert_max_num_queries):
    for _ in range(5):
        OpportunityFactory(account=AccountFactory())
    api_staff.get("/api/v1/direct-opportunities")
    with django_assert_max_num_queries(5):
        assert len(api_staff.get("/api/v1/direct-opportunities").json()["items"]) == 5
