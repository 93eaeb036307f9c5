"""CSV exports: streamed, readable by spreadsheet apps, and safe against CSV (formula) injection."""

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

# The attribute `exports_csv` puts on a list view: the URL name of its export and the kwargs to reverse it with.
EXPORT_ATTR = "prm_csv_export"

# Spreadsheets run a cell starting with one of these as a formula (CSV injection): such cells get a leading quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-2500.00", "-3", "-1.5E3" is not one) never runs as a formula: it is written as it is, so a
# spreadsheet reads a negative amount as a number, not as text.
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: object) -> str:
    """The cell's text; one that a spreadsheet would run as a formula gets a leading quote. Numbers (and text that
    is a plain number) stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def csv_time(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_response(*, name: str, header: Sequence[str], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Stream `header` and `rows` (every cell made safe) as `<name>-<date>.csv`, with a byte-order mark for
    spreadsheets."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheet apps read the file as UTF-8
        yield writer.writerow([csv_safe(cell) for cell in header])  # headers can be data too (a grid's columns)
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def exports_csv(url_name: str, **kwargs: object) -> Callable[[Callable], Callable]:
    """Mark a manager list view as exporting the rows its current filters show at `url_name` (the export view
    reads the same query string and calls the same selector), reversed with `kwargs`; a list inside a page with a
    path parameter (an endpoint's delivery log) passes none, and its export takes the page's own. The page links to
    it with `{% url url_name … %}{% querystring page=None %}`. `tests/prm/test_every_list_exports.py` requires every
    manager list to carry this mark (or a reason in its allow-list) and checks the export against the page."""

    def decorator(view: Callable) -> Callable:
        setattr(view, EXPORT_ATTR, (url_name, kwargs))
        return view

    return decorator
