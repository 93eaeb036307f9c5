"""Insights' CSV importer for the background imports (imports.registry): customer contracts, checked by the
contracts import's own row check and created by its own writer (one audit event per contract)."""

from collections.abc import Sequence

from imports.registry import Checked, Importer, ImportField, Row, register_importer
from insights.services.customers.importing import (
    CONTRACT_COLUMNS,
    CONTRACT_REQUIRED,
    ImportRow,
    contract_rows_check,
    contract_rows_create,
)
from prm.models import User

_HELP = {
    "customer_name": ("customer", "The customer's company name."),
    "starts_on": ("start", "A date like 2026-03-31."),
    "amount": ("amount", "The contract's value, like 48000 or 48,000.00."),
    "currency": ("currency", "A code like EUR."),
    "term_months": ("term (months)", "12 when empty."),
    "renewal_on": ("renewal date", "A date like 2027-03-31 (start + term when empty)."),
    "partner": ("partner", "The partner's exact name or its id; empty for a direct customer."),
    "involvement": ("involvement", "sourced, influenced, fulfilled or cosell."),
    "registration": ("registration", "The id of the won deal registration it came from."),
    "owner": ("owner", "The email of the channel manager who owns it."),
}


class ContractImporter(Importer):
    label = "Customers (contracts)"
    description = "Customer contracts, direct or through a partner. A contract we have already is refused by its row."
    fields = tuple(
        ImportField(
            name=name,
            label=_HELP[name][0],
            required=name in CONTRACT_REQUIRED,
            help=_HELP[name][1],
            synonyms=aliases,
        )
        for name, aliases in CONTRACT_COLUMNS.items()
    )

    def validate_row(self, row: Row) -> Checked:
        return self.validate_rows([row], [0])[0]

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        checked = [ImportRow(number=n, cells=dict(row)) for n, row in zip(numbers, rows, strict=True)]
        contract_rows_check(checked)
        return [(row, row.errors) for row in checked]

    def apply(self, rows: Sequence[ImportRow], actor: User) -> tuple[int, int, int]:
        return contract_rows_create(actor=actor, rows=list(rows)), 0, 0

    def describe(self, clean: ImportRow) -> str:
        return clean.summary


register_importer("contracts", ContractImporter)
