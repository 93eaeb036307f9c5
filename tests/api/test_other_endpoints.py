"""Partners (staff), certifications (list; public verification) and MDF (read-only for the partner) through the
API: the right audience, another partner's objects 404, amounts with their currency."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Partner
from prm.models import AuditEvent
from tests.enablement.factories import AwardFactory, CertificationFactory
from tests.factories import MembershipFactory, PartnerFactory
from tests.mdf.factories import approved_request, claimed_request, funded_budget

# --- Partners -------------------------------------------------------------------------------------------------


def test_a_staff_token_lists_reads_and_creates_partners(api_staff, partner_a, partner_b, channel_manager):
    body = api_staff.get("/api/v1/partners").json()
    assert [p["name"] for p in body["items"]] == ["Contoso Partners", "Northwind Solutions"]
    assert body["next"] is None
    assert [p["id"] for p in api_staff.get("/api/v1/partners", {"limit": 1}).json()["items"]] == [partner_b.pk]
    detail = api_staff.get(f"/api/v1/partners/{partner_a.pk}").json()
    assert detail["name"] == "Northwind Solutions"
    assert detail["partner_type"] == "var"
    assert detail["status"] == "active"

    created = api_staff.post("/api/v1/partners", {"name": "  Fabrikam   Ltd ", "partner_type": "reseller"})
    assert created.status_code == 201, created.content
    partner = Partner.objects.get(pk=created.json()["id"])
    assert (partner.name, partner.type, partner.status) == ("Fabrikam Ltd", "reseller", "onboarding")
    assert AuditEvent.objects.filter(verb="partner.created", target_id=str(partner.pk), actor=channel_manager).exists()
    duplicate = api_staff.post("/api/v1/partners", {"name": "fabrikam ltd", "partner_type": "var"})
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"] == "A partner named “fabrikam ltd” already exists."
    assert api_staff.post("/api/v1/partners", {"name": "", "partner_type": "var"}).status_code == 422
    assert api_staff.post("/api/v1/partners", {"name": "X", "partner_type": "nope"}).status_code == 422
    assert api_staff.post("/api/v1/partners", {"name": "X" * 201, "partner_type": "var"}).status_code == 422
    assert (
        api_staff.post("/api/v1/partners", {"name": "X", "partner_type": "var", "parent_id": 987654}).status_code == 404
    )
    assert api_staff.get("/api/v1/partners/987654").status_code == 404
    assert api_staff.get("/api/v1/partners", {"status": "nope"}).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/partners"),
        ("get", "/api/v1/partners/{a}"),
        ("get", "/api/v1/partners/{b}"),
        ("post", "/api/v1/partners"),
    ],
)
def test_a_partner_token_gets_403_on_staff_endpoints(api_a, partner_a, partner_b, method, path):
    url = path.format(a=partner_a.pk, b=partner_b.pk)
    response = getattr(api_a, method)(url, {"name": "Sneaky", "partner_type": "var"} if method == "post" else None)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This endpoint is for staff tokens")
    assert not Partner.objects.filter(name="Sneaky").exists()


# --- Certifications ---------------------------------------------------------------------------------------------


def test_certifications_list_the_partners_own_awards(api_a, api_staff, partner_a, partner_b):
    certification = CertificationFactory(name="Platform Specialist")
    holder = MembershipFactory(partner=partner_a, user__first_name="Ada", user__last_name="Lovelace").user
    mine = AwardFactory(certification=certification, partner=partner_a, user=holder)
    theirs = AwardFactory(certification=certification, partner=partner_b)
    body = api_a.get("/api/v1/certifications").json()
    assert [a["id"] for a in body["items"]] == [mine.pk]
    (item,) = body["items"]
    assert item["holder"] == {"id": holder.pk, "name": "Ada Lovelace"}
    assert item["certification"] == {"id": certification.pk, "name": "Platform Specialist"}
    assert item["status"] == "active"
    assert item["code"] == mine.code
    assert {a["id"] for a in api_staff.get("/api/v1/certifications").json()["items"]} == {mine.pk, theirs.pk}
    staff_b = api_staff.get("/api/v1/certifications", {"partner": partner_b.pk}).json()["items"]
    assert [a["id"] for a in staff_b] == [theirs.pk]
    assert api_staff.get("/api/v1/certifications", {"partner": 987654}).json() == {"items": [], "next": None}
    # A partner token's ?partner= changes nothing.
    assert [a["id"] for a in api_a.get("/api/v1/certifications", {"partner": partner_b.pk}).json()["items"]] == [
        mine.pk
    ]


def test_a_code_is_verified_without_a_token(api_anonymous, partner_a):
    award = AwardFactory(
        certification=CertificationFactory(name="Platform Specialist"),
        partner=partner_a,
        user=MembershipFactory(partner=partner_a, user__first_name="Ada", user__last_name="Lovelace").user,
        expires_at=timezone.localdate() + timedelta(days=200),
    )
    response = api_anonymous.get(f"/api/v1/certifications/verify/{award.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["verdict"] == "Valid today"
    assert body["valid_until"] == award.expires_at.isoformat()
    assert (body["holder"], body["partner"], body["certification"]) == (
        "Ada Lovelace",
        "Northwind Solutions",
        "Platform Specialist",
    )
    assert "email" not in response.content.decode()
    for junk in ("NOPE1234", "x" * 40, "%00", "a-b"):
        assert api_anonymous.get(f"/api/v1/certifications/verify/{junk}").status_code == 404
    award.public = False
    award.save()
    assert api_anonymous.get(f"/api/v1/certifications/verify/{award.code}").status_code == 404


def test_a_revoked_code_says_so_with_404(api_anonymous, partner_a):
    award = AwardFactory(partner=partner_a, revoked_at=timezone.now())
    response = api_anonymous.get(f"/api/v1/certifications/verify/{award.code}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Not valid: revoked. This certification was withdrawn on")


# --- MDF --------------------------------------------------------------------------------------------------------


def test_the_partner_reads_its_mdf_balance_requests_and_claims(api_a, partner_a, partner_b):
    budget = funded_budget(partner_a, "10000")
    request = approved_request(partner=partner_a, budget=budget, amount="4000")
    claim = claimed_request(partner=partner_a, budget=budget, amount="2500", claimed="2000").claim
    other = approved_request(partner=partner_b, budget=funded_budget(partner_b, "5000"), amount="100")
    currency = budget.currency

    balance = api_a.get("/api/v1/mdf/balance").json()
    assert balance["currency"] == currency
    assert balance["allocated"] == {"amount": "10000.00", "currency": currency}
    assert balance["reserved"] == {"amount": "6500.00", "currency": currency}
    assert balance["available"] == {"amount": "3500.00", "currency": currency}

    requests = api_a.get("/api/v1/mdf/requests").json()["items"]
    assert {r["id"] for r in requests} == {request.pk, claim.request_id}
    detail = api_a.get(f"/api/v1/mdf/requests/{request.pk}").json()
    assert detail["approved_amount"] == {"amount": "4000.00", "currency": currency}
    claims = api_a.get("/api/v1/mdf/claims").json()["items"]
    assert [c["id"] for c in claims] == [claim.pk]
    assert claims[0]["amount_claimed"] == {"amount": "2000.00", "currency": currency}
    assert api_a.get(f"/api/v1/mdf/claims/{claim.pk}").json()["status"] == "submitted"
    assert api_a.get("/api/v1/mdf/requests", {"status": "approved"}).json()["items"][0]["id"] == request.pk
    assert api_a.get("/api/v1/mdf/requests", {"status": "nope"}).status_code == 400
    # Another partner's request is a 404.
    assert api_a.get(f"/api/v1/mdf/requests/{other.pk}").status_code == 404


def test_mdf_is_for_partner_tokens(api_staff, partner_a):
    for path in ("/api/v1/mdf/balance", "/api/v1/mdf/requests", "/api/v1/mdf/claims", "/api/v1/mdf/claims/1"):
        response = api_staff.get(path)
        assert response.status_code == 403
        assert response.json()["detail"].startswith("This endpoint is for partner tokens")


def test_every_token_endpoint_refuses_a_revoked_token(api_a, partner_a_admin, partner_a):
    from api.models import ApiToken

    ApiToken.objects.filter(user=partner_a_admin).update(revoked_at=timezone.now())
    for path in (
        "/api/v1/deal-registrations",
        "/api/v1/deal-registrations/1",
        "/api/v1/partners",
        "/api/v1/certifications",
        "/api/v1/mdf/balance",
        "/api/v1/mdf/requests",
        "/api/v1/mdf/claims/1",
    ):
        response = api_a.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "This API token was revoked."}


def test_a_partner_admins_outsider_sees_nothing_of_partner_a(api_b, partner_a):
    PartnerFactory()  # noise
    assert api_b.get("/api/v1/deal-registrations").json()["items"] == []
    assert api_b.get("/api/v1/certifications").json()["items"] == []
