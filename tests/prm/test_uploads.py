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
