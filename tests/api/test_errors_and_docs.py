"""Bad input never answers 500: junk JSON, wrong types, unknown fields, junk ids and unknown paths are 4xx JSON
`{"detail": …}`. The OpenAPI schema lists the paths; the docs page loads nothing from a CDN."""

import pytest

URL = "/api/v1/deal-registrations"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("", 422),
        ("[]", 422),
        ('"a string"', 422),
        ("null", 422),
        ('{"name": 123}', 422),
        ('{"name": ["a"]}', 422),
        ('{"name": "Acme", "value": "lots"}', 422),
        ('{"name": "Acme", "value": 1e400}', 422),
        ('{"name": "Acme", "value": "NaN"}', 422),
        ('{"name": "Acme", "expected_close": "2026-02-30"}', 422),
        ('{"name": "Acme", "stage": "won"}', 400),
        ('{"name": "Acme", "stage": "nonsense"}', 422),
        ('{"name": "Acme", "submit": "maybe"}', 422),
        ('{"name": "Acme", "colour": "red"}', 422),
        ('{"name": "Acme", "catalogue_products": [99999999999999999999999]}', 422),
        ('{"name": "Acme", "catalogue_products": "1"}', 422),
        ('{"name": "\\u0000"}', 422),
        ('{"name": "Acme", "notes": "a\\u0000b"}', 422),
        ('{"name": "Acme", "notes": "' + "x" * 5000 + '"}', 400),
    ],
)
def test_junk_bodies_are_4xx_json(api_a, raw, status):
    response = api_a.post(URL, raw=raw)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)
    assert response.json()["detail"]


def test_a_schema_error_names_the_field(api_a):
    body = api_a.post(URL, {"name": "Acme", "value": "lots", "colour": "red"}).json()
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"value", "colour"}
    assert body["detail"].startswith("The request does not match the schema. ")


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"stage": 5}', '{"won_amount": "x"}', '{"stage": "won", "won_amount": -1}', "[]", '{"x": 1}'],
)
def test_junk_patches_are_4xx_json(api_a, partner_a, raw):
    from tests.dealreg.factories_registrations import SubmittedRegistrationFactory

    registration = SubmittedRegistrationFactory(partner=partner_a)
    response = api_a.patch(f"{URL}/{registration.pk}", raw=raw)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"{URL}/-1",
        f"{URL}/abc",
        f"{URL}/10000000000000000000000000",
        f"{URL}/%C3%A9t%C3%A9",
        "/api/v1/nothing-here",
        "/api/v1/",
        "/api/v1/deal-registrations/1/nothing",
        "/api/v1/accounts/%0A",  # a newline: Django's `path` converter stops at one (the catch-all takes it)
        "/api/v1/nothing%0Ahere",
    ],
)
def test_junk_paths_are_404_json(api_a, path):
    for response in (api_a.get(path), api_a.post(path, {}), api_a.patch(path, {})):
        assert response.status_code == 404, (path, response.content)
        assert response.json() == {"detail": "Not found."}


def test_the_openapi_schema_lists_the_paths(api_anonymous):
    response = api_anonymous.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "prm API"
    paths = schema["paths"]
    for path in (
        "/api/v1/deal-registrations",
        "/api/v1/deal-registrations/{registration_id}",
        "/api/v1/deal-registrations/{registration_id}/submit",
        "/api/v1/deal-registrations/check",
        "/api/v1/partners",
        "/api/v1/partners/{partner_id}",
        "/api/v1/certifications",
        "/api/v1/certifications/verify/{code}",
        "/api/v1/mdf/balance",
        "/api/v1/mdf/requests",
        "/api/v1/mdf/requests/{request_id}",
        "/api/v1/mdf/claims",
        "/api/v1/mdf/claims/{claim_id}",
    ):
        assert path in paths
    assert set(paths["/api/v1/deal-registrations"]) == {"get", "post"}
    assert set(paths["/api/v1/deal-registrations/{registration_id}"]) == {"get", "patch"}
    assert paths["/api/v1/certifications/verify/{code}"]["get"].get("security") in (None, [])
    assert paths["/api/v1/partners"]["get"]["security"] == [{"TokenAuth": []}]
    assert not [p for p in paths if "rest" in p]  # the JSON 404 catch-all is not documented
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    body = schema["components"]["schemas"]["RegistrationIn"]
    assert {"name", "website", "country", "contact_name", "contact_email", "products", "value", "currency"} <= set(
        body["properties"]
    )


def test_the_docs_page_loads_swagger_ui_from_us(api_anonymous):
    client = api_anonymous.client
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert 'src="/api/v1/docs/assets/swagger-ui-bundle.js"' in html
    assert "/api/v1/openapi.json" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        served = client.get(f"/api/v1/docs/assets/{asset}")
        assert served.status_code == 200
        assert b"".join(served.streaming_content)
    assert client.get("/api/v1/docs/assets/../../../../etc/passwd").status_code == 404
    assert client.get("/api/v1/docs/assets/redoc.standalone.js").status_code == 404


def test_a_method_a_path_does_not_have_is_405_json(api_a):
    response = api_a.post(f"{URL}/5", {})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method POST is not allowed here (only GET, PATCH)."}
    assert api_a.get(f"{URL}/0").json() == {"detail": "Not found."}
