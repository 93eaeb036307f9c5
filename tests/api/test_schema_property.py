"""Property-based run of the API against its own OpenAPI schema (Schemathesis): every operation, with a partner
admin's token and with a staff token, on requests valid for the schema (positive) and on invalid ones (negative:
wrong types, values out of range, a missing token…). Whatever is sent, the API answers no 5xx, only status codes
the schema documents for the operation, JSON, and a body that matches the documented schema of that status.

The schema is read as a client reads it, from /api/v1/openapi.json through the WSGI application, so operations
added later are tested without touching this file. A small world (tests/api/conftest.py `api_world`) is seeded
first, and path parameters are mostly drawn from its rows, so reads and writes reach real rows, not only 404s.

Kept fast for the suite's time budget: EXAMPLES cases per operation, persona and mode, derandomized (the same
cases every run, so a failure reproduces), no example database, no shrinking phase.
"""

import os
from collections.abc import Iterator
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.errors import SERVER_ERROR
from tests.api.conftest import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation, persona and mode; API_PROPERTY_EXAMPLES=500 for a deeper run before a release.
EXAMPLES = int(os.environ.get("API_PROPERTY_EXAMPLES", "20"))
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE

# Path parameters drawn three times in four from the world's rows (the others are generated).
WORLD_VALUES = {
    "registration_id": "registrations",
    "partner_id": "partners",
    "request_id": "mdf_requests",
    "claim_id": "mdf_claims",
    "code": "award_codes",
    "account_id": "accounts",
    "opportunity_id": "opportunities",
    "line_id": "earning_lines",
    "lead_id": "leads",
    "offer_id": "lead_offers",
}

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _has_invalid_requests(operation) -> bool:
    """Whether a request the schema refuses exists: not for an operation without a token, a body or a query, whose
    only input is a free-text path segment (the public verification by code)."""
    raw = operation.definition.raw
    if raw.get("security") or "requestBody" in raw:
        return True
    for parameter in raw.get("parameters", []):
        schema = {k: v for k, v in parameter.get("schema", {}).items() if k not in ("title", "description")}
        if parameter["in"] != "path" or schema != {"type": "string"}:
            return True
    return False


@pytest.fixture
def wsgi_keeps_the_test_transaction() -> Iterator[None]:
    """Django's test client stops the request signals from closing the database connection (which would end the
    test's transaction); the WSGI application called directly needs the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _cases(operation, mode: GenerationMode, world: World) -> st.SearchStrategy:
    generated = operation.as_strategy(generation_mode=mode)
    known = {
        name: world.ids[WORLD_VALUES[name]]
        for name in (p.name for p in operation.path_parameters)
        if world.ids.get(WORLD_VALUES.get(name, ""))
    }
    if not known or mode is NEGATIVE:
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in known.items()}).flatmap(
        lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values)
    )
    return st.one_of(real, real, real, generated)


def _check(operation, strategy, headers: dict[str, str]) -> int:
    """Send EXAMPLES cases drawn from `strategy`; every answer must keep to the schema. Returns how many were sent."""
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        nonlocal sent
        sent += 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()
    return sent


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_keeps_to_its_schema(label, api_world, admin_a_token, staff_token, wsgi_keeps_the_test_transaction):
    operation = OPERATIONS[label]
    modes = (POSITIVE, NEGATIVE) if _has_invalid_requests(operation) else (POSITIVE,)
    for persona, token in (("partner admin", admin_a_token), ("staff", staff_token)):
        for mode in modes:
            try:
                sent = _check(operation, _cases(operation, mode, api_world), {"Authorization": f"Bearer {token}"})
            except Exception as exc:
                exc.add_note(f"With a {persona} token, {mode.value} cases.")
                raise
            assert sent >= EXAMPLES // 2, f"{persona}, {mode.value}: only {sent} requests were made"


def test_a_bug_is_still_a_json_answer(api_staff, partner_a, caplog, settings):
    """What the run above guards against, should it happen anyway: JSON like every error, logged as a 500."""
    settings.DEBUG = False
    with mock.patch("api.routers.partners.partner_out", side_effect=ZeroDivisionError("a bug")):
        response = api_staff.get(f"/api/v1/partners/{partner_a.pk}")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": SERVER_ERROR}
    (record,) = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert record.exc_info[0] is ZeroDivisionError


@pytest.mark.parametrize(
    ("updated_since", "status"),
    [
        ("0841-07-02T03:01:12-17:26", 200),  # found by the run on PostgreSQL (offsets past ±15:59 were a 500)
        ("2026-03-01T10:00:00+23:59", 200),
        ("2026-03-01T10:00:00", 200),
        ("0001-01-01T00:00:00+05:00", 400),  # before the year 1 in UTC
        ("9999-12-31T23:59:59-05:00", 400),  # after the year 9999 in UTC
    ],
)
def test_updated_since_takes_any_offset(api_a, partner_a, updated_since, status):
    response = api_a.get("/api/v1/deal-registrations", {"updated_since": updated_since})
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["errors"] == {"updated_since": ["Give a time between the years 1 and 9999."]}


@pytest.mark.parametrize("text", ["Acme \\udb88 Ltd", "\\udfff"])
def test_an_unpaired_surrogate_is_a_422(api_a, partner_a, text):
    """JSON may escape half a UTF-16 pair ("\\ud800"); Python keeps it, no database stores it (it was a 500)."""
    response = api_a.post("/api/v1/deal-registrations", raw=f'{{"name": "{text}"}}')
    assert response.status_code == 422, response.content
    assert "unpaired surrogates" in response.json()["detail"]
    assert api_a.post("/api/v1/deal-registrations", raw='{"name": "Acme \\ud83d\\ude80 Ltd"}').status_code == 201
