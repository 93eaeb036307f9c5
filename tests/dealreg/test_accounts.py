"""Accounts and the direct pipeline: the services (validation, duplicates refused, every change audited with what
changed), the channel managers' pages (list filters and search with bounded queries, add, edit, add an
opportunity), and partner users and visitors kept out of all of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dealreg import services
from dealreg.models import Account, DirectOpportunity, Registration
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


# --- Services --------------------------------------------------------------------------------------------------


def test_account_create_normalises_and_audits(channel_manager):
    account = services.account_create(
        actor=channel_manager,
        data={
            "name": "  Müller   Maschinenbau GmbH ",
            "website": "https://www.mueller-maschinen.de/about",
            "country": "Germany",
            "size": "enterprise",
            "is_named_account": True,
            "account_owner": "Maya Chen",
        },
    )
    assert account.name == "Müller Maschinenbau GmbH"
    assert account.domain == "mueller-maschinen.de"
    assert account.name_key == "muller maschinenbau"
    assert account.country.code == "DE"
    assert account.created_by == channel_manager
    [event] = events("account.created")
    assert event.target_id == str(account.pk)
    assert event.after["name"] == "Müller Maschinenbau GmbH"
    assert event.after["country"] == "DE"
    assert event.after["is_named_account"] is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the company's name."),
        ({"name": "Acme", "website": "not a site"}, "website", "is not a web address"),
        ({"name": "Acme", "website": "localhost"}, "website", "no public domain name"),
        ({"name": "Acme", "country": "Narnia"}, "country", "Unknown country “Narnia”"),
        ({"name": "Acme", "size": "huge"}, "size", "Use smb, midmarket or enterprise"),
    ],
)
def test_account_create_refuses_bad_values_in_plain_words(channel_manager, data, field, message):
    with pytest.raises(ValidationError) as caught:
        services.account_create(actor=channel_manager, data=data)
    assert message in " ".join(caught.value.message_dict[field])
    assert not Account.objects.exists()


def test_account_create_accepts_a_bare_domain_and_country_codes(channel_manager):
    account = services.account_create(
        actor=channel_manager, data={"name": "Acme", "website": "acme.co.uk", "country": "uk"}
    )
    assert (account.website, account.domain, account.country.code) == ("acme.co.uk", "acme.co.uk", "GB")


def test_account_create_refuses_the_same_company_twice(channel_manager):
    AccountFactory(name="Northwind Traders Inc.", website="https://northwind.com")
    with pytest.raises(ValidationError, match=r"already exists: Northwind Traders Inc\."):
        services.account_create(actor=channel_manager, data={"name": "Other name", "website": "www.northwind.com"})
    with pytest.raises(ValidationError, match="already exists"):
        services.account_create(actor=channel_manager, data={"name": "northwind traders"})
    assert Account.objects.count() == 1


def test_account_update_audits_only_what_changed(channel_manager):
    account = AccountFactory(name="Acme", website="acme.com", country="US", is_customer=False)
    services.account_update(
        actor=channel_manager,
        account=account,
        data={"name": "Acme", "website": "acme.com", "country": "DE", "is_customer": True, "industry": ""},
    )
    account.refresh_from_db()
    assert account.country.code == "DE"
    assert account.is_customer is True
    [event] = events("account.updated")
    assert event.before == {"country": "US", "is_customer": False}
    assert event.after == {"country": "DE", "is_customer": True}


def test_account_update_without_changes_writes_no_event(channel_manager):
    account = AccountFactory(name="Acme", website="acme.com")
    services.account_update(actor=channel_manager, account=account, data={"name": "Acme", "website": "acme.com"})
    assert events("account.updated") == []


def test_account_update_keeps_match_keys_in_step_and_refuses_a_clash(channel_manager):
    AccountFactory(name="Globex", website="globex.com")
    account = AccountFactory(name="Initech", website="initech.com")
    services.account_update(actor=channel_manager, account=account, data={"website": "https://initech.io"})
    account.refresh_from_db()
    assert account.domain == "initech.io"
    with pytest.raises(ValidationError, match="Another account is the same company: Globex"):
        services.account_update(actor=channel_manager, account=account, data={"website": "globex.com"})


def test_opportunity_create_and_update_are_audited(channel_manager):
    account = AccountFactory()
    opportunity = services.opportunity_create(
        actor=channel_manager,
        account=account,
        data={"title": "Rollout", "amount": "25000", "currency": "eur", "expected_close": "2026-03-31"},
    )
    assert opportunity.stage == DirectOpportunity.Stage.OPEN
    assert (opportunity.amount, opportunity.currency) == (Decimal("25000.00"), "EUR")
    assert opportunity.expected_close == date(2026, 3, 31)
    [created] = events("opportunity.created")
    assert created.after["amount"] == "25000.00"
    services.opportunity_update(actor=channel_manager, opportunity=opportunity, data={"stage": "won"})
    [updated] = events("opportunity.updated")
    assert (updated.before, updated.after) == ({"stage": "open"}, {"stage": "won"})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "X", "stage": "maybe"}, "stage"),
        ({"title": "X", "currency": "EURO"}, "currency"),
        ({"title": "X", "amount": "-5"}, "amount"),
        ({"title": "X", "expected_close": "31/03/2026"}, "expected_close"),
    ],
)
def test_opportunity_create_refuses_bad_values(channel_manager, data, field):
    with pytest.raises(ValidationError) as caught:
        services.opportunity_create(actor=channel_manager, account=AccountFactory(), data=data)
    assert field in caught.value.message_dict


def test_only_channel_managers_may_change_accounts(partner_a_admin):
    account = AccountFactory()
    opportunity = OpportunityFactory(account=account)
    calls = [
        lambda: services.account_create(actor=partner_a_admin, data={"name": "Acme"}),
        lambda: services.account_update(actor=partner_a_admin, account=account, data={"name": "X"}),
        lambda: services.opportunity_create(actor=partner_a_admin, account=account, data={"title": "X"}),
        lambda: services.opportunity_update(actor=partner_a_admin, opportunity=opportunity, data={"stage": "won"}),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="Only channel managers"):
            call()
    assert not AuditEvent.objects.exists()


# --- Access ----------------------------------------------------------------------------------------------------


def account_urls(account: Account) -> list[str]:
    return [
        reverse("manage:account_list"),
        reverse("manage:account_create"),
        reverse("manage:account_import"),
        reverse("manage:account_detail", args=[account.pk]),
        reverse("manage:opportunity_create", args=[account.pk]),
    ]


def test_partner_users_get_404_on_every_account_page(admin_client_a, outsider_client):
    account = AccountFactory()
    for client in (admin_client_a, outsider_client):
        for url in account_urls(account):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"name": "Hijack"}).status_code == 404, url
    assert Account.objects.count() == 1


def test_visitors_are_sent_to_sign_in(client):
    account = AccountFactory()
    for url in account_urls(account):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


# --- The list --------------------------------------------------------------------------------------------------


@pytest.fixture
def some_accounts(db):
    named = AccountFactory(name="Northwind Traders", website="northwind.com", is_named_account=True)
    customer = AccountFactory(name="Globex Corporation", website="globex.com", is_customer=True)
    piped = AccountFactory(name="Initech", website="initech.io")
    OpportunityFactory(account=piped)
    OpportunityFactory(account=piped)
    OpportunityFactory(account=piped, stage=DirectOpportunity.Stage.WON)
    OpportunityFactory(account=customer, stage=DirectOpportunity.Stage.LOST)
    return {"named": named, "customer": customer, "piped": piped}


def listed(response) -> list[str]:
    return [account.name for account in response.context["accounts"]]


def test_list_shows_accounts_with_their_open_opportunity_counts(manager_client, some_accounts):
    response = manager_client.get(reverse("manage:account_list"))
    assert response.status_code == 200
    assert listed(response) == ["Globex Corporation", "Initech", "Northwind Traders"]
    counts = {account.name: account.open_count for account in response.context["accounts"]}
    assert counts == {"Globex Corporation": 0, "Initech": 2, "Northwind Traders": 0}
    assert reverse("manage:account_import") in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "north"}, ["Northwind Traders"]),
        ({"q": "globex.com"}, ["Globex Corporation"]),
        ({"q": "Globex Corp."}, ["Globex Corporation"]),
        ({"named": "1"}, ["Northwind Traders"]),
        ({"customers": "1"}, ["Globex Corporation"]),
        ({"open": "1"}, ["Initech"]),
        ({"open": "1", "customers": "1"}, []),
    ],
)
def test_list_filters_and_search(manager_client, some_accounts, query, expected):
    response = manager_client.get(reverse("manage:account_list"), query)
    assert listed(response) == expected


def test_list_queries_are_bounded_and_pages_hold_50(manager_client, django_assert_max_num_queries):
    accounts = AccountFactory.create_batch(60)
    for account in accounts[:30]:
        OpportunityFactory(account=account)
    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("manage:account_list"))
    assert len(response.context["accounts"]) == 50
    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("manage:account_list"), {"page": 2, "open": "1"})
    assert response.context["page"].number == 1  # 30 with open opportunities: one page
    assert len(response.context["accounts"]) == 30


def test_empty_list_invites_an_import(manager_client):
    response = manager_client.get(reverse("manage:account_list"))
    assert "No accounts yet" in response.text


# --- Add, edit, opportunities ----------------------------------------------------------------------------------


def test_add_an_account_through_the_form(manager_client):
    response = manager_client.post(
        reverse("manage:account_create"),
        {"name": "Acme Ltd", "website": "acme.co.uk", "country": "GB", "size": "smb", "is_customer": "on"},
    )
    account = Account.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:account_detail", args=[account.pk])
    assert account.is_customer
    assert not account.is_named_account
    assert len(events("account.created")) == 1


def test_add_form_shows_errors_next_to_fields_and_keeps_input(manager_client):
    AccountFactory(name="Acme Ltd", website="acme.co.uk")
    response = manager_client.post(reverse("manage:account_create"), {"name": "Zeta", "website": "nope nope"})
    assert response.status_code == 400
    assert "is not a web address" in response.text
    assert 'value="Zeta"' in response.text
    response = manager_client.post(reverse("manage:account_create"), {"name": "ACME limited"})
    assert response.status_code == 400
    assert "already exists: Acme Ltd" in response.text
    assert Account.objects.count() == 1


def test_detail_shows_opportunities_and_matched_registrations(manager_client, partner_a):
    account = AccountFactory(name="Initech", website="initech.io")
    OpportunityFactory(account=account, title="Data platform", amount=Decimal("12000"), currency="EUR")
    registration = Registration(
        partner=partner_a, name="Initech LLC", website="initech.io", value=Decimal("5000"), account=account
    )
    registration.save()
    response = manager_client.get(reverse("manage:account_detail", args=[account.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Data platform" in text
    assert "€12,000.00" in text
    assert "Northwind Solutions" in text
    assert "Initech LLC" in text
    assert "$5,000.00" in text
    assert reverse("manage:opportunity_create", args=[account.pk]) in text
    assert 'value="initech.io"' in text  # the edit form, filled in


def test_detail_edit_saves_and_audits(manager_client):
    account = AccountFactory(name="Initech", website="initech.io", country="US")
    url = reverse("manage:account_detail", args=[account.pk])
    response = manager_client.post(
        url, {"name": "Initech", "website": "initech.io", "country": "US", "is_named_account": "on"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_named_account
    [event] = events("account.updated")
    assert event.after == {"is_named_account": True}


def test_detail_edit_with_errors_is_400_and_changes_nothing(manager_client):
    account = AccountFactory(name="Initech", website="initech.io")
    response = manager_client.post(reverse("manage:account_detail", args=[account.pk]), {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text or "Give the company" in response.text
    account.refresh_from_db()
    assert account.name == "Initech"


def test_add_an_opportunity_and_return_to_the_account(manager_client):
    account = AccountFactory()
    url = reverse("manage:opportunity_create", args=[account.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(
        url, {"title": "Expansion", "stage": "open", "amount": "900", "currency": "gbp", "owner_name": "Lee"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:account_detail", args=[account.pk])
    opportunity = account.opportunities.get()
    assert (opportunity.currency, opportunity.owner_name) == ("GBP", "Lee")
    response = manager_client.post(url, {"title": "", "stage": "open", "currency": "E"})
    assert response.status_code == 400
    assert "three-letter code" in response.text


def test_missing_account_is_404(manager_client):
    assert manager_client.get(reverse("manage:account_detail", args=[999])).status_code == 404
    assert manager_client.get(reverse("manage:opportunity_create", args=[999])).status_code == 404


# --- Admin -----------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_pages_render_for_every_dealreg_model(superuser_client, partner_a):
    from dealreg.models import Conflict, DealregPolicy

    account = AccountFactory(name="Initech", website="initech.io")
    opportunity = OpportunityFactory(account=account)
    registration = Registration(partner=partner_a, name="Initech LLC", website="initech.io")
    registration.save()
    other = Registration(partner=partner_a, name="Initech", website="initech.io")
    other.save()
    conflict = Conflict.objects.create(
        registration=registration,
        kind="registration",
        other_registration=other,
        verdict="same",
        score=95,
        reasons=["same registrable domain initech.io"],
    )
    policy = DealregPolicy.objects.get_or_create(pk=1)[0]
    for model, obj in (
        ("account", account),
        ("directopportunity", opportunity),
        ("registration", registration),
        ("conflict", conflict),
        ("dealregpolicy", policy),
    ):
        assert superuser_client.get(reverse(f"admin:dealreg_{model}_changelist")).status_code == 200, model
        response = superuser_client.get(reverse(f"admin:dealreg_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
    registration_page = superuser_client.get(reverse("admin:dealreg_registration_change", args=[registration.pk]))
    assert "same registrable domain initech.io" in registration_page.text  # the conflicts inline
    # The policy is one row: no second one, never deleted; conflicts are evidence.
    assert superuser_client.get(reverse("admin:dealreg_dealregpolicy_add")).status_code == 403
    assert superuser_client.get(reverse("admin:dealreg_dealregpolicy_delete", args=[policy.pk])).status_code == 403
    assert superuser_client.get(reverse("admin:dealreg_conflict_delete", args=[conflict.pk])).status_code == 403
    assert superuser_client.get(reverse("admin:dealreg_registration_add")).status_code == 403
    search = superuser_client.get(reverse("admin:dealreg_registration_changelist"), {"q": "initech.io"})
    assert search.context["cl"].result_count == 2


def test_mark_an_opportunity_won_or_lost_from_the_account_page(manager_client):
    account = AccountFactory()
    opportunity = OpportunityFactory(account=account)
    url = reverse("manage:account_detail", args=[account.pk])
    page = manager_client.get(url)
    assert 'name="stage" value="won"' in page.text
    response = manager_client.post(
        url, {"action": "opportunity_stage", "opportunity": opportunity.pk, "stage": "won"}, follow=True
    )
    opportunity.refresh_from_db()
    assert opportunity.stage == DirectOpportunity.Stage.WON
    assert "is now won" in response.text
    [event] = events("opportunity.updated")
    assert event.after == {"stage": "won"}
    response = manager_client.post(
        url, {"action": "opportunity_stage", "opportunity": opportunity.pk, "stage": "bogus"}, follow=True
    )
    assert "Choose open, won or lost." in response.text
    other = OpportunityFactory()  # another account's opportunity cannot be changed through this page
    response = manager_client.post(url, {"action": "opportunity_stage", "opportunity": other.pk, "stage": "won"})
    assert response.status_code == 404
