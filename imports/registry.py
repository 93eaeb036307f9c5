"""What can be imported from CSV. The `imports` app knows no feature app: each registers its importers when it
loads, in its `AppConfig.ready()` (one line importing its `<app>/importers.py`, which calls):

    from imports.registry import Importer, ImportField, register_importer

    register_importer("accounts", AccountImporter)

An importer declares its label and fields, checks rows and applies them:

- `validate_rows(rows, numbers)` checks a batch of rows (each a dict field name → stripped cell text, only the
  mapped fields) and returns one `(clean, errors)` per row; `clean` is whatever `apply` needs. The default calls
  `validate_row(row)` for each; importers that look rows up in the database override `validate_rows` to do it
  with a few queries per batch, never one per row.
- `apply(rows, actor)` writes a batch of clean rows (only rows without errors) and returns
  `(created, updated, skipped)`. It runs inside the run's transaction: raising rolls the whole run back.

Rows reach an importer in batches of `batch_size`, validated again just before they are applied (inside the
transaction, so a row matches what the earlier batches of the same run created).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prm.models import User

Row = dict[str, str]
Checked = tuple[Any, list[str]]


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    required: bool = False
    help: str = ""
    synonyms: tuple[str, ...] = ()  # other column names that mean this field (compared like `column_key`)


class Importer:
    kind: str = ""  # set by register_importer
    label: str = ""  # "Accounts"
    description: str = ""  # one sentence on the upload page
    fields: tuple[ImportField, ...] = ()
    batch_size: int = 500

    def validate_row(self, row: Row) -> Checked:
        raise NotImplementedError

    def validate_rows(self, rows: Sequence[Row], numbers: Sequence[int]) -> list[Checked]:
        return [self.validate_row(row) for row in rows]

    def apply(self, rows: Sequence[Any], actor: User) -> tuple[int, int, int]:
        raise NotImplementedError

    def describe(self, clean: Any) -> str:
        """What a valid row will do, in words, for the preview ("new account Acme", "updates Acme")."""
        return ""

    @property
    def required_fields(self) -> list[ImportField]:
        return [f for f in self.fields if f.required]

    def field(self, name: str) -> ImportField | None:
        return next((f for f in self.fields if f.name == name), None)


_IMPORTERS: dict[str, Importer] = {}


def register_importer(kind: str, importer: type[Importer] | Importer) -> Importer:
    """Make `importer` (a class or an instance) the importer of `kind`, replacing any earlier one."""
    instance = importer() if isinstance(importer, type) else importer
    instance.kind = kind
    _IMPORTERS[kind] = instance
    return instance


def unregister_importer(kind: str) -> None:
    _IMPORTERS.pop(kind, None)


def get_importer(kind: str) -> Importer | None:
    return _IMPORTERS.get(kind)


def importers() -> list[Importer]:
    return sorted(_IMPORTERS.values(), key=lambda i: i.label)


def column_key(header: str) -> str:
    """A column name compared loosely: "Company Name", "company-name" and "company_name" are the same."""
    return "_".join(str(header).strip().lower().replace("-", " ").split())
