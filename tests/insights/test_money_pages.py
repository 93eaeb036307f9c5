"""The money pages: the reporting currency, the exchange-rate table (add, edit, delete, CSV import with a check
first, CSV export), the rates the data still needs, direct revenue and program costs; the program settings page
where the reporting currency and internal sellers are set. Every write is audited; partners never get in."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.models import DirectRevenue, ProgramCost
from insights.services import money as services
from partners.models import Program
from prm.models import AuditEvent, ExchangeRate
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.factories import PartnerFactory

D = Decimal


def body(response) -> str:
    return response.content.decode()


def aware(year: int, month: int, day: int = 15) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 12))


@pytest.fixture
def eur_rate(db, channel_manager):
    return ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 1, 1), rate=D("1.08"))


# --- Access ---------------------------------------------------------------------------------------------------------


MANAGE_PAGES = [
    "manage:money",
    "manage:money_rate_add",
    "manage:money_rate_import",
    "manage:money_rate_export",
    "manage:money_direct",
    "manage:money_direct_import",
    "manage:money_costs",
    "manage:program_settings",
]


@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_partners_and_anonymous_never_reach_the_money_pages(name, client, admin_client_a, outsider_client):
    url = reverse(name)
    assert admin_client_a.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_partner_cannot_write_a_rate(admin_client_a, eur_rate):
    assert (
        admin_client_a.post(
            reverse("manage:money_rate_add"), {"currency": "GBP", "month": "2026-01", "rate": "1.2"}
        ).status_code
        == 404
    )
    assert admin_client_a.post(reverse("manage:money_rate_delete", args=[eur_rate.pk])).status_code == 404
    assert ExchangeRate.objects.count() == 1


# --- The overview ---------------------------------------------------------------------------------------------------


def test_overview_says_the_reporting_currency_and_where_to_change_it(manager_client):
    text = body(manager_client.get(reverse("manage:money")))
    assert "Totals are reported in <strong>USD</strong>" in text
    assert reverse("manage:program_settings") in text
    assert "Nothing to enter" in text


def test_missing_rates_list_what_the_data_needs(manager_client, partner_a, eur_rate):
    # A EUR deal won in March and submitted in February, a GBP one submitted in January; the January EUR rate exists.
    RegistrationFactory(
        partner=partner_a,
        status=Registration.Status.WON,
        currency="EUR",
        won_amount=D("5000"),
        submitted_at=aware(2026, 2),
        closed_at=aware(2026, 3),
    )
    RegistrationFactory(
        partner=partner_a, status=Registration.Status.SUBMITTED, currency="GBP", submitted_at=aware(2026, 1)
    )
    RegistrationFactory(
        partner=partner_a, status=Registration.Status.SUBMITTED, currency="EUR", submitted_at=aware(2026, 1)
    )
    RegistrationFactory(
        partner=partner_a, status=Registration.Status.SUBMITTED, currency="USD", submitted_at=aware(2026, 1)
    )
    DirectRevenue.objects.create(month=date(2026, 3, 1), amount=D("100"), currency="EUR")
    missing = {(m.currency, m.month): m.needed_by for m in services.missing_rates()}
    assert missing == {
        ("EUR", date(2026, 3, 1)): {"won deals": 1, "direct revenue": 1},
        ("EUR", date(2026, 2, 1)): {"submitted deals": 1},
        ("GBP", date(2026, 1, 1)): {"submitted deals": 1},
    }
    response = manager_client.get(reverse("manage:money"))
    text = body(response)
    assert "March 2026" in text
    assert "1 won deal, 1 direct revenue" in text
    assert reverse("manage:money_rate_add") + "?currency=GBP&amp;month=2026-01" in text


def test_overview_query_count_does_not_grow_with_rates(manager_client, django_assert_max_num_queries):
    for month in range(1, 13):
        for currency in ("EUR", "GBP", "CHF"):
            ExchangeRate.objects.create(currency=currency, to_currency="USD", month=date(2025, month, 1), rate=D("1.1"))
    with django_assert_max_num_queries(22):
        response = manager_client.get(reverse("manage:money"))
    assert response.status_code == 200
    assert body(response).count("/edit/") == 36


# --- Rates: add, edit, delete ---------------------------------------------------------------------------------------


def test_add_a_rate_then_replace_it_then_edit_and_delete(manager_client, channel_manager):
    url = reverse("manage:money_rate_add")
    response = manager_client.post(url, {"currency": " eur", "month": "2026-03", "rate": "1.0825"})
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.to_currency, rate.month, rate.rate, rate.updated_by) == (
        "EUR",
        "USD",
        date(2026, 3, 1),
        D("1.0825"),
        channel_manager,
    )
    manager_client.post(url, {"currency": "EUR", "month": "2026-03", "rate": "1.09"})
    rate.refresh_from_db()
    assert ExchangeRate.objects.count() == 1
    assert rate.rate == D("1.09")

    edit = reverse("manage:money_rate_edit", args=[rate.pk])
    assert 'value="1.09"' in body(manager_client.get(edit))
    assert manager_client.post(edit, {"currency": "EUR", "month": "2026-04", "rate": "1.1"}).status_code == 302
    rate.refresh_from_db()
    assert (rate.month, rate.rate) == (date(2026, 4, 1), D("1.1"))

    assert manager_client.post(reverse("manage:money_rate_delete", args=[rate.pk])).status_code == 302
    assert not ExchangeRate.objects.exists()
    # A second click on delete changes nothing and fails nothing.
    assert manager_client.post(reverse("manage:money_rate_delete", args=[rate.pk])).status_code == 302
    verbs = list(AuditEvent.objects.filter(target_type="prm.exchangerate").values_list("verb", "actor").order_by("id"))
    assert verbs == [
        ("money.rate_added", channel_manager.pk),
        ("money.rate_changed", channel_manager.pk),
        ("money.rate_changed", channel_manager.pk),
        ("money.rate_deleted", channel_manager.pk),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"currency": "EURO", "month": "2026-03", "rate": "1"}, "currency", "That is too long"),
        ({"currency": "E1R", "month": "2026-03", "rate": "1"}, "currency", "three-letter code"),
        ({"currency": "USD", "month": "2026-03", "rate": "1"}, "currency", "USD is the reporting currency"),
        ({"currency": "EUR", "month": "03/2026", "rate": "1"}, "month", "YYYY-MM"),
        ({"currency": "EUR", "month": "2026-13", "rate": "1"}, "month", "YYYY-MM"),
        ({"currency": "EUR", "month": "2026-03", "rate": "0"}, "rate", "more than 0"),
        ({"currency": "EUR", "month": "2026-03", "rate": "-1.2"}, "rate", "more than 0"),
        ({"currency": "EUR", "month": "2026-03", "rate": "1,08"}, "rate", "decimal point"),
        ({"currency": "EUR", "month": "2026-03", "rate": "1.123456789"}, "rate", "8 decimals"),
        ({"currency": "EUR", "month": "2026-03", "rate": "NaN"}, "rate", "more than 0"),
        ({"currency": "", "month": "", "rate": ""}, "currency", "Give the currency"),
    ],
)
def test_a_bad_rate_is_refused_with_a_clear_message_and_what_was_typed_kept(manager_client, data, field, message):
    response = manager_client.post(reverse("manage:money_rate_add"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    if data["month"]:
        assert f'value="{data["month"]}"' in body(response)
    assert not ExchangeRate.objects.exists()


def test_editing_onto_a_month_that_has_a_rate_is_refused(manager_client, eur_rate):
    other = ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 2, 1), rate=D("1.07"))
    response = manager_client.post(
        reverse("manage:money_rate_edit", args=[other.pk]), {"currency": "EUR", "month": "2026-01", "rate": "1"}
    )
    assert response.status_code == 400
    assert "edit that one" in body(response)
    assert manager_client.get(reverse("manage:money_rate_edit", args=[999999])).status_code == 404


# --- CSV import and export ------------------------------------------------------------------------------------------


def test_rate_import_checks_every_row_then_imports_all(manager_client, channel_manager, eur_rate):
    url = reverse("manage:money_rate_import")
    good = "currency,month,rate\nEUR,2026-01,1.09\nGBP,2026-01,1.27\nchf,2026-02,1.12\n"
    response = manager_client.post(url, {"text": good})
    assert response.status_code == 200
    text = body(response)
    assert "Import all 3 rows" in text
    assert "replaces the rate (was 1.08)" in text
    assert ExchangeRate.objects.count() == 1  # nothing written yet
    response = manager_client.post(url, {"text": good, "confirm": "1"})
    assert response.status_code == 302
    assert dict(ExchangeRate.objects.values_list("currency", "rate").filter(month=date(2026, 1, 1))) == {
        "EUR": D("1.09000000"),
        "GBP": D("1.27000000"),
    }
    assert ExchangeRate.objects.get(currency="CHF").month == date(2026, 2, 1)
    assert AuditEvent.objects.filter(verb__startswith="money.rate_", actor=channel_manager).count() == 3


def test_rate_import_with_a_bad_row_writes_nothing_and_says_which(manager_client):
    url = reverse("manage:money_rate_import")
    bad = "currency,month,rate\nEUR,2026-01,1.09\nGBP,January,1.27\nEUR,2026-01,1.1\nJPY,2026-01,-3\n"
    response = manager_client.post(url, {"text": bad, "confirm": "1"})
    assert response.status_code == 400
    text = body(response)
    assert "Nothing was written" in text
    assert "Line 3: month: Give the month as YYYY-MM" in text
    assert "Line 4: the same EUR and month as line 2" in text
    assert "Line 5: rate: The rate must be more than 0." in text
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency,rate\nEUR,1\n", "missing: month"),
        ("currency,month,rate,colour\nEUR,2026-01,1,red\n", "Unknown column"),
        ("currency,month,rate\n", "no rows"),
        ("currency,month,rate,to_currency\nEUR,2026-01,1,GBP\n", "reporting currency, USD"),
    ],
)
def test_rate_import_file_problems(manager_client, text, message):
    response = manager_client.post(reverse("manage:money_rate_import"), {"text": text})
    assert response.status_code == 400
    assert message in body(response)


def test_import_without_a_file_or_rows_asks_for_one(manager_client):
    response = manager_client.post(reverse("manage:money_rate_import"), {"text": "  "})
    assert response.status_code == 400
    assert "Choose a CSV file, or paste its rows." in body(response)


def test_rate_export_is_formula_safe_and_round_trips(manager_client, eur_rate):
    response = manager_client.get(reverse("manage:money_rate_export"))
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    assert content.splitlines() == ["currency,to_currency,month,rate", "EUR,USD,2026-01,1.08"]
    ExchangeRate.objects.all().delete()
    manager_client.post(reverse("manage:money_rate_import"), {"text": content, "confirm": "1"})
    assert ExchangeRate.objects.get().rate == D("1.08")


# --- Direct revenue -------------------------------------------------------------------------------------------------


def test_direct_revenue_add_edit_delete(manager_client, channel_manager):
    url = reverse("manage:money_direct")
    response = manager_client.post(url, {"month": "2026-03", "currency": "eur", "amount": "€40,000.50", "note": "x"})
    assert response.status_code == 302
    row = DirectRevenue.objects.get()
    assert (row.month, row.currency, row.amount, row.updated_by) == (
        date(2026, 3, 1),
        "EUR",
        D("40000.50"),
        channel_manager,
    )
    assert "€40,000.50" in body(manager_client.get(url))
    response = manager_client.post(url, {"month": "2026-03", "currency": "EUR", "amount": "1"})
    assert response.status_code == 400
    assert "has a EUR figure already" in body(response)
    edit = reverse("manage:money_direct_edit", args=[row.pk])
    assert manager_client.post(edit, {"month": "2026-03", "currency": "EUR", "amount": "41000"}).status_code == 302
    row.refresh_from_db()
    assert row.amount == D("41000.00")
    manager_client.post(reverse("manage:money_direct_delete", args=[row.pk]))
    assert not DirectRevenue.objects.exists()
    assert list(
        AuditEvent.objects.filter(target_type="insights.directrevenue").order_by("id").values_list("verb", flat=True)
    ) == [
        "money.direct_revenue_added",
        "money.direct_revenue_changed",
        "money.direct_revenue_deleted",
    ]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("lots", "as a number"),
        ("-5", "cannot be negative"),
        ("1.234", "at most two decimals"),
        ("1e20", "more than we can store"),
    ],
)
def test_direct_revenue_bad_amount(manager_client, amount, message):
    response = manager_client.post(
        reverse("manage:money_direct"), {"month": "2026-03", "currency": "USD", "amount": amount}
    )
    assert response.status_code == 400
    assert message in body(response)
    assert not DirectRevenue.objects.exists()


def test_direct_revenue_import_replaces_a_month(manager_client):
    DirectRevenue.objects.create(month=date(2026, 1, 1), currency="USD", amount=D("10"))
    url = reverse("manage:money_direct_import")
    text = 'month,currency,amount,note\n2026-01,USD,"125,000.00",renewals\n2026-02,EUR,40000,\n'
    preview = body(manager_client.post(url, {"text": text}))
    assert "replaces the figure (was 10.00)" in preview
    assert "$125,000.00" in preview
    assert "€40,000.00" in preview
    assert manager_client.post(url, {"text": text, "confirm": "1"}).status_code == 302
    assert dict(DirectRevenue.objects.values_list("currency", "amount")) == {
        "USD": D("125000.00"),
        "EUR": D("40000.00"),
    }
    assert DirectRevenue.objects.get(currency="USD").note == "renewals"


# --- Program costs --------------------------------------------------------------------------------------------------


def test_program_cost_add_and_delete(manager_client, channel_manager, partner_a):
    url = reverse("manage:money_costs")
    form = body(manager_client.get(url, {"partner": partner_a.pk}))
    assert f'<option value="{partner_a.pk}" selected>' in form
    data = {
        "partner": partner_a.pk,
        "kind": "enablement",
        "incurred_on": "2026-02-10",
        "amount": "1,500",
        "currency": "GBP",
    }
    assert manager_client.post(url, data).status_code == 302
    cost = ProgramCost.objects.get()
    assert (cost.partner, cost.amount, cost.currency, cost.incurred_on) == (
        partner_a,
        D("1500.00"),
        "GBP",
        date(2026, 2, 10),
    )
    assert "£1,500.00" in body(manager_client.get(url))
    event = AuditEvent.objects.get(verb="money.cost_added")
    assert (event.actor, event.partner) == (channel_manager, partner_a)
    manager_client.post(reverse("manage:money_cost_delete", args=[cost.pk]))
    assert not ProgramCost.objects.exists()
    assert AuditEvent.objects.filter(verb="money.cost_deleted").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"incurred_on": "10/02/2026"}, "YYYY-MM-DD"),
        ({"amount": "0"}, "more than 0"),
        ({"currency": "€"}, "three-letter code"),
        ({"partner": "999999"}, "Choose a partner from the list"),
        ({"kind": "bribes"}, "Select a valid choice"),
    ],
)
def test_program_cost_bad_input(manager_client, partner_a, change, message):
    data = {"partner": partner_a.pk, "kind": "other", "incurred_on": "2026-02-10", "amount": "10", "currency": "USD"}
    response = manager_client.post(reverse("manage:money_costs"), {**data, **change})
    assert response.status_code == 400
    assert message in body(response)
    assert not ProgramCost.objects.exists()


def test_cost_and_direct_pages_queries_do_not_grow_with_rows(manager_client, django_assert_max_num_queries):
    def add(n: int) -> None:
        for _ in range(n):
            year = 2000 + DirectRevenue.objects.count()
            ProgramCost.objects.create(
                partner=PartnerFactory(), incurred_on=date(2026, 1, 1), amount=D("1"), currency="USD"
            )
            DirectRevenue.objects.create(month=date(year, 1, 1), amount=D("1"), currency="USD")

    add(1)
    counts = {}
    for name in ("manage:money_costs", "manage:money_direct"):
        with django_assert_max_num_queries(30) as captured:
            manager_client.get(reverse(name))
        counts[name] = len(captured.captured_queries)
    add(10)
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            assert manager_client.get(reverse(name)).status_code == 200


# --- Program settings -----------------------------------------------------------------------------------------------


def test_program_settings_set_the_reporting_currency_and_internal_sellers(program_admin_client, program_admin):
    manager_client = program_admin_client
    url = reverse("manage:program_settings")
    program = Program.objects.get(pk=1)
    page = manager_client.get(url)
    assert page.status_code == 200
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data.update({"reporting_currency": "eur", "internal_sellers": "7", "require_agreement_first": "on"})
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    program.refresh_from_db()
    assert (program.reporting_currency, program.internal_sellers) == ("EUR", 7)
    event = AuditEvent.objects.get(verb="program.settings_changed")
    assert event.actor == program_admin
    assert event.after == {"reporting_currency": "EUR", "internal_sellers": "7"}
    assert "Totals are reported in <strong>EUR</strong>" in body(manager_client.get(reverse("manage:money")))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reporting_currency": "EU"}, "three-letter code"),
        ({"reporting_currency": "EURO"}, "three-letter code"),
        ({"internal_sellers": "-3"}, "greater than or equal to 0"),
    ],
)
def test_program_settings_bad_input_keeps_what_was_typed(program_admin_client, change, message):
    manager_client = program_admin_client
    url = reverse("manage:program_settings")
    data = {name: value for name, value in manager_client.get(url).context["form"].initial.items() if value is not None}
    response = manager_client.post(url, {**data, **change})
    assert response.status_code == 400
    assert message in body(response)
    assert Program.objects.get(pk=1).reporting_currency == "USD"


def test_a_plain_manager_reads_the_program_settings_and_cannot_change_them(manager_client):
    url = reverse("manage:program_settings")
    page = manager_client.get(url)
    assert page.status_code == 200
    assert "Read-only." in body(page)
    assert "Save the settings" not in body(page)
    response = manager_client.post(url, {"reporting_currency": "EUR"})
    assert response.status_code == 403
    assert Program.objects.get(pk=1).reporting_currency == "USD"
