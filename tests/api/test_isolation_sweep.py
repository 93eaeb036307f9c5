"""The API's isolation sweep: every operation of /api/v1/openapi.json, enumerated from the schema (so an endpoint
added later is swept without touching this file, or fails here until it says what it serves):

- an operation naming an object in its path, called with another partner's token on partner A's object, is a 404
  (a 403 on a staff-only operation) and changes nothing; partner A (or staff, for staff-only) does reach it;
- a revoked token, an expired token and no token at all are a 401, on every operation but the public ones;
- a partner token on a staff-only operation is a 403 (or 404), a staff token on a partner-only one a 403;
- a list another partner reads leaves partner A's object out (and partner A's own list has it).

RESOURCES says, per path prefix, who may call the operations under it and how to make an object of partner A for
the operations that name one. tests/test_url_guards.py (the project's route sweep) checks that every operation is
covered here.
"""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from api.models import ApiToken
from api.services import token_create, token_revoke
from tests.api.conftest import ApiClient, World

STAFF = "staff"  # staff tokens only: a partner token gets 403 (or 404)
PARTNER = "partner"  # partner tokens only (a staff token gets 403)
ANY = "any"  # both; a partner token sees its own company's objects only

# Operations anyone may call without a token. Adding one is a security decision: say why.
PUBLIC = {
    "GET /api/v1/certifications/verify/{code}",  # a certificate's unguessable code, as on its public page
}


@dataclass(frozen=True)
class Resource:
    """Who may call the operations under a path prefix, and `make(world)`: an object of partner A (for a resource
    that belongs to no partner, any object), as the values of the path parameters that name it."""

    audience: str
    make: Callable[[Any], dict[str, Any]] | None = None


def _registration(w) -> dict[str, Any]:
    from tests.dealreg.factories_registrations import RegistrationFactory

    return {"registration_id": RegistrationFactory(partner=w.partner_a, created_by=w.admin_a, name="Acme Ltd").pk}


def _partner(w) -> dict[str, Any]:
    return {"partner_id": w.partner_a.pk}


def _fund_request(w) -> dict[str, Any]:
    from tests.mdf.factories import approved_request, funded_budget

    return {"request_id": approved_request(partner=w.partner_a, budget=funded_budget(w.partner_a), amount="2000").pk}


def _claim(w) -> dict[str, Any]:
    from tests.mdf.factories import claimed_request, funded_budget

    request = claimed_request(partner=w.partner_a, budget=funded_budget(w.partner_a), amount=Decimal("3000"))
    return {"claim_id": request.claim.pk}


def _earning_line(w) -> dict[str, Any]:
    from datetime import date

    from incentives.services import accrue_for_won
    from tests.incentives.helpers import pct, published_version, with_rules, won_deal

    with_rules(published_version(1, date(2026, 1, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    won = won_deal(w.partner_a, amount="1000", approved=date(2026, 3, 1), won=date(2026, 3, 2), created_by=w.admin_a)
    (line, *_others) = accrue_for_won(registration=won)
    return {"line_id": line.pk}


def _account(w, **fields) -> dict[str, Any]:
    from tests.dealreg.factories_accounts import AccountFactory

    account = AccountFactory(name="Globex Corporation", external_id="crm-globex", **fields)
    return {"account_id": account.pk, "external_id": account.external_id}


def _opportunity(w) -> dict[str, Any]:
    from tests.dealreg.factories_accounts import OpportunityFactory

    opportunity = OpportunityFactory(title="Globex renewal", external_id="crm-opp-1")
    return {"opportunity_id": opportunity.pk, "external_id": opportunity.external_id}


def _award(w) -> dict[str, Any]:
    from tests.enablement.factories import AwardFactory

    return {"award_id": AwardFactory(partner=w.partner_a, user=w.admin_a).pk}


def _lead(w) -> dict[str, Any]:
    from tests.leads.conftest import make_lead

    return {"lead_id": make_lead(actor=w.manager).pk}


def _lead_offer(w) -> dict[str, Any]:
    from leads.services import lead_offer
    from tests.leads.conftest import make_lead

    lead = make_lead(actor=w.manager)
    lead_offer(actor=w.manager, lead=lead, partner_ids=[w.partner_a.pk])
    return {"offer_id": lead.offers.get(partner=w.partner_a).pk}


RESOURCES: dict[str, Resource] = {
    "/api/v1/deal-registrations": Resource(ANY, _registration),
    "/api/v1/partners": Resource(STAFF, _partner),
    "/api/v1/certifications": Resource(ANY, _award),
    "/api/v1/mdf/balance": Resource(PARTNER),
    "/api/v1/mdf/requests": Resource(PARTNER, _fund_request),
    "/api/v1/mdf/claims": Resource(PARTNER, _claim),
    "/api/v1/earnings": Resource(ANY, _earning_line),
    "/api/v1/accounts": Resource(STAFF, _account),
    "/api/v1/customers": Resource(STAFF, lambda w: _account(w, is_customer=True)),
    "/api/v1/direct-opportunities": Resource(STAFF, _opportunity),
    "/api/v1/leads": Resource(STAFF, _lead),
    "/api/v1/lead-offers": Resource(PARTNER, _lead_offer),
}


# --- The operations, as the schema lists them --------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    definition: dict

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return not self.definition.get("security")

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self.definition.get("parameters", []) if p["in"] == "path"]

    @property
    def resource(self) -> Resource | None:
        prefixes = [p for p in RESOURCES if self.path == p or self.path.startswith(p + "/")]
        return RESOURCES[max(prefixes, key=len)] if prefixes else None

    def url(self, values: dict[str, Any]) -> str:
        return self.path.format(**{name: values.get(name, 987654) for name in self.path_parameters})


def _schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200, response.content
    return response.json()


SCHEMA = _schema()
OPERATIONS = [
    Operation(method.upper(), path, definition)
    for path, methods in SCHEMA["paths"].items()
    for method, definition in methods.items()
]
AUTHENTICATED = [op for op in OPERATIONS if not op.public]
NAMING_AN_OBJECT = [op for op in AUTHENTICATED if op.path_parameters]
STAFF_ONLY = [op for op in AUTHENTICATED if op.resource and op.resource.audience == STAFF]
PARTNER_ONLY = [op for op in AUTHENTICATED if op.resource and op.resource.audience == PARTNER]


def _is_list(op: Operation) -> bool:
    content = op.definition["responses"].get("200", {}).get("content", {}).get("application/json", {})
    reference = content.get("schema", {}).get("$ref", "")
    shape = SCHEMA["components"]["schemas"].get(reference.rpartition("/")[2], {})
    return op.method == "GET" and not op.path_parameters and "items" in shape.get("properties", {})


PARTNER_LISTS = [op for op in AUTHENTICATED if _is_list(op) and op.resource and op.resource.audience != STAFF]


def uncovered() -> list[str]:
    """What the sweep cannot check yet, in words (tests/test_url_guards.py asserts this is empty too)."""
    problems = []
    for op in AUTHENTICATED:
        if op.resource is None:
            problems.append(f"{op.label}: add its path prefix to RESOURCES in tests/api/test_isolation_sweep.py")
        elif op.path_parameters and op.resource.make is None:
            problems.append(f"{op.label}: add a factory for {', '.join(op.path_parameters)} to its RESOURCES entry")
    return problems


def _ids(operations: list[Operation]) -> list[str]:
    return [op.label for op in operations]


def test_every_operation_is_covered_by_the_sweep():
    assert len(OPERATIONS) >= 16
    assert not uncovered(), "\n".join(uncovered())


def test_the_public_operations_are_exactly_the_listed_ones():
    assert {op.label for op in OPERATIONS if op.public} == PUBLIC


# --- Requests -------------------------------------------------------------------------------------------------

_SCHEMATHESIS = schemathesis.openapi.from_dict(SCHEMA)


@functools.cache
def _valid_body(label: str) -> Any:
    """A body the schema accepts (so the answer is about the token and the object, not a 422): the first one
    Hypothesis draws, which is the simplest."""
    method, path = label.split(" ", 1)
    bodies = []

    @settings(max_examples=1, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=_SCHEMATHESIS[path][method].as_strategy())
    def draw(case):
        bodies.append(case.body)

    draw()
    return bodies[0]


def _call(op: Operation, values: dict[str, Any], token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = _valid_body(op.label) if "requestBody" in op.definition else None
    content = json.dumps(body) if body is not None else ""
    return Client().generic(op.method, op.url(values), content, content_type="application/json", headers=headers)


@pytest.fixture
def world(partner_a, partner_b, partner_a_admin, partner_b_user, channel_manager) -> World:
    return World(
        partner_a=partner_a,
        partner_b=partner_b,
        partner_a_admin=partner_a_admin,
        partner_b_user=partner_b_user,
        channel_manager=channel_manager,
    )


def _detail(op: Operation, values: dict[str, Any], token: str) -> Any:
    """The object as a GET shows it: of the same path, or of the path up to the object's id (`…/{offer_id}` for
    `…/{offer_id}/accept`); None when there is none."""
    path = op.path
    while "get" not in SCHEMA["paths"].get(path, {}):
        if "}" not in path:
            return None
        path = path[: path.rindex("}") + 1] if not path.endswith("}") else path.rpartition("/")[0]
    url = Operation("GET", path, SCHEMA["paths"][path]["get"]).url(values)
    response = ApiClient(token).get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.content[:300]!r}"
    return response.json()


# --- The sweep ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", NAMING_AN_OBJECT, ids=_ids(NAMING_AN_OBJECT))
def test_another_partners_token_gets_404(op, world, admin_a_token, outsider_token, staff_token):
    if op.resource is None or op.resource.make is None:
        pytest.fail("\n".join(uncovered()))
    values = op.resource.make(world)
    owner_token = staff_token if op.resource.audience == STAFF else admin_a_token
    before = _detail(op, values, owner_token)

    response = _call(op, values, outsider_token)

    expected = (403, 404) if op.resource.audience == STAFF else (404,)
    assert response.status_code in expected, f"{op.url(values)}: {response.status_code} {response.content[:300]!r}"
    assert "detail" in response.json()
    assert _detail(op, values, owner_token) == before, "another partner's request changed the object"
    # The object is there: its owner (or staff) does not get a 404.
    reached = _call(op, values, owner_token)
    assert reached.status_code != 404, f"{op.label} is a 404 for its owner too: the factory makes the wrong object"
    if op.method == "GET":
        assert reached.status_code == 200


@pytest.mark.parametrize("op", PARTNER_LISTS, ids=_ids(PARTNER_LISTS))
def test_another_partners_list_leaves_the_object_out(op, world, admin_a_token, outsider_token):
    if op.resource is None or op.resource.make is None:
        pytest.fail(f"{op.label}: add a factory to its RESOURCES entry, so the sweep can look for the object")
    ((_name, pk),) = [(k, v) for k, v in op.resource.make(world).items() if k.endswith("_id") and k != "external_id"]

    def listed(token: str) -> set[int]:
        response = ApiClient(token).get(op.path, {"limit": 200})
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert pk in listed(admin_a_token), f"{op.label}: the factory's object is not in its own partner's list"
    assert pk not in listed(outsider_token)


@pytest.mark.parametrize("op", AUTHENTICATED, ids=_ids(AUTHENTICATED))
def test_revoked_expired_and_missing_tokens_get_401(op, world, partner_a_admin, channel_manager):
    values = dict.fromkeys(op.path_parameters, 1)
    refused = {}
    for user in (partner_a_admin, channel_manager):
        revoked, revoked_secret = token_create(actor=user, user=user, name="Revoked")
        token_revoke(actor=user, token=revoked)
        expired, expired_secret = token_create(
            actor=user, user=user, name="Expired", expires_at=timezone.now() + timedelta(days=1)
        )
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        refused[f"revoked ({user.email})"] = revoked_secret
        refused[f"expired ({user.email})"] = expired_secret
    refused["no token"] = None
    for what, token in refused.items():
        response = _call(op, values, token)
        assert response.status_code == 401, f"{what}: {response.status_code} {response.content[:300]!r}"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["detail"]


@pytest.mark.parametrize("op", STAFF_ONLY, ids=_ids(STAFF_ONLY))
def test_a_partner_token_on_a_staff_operation_is_refused(op, world, admin_a_token, seller_a_token):
    values = op.resource.make(world) if op.resource and op.resource.make else {}
    for token in (admin_a_token, seller_a_token):
        response = _call(op, values, token)
        assert response.status_code in (403, 404), f"{op.url(values)}: {response.status_code} {response.content!r}"
        assert response.json()["detail"]


@pytest.mark.parametrize("op", PARTNER_ONLY, ids=_ids(PARTNER_ONLY))
def test_a_staff_token_on_a_partner_operation_is_refused(op, world, staff_token):
    values = op.resource.make(world) if op.resource and op.resource.make else {}
    response = _call(op, values, staff_token)
    assert response.status_code == 403, f"{op.url(values)}: {response.status_code} {response.content!r}"
    assert response.json()["detail"]
