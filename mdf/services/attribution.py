"""Deal registrations attributed to an MDF activity, for ROI. A registration counts for one activity, of the
same partner; the partner's requesters and the channel managers may attribute."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dealreg.models import Registration
from mdf.models import Attribution, FundRequest
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User

from .common import require_requester

ATTRIBUTABLE = (
    FundRequest.Status.APPROVED,
    FundRequest.Status.CLAIMED,
    FundRequest.Status.CLOSED,
    FundRequest.Status.EXPIRED,
)


def _require(actor: User, request: FundRequest) -> None:
    if not is_channel_manager(actor):
        require_requester(actor, request.partner)


def attribution_add(*, actor: User, request: FundRequest, registration: Registration) -> Attribution:
    """Attribute a deal registration to the activity the request funded."""
    _require(actor, request)
    if request.status not in ATTRIBUTABLE:
        raise ValidationError("Deals can be attributed to an activity once its funds are approved.")
    if registration.partner_id != request.partner_id:
        raise ValidationError({"registration": "Choose one of the same partner's deal registrations."})
    if registration.status == Registration.Status.DRAFT:
        raise ValidationError({"registration": "Submit the deal registration before attributing it."})
    existing = Attribution.objects.filter(registration=registration).select_related("request").first()
    if existing is not None:
        where = "this activity" if existing.request_id == request.pk else f"“{existing.request.title}”"
        raise ValidationError({"registration": f"“{registration.name}” is already attributed to {where}."})
    try:
        with transaction.atomic():
            attribution = Attribution.objects.create(request=request, registration=registration, created_by=actor)
            audit_record(
                actor=actor,
                verb="mdf.attributed",
                target=request,
                partner=request.partner,
                after={"title": request.title, "registration": registration.name, "registration_id": registration.pk},
            )
    except IntegrityError:  # attributed concurrently
        raise ValidationError(
            {"registration": f"“{registration.name}” is already attributed to an activity."}
        ) from None
    return attribution


def attribution_remove(*, actor: User, attribution: Attribution) -> None:
    """Take a deal registration off an activity."""
    request = attribution.request
    _require(actor, request)
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="mdf.attribution_removed",
            target=request,
            partner=request.partner,
            before={"title": request.title, "registration": attribution.registration.name},
        )
        attribution.delete()
