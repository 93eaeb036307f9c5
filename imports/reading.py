"""Reading an uploaded CSV file without holding it in memory: the encoding is decided once (UTF-8, with or without
a byte-order mark; otherwise Windows-1252) by decoding the file in chunks, then rows are streamed from it by
Python's csv module. Parsing is the standard library's: it is the well-kept, dependency-free reader, and the only
thing it lacks (encoding detection) is the few lines below."""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError

CHUNK = 64 * 1024
# A field longer than this is not a spreadsheet cell: the file is something else.
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    rows: int  # data rows (blank lines not counted)


def sniff_encoding(binary: IO[bytes]) -> str:
    """utf-8-sig when the whole file decodes as UTF-8, else cp1252 (what Excel on Windows writes)."""
    binary.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := binary.read(CHUNK):
            if b"\x00" in chunk:
                raise ValidationError(
                    "This is not a CSV file (it holds binary data). Save the sheet as CSV (comma-separated) and "
                    "upload that file."
                )
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        binary.seek(0)


def text_stream(binary: IO[bytes], encoding: str) -> io.TextIOWrapper:
    binary.seek(0)
    # cp1252 leaves five bytes undefined: read them as Latin-1 would rather than fail half-way through a run.
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


def _delimiter(first_line: str) -> str:
    return max((",", ";", "\t"), key=first_line.count)


def iter_rows(binary: IO[bytes], *, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number as a spreadsheet shows it, cells) for each non-blank data row; the header (row 1) is skipped."""
    text = text_stream(binary, encoding)
    try:
        reader = csv.reader(text, delimiter=delimiter)
        next(reader, None)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    finally:
        text.detach()  # leave the underlying file open for its owner


def inspect_file(binary: IO[bytes]) -> FileShape:
    """Check that the file is a CSV file with a header and rows; count the rows (streaming). ValidationError with a
    message the uploader can act on otherwise."""
    encoding = sniff_encoding(binary)
    text = text_stream(binary, encoding)
    try:
        first_line = text.readline()
        if not first_line.strip():
            raise ValidationError("The file is empty. Its first line holds the column names, the rows follow.")
        delimiter = _delimiter(first_line)
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        headers = [h.strip() for h in next(reader)]
        if len(headers) < 2 and not any(headers):
            raise ValidationError("The file has no column names on its first line.")
        rows = 0
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows += 1
    except csv.Error as exc:
        raise ValidationError(
            f"The file could not be read as CSV (line {reader.line_num}: {exc}). Save it as CSV and try again."
        ) from None
    finally:
        text.detach()
        binary.seek(0)
    if not rows:
        raise ValidationError("The file has a header line but no rows under it.")
    return FileShape(encoding=encoding, delimiter=delimiter, headers=headers, rows=rows)
