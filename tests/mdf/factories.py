"""MDF test data: budgets funded through the ledger, and requests and claims in any state, written straight to
the database with the entries their state implies (the services are what the tests exercise).

    budget = funded_budget(partner, "10000")
    request = approved_request(partner=partner, budget=budget, amount="4000")
    claim = claimed_request(partner=partner, budget=budget, amount="4000").claim
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mdf import services
from mdf.ledger import entry_add
from mdf.models import Budget, Claim, FundRequest, LedgerEntry, MdfSettings, ProofFile
from tests.factories import PartnerFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32


def pdf_upload(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def current_budget(partner) -> Budget:
    return services.budget_for(partner=partner, period=services.current_period())


def funded_budget(partner, amount: str | Decimal = "10000", *, period=None) -> Budget:
    """The partner's budget (current period unless given) with an allocation of `amount`."""
    budget = services.budget_for(partner=partner, period=period or services.current_period())
    entry_add(budget=budget, kind=LedgerEntry.Kind.ALLOCATION, amount=Decimal(str(amount)), memo="test allocation")
    return budget


class FundRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request for an activity starting in two weeks (pass budget= to draw on a funded one)."""

    class Meta:
        model = FundRequest

    partner = factory.SubFactory(PartnerFactory)
    budget = factory.LazyAttribute(lambda o: current_budget(o.partner))
    activity_type = FundRequest.ActivityType.EVENT
    title = factory.Sequence(lambda n: f"Customer roadshow {n}")
    description = "A half-day event for prospects."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=1))
    expected_leads = 40
    total_cost = Decimal("8000.00")
    partner_share_percent = Decimal("50.00")
    requested_amount = Decimal("4000.00")
    currency = factory.LazyAttribute(lambda o: o.budget.currency)
    status = FundRequest.Status.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))
    decision_due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))


def approved_request(*, amount: str | Decimal | None = None, claim_deadline=None, **kwargs) -> FundRequest:
    """An approved request holding a reservation on its budget."""
    request = FundRequestFactory(**kwargs)
    approved = Decimal(str(amount)) if amount is not None else request.requested_amount
    entry_add(budget=request.budget, kind=LedgerEntry.Kind.RESERVATION, amount=approved, request=request)
    FundRequest.objects.filter(pk=request.pk).update(
        status=FundRequest.Status.APPROVED,
        approved_amount=approved,
        decided_at=timezone.now(),
        claim_deadline=claim_deadline or request.ends_on + timedelta(days=60),
    )
    request.refresh_from_db()
    return request


def claimed_request(
    *, claimed: str | Decimal | None = None, claim_status=Claim.Status.SUBMITTED, **kwargs
) -> FundRequest:
    """An approved request with a submitted claim (one proof file)."""
    request = approved_request(**kwargs)
    amount = Decimal(str(claimed)) if claimed is not None else request.approved_amount
    claim = Claim.objects.create(
        request=request,
        partner=request.partner,
        status=claim_status,
        actual_cost=request.total_cost,
        amount_claimed=amount,
        currency=request.currency,
        leads=35,
        results="Forty people came; 35 leads.",
        submitted_at=timezone.now() - timedelta(hours=2),
        decision_due_at=timezone.now() + timedelta(days=2),
    )
    ProofFile.objects.create(
        claim=claim, kind=ProofFile.Kind.INVOICE, file=pdf_upload(), original_name="invoice.pdf", size=len(PDF_BYTES)
    )
    FundRequest.objects.filter(pk=request.pk).update(status=FundRequest.Status.CLAIMED)
    request.refresh_from_db()
    return request


def set_mdf(**fields) -> None:
    """Change the MDF settings for a test (the row is created first if needed)."""
    services.mdf_settings()
    MdfSettings.objects.filter(pk=1).update(**fields)
