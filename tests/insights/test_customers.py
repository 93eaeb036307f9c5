"""Customers and renewals: contracts from won deals (through dealreg's hook), direct contracts, editing, renewal
outcomes, CSV import (preview, row errors, all-or-nothing, twice is refused), export, renewal reminders, pages."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg import services as dealreg_services
from dealreg.models import Registration
from insights.models import CustomerContract, RenewalOutcome
from insights.reminders import remind_renewals
from insights.services import customers as services
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import ChannelManagerFactory

pytestmark = pytest.mark.django_db


def _contract(**kwargs) -> CustomerContract:
    defaults = {
        "customer_name": "Acme Corp",
        "starts_on": date(2025, 1, 15),
        "term_months": 12,
        "amount": Decimal("24000.00"),
        "currency": "USD",
        "renewal_on": date(2026, 1, 15),
    }
    return CustomerContract.objects.create(**(defaults | kwargs))


# --- From a won registration --------------------------------------------------------------------------------------


def test_closing_a_deal_as_won_creates_the_contract_on_commit(
    partner_a, partner_a_seller, channel_manager, django_capture_on_commit_callbacks
):
    partner_a.owner = channel_manager
    partner_a.save()
    reg = RegistrationFactory(
        partner=partner_a, status=Registration.Status.APPROVED, currency="EUR", involvement="influenced"
    )
    with django_capture_on_commit_callbacks(execute=True):
        dealreg_services.registration_close(actor=partner_a_seller, registration=reg, won=True, amount="48,500")
    contract = CustomerContract.objects.get(registration=reg)
    reg.refresh_from_db()
    today = timezone.localdate(reg.closed_at)
    assert contract.customer_name == reg.name
    assert contract.partner == partner_a
    assert contract.involvement == "influenced"
    assert (contract.amount, contract.currency) == (Decimal("48500.00"), "EUR")
    assert contract.starts_on == today
    assert contract.term_months == 12
    assert contract.renewal_on == services.add_months(today, 12)
    assert contract.owner == channel_manager
    assert contract.source == CustomerContract.Source.REGISTRATION
    assert AuditEvent.objects.filter(verb="contract.created", target_id=str(contract.pk)).count() == 1
    # The partner hears nothing about the contract: only the deal notifications exist.
    assert not Notification.objects.filter(template__startswith="insights_").exists()


def test_a_lost_deal_makes_no_contract(partner_a, partner_a_seller, django_capture_on_commit_callbacks):
    reg = RegistrationFactory(partner=partner_a, status=Registration.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        dealreg_services.registration_close(actor=partner_a_seller, registration=reg, won=False)
    assert not CustomerContract.objects.exists()


def test_the_hook_links_rather_than_duplicates(partner_a):
    reg = RegistrationFactory(
        partner=partner_a, status=Registration.Status.WON, won_amount=None, value=Decimal("9000"), closed_at=None
    )
    first = services.contract_from_registration(registration=reg)
    again = services.contract_from_registration(registration=reg)
    assert first.pk == again.pk
    assert first.amount == Decimal("9000.00")  # no won amount: the estimated value
    assert CustomerContract.objects.count() == 1
    assert AuditEvent.objects.filter(verb="contract.created").count() == 1


def test_not_won_is_ignored(partner_a):
    reg = RegistrationFactory(partner=partner_a, status=Registration.Status.APPROVED)
    assert services.contract_from_registration(registration=reg) is None


# --- Direct contracts, editing, renewals --------------------------------------------------------------------------


def test_direct_contract_defaults_its_renewal_date(channel_manager):
    contract = services.contract_create(
        actor=channel_manager,
        customer_name="  Globex   GmbH ",
        starts_on=date(2025, 1, 31),
        amount="1,200.50",
        currency="eur",
        term_months=1,
    )
    assert contract.customer_name == "Globex GmbH"
    assert contract.partner is None
    assert contract.is_direct
    assert (contract.amount, contract.currency) == (Decimal("1200.50"), "EUR")
    assert contract.renewal_on == date(2025, 2, 28)  # kept within the month


def test_contract_create_says_what_is_wrong(channel_manager, partner_a_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            actor=channel_manager, customer_name="", starts_on=None, amount="abc", currency="dollars", term_months=0
        )
    assert set(exc.value.message_dict) == {"customer_name", "starts_on", "amount", "currency", "term_months"}
    with pytest.raises(ValidationError):
        services.contract_create(
            actor=partner_a_admin, customer_name="X", starts_on=date(2025, 1, 1), amount="1", currency="USD"
        )


def test_changing_the_term_moves_the_renewal_date(channel_manager):
    contract = _contract()
    services.contract_update(actor=channel_manager, contract=contract, term_months=24, renewal_on=None, owner=None)
    contract.refresh_from_db()
    assert (contract.term_months, contract.renewal_on) == (24, date(2027, 1, 15))
    services.contract_update(
        actor=channel_manager, contract=contract, term_months=24, renewal_on=date(2026, 12, 1), owner=channel_manager
    )
    contract.refresh_from_db()
    assert contract.renewal_on == date(2026, 12, 1)
    assert contract.owner == channel_manager
    assert AuditEvent.objects.filter(verb="contract.updated").count() == 2


@pytest.mark.parametrize(
    ("outcome", "new_amount", "amount", "renewal_on", "status"),
    [
        ("renewed", "", Decimal("24000.00"), date(2027, 1, 15), "active"),
        ("renewed", "20000", Decimal("20000.00"), date(2027, 1, 15), "active"),
        ("expanded", "30,000", Decimal("30000.00"), date(2027, 1, 15), "active"),
        ("churned", "", Decimal("24000.00"), date(2026, 1, 15), "churned"),
    ],
)
def test_renewal_outcomes(channel_manager, outcome, new_amount, amount, renewal_on, status):
    contract = _contract()
    record = services.renewal_record(actor=channel_manager, contract=contract, outcome=outcome, new_amount=new_amount)
    contract.refresh_from_db()
    assert record.due_on == date(2026, 1, 15)
    assert (contract.amount, contract.renewal_on, contract.status) == (amount, renewal_on, status)
    assert AuditEvent.objects.filter(verb=f"contract.{outcome}", target_id=str(contract.pk)).exists()


def test_renewal_refusals(channel_manager):
    from django.core.exceptions import ValidationError

    contract = _contract()
    with pytest.raises(ValidationError, match="more than the current"):
        services.renewal_record(actor=channel_manager, contract=contract, outcome="expanded", new_amount="100")
    with pytest.raises(ValidationError, match="new amount"):
        services.renewal_record(actor=channel_manager, contract=contract, outcome="expanded")
    services.renewal_record(actor=channel_manager, contract=contract, outcome="renewed", due_on=date(2026, 1, 15))
    # The same renewal date twice (a double click): refused, the contract moved once.
    with pytest.raises(ValidationError, match="recorded already"):
        services.renewal_record(actor=channel_manager, contract=contract, outcome="renewed", due_on=date(2026, 1, 15))
    contract.refresh_from_db()
    assert contract.renewal_on == date(2027, 1, 15)
    services.renewal_record(actor=channel_manager, contract=contract, outcome="churned")
    with pytest.raises(ValidationError, match="churned"):
        services.renewal_record(actor=channel_manager, contract=contract, outcome="renewed")


# --- Reminders ------------------------------------------------------------------------------------------------


def test_renewal_reminders_60_and_30_days_once_each(channel_manager, partner_a):
    other_manager = ChannelManagerFactory()
    now = timezone.now()
    today = timezone.localdate(now)
    owned = _contract(renewal_on=today + timedelta(days=60), owner=channel_manager)
    partner_a.owner = other_manager
    partner_a.save()
    via_partner = _contract(customer_name="Initech", partner=partner_a, renewal_on=today + timedelta(days=25))
    _contract(customer_name="Far away", renewal_on=today + timedelta(days=61))
    _contract(customer_name="Gone", renewal_on=today + timedelta(days=10), status="churned")

    assert remind_renewals(now) == 2
    assert remind_renewals(now) == 0  # the sweep ran twice: nothing twice
    keys = set(Notification.objects.values_list("idempotency_key", "recipient"))
    assert keys == {
        (f"insights-renewal:{owned.pk}:{owned.renewal_on}:60:{channel_manager.pk}", channel_manager.pk),
        (f"insights-renewal:{via_partner.pk}:{via_partner.renewal_on}:30:{other_manager.pk}", other_manager.pk),
    }
    # 30 days later the owned contract gets its 30-day reminder, once (and "Far away", now 31 days out, its 60-day
    # reminder to both channel managers, as it has no owner and no partner).
    later = now + timedelta(days=30)
    assert remind_renewals(later) == 3
    assert remind_renewals(later) == 0
    assert Notification.objects.filter(idempotency_key__startswith=f"insights-renewal:{owned.pk}:").count() == 2


def test_direct_contract_without_owner_reminds_every_channel_manager(channel_manager):
    second = ChannelManagerFactory()
    now = timezone.now()
    _contract(renewal_on=timezone.localdate(now) + timedelta(days=30))
    assert remind_renewals(now) == 2
    assert set(Notification.objects.values_list("recipient", flat=True)) == {channel_manager.pk, second.pk}


# --- CSV import -----------------------------------------------------------------------------------------------


def test_contract_import_preview_lists_row_errors_and_writes_nothing(channel_manager, partner_a):
    text = (
        "customer,start,amount,currency,term_months,partner,involvement\n"
        "Acme Corp,2025-04-01,24000,USD,12,,\n"
        ",2025-04-01,100,USD,,,\n"
        "Globex,01/04/2025,100,USD,,,\n"
        "Initech,2025-04-01,12.345,usd,,Nobody Ltd,\n"
        "Umbrella,2025-04-01,500,EUR,,,sourced\n"
    )
    result = services.contracts_import(actor=channel_manager, text=text, commit=True)
    assert not result.committed
    errors = {row.number: row.errors for row in result.error_rows}
    assert set(errors) == {3, 4, 5, 6}
    assert any("customer's name" in e for e in errors[3])
    assert any("2026-03-31" in e for e in errors[4])
    assert len(errors[4]) == 1
    assert any("No partner is called" in e for e in errors[5])
    assert any("cents" in e for e in errors[5])
    assert any("direct customer" in e for e in errors[6])
    assert not CustomerContract.objects.exists()


def test_contract_import_creates_all_and_refuses_the_same_file_twice(channel_manager, partner_a):
    won = RegistrationFactory(partner=partner_a, status=Registration.Status.WON, involvement="cosell")
    text = (
        "Customer;Start;Amount;Currency;Term;Partner;Registration;Owner\n"
        f"Acme Corp;2025-04-01;24000;USD;24;;;{channel_manager.email}\n"
        f"Globex;2025-06-15;18000;EUR;;{partner_a.name.upper()};;\n"
        f"Initech;2025-09-01;9600;USD;;;{won.pk};\n"
    )
    preview = services.contracts_import(actor=channel_manager, text=text, commit=False)
    assert not preview.has_errors
    assert not CustomerContract.objects.exists()
    result = services.contracts_import(actor=channel_manager, text=text, commit=True)
    assert result.committed
    acme, globex, initech = CustomerContract.objects.order_by("customer_name")
    assert acme.renewal_on == date(2027, 4, 1)
    assert acme.owner == channel_manager
    assert acme.is_direct
    assert globex.partner == partner_a
    assert globex.term_months == 12
    assert initech.registration == won
    assert initech.partner == partner_a
    assert initech.involvement == "cosell"
    assert {c.source for c in (acme, globex, initech)} == {"import"}
    assert AuditEvent.objects.filter(verb="contract.created").count() == 3
    again = services.contracts_import(actor=channel_manager, text=text, commit=True)
    assert not again.committed
    assert len(again.error_rows) == 3
    assert CustomerContract.objects.count() == 3


def test_import_file_problems(channel_manager):
    assert "empty" in services.contracts_import(actor=channel_manager, text="", commit=False).problem
    assert (
        "no start"
        in services.contracts_import(
            actor=channel_manager, text="customer,amount,currency\nA,1,USD\n", commit=False
        ).problem
    )
    assert (
        "no rows"
        in services.contracts_import(
            actor=channel_manager, text="customer,start,amount,currency\n", commit=False
        ).problem
    )


def test_outcome_import(channel_manager):
    acme = _contract()
    globex = _contract(customer_name="Globex", amount=Decimal("1000"), currency="EUR", renewal_on=date(2026, 3, 1))
    gone = _contract(customer_name="Gone", renewal_on=date(2026, 5, 1))
    text = (
        "contract,renewal_on,outcome,new_amount,note\n"
        f"{acme.pk},2026-01-15,renewed,,\n"
        f'{globex.pk},2026-03-01,expanded,"1,500.00",Two more teams\n'
        f"{gone.pk},2026-05-01,churned,,Competitor\n"
    )
    assert not services.outcomes_import(actor=channel_manager, text=text, commit=False).has_errors
    assert services.outcomes_import(actor=channel_manager, text=text, commit=True).committed
    globex.refresh_from_db()
    gone.refresh_from_db()
    assert (globex.amount, globex.renewal_on) == (Decimal("1500.00"), date(2027, 3, 1))
    assert gone.status == "churned"
    assert RenewalOutcome.objects.count() == 3
    again = services.outcomes_import(actor=channel_manager, text=text, commit=True)
    assert not again.committed
    assert all("recorded already" in row.errors[0] for row in again.error_rows)
    assert RenewalOutcome.objects.count() == 3


def test_outcome_import_row_errors(channel_manager):
    acme = _contract()
    text = (
        "contract,renewal_on,outcome,new_amount\n"
        f"{acme.pk},2026-02-01,renewed,\n"
        "99999,2026-01-15,renewed,\n"
        f"{acme.pk},2026-01-15,maybe,\n"
    )
    result = services.outcomes_import(actor=channel_manager, text=text, commit=True)
    errors = {row.number: " ".join(row.errors) for row in result.error_rows}
    assert "comes up for renewal on 2026-01-15" in errors[2]
    assert "No contract has the id 99999" in errors[3]
    assert "renewed, expanded or churned" in errors[4]
    assert not RenewalOutcome.objects.exists()


# --- Pages --------------------------------------------------------------------------------------------------------


def test_list_puts_renewals_due_first_and_filters(manager_client, partner_a, django_assert_max_num_queries):
    today = timezone.localdate()
    later = _contract(customer_name="Later Inc", renewal_on=today + timedelta(days=200))
    soon = _contract(customer_name="Soon Inc", renewal_on=today + timedelta(days=40), partner=partner_a)
    passed = _contract(customer_name="Passed Inc", renewal_on=today - timedelta(days=3), currency="EUR")
    for n in range(10):
        _contract(customer_name=f"Bulk {n}", renewal_on=today + timedelta(days=120 + n), partner=partner_a)
    url = reverse("manage:customers")
    with django_assert_max_num_queries(12):
        response = manager_client.get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [c.pk for c in rows[:2]] == [passed.pk, soon.pk]
    assert rows[-1].pk == later.pk
    content = response.content.decode()
    assert "€24,000.00" in content
    assert "$24,000.00" in content
    direct = manager_client.get(url, {"partner": "direct"}).context["rows"]
    assert {c.pk for c in direct} == {later.pk, passed.pk}
    window = manager_client.get(url, {"window": "90"}).context["rows"]
    assert [c.pk for c in window] == [soon.pk]
    assert manager_client.get(url, {"partner": "bogus", "window": "x", "status": "y"}).status_code == 200


def test_pages_are_for_channel_managers_only(admin_client_a):
    contract = _contract()
    for url in (
        reverse("manage:customers"),
        reverse("manage:customer_detail", args=[contract.pk]),
        reverse("manage:customers_import", args=["contracts"]),
        reverse("manage:customers_export"),
    ):
        assert admin_client_a.get(url).status_code == 404


def test_add_edit_and_record_through_the_pages(manager_client):
    response = manager_client.post(
        reverse("manage:customer_new"),
        {"customer_name": "", "starts_on": "2025-01-01", "term_months": "12", "amount": "x", "currency": "USD"},
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = manager_client.post(
        reverse("manage:customer_new"),
        {"customer_name": "Hooli", "starts_on": "2025-01-01", "term_months": "12", "amount": "x", "currency": "USD"},
    )
    assert response.status_code == 400
    assert "Give the amount as a number" in response.content.decode()
    assert 'value="Hooli"' in response.content.decode()  # nothing typed is lost
    response = manager_client.post(
        reverse("manage:customer_new"),
        {"customer_name": "Hooli", "starts_on": "2025-01-01", "term_months": "12", "amount": "5000", "currency": "usd"},
    )
    contract = CustomerContract.objects.get(customer_name="Hooli")
    assert response.status_code == 302
    assert contract.renewal_on == date(2026, 1, 1)
    page = manager_client.get(reverse("manage:customer_detail", args=[contract.pk]))
    assert page.status_code == 200
    assert "$5,000.00" in page.content.decode()
    response = manager_client.post(
        reverse("manage:customer_edit", args=[contract.pk]), {"term_months": "6", "renewal_on": ""}
    )
    contract.refresh_from_db()
    assert response.status_code == 302
    assert contract.renewal_on == date(2025, 7, 1)
    response = manager_client.post(
        reverse("manage:customer_renewal", args=[contract.pk]), {"outcome": "expanded", "new_amount": "100"}
    )
    assert response.status_code == 400
    assert "more than the current" in response.content.decode()
    response = manager_client.post(
        reverse("manage:customer_renewal", args=[contract.pk]), {"outcome": "expanded", "new_amount": "7500"}
    )
    contract.refresh_from_db()
    assert response.status_code == 302
    assert (contract.amount, contract.renewal_on) == (Decimal("7500.00"), date(2026, 1, 1))


def test_import_pages_preview_then_import(manager_client):
    url = reverse("manage:customers_import", args=["contracts"])
    assert manager_client.get(url).status_code == 200
    assert manager_client.post(url, {}).status_code == 400
    bad = manager_client.post(url, {"text": "customer,start,amount,currency\nAcme,yesterday,1,USD\n"})
    assert bad.status_code == 400
    assert "is not a date" in bad.content.decode()
    text = "customer,start,amount,currency\nAcme,2025-01-01,1000,USD\n"
    upload = io.BytesIO(("\ufeff" + text).encode("utf-8"))
    upload.name = "contracts.csv"
    preview = manager_client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert "Create all 1 contract" in preview.content.decode()
    assert not CustomerContract.objects.exists()
    done = manager_client.post(url, {"text": text, "confirm": "1"})
    assert done.status_code == 302
    assert CustomerContract.objects.get().customer_name == "Acme"
    assert manager_client.get(reverse("manage:customers_import", args=["outcomes"])).status_code == 200
    assert manager_client.get(reverse("manage:customers_import", args=["nope"])).status_code == 302


def test_export(manager_client, partner_a):
    _contract(partner=partner_a, involvement="sourced", customer_name="=HYPERLINK(evil)")
    response = manager_client.get(reverse("manage:customers_export"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == services.EXPORT_HEADER
    assert rows[1][1] == "'=HYPERLINK(evil)"
    assert rows[1][2] == partner_a.name
    assert rows[1][6] == "24000.00"
