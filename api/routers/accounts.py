"""Accounts, customers and the direct pipeline, for staff tokens (a CRM sync): list, detail, create, change, and
upsert by your CRM's id (`PUT …/by-external-id/{external_id}`: 201 when it made the record, 200 when it found it;
the same call twice changes nothing the second time).

Writes go through the services the manager app's account pages and the CSV import use (`dealreg.services`), so the
fields are checked the same way (a refused field is a 400 naming it), an account for a company that already has one
is refused, and every change is audited (the event says it came through the API and which token). A record in the
way (the same company, an external id taken) is a 409 naming it in `existing_id`. A partner token gets 403.

Customers are not a separate record: a customer is an account with `is_customer: true`, and /customers is a view of
those accounts (same ids, same shape). Creating or upserting through /customers makes or keeps the account a
customer.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Schema, Status

from api.auth import require_staff
from api.pagination import DEFAULT_LIMIT, page
from api.routers.common import ERRORS, check_id, check_limit, money
from api.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    AccountUpsert,
    CustomerIn,
    CustomerUpsert,
    DuplicateError,
    ExternalId,
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    OpportunityStage,
    OpportunityUpsert,
)
from dealreg import services
from dealreg.models import Account, DirectOpportunity
from dealreg.services.accounts.records import DUPLICATE
from prm.names import normalize_company_name

router = Router(tags=["Accounts and direct pipeline (staff)"])

WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: DuplicateError}


# --- Shared --------------------------------------------------------------------------------------------------


def _reason(request: HttpRequest) -> str:
    token = request.api_token  # type: ignore[attr-defined]
    return f"Through the API (token “{token.name}”, {token.display_prefix})."


def _answer(build: Callable[[], Any]) -> Any:
    """Build the response around a service write; a refusal because the record exists already (the same company,
    an external id taken) becomes a 409 whose `existing_id` names the record in the way."""
    try:
        return build()
    except ValidationError as exc:
        found = _duplicate(exc)
        if found is None:
            raise
        field, error = found
        return Status(
            409,
            {
                "detail": " ".join(error.messages),
                "errors": {field: error.messages} if field else None,
                "existing_id": (error.params or {}).get("existing_id"),
            },
        )


def _duplicate(exc: ValidationError) -> tuple[str | None, ValidationError] | None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                if error.code == DUPLICATE:
                    return field, error
        return None
    for error in exc.error_list:
        if error.code == DUPLICATE:
            return None, error
    return None


def _changes(payload: Schema, *, exclude: set[str] | None = None) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True, exclude=exclude or set())


def _query_text(value: str, field: str) -> str:
    """A text filter as given, stripped; a NUL character is refused here (PostgreSQL cannot compare one)."""
    if "\x00" in value:
        raise ValidationError({field: "Text may not contain NUL characters."})
    return value.strip()


# --- Accounts and customers ----------------------------------------------------------------------------------


def _accounts() -> QuerySet[Account]:
    return Account.objects.annotate(
        open_count=Count("opportunities", filter=Q(opportunities__stage=DirectOpportunity.Stage.OPEN))
    )


def account_out(account: Account) -> dict[str, Any]:
    return {
        "id": account.pk,
        "external_id": account.external_id or None,
        "name": account.name,
        "website": account.website,
        "domain": account.domain,
        "country": account.country.code or "",
        "industry": account.industry,
        "size": account.size,
        "is_named_account": account.is_named_account,
        "is_customer": account.is_customer,
        "account_owner": account.account_owner,
        "open_opportunities": account.open_count,  # type: ignore[attr-defined]
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


def _account_get(pk: int, *, customers_only: bool = False) -> Account:
    accounts = _accounts().filter(is_customer=True) if customers_only else _accounts()
    account = accounts.filter(pk=pk).first()
    if account is None:
        raise Http404("Not found")
    return account


class AccountFilters(Schema):
    q: str | None = None
    is_customer: bool | None = None
    is_named_account: bool | None = None
    country: str | None = None
    external_id: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


class CustomerFilters(Schema):
    q: str | None = None
    is_named_account: bool | None = None
    country: str | None = None
    external_id: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _filtered_accounts(filters: AccountFilters | CustomerFilters, *, customers_only: bool) -> QuerySet[Account]:
    accounts = _accounts()
    if customers_only:
        accounts = accounts.filter(is_customer=True)
    elif filters.is_customer is not None:  # type: ignore[union-attr]
        accounts = accounts.filter(is_customer=filters.is_customer)  # type: ignore[union-attr]
    if filters.is_named_account is not None:
        accounts = accounts.filter(is_named_account=filters.is_named_account)
    if search := " ".join(_query_text(filters.q or "", "q").split())[
        :200
    ]:  # as the manager app's account list searches
        lookup = Q(name__icontains=search) | Q(domain__icontains=search.lower())
        if key := normalize_company_name(search):
            lookup |= Q(name_key__contains=key)
        accounts = accounts.filter(lookup)
    if filters.country:
        code = filters.country.strip().upper()
        if len(code) != 2 or not code.isalpha() or not code.isascii():
            raise ValidationError({"country": "Give the country as its two-letter ISO code, like DE."})
        accounts = accounts.filter(country=code)
    if filters.external_id is not None:
        accounts = accounts.filter(external_id=_query_text(filters.external_id, "external_id"))
    return accounts


def _account_list(filters, *, customers_only: bool, scope: str) -> dict[str, Any]:
    accounts = _filtered_accounts(filters, customers_only=customers_only)
    rows, next_cursor = page(accounts, cursor=filters.cursor, limit=check_limit(filters.limit), scope=scope)
    return {"items": [account_out(a) for a in rows], "next": next_cursor}


def _account_create(request: HttpRequest, data: dict[str, Any], *, customers_only: bool):
    require_staff(request)
    if customers_only:
        data["is_customer"] = True

    def create() -> Any:
        account = services.account_create(actor=request.user, data=data, reason=_reason(request))
        return Status(201, account_out(_account_get(account.pk)))

    return _answer(create)


def _account_upsert(request: HttpRequest, external_id: str, data: dict[str, Any], *, customers_only: bool):
    require_staff(request)
    if customers_only:
        data["is_customer"] = True

    def upsert() -> Any:
        account, created = services.account_upsert(
            actor=request.user, external_id=external_id, data=data, reason=_reason(request)
        )
        return Status(201 if created else 200, account_out(_account_get(account.pk)))

    return _answer(upsert)


@router.get("/accounts", response={200: AccountPage, **ERRORS}, summary="List accounts")
def account_list(request: HttpRequest, filters: Query[AccountFilters]):
    """Every account the startup knows (named accounts, customers, any company in its CRM), newest first. Filter by
    `q` (name or domain), `is_customer`, `is_named_account`, `country` (ISO code) and `external_id` (your CRM's id,
    exact). Pass `next` back as `cursor` for the following page (`limit` 1–200)."""
    require_staff(request)
    return _account_list(filters, customers_only=False, scope="accounts")


@router.get("/accounts/{id:account_id}", response={200: AccountOut, **ERRORS}, summary="One account")
def account_detail(request: HttpRequest, account_id: int):
    require_staff(request)
    return account_out(_account_get(account_id))


@router.post("/accounts", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account")
def account_create(request: HttpRequest, payload: AccountIn):
    """Create an account. An account for the same company (same domain or same name) or an `external_id` already
    taken is a 409 with the `existing_id`; a field that does not check out is a 400 naming it."""
    return _account_create(request, _changes(payload), customers_only=False)


@router.put(
    "/accounts/by-external-id/{external_id}",
    response={200: AccountOut, 201: AccountOut, **WRITE_ERRORS},
    summary="Create or update an account by your CRM's id",
)
def account_upsert(request: HttpRequest, external_id: Path[ExternalId], payload: AccountUpsert):
    """The account your CRM calls `external_id`: created (201) if there is none, else the fields you send are set
    (200; those you leave out keep their value). Sending the same thing twice changes nothing the second time.
    A new account for a company that already has one (under no or another external id) is a 409 with its
    `existing_id`: attach your id to it with `PATCH /accounts/{id}`."""
    return _account_upsert(request, external_id, _changes(payload), customers_only=False)


@router.patch("/accounts/{id:account_id}", response={200: AccountOut, **WRITE_ERRORS}, summary="Change an account")
def account_change(request: HttpRequest, account_id: int, payload: AccountPatch):
    """Set the fields you send, for instance your CRM's id (`external_id`) on an account made in the manager app."""
    require_staff(request)
    account = _account_get(account_id)
    data = _changes(payload)
    if not data:
        raise ValidationError("Nothing to change: send the fields to change.")

    def change() -> Any:
        services.account_update(actor=request.user, account=account, data=data, reason=_reason(request))
        return account_out(_account_get(account.pk))

    return _answer(change)


@router.get("/customers", response={200: AccountPage, **ERRORS}, summary="List customers")
def customer_list(request: HttpRequest, filters: Query[CustomerFilters]):
    """The existing customers: the accounts with `is_customer: true` (a customer is an account; the ids are the
    accounts' ids). Filters and pages as `GET /accounts`."""
    require_staff(request)
    return _account_list(filters, customers_only=True, scope="customers")


@router.get("/customers/{id:account_id}", response={200: AccountOut, **ERRORS}, summary="One customer")
def customer_detail(request: HttpRequest, account_id: int):
    """An account that is a customer (any other account id is a 404 here; see `GET /accounts/{id}`)."""
    require_staff(request)
    return account_out(_account_get(account_id, customers_only=True))


@router.post("/customers", response={201: AccountOut, **WRITE_ERRORS}, summary="Create a customer")
def customer_create(request: HttpRequest, payload: CustomerIn):
    """Create an account that is a customer (`is_customer` is set); otherwise as `POST /accounts`."""
    return _account_create(request, _changes(payload), customers_only=True)


@router.put(
    "/customers/by-external-id/{external_id}",
    response={200: AccountOut, 201: AccountOut, **WRITE_ERRORS},
    summary="Create or update a customer by your CRM's id",
)
def customer_upsert(request: HttpRequest, external_id: Path[ExternalId], payload: CustomerUpsert):
    """As `PUT /accounts/by-external-id/{external_id}`, and the account is (or becomes) a customer."""
    return _account_upsert(request, external_id, _changes(payload), customers_only=True)


# --- Direct opportunities ------------------------------------------------------------------------------------


def opportunity_out(opportunity: DirectOpportunity) -> dict[str, Any]:
    account = opportunity.account
    return {
        "id": opportunity.pk,
        "external_id": opportunity.external_id or None,
        "account": {"id": account.pk, "name": account.name, "external_id": account.external_id or None},
        "title": opportunity.title,
        "stage": opportunity.stage,
        "amount": money(opportunity.amount, opportunity.currency),
        "currency": opportunity.currency,
        "expected_close": opportunity.expected_close,
        "owner_name": opportunity.owner_name,
        "created_at": opportunity.created_at,
    }


def _opportunity_get(pk: int) -> DirectOpportunity:
    opportunity = DirectOpportunity.objects.select_related("account").filter(pk=pk).first()
    if opportunity is None:
        raise Http404("Not found")
    return opportunity


def _named_account(data: dict[str, Any]) -> Account | None:
    """The account the request names by `account` (our id) or `account_external_id` (the CRM's), popped from
    `data`; None when it names none. Naming one that does not exist is a 400 (not a 404: the URL exists)."""
    pk = data.pop("account", None)
    external_id = data.pop("account_external_id", None)
    if pk is not None and external_id is not None:
        raise ValidationError({"account": ["Name the account by `account` or by `account_external_id`, not both."]})
    if pk is not None:
        account = Account.objects.filter(pk=check_id(pk, "account")).first()
        if account is None:
            raise ValidationError({"account": [f"There is no account with the id {pk}."]})
        return account
    if external_id is not None:
        external_id = external_id.strip()
        account = Account.objects.filter(external_id=external_id).first() if external_id else None
        if account is None:
            raise ValidationError(
                {"account_external_id": [f"There is no account with the external id “{external_id}”."]}
            )
        return account
    return None


class OpportunityFilters(Schema):
    account: int | None = None
    account_external_id: str | None = None
    stage: OpportunityStage | None = None
    external_id: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get("/direct-opportunities", response={200: OpportunityPage, **ERRORS}, summary="List direct opportunities")
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilters]):
    """The startup's own pipeline (the deals partners must not collide with), newest first. Filter by `account`
    (its id), `account_external_id`, `stage` and `external_id`; pages as the other lists."""
    require_staff(request)
    opportunities = DirectOpportunity.objects.select_related("account")
    if filters.account is not None:
        opportunities = opportunities.filter(account_id=check_id(filters.account, "account"))
    if filters.account_external_id is not None:
        opportunities = opportunities.filter(
            account__external_id=_query_text(filters.account_external_id, "account_external_id")
        )
    if filters.stage:
        opportunities = opportunities.filter(stage=filters.stage)
    if filters.external_id is not None:
        opportunities = opportunities.filter(external_id=_query_text(filters.external_id, "external_id"))
    rows, next_cursor = page(
        opportunities, cursor=filters.cursor, limit=check_limit(filters.limit), scope="direct-opportunities"
    )
    return {"items": [opportunity_out(o) for o in rows], "next": next_cursor}


@router.get(
    "/direct-opportunities/{id:opportunity_id}",
    response={200: OpportunityOut, **ERRORS},
    summary="One direct opportunity",
)
def opportunity_detail(request: HttpRequest, opportunity_id: int):
    require_staff(request)
    return opportunity_out(_opportunity_get(opportunity_id))


@router.post(
    "/direct-opportunities", response={201: OpportunityOut, **WRITE_ERRORS}, summary="Create a direct opportunity"
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn):
    """Add an opportunity to an account, named by `account` (its id) or `account_external_id`. An `external_id`
    already taken is a 409 with the `existing_id`."""
    require_staff(request)
    data = _changes(payload)
    account = _named_account(data)
    if account is None:
        raise ValidationError({"account": ["Name the opportunity's account by `account` or `account_external_id`."]})

    def create() -> Any:
        opportunity = services.opportunity_create(
            actor=request.user, account=account, data=data, reason=_reason(request)
        )
        return Status(201, opportunity_out(_opportunity_get(opportunity.pk)))

    return _answer(create)


@router.put(
    "/direct-opportunities/by-external-id/{external_id}",
    response={200: OpportunityOut, 201: OpportunityOut, **WRITE_ERRORS},
    summary="Create or update a direct opportunity by your CRM's id",
)
def opportunity_upsert(request: HttpRequest, external_id: Path[ExternalId], payload: OpportunityUpsert):
    """The opportunity your CRM calls `external_id`: created (201; it needs its account and a `title`) if there is
    none, else the fields you send are set and it moves to the account you name, if any (200). Sending the same
    thing twice changes nothing the second time."""
    require_staff(request)
    data = _changes(payload)
    account = _named_account(data)

    def upsert() -> Any:
        opportunity, created = services.opportunity_upsert(
            actor=request.user, external_id=external_id, data=data, account=account, reason=_reason(request)
        )
        return Status(201 if created else 200, opportunity_out(_opportunity_get(opportunity.pk)))

    return _answer(upsert)


@router.patch(
    "/direct-opportunities/{id:opportunity_id}",
    response={200: OpportunityOut, **WRITE_ERRORS},
    summary="Change a direct opportunity",
)
def opportunity_change(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch):
    """Set the fields you send (the stage when it is won or lost, your CRM's `external_id`…), and move it to the
    account you name, if any."""
    require_staff(request)
    opportunity = _opportunity_get(opportunity_id)
    data = _changes(payload)
    account = _named_account(data)
    if not data and account is None:
        raise ValidationError("Nothing to change: send the fields to change.")

    def change() -> Any:
        services.opportunity_update(
            actor=request.user, opportunity=opportunity, data=data, account=account, reason=_reason(request)
        )
        return opportunity_out(_opportunity_get(opportunity.pk))

    return _answer(change)
