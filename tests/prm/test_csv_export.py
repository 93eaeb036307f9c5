"""CSV cells (issue 19, item 6): numbers stay numbers, negative amounts included; only text that a spreadsheet
would run as a formula is neutralised."""

from datetime import date
from decimal import Decimal

import pytest

from prm.csv_export import csv_response, csv_safe


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("-2500.00"), "-2500.00"),
        (Decimal("1200.50"), "1200.50"),
        (-3, "-3"),
        (0, "0"),
        (-1.5, "-1.5"),
        ("-2500.00", "-2500.00"),  # an amount passed as text is still a plain number
        ("-42", "-42"),
        (None, ""),
        (True, "True"),
        (date(2026, 12, 4), "2026-12-04"),
    ],
)
def test_numbers_stay_numbers(value, cell):
    assert csv_safe(value) == cell


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "-1e3", "-2500.00+cmd", "@SUM(A1)", "\tx", "\rx", "- 5"],
)
def test_formulas_are_neutralised(dangerous):
    assert csv_safe(dangerous) == f"'{dangerous}"


def test_a_response_writes_negative_amounts_unquoted():
    response = csv_response(name="lines", header=["amount", "note"], rows=[[Decimal("-2500.00"), "=1+1"]])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == ["amount,note", "-2500.00,'=1+1"]


def test_header_cells_are_neutralised_too():
    """A header can come from data (the competency grid's columns are certification names)."""
    response = csv_response(name="grid", header=["partner", "=cmd|' /C calc'!A0"], rows=[["Acme", 1]])
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines() == ["partner,'=cmd|' /C calc'!A0", "Acme,1"]
