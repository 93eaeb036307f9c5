"""API personas: a token for partner A's admin and seller, partner B's admin (the outsider) and a channel manager,
and a client that sends a token."""

import json

import pytest
from django.test import Client

from api.services import token_create


class ApiClient:
    """Django's test client with a bearer token; JSON in and out."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client(raise_request_exception=False)
        self.token = token

    def _headers(self, token: str | None) -> dict:
        token = token if token is not None else self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, data=None, token: str | None = None):
        return self.client.get(path, data or {}, headers=self._headers(token))

    def post(self, path: str, body=None, token: str | None = None, raw: str | bytes | None = None):
        content = raw if raw is not None else json.dumps(body or {})
        return self.client.post(path, content, content_type="application/json", headers=self._headers(token))

    def patch(self, path: str, body=None, token: str | None = None, raw: str | bytes | None = None):
        content = raw if raw is not None else json.dumps(body or {})
        return self.client.patch(path, content, content_type="application/json", headers=self._headers(token))


def _token(user, name="Test"):
    return token_create(actor=user, user=user, name=name)


@pytest.fixture
def admin_a_token(partner_a_admin):
    return _token(partner_a_admin)[1]


@pytest.fixture
def seller_a_token(partner_a_seller):
    return _token(partner_a_seller)[1]


@pytest.fixture
def outsider_token(partner_b_user):
    return _token(partner_b_user)[1]


@pytest.fixture
def staff_token(channel_manager):
    return _token(channel_manager)[1]


@pytest.fixture
def api_a(admin_a_token):
    return ApiClient(admin_a_token)


@pytest.fixture
def api_b(outsider_token):
    return ApiClient(outsider_token)


@pytest.fixture
def api_staff(staff_token):
    return ApiClient(staff_token)


@pytest.fixture
def api_anonymous(db):
    return ApiClient()
