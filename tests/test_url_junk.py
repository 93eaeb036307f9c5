"""Every URL of our apps, requested by each persona with junk where an id goes (0, -1, a 25-digit number, text,
unicode) and with junk query parameters: never a 500. Row ids go through one converter (prm.converters, `<id:pk>`),
so a number no 64-bit key can hold is a plain 404 on SQLite as on PostgreSQL (it was an OverflowError)."""

import re

import pytest
from django.urls import get_resolver

from tests.test_url_guards import OWN_APPS, _walk

JUNK_IDS = ["0", "-1", "10000000000000000000000000", "abc", "%C3%A9t%C3%A9", "1e3"]
JUNK_QUERY = "?" + "&".join(
    [
        "page=10000000000000000000000000",
        "partner=99999999999999999999999",
        "period=nonsense",
        "start=2026-13-45",
        "end=x",
        "status=%00",
        "type=%E2%80%AE",
        "sort=-",
        "per_page=-5",
        "tier=abc",
        "owner=1e9",
        "q=%27%22%3C",
    ]
)
ROUTES = [r for r in _walk(get_resolver().url_patterns) if r.dotted.startswith(OWN_APPS)]
WITH_IDS = [r for r in ROUTES if re.search(r"<(?:int|id):\w+>", r.path)]


def _with(path: str, junk: str) -> str:
    path = re.sub(r"<(?:int|id):\w+>", junk, path)
    path = re.sub(r"<(?:str|slug|path|uuid)?:?\w+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_every_row_id_goes_through_the_id_converter():
    assert not [r.path for r in ROUTES if "<int:" in r.path]


@pytest.mark.parametrize("persona", ["manager_client", "admin_client_a", "seller_client_a"])
def test_junk_ids_never_answer_500(db, request, persona):
    client = request.getfixturevalue(persona)
    client.raise_request_exception = False
    failures = []
    for route in WITH_IDS:
        for junk in JUNK_IDS:
            url = _with(route.path, junk)
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{url} → {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", ["manager_client", "admin_client_a"])
def test_junk_query_parameters_never_answer_500(db, request, persona):
    client = request.getfixturevalue(persona)
    client.raise_request_exception = False
    failures = []
    for route in ROUTES:
        if WITH_IDS and route in WITH_IDS:
            continue
        url = _with(route.path, "1") + JUNK_QUERY
        status = client.get(url).status_code
        if status >= 500:
            failures.append(f"{url} → {status}")
    assert not failures, "\n".join(failures)
