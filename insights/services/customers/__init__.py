"""Customers and renewals: every write on customer contracts and their renewal outcomes, and the reads the pages
need.

- A won registration becomes a contract (`contract_from_registration`, called through dealreg's won hook): start =
  the close date, a 12-month term, the won amount, the partner and involvement it came through, the partner's owner.
  Calling it again for the same registration returns the same contract.
- A channel manager adds direct contracts, edits a contract's term, renewal date or owner, and records what happened
  at a renewal date (renewed, expanded with the new amount, churned); a renewal moves the renewal date on by the term.
- Contracts and outcomes can be imported from CSV: every row is checked first (a preview lists each row's problems);
  rows are written only when none has a problem, all in one transaction.

This is the startup's commercial data: the partner is told of nothing here. Every change is audited.
"""

from .contracts import (
    DEFAULT_TERM_MONTHS,
    DUE_SOON_DAYS,
    EXPORT_HEADER,
    INVOLVEMENTS,
    WINDOWS,
    ContractFilters,
    add_months,
    contract_create,
    contract_export_rows,
    contract_from_registration,
    contract_list,
    contract_on_won,
    contract_outcomes,
    contract_totals,
    contract_update,
    renewal_record,
    renewals_due,
)
from .importing import (
    CONTRACT_COLUMNS,
    IMPORT_MAX_ROWS,
    OUTCOME_COLUMNS,
    ImportResult,
    ImportRow,
    contracts_import,
    outcomes_import,
)

__all__ = [
    "CONTRACT_COLUMNS",
    "DEFAULT_TERM_MONTHS",
    "DUE_SOON_DAYS",
    "EXPORT_HEADER",
    "IMPORT_MAX_ROWS",
    "INVOLVEMENTS",
    "OUTCOME_COLUMNS",
    "WINDOWS",
    "ContractFilters",
    "ImportResult",
    "ImportRow",
    "add_months",
    "contract_create",
    "contract_export_rows",
    "contract_from_registration",
    "contract_list",
    "contract_on_won",
    "contract_outcomes",
    "contract_totals",
    "contract_update",
    "contracts_import",
    "outcomes_import",
    "renewal_record",
    "renewals_due",
]
