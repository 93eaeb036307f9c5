import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from prm.uploads import DOCUMENT_TYPES, PROOF_TYPES, private_file_response, safe_filename, upload_path, validate_upload

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Invoice.pdf", PDF_BYTES),
        ("photo.PNG", PNG_BYTES),
        ("leads.csv", "name,email\nÅsa,a@x.se\n".encode()),
        ("plan.docx", _docx()),
    ],
)
def test_accepts_real_files(name, content):
    upload = SimpleUploadedFile(name, content)
    assert validate_upload(upload, allowed=PROOF_TYPES) is upload


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("tool.exe", b"MZ\x90\x00", "bad_type"),
        ("invoice.pdf", b"MZ\x90\x00 not a pdf", "bad_content"),
        ("photo.png", PDF_BYTES, "bad_content"),
        ("leads.csv", b"\x00\x01\x02binary", "bad_content"),
        ("empty.pdf", b"", "empty"),
        ("noextension", PDF_BYTES, "bad_type"),
    ],
)
def test_refuses_with_a_clear_message(name, content, code):
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile(name, content), allowed=DOCUMENT_TYPES)
    assert exc.value.code == code
    assert name in exc.value.messages[0]


@override_settings(PRM_MAX_UPLOAD_MB=1)
def test_refuses_oversized_files_saying_the_limit():
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (1024 * 1024)), allowed=DOCUMENT_TYPES)
    assert exc.value.code == "too_large"
    assert "1.0 MB" in exc.value.messages[0]


def test_safe_names_and_random_paths():
    assert safe_filename("../../etc/pass wd.PDF") == "pass-wd.pdf"
    assert safe_filename('a"b;c.csv') == "a-b-c.csv"
    first, second = upload_path("mdf/proof")(None, "x.pdf"), upload_path("mdf/proof")(None, "x.pdf")
    assert first != second
    assert first.startswith("mdf/proof/")
    assert first.endswith("/x.pdf")
    assert upload_path("a").deconstruct()[1] == ("a",)


def test_private_response_is_an_attachment_that_is_not_sniffed(tmp_path):
    from django.core.files.base import ContentFile

    from prm.uploads import private_storage

    storage = private_storage()
    name = storage.save("t/doc.pdf", ContentFile(PDF_BYTES))

    class _Field:
        pass

    field = _Field()
    field.name, field.storage = name, storage
    response = private_file_response(field, download_name="Q3 invoice.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="Q3-invoice.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES
    storage.delete(name)


# --- Refused while the body streams (issue 19, item 5) ------------------------------------------------------------


class CountingInput(io.BytesIO):
    """wsgi.input that remembers how many bytes the app read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = super().readline(size)
        self.consumed += len(chunk)
        return chunk


def _multipart(file_bytes: int) -> tuple[bytes, str]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * file_bytes, content_type="application/pdf")
    return encode_multipart(BOUNDARY, {"title": "x", "file": upload}), MULTIPART_CONTENT


@override_settings(PRM_MAX_UPLOAD_MB=1)
def test_the_handler_stops_reading_at_the_limit():
    from django.core.handlers.wsgi import WSGIRequest

    from prm.uploads import UploadTooLarge

    body, content_type = _multipart(int(1.8 * 1024 * 1024))  # under limit + form allowance: the handler decides
    stream = CountingInput(body)
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/x/",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": stream,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    with pytest.raises(UploadTooLarge):
        request.POST  # noqa: B018
    assert stream.consumed < 1.3 * 1024 * 1024 < len(body)  # stopped near 1 MB, not after reading 1.8 MB


@override_settings(PRM_MAX_UPLOAD_MB=1)
@pytest.mark.django_db
def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(client):
    from prm.uploads import UploadLimitMiddleware

    body, content_type = _multipart(3 * 1024 * 1024)
    response = client.generic("POST", "/portal/", body, content_type=content_type)
    assert response.status_code == 413
    # The middleware decides from the declared length alone: it never touches the body.
    from django.test import RequestFactory

    request = RequestFactory().generic("POST", "/portal/", body, content_type=content_type)
    stream = CountingInput(body)
    request.META["wsgi.input"] = request._stream = stream
    assert UploadLimitMiddleware(lambda r: None)(request).status_code == 413
    assert stream.consumed == 0
    assert "larger than the 1 MB limit" in response.content.decode()


@override_settings(PRM_MAX_UPLOAD_MB=1)
@pytest.mark.django_db
def test_an_api_upload_over_the_limit_gets_json(client):
    body, content_type = _multipart(3 * 1024 * 1024)
    response = client.generic("POST", "/api/v1/anything", body, content_type=content_type)
    assert response.status_code == 413
    assert "1 MB limit" in response.json()["detail"]
