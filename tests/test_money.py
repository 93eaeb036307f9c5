"""prm.money: parsing what people type, formatting with the currency, totals per currency, conversion to the
reporting currency at monthly rates (a missing rate is listed apart, never added at face value)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone

from prm.models import ExchangeRate
from prm.money import (
    MONEY_MAX,
    Converted,
    Rates,
    Totals,
    cents_down,
    convert,
    format_money,
    month_of,
    month_words,
    parse_currency,
    parse_money,
    share,
    to_cents,
)

D = Decimal


# --- Parsing --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("5000", D("5000.00")),
        ("5,000.00", D("5000.00")),
        ("$5,000", D("5000.00")),
        ("€ 1 250,50".replace(",", "."), D("1250.50")),
        ("1\u00a0250", D("1250.00")),
        ("  12.5 ", D("12.50")),
        (D("7"), D("7.00")),
        (42, D("42.00")),
    ],
)
def test_parse_money_reads_amounts_as_people_write_them(typed, amount):
    assert parse_money(typed) == amount


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("lots", "as a number"),
        ("", "as a number"),
        (None, "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("-5", "cannot be negative"),
        ("1.234", "at most two decimals"),
        ("1000000000000", "more than we can store"),
    ],
)
def test_parse_money_refuses_with_a_message_that_says_how(typed, message):
    with pytest.raises(ValidationError, match=message):
        parse_money(typed, label="amount")


def test_parse_money_negative_when_allowed_and_the_typographic_minus():
    assert parse_money("−250", allow_negative=True) == D("-250.00")
    assert parse_money(str(MONEY_MAX)) == MONEY_MAX


def test_parse_money_names_the_field():
    with pytest.raises(ValidationError, match="Give the amount won as a number"):
        parse_money("x", label="amount won")


@pytest.mark.parametrize(("typed", "code"), [("usd", "USD"), (" eur ", "EUR"), ("Gbp", "GBP")])
def test_parse_currency(typed, code):
    assert parse_currency(typed) == code


@pytest.mark.parametrize("typed", ["", None, "US", "EURO", "U1D", "€", "ÉUR"])
def test_parse_currency_refuses_anything_but_three_letters(typed):
    with pytest.raises(ValidationError, match="three-letter code"):
        parse_currency(typed)


# --- Rounding and floats --------------------------------------------------------------------------------------------


def test_to_cents_rounds_half_up():
    assert to_cents("2.005") == D("2.01")
    assert to_cents("2.004") == D("2.00")
    assert to_cents("-2.005") == D("-2.01")  # half away from zero
    assert to_cents(D("0.125")) == D("0.13")
    assert to_cents(5000) == D("5000.00")
    assert cents_down(D("666.6999")) == D("666.69")


def test_floats_are_refused_everywhere():
    with pytest.raises(TypeError):
        to_cents(1.5)
    with pytest.raises(TypeError):
        Totals().add(1.5, "USD")
    with pytest.raises(ValueError, match="not an amount"):
        to_cents("five")
    with pytest.raises(ValueError, match="not an amount"):
        to_cents("NaN")


# --- Formatting -----------------------------------------------------------------------------------------------------


def test_format_money_always_with_the_currency():
    assert format_money(D("5000"), "USD") == "$5,000.00"
    assert format_money(D("1250.5"), "EUR") == "€1,250.50"
    assert format_money(D("99.995"), "GBP") == "£100.00"
    assert format_money(D("-12"), "CHF") == "−12.00 CHF"
    assert format_money(D("1234567.49"), "USD", places=0) == "$1,234,567"
    assert format_money(D("0.5"), "SEK", places=0) == "1 SEK"  # half up
    assert format_money(None, "USD") == ""


def test_month_helpers():
    assert month_of(date(2026, 3, 17)) == date(2026, 3, 1)
    assert month_of(timezone.make_aware(datetime(2026, 3, 31, 23, 30))) == date(2026, 3, 1)
    assert month_words([date(2026, 3, 1)]) == "March 2026"
    assert month_words([date(2026, 3, 1), date(2026, 1, 1)]) == "January–March 2026"
    assert month_words([date(2025, 11, 1), date(2026, 2, 1)]) == "November 2025–February 2026"
    assert month_words([]) == ""


# --- Totals ---------------------------------------------------------------------------------------------------------


def test_totals_keep_one_sum_per_currency():
    totals = Totals([(D("1234.00"), "USD"), (D("10.00"), "EUR"), (D("6.00"), "USD"), (None, "GBP")])
    assert totals.amount("USD") == D("1240.00")
    assert totals.amount("EUR") == D("10.00")
    assert totals.amount("GBP") == D("0.00")
    assert totals.currencies == ["EUR", "USD"]
    assert totals.words() == "€10.00 + $1,240.00"
    assert "1,250" not in totals.words()  # never the face-value sum
    assert list(totals) == [(D("10.00"), "EUR"), (D("1240.00"), "USD")]


def test_totals_add_compare_and_empty():
    both = Totals([(D("1"), "USD")]) + Totals([(D("2"), "EUR"), (D("3"), "USD")])
    assert both == Totals([(D("4"), "USD"), (D("2"), "EUR")])
    assert not Totals()
    assert not Totals([(D("0"), "USD")])
    assert Totals().words() == "—"
    assert Totals([(D("0"), "USD")]) == Totals()


# --- Conversion -----------------------------------------------------------------------------------------------------


@pytest.fixture
def rates(db):
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 3, 1), rate=D("1.10"))
    ExchangeRate.objects.create(currency="GBP", to_currency="USD", month=date(2026, 3, 1), rate=D("1.25"))
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 4, 1), rate=D("1.20"))


def test_convert_each_amount_at_the_rate_of_its_month(rates, django_assert_num_queries):
    items = [
        (D("100.00"), "USD", date(2026, 3, 5)),
        (D("100.00"), "EUR", date(2026, 3, 20)),  # 110.00
        (D("100.00"), "EUR", timezone.make_aware(datetime(2026, 4, 2, 9))),  # 120.00
        (D("10.00"), "GBP", date(2026, 3, 1)),  # 12.50
        (None, "EUR", date(2026, 3, 1)),  # nothing recorded: skipped
    ]
    with django_assert_num_queries(1):
        result = convert(items, to="USD")
    assert result.total == D("342.50")
    assert result.count == 4
    assert result.is_complete
    assert result.note == "converted at March–April 2026 rates"


def test_convert_lists_an_amount_without_a_rate_apart(rates):
    result = convert(
        [(D("1234.00"), "USD", date(2026, 3, 1)), (D("10.00"), "EUR", date(2026, 5, 1))],
        to="USD",
    )
    assert result.total == D("1234.00")  # never 1,244 (face value) and the EUR never dropped
    assert result.unconverted == Totals([(D("10.00"), "EUR")])
    assert not result.is_complete
    assert result.note == ""  # nothing was converted at a rate
    assert result.words() == "$1,234 (+ €10 not converted)"
    assert result.count == 2


def test_convert_rounds_half_up_at_the_end(db):
    ExchangeRate.objects.create(currency="EUR", to_currency="USD", month=date(2026, 3, 1), rate=D("1.005"))
    result = convert([(D("1.00"), "EUR", date(2026, 3, 1)), (D("1.00"), "EUR", date(2026, 3, 2))], to="USD")
    assert result.total == D("2.01")  # 2.010 exactly
    result = convert([(D("0.50"), "EUR", date(2026, 3, 1))], to="USD")
    assert result.total == D("0.50")  # 0.5025 -> 0.50
    result = convert([(D("1.50"), "EUR", date(2026, 3, 1))], to="USD")
    assert result.total == D("1.51")  # 1.5075 -> 1.51


def test_convert_with_given_rates_makes_no_query(db, django_assert_num_queries):
    rates = Rates("EUR", {("USD", date(2026, 1, 1)): D("0.9")})
    with django_assert_num_queries(0):
        result = convert([(D("10"), "USD", date(2026, 1, 9)), (D("5"), "EUR", date(2026, 1, 9))], to="EUR", rates=rates)
    assert result.total == D("14.00")


def test_converted_totals_add_only_in_the_same_currency():
    a = Converted("USD", D("10.00"), {date(2026, 1, 1)}, Totals([(D("1"), "JPY")]), 2)
    b = Converted("USD", D("5.00"), {date(2026, 2, 1)}, Totals([(D("2"), "JPY")]), 1)
    total = a + b
    assert (total.total, total.count, total.unconverted.amount("JPY")) == (D("15.00"), 3, D("3"))
    with pytest.raises(ValueError, match="Cannot add"):
        a + Converted("EUR")


def test_share():
    assert share(D("1"), D("3")) == D("0.3333")
    assert share(D("1"), D("0")) is None
    assert share(None, D("2")) is None


# --- The template filter --------------------------------------------------------------------------------------------


def test_money_filters_and_converted_tag(rates):
    converted = convert([(D("100"), "EUR", date(2026, 3, 1)), (D("7"), "CHF", date(2026, 3, 1))], to="USD")
    html = Template(
        "{% load money %}{{ a|money:'EUR' }}|{{ a|money0:'EUR' }}|{{ none|money:'USD' }}|{{ totals|money }}|"
        "{% converted c %}"
    ).render(
        Context({"a": D("1234.5"), "none": None, "totals": Totals([(D("1"), "USD"), (D("2"), "EUR")]), "c": converted})
    )
    first, rounded, dash, totals, tag = html.split("|")
    assert (first, rounded, dash, totals) == ("€1,234.50", "€1,235", "—", "€2.00 + $1.00")
    assert "$110" in tag
    assert "converted at March 2026 rates" in tag
    assert "7 CHF" in tag
    assert "not converted" in tag
