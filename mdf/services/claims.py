"""Claims, the partner's side: after the activity it files what it cost, what it asks back, its results and proof
of performance (checked, stored privately) before the claim deadline, and answers questions. The review is in
claim_review. Rows are locked claim → request → budget, the same order as every other MDF write."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from mdf.ledger import max_request
from mdf.models import Claim, FundRequest, ProofFile
from prm.audit import audit_record
from prm.models import User
from prm.money import format_money
from prm.sla import add_business_days
from prm.uploads import PROOF_TYPES, validate_upload

from .common import (
    clean_money,
    clean_text,
    fmt_date,
    manage_claim_url,
    refused,
    require_requester,
    tell_managers,
)
from .periods import mdf_settings
from .requests import lock_request

MAX_PROOFS = 20
Proofs = Iterable[tuple[UploadedFile, str]]


def _locked_claim(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("partner", "request__budget__period", "request__created_by", "request__partner")
        .get(pk=claim.pk)
    )


def _clean_proofs(proofs: Proofs, *, existing: int) -> list[tuple[UploadedFile, str]]:
    proofs = list(proofs or [])
    if not proofs and not existing:
        raise ValidationError(
            {"proofs": "Attach at least one proof of performance: an invoice, photos, or an attendee or lead list."}
        )
    if existing + len(proofs) > MAX_PROOFS:
        raise ValidationError({"proofs": f"A claim can have up to {MAX_PROOFS} files; combine some of them."})
    clean = []
    for file, kind in proofs:
        if kind not in ProofFile.Kind.values:
            raise ValidationError({"proofs": f"Say what “{file.name}” is (invoice, photo, attendee or lead list)."})
        try:
            validate_upload(file, allowed=PROOF_TYPES)
        except ValidationError as exc:
            raise ValidationError({"proofs": exc.messages}) from None
        clean.append((file, kind))
    return clean


def _store(claim: Claim, proofs: list[tuple[UploadedFile, str]], actor: User) -> list[ProofFile]:
    stored = []
    for file, kind in proofs:
        stored.append(
            ProofFile.objects.create(
                claim=claim,
                kind=kind,
                file=file,
                original_name=(file.name or "file")[:255],
                size=file.size,
                uploaded_by=actor,
            )
        )
    return stored


def _clean_claim(request: FundRequest, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, label in (("actual_cost", "actual cost"), ("amount_claimed", "amount you claim")):
        try:
            clean[field] = clean_money(data.get(field), field=field, label=label)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    leads = data.get("leads")
    if leads in (None, ""):
        clean["leads"] = None
    elif not str(leads).strip().isdigit() or int(str(leads).strip()) > 10_000_000:
        errors["leads"] = ["Give the number of leads as a whole number, like 40."]
    else:
        clean["leads"] = int(leads)
    try:
        clean["results"] = clean_text(data.get("results"), what="the results", required=False, max_length=4000)
    except ValidationError as exc:
        errors["results"] = exc.messages
    if "actual_cost" not in errors and "amount_claimed" not in errors:
        cost, amount = clean["actual_cost"], clean["amount_claimed"]
        most = max_request(cost, request.partner_share_percent)
        if amount > request.approved_amount:
            errors["amount_claimed"] = [
                f"{format_money(request.approved_amount, request.currency)} was approved for this activity: "
                "claim that or less."
            ]
        elif amount > most:
            errors["amount_claimed"] = [
                f"You can claim at most {format_money(most, request.currency)}: the actual cost of "
                f"{format_money(cost, request.currency)} minus your share of "
                f"{request.partner_share_percent.normalize():f}%."
            ]
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_all(
    request: FundRequest, data: dict[str, Any], proofs: Proofs, *, existing: int
) -> tuple[dict[str, Any], list[tuple[UploadedFile, str]]]:
    """The claim's fields and its new proof files checked together: every problem at once, keyed by field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    files: list[tuple[UploadedFile, str]] = []
    try:
        clean = _clean_claim(request, data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        files = _clean_proofs(proofs, existing=existing)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean, files


def claim_submit(
    *,
    actor: User,
    request: FundRequest,
    actual_cost: Decimal,
    amount_claimed: Decimal,
    leads: int | None = None,
    results: str = "",
    proofs: Proofs,
    today: date | None = None,
) -> Claim:
    """File the claim for an approved request, before its claim deadline, with at least one proof file (type and
    size checked; stored privately). The claimed amount is at most what was approved and at most the actual cost
    minus the partner's share. The channel managers are told."""
    require_requester(actor, request.partner)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = lock_request(request)
        late = current.claim_deadline and today > current.claim_deadline
        if current.status == FundRequest.Status.EXPIRED or (current.status == FundRequest.Status.APPROVED and late):
            raise ValidationError(
                f"The claim deadline was {fmt_date(current.claim_deadline)}; ask your channel manager for an extension."
            )
        if current.status != FundRequest.Status.APPROVED:
            raise refused(current, "claimed")
        data = {"actual_cost": actual_cost, "amount_claimed": amount_claimed, "leads": leads, "results": results}
        clean, files = _clean_all(current, data, proofs, existing=0)
        now = timezone.now()
        claim = Claim.objects.create(
            request=current,
            partner=current.partner,
            created_by=actor,
            currency=current.currency,
            submitted_at=now,
            decision_due_at=add_business_days(now, mdf_settings().review_business_days),
            **clean,
        )
        stored = _store(claim, files, actor)
        current.status = FundRequest.Status.CLAIMED
        current.save(update_fields=["status", "updated_at"])
        event = audit_record(
            actor=actor,
            verb="mdf.claim_submitted",
            target=claim,
            partner=claim.partner,
            before={"status": FundRequest.Status.APPROVED},
            after={
                "title": current.title,
                "status": claim.status,
                "amount": str(claim.amount_claimed),
                "money": format_money(claim.amount_claimed, claim.currency),
                "proofs": [p.original_name for p in stored],
            },
        )
        tell_managers(
            event_pk=event.pk,
            request=current,
            template="mdf_claim_submitted",
            context={
                "claim": claim,
                "claimed": format_money(claim.amount_claimed, claim.currency),
                "actual_cost": format_money(claim.actual_cost, claim.currency),
                "again": False,
            },
            url=manage_claim_url(claim),
        )
    return claim


def claim_resubmit(
    *,
    actor: User,
    claim: Claim,
    actual_cost: Decimal,
    amount_claimed: Decimal,
    leads: int | None = None,
    results: str = "",
    proofs: Proofs = (),
) -> Claim:
    """Answer the channel manager's question: correct the claim and add proof (from "more proof needed" only)."""
    require_requester(actor, claim.partner)
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status != Claim.Status.NEEDS_INFO:
            raise refused(current, "sent again")
        data = {"actual_cost": actual_cost, "amount_claimed": amount_claimed, "leads": leads, "results": results}
        clean, files = _clean_all(current.request, data, proofs, existing=current.proofs.count())
        before = {"status": current.status, "amount": str(current.amount_claimed)}
        now = timezone.now()
        for field, value in clean.items():
            setattr(current, field, value)
        current.status = Claim.Status.SUBMITTED
        current.submitted_at = now
        current.decision_due_at = add_business_days(now, mdf_settings().review_business_days)
        current.save()
        stored = _store(current, files, actor)
        event = audit_record(
            actor=actor,
            verb="mdf.claim_resubmitted",
            target=current,
            partner=current.partner,
            before=before,
            after={
                "title": current.request.title,
                "status": current.status,
                "amount": str(current.amount_claimed),
                "proofs": [p.original_name for p in stored],
            },
        )
        tell_managers(
            event_pk=event.pk,
            request=current.request,
            template="mdf_claim_submitted",
            context={
                "claim": current,
                "claimed": format_money(current.amount_claimed, current.currency),
                "actual_cost": format_money(current.actual_cost, current.currency),
                "again": True,
            },
            url=manage_claim_url(current),
        )
    return current


def proof_add(*, actor: User, claim: Claim, file: UploadedFile, kind: str) -> ProofFile:
    """Add one proof file to a claim that is still open (submitted or asked for more proof)."""
    require_requester(actor, claim.partner)
    with transaction.atomic():
        current = _locked_claim(claim)
        if current.status not in (Claim.Status.SUBMITTED, Claim.Status.NEEDS_INFO):
            raise refused(current, "given more files")
        [(clean_file, clean_kind)] = _clean_proofs([(file, kind)], existing=current.proofs.count())
        [proof] = _store(current, [(clean_file, clean_kind)], actor)
        audit_record(
            actor=actor,
            verb="mdf.proof_added",
            target=current,
            partner=current.partner,
            after={"title": current.request.title, "file": proof.original_name, "kind": proof.kind},
        )
    return proof
