"""CSV exports: streamed, readable by spreadsheet apps, and safe against CSV (formula) injection."""

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.http import StreamingHttpResponse
from django.utils import timezone

# Spreadsheets run a cell starting with one of these as a formula (CSV injection): such cells get a leading quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_response(*, name: str, header: Sequence[str], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Stream `rows` (every cell made safe) as `<name>-<date>.csv`, with a byte-order mark for spreadsheets."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheet apps read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response
