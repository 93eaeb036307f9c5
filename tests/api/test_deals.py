"""Deal registrations through the API: the portal's rules and conflict detection, partner isolation (404 for
another partner's registration, 403 on staff endpoints), staff tokens seeing everything, closing as won, the
pre-check, and cursor pagination."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dealreg.models import Account, Conflict, Product, Registration
from prm.models import AuditEvent
from tests.dealreg.factories_registrations import RegistrationFactory, SubmittedRegistrationFactory

URL = "/api/v1/deal-registrations"
CLOSE_DATE = (date.today() + timedelta(days=60)).isoformat()
ACME = {
    "name": "Acme Robotics GmbH",
    "website": "https://www.acme-robotics.de",
    "country": "DE",
    "contact_name": "Jo Buyer",
    "contact_email": "jo@acme-robotics.de",
    "value": "48000",
    "currency": "EUR",
    "expected_close": CLOSE_DATE,
    "stage": "proposal",
    "involvement": "sourced",
    "notes": "Pilot in Q3",
}


@pytest.fixture
def other_partners_deal(partner_b, partner_b_user):
    """Partner B registered Acme first (another spelling, the same website)."""
    return SubmittedRegistrationFactory(
        partner=partner_b,
        created_by=partner_b_user,
        name="ACME Robotics",
        website="acme-robotics.de",
        value=Decimal("777000"),
    )


def test_a_draft_is_saved_with_the_portals_rules(api_a, partner_a, partner_a_admin):
    response = api_a.post(URL, {"name": "  Acme   Robotics ", "value": 1200.5, "currency": "eur"})
    assert response.status_code == 201, response.content
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert registration.partner == partner_a
    assert registration.created_by == partner_a_admin
    assert registration.status == "draft"
    assert registration.name == "Acme Robotics"
    assert registration.value == Decimal("1200.50")
    assert body["status"] == "draft"
    assert body["value"] == {"amount": "1200.50", "currency": "EUR"}
    assert body["partner"] == {"id": partner_a.pk, "name": "Northwind Solutions"}
    assert body["explanation"] == {
        "headline": "Draft",
        "next_step": "Nobody else sees it yet. Submit it for approval when it is complete.",
        "conflict_reasons": [],
    }
    assert AuditEvent.objects.filter(verb="deal.drafted", target_id=str(registration.pk)).count() == 1


def test_submitting_needs_what_a_channel_manager_needs_and_saves_nothing_otherwise(api_a):
    response = api_a.post(URL, {"name": "Acme Robotics", "submit": True})
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"contact_name", "contact_email", "value", "expected_close"}
    assert body["errors"]["contact_email"] == ["Needed before you submit: the contact's email."]
    assert "Needed before you submit" in body["detail"]
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"currency": "ABC"}, "currency", "Select a valid choice"),
        ({"contact_email": "not-an-email"}, "contact_email", "Enter an email address"),
        ({"website": "localhost"}, "website", "no public domain name"),
        ({"value": "-5"}, "value", "The value cannot be negative."),
        ({"value": "1" * 20}, "value", "more than we can store"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
    ],
)
def test_the_form_rules_answer_400_on_the_field(api_a, change, field, message):
    response = api_a.post(URL, {**ACME, **change, "submit": True})
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert not Registration.objects.exists()


def test_submit_with_a_conflict_explains_it_without_naming_the_other_partner(
    api_a, partner_a, other_partners_deal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post(URL, {**ACME, "submit": True})
    assert response.status_code == 201, response.content
    body = response.json()
    registration = Registration.objects.get(pk=body["id"])
    assert registration.status == "submitted"
    assert registration.has_conflict is True
    assert Conflict.objects.get(registration=registration).other_registration == other_partners_deal
    assert body["status"] == "submitted"
    assert body["has_conflict"] is True
    assert body["explanation"]["headline"] == "Conflict: under review"
    assert body["explanation"]["next_step"].startswith(
        "Another registration or our own sales team already covers this customer."
    )
    assert body["explanation"]["conflict_reasons"] == ["another registration already covers this customer"]
    text = response.content.decode()
    for secret in ("Contoso", "ACME Robotics", "777", "other_registration"):
        assert secret not in text
    assert body["partner"]["id"] == partner_a.pk
    # The detail says the same.
    detail = api_a.get(f"{URL}/{registration.pk}").json()
    assert detail["explanation"] == body["explanation"]


def test_a_customer_conflict_is_worded_for_the_partner(api_a):
    Account.objects.create(name="Acme Robotics", website="acme-robotics.de", country="DE", is_customer=True)
    body = api_a.post(URL, {**ACME, "submit": True}).json()
    assert body["explanation"]["conflict_reasons"] == [
        "this company is already our customer, so this would be a renewal or expansion"
    ]


def test_a_draft_is_edited_then_submitted_by_patch(api_a):
    created = api_a.post(URL, {"name": "Acme Robotics GmbH"}).json()
    response = api_a.patch(f"{URL}/{created['id']}", {k: v for k, v in ACME.items() if k != "name"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["contact_email"] == "jo@acme-robotics.de"
    response = api_a.patch(f"{URL}/{created['id']}", {"submit": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["has_conflict"] is False
    assert body["explanation"]["headline"] == "Submitted"


def test_a_refused_submission_leaves_the_draft_as_it_was(api_a):
    created = api_a.post(URL, {"name": "Acme Robotics GmbH", "notes": "first"}).json()
    response = api_a.patch(f"{URL}/{created['id']}", {"notes": "second", "submit": True})
    assert response.status_code == 400
    registration = Registration.objects.get(pk=created["id"])
    assert (registration.status, registration.notes) == ("draft", "first")


def test_the_submit_endpoint_submits_a_complete_draft(api_a):
    created = api_a.post(URL, ACME).json()
    response = api_a.post(f"{URL}/{created['id']}/submit")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = api_a.post(f"{URL}/{created['id']}/submit")
    assert again.status_code == 400
    assert again.json()["detail"] == "This registration is submitted already."


def test_a_submitted_registration_moves_along_and_keeps_its_history(api_a, partner_a, partner_a_admin):
    registration = SubmittedRegistrationFactory(partner=partner_a, created_by=partner_a_admin)
    response = api_a.patch(f"{URL}/{registration.pk}", {"stage": "negotiation", "value": "31000"})
    assert response.status_code == 200, response.content
    registration.refresh_from_db()
    assert (registration.stage, registration.value) == ("negotiation", Decimal("31000"))
    event = AuditEvent.objects.get(verb="deal.updated", target_id=str(registration.pk))
    assert event.before == {"stage": "discovery", "value": "25000.00"}
    assert event.after == {"stage": "negotiation", "value": "31000"}
    refused = api_a.patch(f"{URL}/{registration.pk}", {"name": "Other name"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "This registration is submitted: only stage, value, expected_close and notes can change (not name)."
    )


def test_patch_won_with_amount_closes_the_deal(api_a, partner_a, partner_a_admin, django_capture_on_commit_callbacks):
    registration = SubmittedRegistrationFactory(
        partner=partner_a,
        created_by=partner_a_admin,
        status=Registration.Status.APPROVED,
        protected_until=timezone.now() + timedelta(days=30),
        currency="EUR",
    )
    missing = api_a.patch(f"{URL}/{registration.pk}", {"stage": "won"})
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Give the amount the deal was won for."
    mixed = api_a.patch(f"{URL}/{registration.pk}", {"stage": "won", "won_amount": 1, "notes": "x"})
    assert mixed.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.patch(f"{URL}/{registration.pk}", {"stage": "won", "won_amount": "48000.50"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "won"
    assert body["stage"] == "won"
    assert body["won_amount"] == {"amount": "48000.50", "currency": "EUR"}
    registration.refresh_from_db()
    assert registration.won_amount == Decimal("48000.50")
    assert AuditEvent.objects.filter(verb="deal.won", target_id=str(registration.pk)).count() == 1
    again = api_a.patch(f"{URL}/{registration.pk}", {"stage": "lost"})
    assert again.status_code == 400
    assert "cannot be closed as lost now" in again.json()["detail"]


def test_the_list_shows_only_the_partners_own_registrations(api_a, partner_a, partner_b):
    mine = [RegistrationFactory(partner=partner_a) for _ in range(2)]
    RegistrationFactory(partner=partner_b)
    body = api_a.get(URL).json()
    assert [item["id"] for item in body["items"]] == [mine[1].pk, mine[0].pk]
    assert body["next"] is None
    # ?partner= changes nothing for a partner token
    assert len(api_a.get(URL, {"partner": partner_b.pk}).json()["items"]) == 2


def test_list_filters_and_cursor_pagination(api_a, partner_a):
    drafts = [RegistrationFactory(partner=partner_a) for _ in range(5)]
    submitted = SubmittedRegistrationFactory(partner=partner_a, stage="poc")
    assert [i["id"] for i in api_a.get(URL, {"status": "submitted"}).json()["items"]] == [submitted.pk]
    assert [i["id"] for i in api_a.get(URL, {"stage": "poc"}).json()["items"]] == [submitted.pk]
    assert [i["id"] for i in api_a.get(URL, {"status": "active"}).json()["items"]] == [submitted.pk]
    old = timezone.now() - timedelta(days=3)
    Registration.objects.filter(pk__in=[d.pk for d in drafts[:4]]).update(updated_at=old)
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = api_a.get(URL, {"updated_since": since}).json()["items"]
    assert [i["id"] for i in recent] == [submitted.pk, drafts[4].pk]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api_a.get(URL, params).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted([d.pk for d in drafts] + [submitted.pk], reverse=True)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cursor": "junk"}, 400),
        ({"status": "nonsense"}, 422),
        ({"stage": "x"}, 422),
        ({"updated_since": "2026-13-45"}, 422),
        ({"limit": 0}, 400),
        ({"limit": "many"}, 422),
        ({"partner": "99999999999999999999999"}, 400),
    ],
)
def test_bad_list_parameters_are_4xx_json(api_staff, params, status):
    response = api_staff.get(URL, params)
    assert response.status_code == status
    assert response.json()["detail"]


def test_a_cursor_of_another_list_is_refused(api_staff, partner_a):
    from api.pagination import page

    _, cursor = page(Registration.objects.none(), cursor=None, limit=1, scope="partners")
    assert cursor is None
    from django.core import signing

    foreign = signing.dumps(5, salt="api.cursor:partners")
    assert api_staff.get(URL, {"cursor": foreign}).status_code == 400


def test_another_partners_registration_is_404_everywhere(api_b, partner_a):
    registration = SubmittedRegistrationFactory(partner=partner_a)
    for response in (
        api_b.get(f"{URL}/{registration.pk}"),
        api_b.patch(f"{URL}/{registration.pk}", {"stage": "poc"}),
        api_b.patch(f"{URL}/{registration.pk}", {"stage": "won", "won_amount": 5}),
        api_b.post(f"{URL}/{registration.pk}/submit"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    registration.refresh_from_db()
    assert registration.stage == "discovery"


def test_a_staff_token_sees_every_partner_and_filters_by_partner(api_staff, partner_a, partner_b):
    a = RegistrationFactory(partner=partner_a)
    b = SubmittedRegistrationFactory(partner=partner_b)
    assert {i["id"] for i in api_staff.get(URL).json()["items"]} == {a.pk, b.pk}
    assert [i["id"] for i in api_staff.get(URL, {"partner": partner_b.pk}).json()["items"]] == [b.pk]
    detail = api_staff.get(f"{URL}/{a.pk}").json()
    assert detail["partner"]["name"] == "Northwind Solutions"


def test_a_staff_token_may_close_but_not_write_a_partners_registration(api_staff, partner_a):
    registration = SubmittedRegistrationFactory(
        partner=partner_a, status=Registration.Status.APPROVED, protected_until=timezone.now() + timedelta(days=9)
    )
    refused = api_staff.patch(f"{URL}/{registration.pk}", {"stage": "poc"})
    assert refused.status_code == 403
    created = api_staff.post(URL, ACME)
    assert created.status_code == 403
    assert created.json()["detail"].startswith("This endpoint is for partner tokens")
    lost = api_staff.patch(f"{URL}/{registration.pk}", {"stage": "lost", "reason": "Budget cut"})
    assert lost.status_code == 200
    assert lost.json()["status"] == "lost"


def test_the_check_says_what_the_form_says_and_registers_nothing(api_a, other_partners_deal):
    response = api_a.post(f"{URL}/check", {"name": "Acme Robotics", "website": "acme-robotics.de"})
    assert response.status_code == 200
    assert response.json() == {
        "clear": False,
        "hints": [
            "Another registration already covers a company like this; yours would be reviewed by a channel manager"
        ],
    }
    assert "Contoso" not in response.content.decode()
    assert api_a.post(f"{URL}/check", {"name": "Totally New Widgets Ltd"}).json() == {"clear": True, "hints": []}
    assert Registration.objects.count() == 1


def test_with_a_catalogue_products_are_picked_or_given_as_text(api_a):
    platform = Product.objects.create(name="Platform", order=1)
    body = api_a.post(URL, {**ACME, "catalogue_products": [platform.pk], "other_products": "Custom connector"}).json()
    assert body["products"] == "Platform, Custom connector"
    as_text = api_a.post(URL, {**ACME, "name": "Beta GmbH", "products": "Analytics", "submit": True})
    assert as_text.status_code == 201, as_text.content
    assert as_text.json()["products"] == "Analytics"
    unknown = api_a.post(URL, {**ACME, "catalogue_products": [987654]})
    assert unknown.status_code == 400
    assert "catalogue_products" in unknown.json()["errors"]
    missing = api_a.post(URL, {**ACME, "submit": True})
    assert missing.status_code == 400
    assert "at least one product" in missing.json()["detail"]


def test_the_list_costs_the_same_at_any_size(api_a, partner_a, other_partners_deal, django_assert_max_num_queries):
    for _ in range(3):
        RegistrationFactory(partner=partner_a)
    conflicted = SubmittedRegistrationFactory(partner=partner_a, has_conflict=True)
    Conflict.objects.create(
        registration=conflicted,
        kind=Conflict.Kind.REGISTRATION,
        other_registration=other_partners_deal,
        verdict="same",
        score=95,
    )
    api_a.get(URL)  # warm: the token's last use is written once a minute
    for _ in range(20):
        RegistrationFactory(partner=partner_a)
    # token + membership + user groups... + the page + the conflicts: bounded, whatever the page size
    with django_assert_max_num_queries(8):
        body = api_a.get(URL, {"limit": 200}).json()
    assert len(body["items"]) == 24
    (item,) = [i for i in body["items"] if i["id"] == conflicted.pk]
    assert item["explanation"]["conflict_reasons"] == ["another registration already covers this customer"]
