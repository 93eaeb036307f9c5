"""Accounts and the direct pipeline: the end customers the startup knows, entered by channel managers or imported
from CSV. Import from `dealreg.services` (re-exported there)."""

from dealreg.services.accounts.importing import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_ROWS,
    IMPORT_TTL_SECONDS,
    ImportPreview,
    ImportResult,
    ImportRow,
    account_import_commit,
    account_import_forget,
    account_import_load,
    account_import_parse,
    account_import_store,
)
from dealreg.services.accounts.records import (
    account_create,
    account_update,
    account_upsert,
    opportunity_create,
    opportunity_update,
    opportunity_upsert,
)

__all__ = [
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "IMPORT_TTL_SECONDS",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "account_create",
    "account_import_commit",
    "account_import_forget",
    "account_import_load",
    "account_import_parse",
    "account_import_store",
    "account_update",
    "account_upsert",
    "opportunity_create",
    "opportunity_update",
    "opportunity_upsert",
]
