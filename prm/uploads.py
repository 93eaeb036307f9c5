"""Private uploads shared by every app: content library documents (enablement), proof of performance (MDF).

Files are stored under PRIVATE_MEDIA_ROOT, which no URL serves. A view that may show a file checks access
first (scoped to the viewer's partner, 404 otherwise) and then returns `private_file_response(...)`.

    # models.py
    from prm.uploads import private_storage, upload_path

    file = models.FileField(storage=private_storage, upload_to=upload_path("mdf/proof"), max_length=300)

    # forms.py
    from prm.uploads import DOCUMENT_TYPES, validate_upload

    def clean_file(self):
        return validate_upload(self.cleaned_data["file"], allowed=DOCUMENT_TYPES)

The type is decided by the file's content (its first bytes), not only by its name: a renamed .exe is refused.
"""

import mimetypes
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible


@dataclass(frozen=True)
class FileType:
    label: str  # in messages: "PDF"
    extensions: tuple[str, ...]
    content_type: str
    # What the first bytes must look like. None: a text format (CSV, TXT) that must decode as UTF-8 text.
    sniffed: tuple[str, ...] | None


PDF = FileType("PDF", ("pdf",), "application/pdf", ("application/pdf",))
PNG = FileType("PNG", ("png",), "image/png", ("image/png",))
JPEG = FileType("JPEG", ("jpg", "jpeg"), "image/jpeg", ("image/jpeg",))
WEBP = FileType("WebP", ("webp",), "image/webp", ("image/webp",))
# Office documents are zip files; filetype recognises some by their inner names, so accept either.
_ZIP = ("application/zip",)
DOCX = FileType(
    "Word",
    ("docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", *_ZIP),
)
XLSX = FileType(
    "Excel",
    ("xlsx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", *_ZIP),
)
PPTX = FileType(
    "PowerPoint",
    ("pptx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", *_ZIP),
)
CSV = FileType("CSV", ("csv",), "text/csv", None)
TXT = FileType("text", ("txt",), "text/plain", None)

# Content library documents.
DOCUMENT_TYPES: tuple[FileType, ...] = (PDF, DOCX, XLSX, PPTX, PNG, JPEG, WEBP, CSV, TXT)
# Proof of performance: invoices, photos, attendee or lead lists.
PROOF_TYPES: tuple[FileType, ...] = (PDF, PNG, JPEG, WEBP, XLSX, DOCX, CSV, TXT)


def max_upload_bytes() -> int:
    return settings.PRM_MAX_UPLOAD_MB * 1024 * 1024


def private_storage() -> Storage:
    """The storage for private files (a callable, so tests can point it elsewhere with override_settings)."""
    return storages["private"]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A file name safe to store and to put in a Content-Disposition header, keeping its extension."""
    path = PurePath(name or "file")
    stem = _UNSAFE.sub("-", path.stem).strip("-._")[:80] or "file"
    suffix = _UNSAFE.sub("", path.suffix.lower())[:10]
    return f"{stem}{suffix}"


@deconstructible
class upload_path:  # used like a function: upload_to=upload_path("mdf/proof")
    """An `upload_to` that stores each file under a random directory, so names never collide or can be guessed."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: object, filename: str) -> str:
        return f"{self.prefix}/{uuid.uuid4().hex}/{safe_filename(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, upload_path) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def _describe(allowed: tuple[FileType, ...]) -> str:
    labels = list(dict.fromkeys(t.label for t in allowed))
    return ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def validate_upload(file: UploadedFile, *, allowed: tuple[FileType, ...]) -> UploadedFile:
    """Refuse empty, oversized and unexpected files with a message the uploader can act on. Returns the file."""
    name = file.name or "file"
    if file.size == 0:
        raise ValidationError(f"“{name}” is empty. Choose the file again.", code="empty")
    limit = max_upload_bytes()
    if file.size > limit:
        raise ValidationError(
            f"“{name}” is {_size(file.size)}; files can be up to {_size(limit)}. "
            "Compress it or split it into smaller files.",
            code="too_large",
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    expected = next((t for t in allowed if extension in t.extensions), None)
    accepted = _describe(allowed)
    if expected is None:
        raise ValidationError(
            f"“{name}” is not a type we accept. Upload a {accepted} file.",
            code="bad_type",
        )
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if expected.sniffed is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 8 KB boundary is still text.
            if exc.start < len(head) - 4 or b"\x00" in head:
                raise ValidationError(
                    f"“{name}” does not look like a {expected.label} file. Save it as UTF-8 text and try again.",
                    code="bad_content",
                ) from exc
        if b"\x00" in head:
            raise ValidationError(f"“{name}” does not look like a {expected.label} file.", code="bad_content")
    else:
        kind = filetype.guess(head)
        if kind is None or kind.mime not in expected.sniffed:
            raise ValidationError(
                f"“{name}” is named like a {expected.label} file but its content is not. "
                f"Upload the original {expected.label} file.",
                code="bad_content",
            )
    return file


def content_type_for(name: str) -> str:
    extension = PurePath(name).suffix.lower().lstrip(".")
    for file_type in DOCUMENT_TYPES + PROOF_TYPES:
        if extension in file_type.extensions:
            return file_type.content_type
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def private_file_response(file: FieldFile, *, download_name: str = "", inline: bool = False) -> FileResponse:
    """Stream a private file to a viewer whose access the caller has already checked.

    Attachments by default; `inline` for images and PDFs a page shows. The browser must not sniff or run it."""
    name = safe_filename(download_name or PurePath(file.name).name)
    handle = file.storage.open(file.name, "rb")
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type_for(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Refusing an oversized body while it streams ----------------------------------------------------------------
# The form's size check (validate_upload) runs after the body was received. These two stop earlier:
# - `UploadLimitMiddleware` answers 413 before reading anything when the declared Content-Length is over the limit
#   (plus room for the other form fields);
# - `LimitedUploadHandler`, first of FILE_UPLOAD_HANDLERS, stops reading as soon as one file passes the limit (a
#   chunked body has no Content-Length) and raises `UploadTooLarge`, which Django answers with the 400 handler
#   (`prm.views.bad_request`: a 413 page saying the limit).
# The reverse proxy should refuse earlier still: nginx `client_max_body_size` (README, deployment).

FORM_FIELDS_ALLOWANCE = 1024 * 1024  # the other fields of a multipart form


class UploadTooLarge(RequestDataTooBig):
    """An uploaded file is larger than PRM_MAX_UPLOAD_MB."""


def too_large_message() -> str:
    return (
        f"The file is larger than the {settings.PRM_MAX_UPLOAD_MB} MB limit, so it was not uploaded and nothing was "
        "saved. Go back and choose a smaller file (or compress it)."
    )


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload at the limit."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_upload_bytes():
            raise UploadTooLarge(too_large_message())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if (
            request.method in ("POST", "PUT", "PATCH")
            and declared.isdigit()
            and int(declared) > max_upload_bytes() + FORM_FIELDS_ALLOWANCE
        ):
            return too_large_response(request)
        return self.get_response(request)


def too_large_response(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse
    from django.template.response import SimpleTemplateResponse
    from django.utils.http import url_has_allowed_host_and_scheme

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": too_large_message()}, status=413)
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    response = SimpleTemplateResponse("413.html", {"message": too_large_message(), "back": back}, status=413)
    return response.render()
