"""Proof files for the MDF demo: a small valid PDF invoice and an attendee list."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from prm.demo_files import simple_pdf


def invoice(vendor: str, title: str, amount: Decimal) -> tuple[SimpleUploadedFile, str]:
    name = f"invoice-{vendor.lower().replace(' ', '-')}.pdf"
    lines = [f"From: {vendor}", f"For: {title}", f"Amount: {amount:,.2f} USD", "Payment terms: 30 days"]
    return SimpleUploadedFile(name, simple_pdf("Invoice", lines), content_type="application/pdf"), "invoice"


def attendees(count: int) -> tuple[SimpleUploadedFile, str]:
    rows = ["name,company,email"] + [
        f"Guest {n},Customer {n} GmbH,guest{n}@customer{n}.example.com" for n in range(1, count + 1)
    ]
    return SimpleUploadedFile("attendees.csv", "\n".join(rows).encode(), content_type="text/csv"), "attendees"
