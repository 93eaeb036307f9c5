"""Background CSV imports: upload → column mapping → preview → a Celery run that checks every row, then applies
them all in one transaction (or nothing).

The run streams the file twice and never holds its rows: the check pass keeps counters and the first
`MAX_ERRORS_KEPT` errors (the report file gets all of them); the apply pass reads batches of `batch_size` rows,
checks them again inside the transaction and hands the valid ones to the importer. Progress goes to the cache
every `PROGRESS_EVERY` rows, because the job row itself is inside the run's transaction until it ends (other
connections would not see it, and a rollback would take it back).
"""

import csv
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from imports.models import ImportJob, ImportMapping
from imports.reading import inspect_file, iter_rows
from imports.registry import Importer, column_key, get_importer
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.uploads import max_upload_bytes

PREVIEW_ROWS = 20
MAX_ERRORS_KEPT = 200
PROGRESS_EVERY = 1000
EXTENSIONS = ("csv", "txt")
_PROGRESS_KEY = "imports:progress:{}"

logger = logging.getLogger(__name__)


def _require_manager(actor: User) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can import files.")


def importer_for(job: ImportJob) -> Importer:
    importer = get_importer(job.kind)
    if importer is None:
        raise ValidationError(f"Nothing imports “{job.kind}” any more.")
    return importer


# --- Upload ----------------------------------------------------------------------------------------------------


def import_upload(*, actor: User, kind: str, file: UploadedFile) -> ImportJob:
    """Store an uploaded CSV file privately and read its header; the job then waits for its column mapping
    (suggested from the names and from the last import with the same columns)."""
    _require_manager(actor)
    importer = get_importer(kind)
    if importer is None:
        raise ValidationError({"kind": "Choose what the file holds."})
    name = file.name or "import.csv"
    if PurePath(name).suffix.lower().lstrip(".") not in EXTENSIONS:
        raise ValidationError(
            {"file": f"“{name}” is not a CSV file. In your spreadsheet, use “Save as… CSV” and upload that file."}
        )
    if not file.size:
        raise ValidationError({"file": f"“{name}” is empty. Export the sheet again, with its header line."})
    if file.size > max_upload_bytes():
        raise ValidationError({"file": f"“{name}” is larger than {max_upload_bytes() // (1024 * 1024)} MB."})
    try:
        shape = inspect_file(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    job = ImportJob(
        kind=kind,
        filename=name[:200],
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=shape.headers,
        total_rows=shape.rows,
        created_by=actor,
    )
    job.mapping = suggest_mapping(importer=importer, headers=shape.headers, user=actor)
    file.seek(0)
    job.file.save(name, file, save=False)
    job.save()
    return job


# --- Column mapping --------------------------------------------------------------------------------------------


def header_signature(headers: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(column_key(h) for h in headers).encode()).hexdigest()


def suggest_mapping(*, importer: Importer, headers: Sequence[str], user: User | None) -> dict[str, str]:
    """Column index (text) → field name: the mapping used last time for these very columns (the user's own, else
    anyone's), or else by the columns' names and the fields' synonyms."""
    signature = header_signature(headers)
    remembered = (
        ImportMapping.objects.filter(kind=importer.kind, signature=signature, user=user).first()
        or ImportMapping.objects.filter(kind=importer.kind, signature=signature, user__isnull=True).first()
    )
    names = {f.name for f in importer.fields}
    if remembered is not None:
        return {k: v for k, v in remembered.mapping.items() if v in names and k.isdigit() and int(k) < len(headers)}
    by_key: dict[str, str] = {}
    for f in importer.fields:
        for alias in (f.name, f.label, *f.synonyms):
            by_key.setdefault(column_key(alias), f.name)
    mapping: dict[str, str] = {}
    for index, header in enumerate(headers):
        target = by_key.get(column_key(header))
        if target and target not in mapping.values():
            mapping[str(index)] = target
    return mapping


def import_set_mapping(*, actor: User, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Keep the columns → fields mapping (remembered for this user and for everyone, for the same header set).
    A field mapped twice, or a required field left out, is refused with the field named."""
    _require_manager(actor)
    importer = importer_for(job)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED, ImportJob.Status.READY):
        raise ValidationError("This import has started already: its mapping cannot change.")
    names = {f.name for f in importer.fields}
    clean = {str(k): v for k, v in mapping.items() if v and v in names and str(k).isdigit()}
    clean = {k: v for k, v in clean.items() if int(k) < len(job.headers)}
    twice = sorted({v for v in clean.values() if list(clean.values()).count(v) > 1})
    if twice:
        labels = ", ".join(importer.field(v).label for v in twice)
        raise ValidationError(f"Two columns are mapped to the same field ({labels}): map one, ignore the other.")
    missing = [f.label for f in importer.required_fields if f.name not in clean.values()]
    if missing:
        raise ValidationError(f"Map a column to each required field: {', '.join(missing)} is missing.")
    signature = header_signature(job.headers)
    with transaction.atomic():
        for user in (actor, None):
            ImportMapping.objects.update_or_create(
                kind=job.kind, signature=signature, user=user, defaults={"mapping": clean}
            )
        job.mapping = clean
        job.status = ImportJob.Status.MAPPED
        job.skip_errors = False
        job.save(update_fields=["mapping", "status", "skip_errors", "updated_at"])
    return job


# --- Preview ---------------------------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    summary: str = ""


def _mapped(cells: list[str], mapping: dict[str, str]) -> dict[str, str]:
    row = {}
    for index, name in mapping.items():
        i = int(index)
        row[name] = cells[i].strip() if i < len(cells) else ""
    return row


def _batches(job: ImportJob, size: int) -> Iterator[tuple[list[int], list[dict[str, str]]]]:
    numbers: list[int] = []
    rows: list[dict[str, str]] = []
    width = len(job.headers)
    with job.file.open("rb") as binary:
        for number, cells in iter_rows(binary, encoding=job.encoding, delimiter=job.delimiter):
            row = _mapped(cells, job.mapping)
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                row["__extra__"] = f"It has {len(cells)} cells but the header has {width} columns."
            numbers.append(number)
            rows.append(row)
            if len(rows) >= size:
                yield numbers, rows
                numbers, rows = [], []
        if rows:
            yield numbers, rows


def _check(importer: Importer, numbers: list[int], rows: list[dict[str, str]]) -> list[tuple[Any, list[str]]]:
    extras = [row.pop("__extra__", "") for row in rows]
    checked = importer.validate_rows(rows, numbers)
    for (_, errors), extra in zip(checked, extras, strict=True):
        if extra:
            errors.insert(0, extra)
    return checked


def import_preview(*, job: ImportJob) -> list[PreviewRow]:
    """The first rows of the file as the mapping reads them, each checked like the run will."""
    importer = importer_for(job)
    batch = next(_batches(job, PREVIEW_ROWS), None)
    if batch is None:
        return []
    numbers, rows = batch
    shown = [dict(row) for row in rows]
    for row in shown:
        row.pop("__extra__", None)
    checked = _check(importer, numbers, rows)
    return [
        PreviewRow(number=n, cells=cells, errors=errors, summary="" if errors else importer.describe(clean))
        for n, cells, (clean, errors) in zip(numbers, shown, checked, strict=True)
    ]


# --- The run ---------------------------------------------------------------------------------------------------


def import_start(*, actor: User, job: ImportJob, skip_errors: bool = False) -> ImportJob:
    """Queue the run (compare-and-set: a double click starts it once). Eager without a broker."""
    _require_manager(actor)
    started = ImportJob.objects.filter(pk=job.pk, status__in=(ImportJob.Status.MAPPED, ImportJob.Status.READY)).update(
        status=ImportJob.Status.VALIDATING,
        skip_errors=skip_errors,
        processed_rows=0,
        error_message="",
        updated_at=timezone.now(),
    )
    if started != 1:
        raise ValidationError("This import has started already.")
    cache.set(_PROGRESS_KEY.format(job.pk), 0, timeout=24 * 3600)
    previous = job.status
    transaction.on_commit(lambda: _queue(job.pk, previous))
    job.refresh_from_db()
    return job


def _queue(job_id: int, previous: str) -> None:
    """Hand the run to the workers (eagerly: run it here). If the broker cannot be reached, the job goes back to
    where it was, with the reason on its page: never an error for the request, never a job stuck "checking"."""
    from imports.tasks import import_run

    try:
        import_run.delay(job_id)
    except Exception as exc:  # kombu/redis errors of every kind: the broker is down or unreachable
        logger.warning("Could not queue import %s (%s)", job_id, exc)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
            status=previous,
            error_message="The background workers could not be reached: nothing was imported. Try again shortly.",
        )


def progress_of(job: ImportJob) -> int:
    """Rows done in the current phase: from the cache while the run is in its transaction."""
    if job.is_active:
        value = cache.get(_PROGRESS_KEY.format(job.pk))
        if isinstance(value, int):
            return value
    return job.processed_rows


def _progress(job: ImportJob, done: int) -> None:
    cache.set(_PROGRESS_KEY.format(job.pk), done, timeout=24 * 3600)


class _Report:
    """The report's rows on a temporary file (row, outcome, reason), so 100,000 skipped rows cost no memory."""

    def __init__(self) -> None:
        self.binary = tempfile.TemporaryFile("w+b")  # noqa: SIM115 -- lives as long as the run; close() ends it
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(["row", "outcome", "reason"])

    def add(self, number: int, outcome: str, reason: str) -> None:
        self.writer.writerow([number, outcome, reason])

    def save_to(self, job: ImportJob) -> None:
        self.text.flush()
        self.binary.seek(0)
        if job.report:
            job.report.delete(save=False)
        job.report.save(f"import-{job.pk}-report.csv", File(self.binary), save=False)

    def close(self) -> None:
        if not self.text.closed:
            self.text.close()


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        error_message=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def import_run(*, job_id: int) -> ImportJob | None:
    """Check every row, then (no errors, or the manager chose to skip them) apply them all in one transaction.
    Idempotent: a job that is not waiting to run is left alone."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.VALIDATING:
        return job
    job.started_at = timezone.now()
    job.save(update_fields=["started_at", "updated_at"])
    report = _Report()
    try:
        importer = importer_for(job)
        errors_kept: list[list[Any]] = []
        error_rows = 0
        done = 0
        # Pass 1: check every row, keep counters and the first errors only.
        for numbers, rows in _batches(job, importer.batch_size):
            for number, (_, errors) in zip(numbers, _check(importer, numbers, rows), strict=True):
                if errors:
                    error_rows += 1
                    message = " ".join(errors)
                    report.add(number, "error" if not job.skip_errors else "skipped", message)
                    if len(errors_kept) < MAX_ERRORS_KEPT:
                        errors_kept.append([number, message])
            done += len(rows)
            if done % PROGRESS_EVERY < len(rows):
                _progress(job, done)
        job.errors, job.error_count, job.total_rows = errors_kept, error_rows, done
        if error_rows and not job.skip_errors:
            report.save_to(job)
            job.status = ImportJob.Status.READY
            job.processed_rows = done
            job.finished_at = timezone.now()
            job.save()
            return job
        if error_rows == done:
            report.save_to(job)
            job.status, job.skipped_count, job.processed_rows = ImportJob.Status.DONE, done, done
            job.error_message = "Every row has an error: nothing was imported."
            job.finished_at = timezone.now()
            job.save()
            return job
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=0)
        job.status = ImportJob.Status.RUNNING
        _progress(job, 0)
        # Pass 2: all or nothing.
        created = updated = skipped = 0
        done = 0
        with transaction.atomic():
            for numbers, rows in _batches(job, importer.batch_size):
                checked = _check(importer, numbers, rows)
                valid = [clean for clean, errors in checked if not errors]
                for number, (_, errors) in zip(numbers, checked, strict=True):
                    if errors and not job.skip_errors:  # the data changed since the check
                        raise ValidationError(f"Row {number}: {' '.join(errors)}")
                if valid:
                    c, u, s = importer.apply(valid, job.created_by)
                    created, updated, skipped = created + c, updated + u, skipped + s
                done += len(rows)
                if done % PROGRESS_EVERY < len(rows):
                    _progress(job, done)
            audit_record(
                actor=job.created_by,
                verb="import.applied",
                target=job,
                after={
                    "kind": job.kind,
                    "file": job.filename,
                    "rows": done,
                    "created": created,
                    "updated": updated,
                    "skipped": skipped + error_rows,
                },
            )
        report.save_to(job)
        job.created_count, job.updated_count, job.skipped_count = created, updated, skipped + error_rows
        job.status, job.processed_rows, job.finished_at = ImportJob.Status.DONE, done, timezone.now()
        job.save()
        return job
    except ValidationError as exc:
        _fail(job, f"{' '.join(exc.messages)} Nothing was imported.")
    except Exception as exc:  # the run must end in a state the page can show; the log keeps the traceback
        logger.exception("Import %s failed", job.pk)
        _fail(job, f"The import stopped on an unexpected problem ({type(exc).__name__}). Nothing was imported.")
    finally:
        report.close()
    job.refresh_from_db()
    return job


def report_rows(job: ImportJob) -> Iterator[list[str]]:
    """The downloadable report: the counts, then every skipped or refused row with its reason."""
    yield ["", "created", str(job.created_count)]
    yield ["", "updated", str(job.updated_count)]
    yield ["", "skipped", str(job.skipped_count)]
    if job.error_message:
        yield ["", "failed", job.error_message]
    if not job.report:
        return
    with job.report.open("rb") as binary:
        reader = csv.reader(line.decode("utf-8") for line in binary)
        next(reader, None)
        yield from reader


def import_discard(*, actor: User, job: ImportJob) -> None:
    """Forget a job that is not running, with its file and report."""
    _require_manager(actor)
    if job.is_active:
        raise ValidationError("This import is running: wait until it ends.")
    for f in (job.file, job.report):
        if f:
            f.delete(save=False)
    job.delete()
