"""The registration an accepted lead becomes, and the lead following its registration to the end.

Accepting a lead creates a deal registration for the partner through dealreg's own services (a draft by the
accepting person, then submitted: the conflict detection and its notifications are the ones every registration
gets). Then it is protected as the deal-registration policy allows: approved at once (the policy's or the tier's
protection window) unless it collides with another partner's active registration, which a channel manager resolves
as usual. A collision with our own customer or direct sales counts as decided when a manager confirmed the lead's
match flag before offering it (the reason is recorded); otherwise it waits for a manager too.

Outcomes: the registration approved → the lead is converted; won → won; lost, rejected or expired → lost. The won
listener (dealreg.hooks) moves the lead at once; the beat sweep `leads_sync_outcomes` catches the rest.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dealreg import services as dealreg_services
from dealreg.models import Conflict, Registration
from dealreg.policy import policy_get, protection_days
from dealreg.services.registrations.common import open_partner_conflicts, tell_partner
from leads.models import Lead
from prm.audit import audit_record
from prm.models import User

INVOLVEMENT = Registration.Involvement.COSELL  # we found the customer, the partner works it: developed jointly


def _notes(lead: Lead) -> str:
    lines = [f"From lead #{lead.pk} ({lead.get_source_display().lower()})."]
    if lead.industry:
        lines.append(f"Industry: {lead.industry}.")
    if lead.size:
        lines.append(f"Size: {lead.get_size_display()}.")
    if lead.interest:
        lines.append(f"Interested in: {lead.interest}")
    if lead.contact_phone:
        lines.append(f"Phone: {lead.contact_phone}")
    if lead.notes:
        lines.append(lead.notes)
    return "\n".join(lines)[:4000]


def registration_from_lead(*, lead: Lead, actor: User) -> Registration:
    """Create, submit and (as the policy allows) approve the accepting partner's registration of the lead."""
    products = list(lead.products.all())
    data = {
        "name": lead.name,
        "website": lead.website,
        "country": str(lead.country or ""),
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "stage": Registration.Stage.DISCOVERY,
        "involvement": INVOLVEMENT,
        "notes": _notes(lead),
    }
    if products:
        data["catalogue_products"] = [p.pk for p in products]
        data["other_products"] = ""
    elif lead.interest:
        data["products"] = lead.interest[:300]
    registration = dealreg_services.registration_save_draft(actor=actor, partner=lead.partner, data=data)
    registration = dealreg_services.registration_submit(actor=actor, registration=registration)
    if registration.status == Registration.Status.SUBMITTED:
        registration = _protect(registration, lead=lead)
    return registration


def _protect(registration: Registration, *, lead: Lead) -> Registration:
    """Approve the lead's registration for the partner unless another partner's registration collides (a manager
    resolves that) or our own customer or direct sales does and nobody confirmed the lead's flag."""
    if open_partner_conflicts(registration):
        return registration
    direct = Conflict.objects.filter(registration=registration, resolved_at__isnull=True).exclude(
        kind=Conflict.Kind.REGISTRATION
    )
    if direct.exists() and lead.match_confirmed_at is None:
        return registration
    policy = policy_get()
    now = timezone.now()
    reason = f"Lead #{lead.pk} assigned by the channel team: protected on acceptance"
    if lead.match_confirmed_at is not None and lead.match_confirm_reason:
        reason += f" (the channel team confirmed it: {lead.match_confirm_reason})"
    reason = reason[:2000]
    with transaction.atomic():
        changed = Registration.objects.filter(pk=registration.pk, status=Registration.Status.SUBMITTED).update(
            status=Registration.Status.APPROVED,
            decided_at=now,
            decided_by=None,
            decision_reason=reason,
            protected_until=now + timedelta(days=protection_days(policy, registration.partner)),
            updated_at=now,
        )
        if not changed:
            registration.refresh_from_db()
            return registration
        direct.update(resolved_at=now)
        registration.refresh_from_db()
        event = audit_record(
            actor=None,
            verb="deal.approved",
            target=registration,
            partner=registration.partner,
            before={"status": Registration.Status.SUBMITTED},
            after={"status": registration.status, "protected_until": registration.protected_until.isoformat()},
            reason=reason,
        )
        tell_partner(
            registration=registration, event_pk=event.pk, template="deal_approved", context={"automatic": False}
        )
    return registration


OUTCOMES = {
    Registration.Status.APPROVED: Lead.Status.CONVERTED,
    Registration.Status.WON: Lead.Status.WON,
    Registration.Status.LOST: Lead.Status.LOST,
    Registration.Status.REJECTED: Lead.Status.LOST,
    Registration.Status.EXPIRED: Lead.Status.LOST,
}
VERBS = {Lead.Status.CONVERTED: "lead.converted", Lead.Status.WON: "lead.won", Lead.Status.LOST: "lead.lost"}


def leads_sync_outcomes(*, lead_ids: list[int] | None = None) -> int:
    """Move held leads along with their registrations (compare-and-set: a lead moves once). Returns how many."""
    held = Lead.objects.filter(status__in=Lead.HELD, registration__isnull=False)
    if lead_ids is not None:
        held = held.filter(pk__in=lead_ids)
    moved = 0
    wanted = Q()
    for reg_status, lead_status in OUTCOMES.items():
        wanted |= Q(registration__status=reg_status) & ~Q(status=lead_status)
    for lead in held.filter(wanted).select_related("registration", "partner")[:1000]:
        target = OUTCOMES[lead.registration.status]
        if target == Lead.Status.CONVERTED and lead.status != Lead.Status.ACCEPTED:
            continue
        now = timezone.now()
        fields = {"status": target, "updated_at": now}
        if target in (Lead.Status.WON, Lead.Status.LOST):
            fields["closed_at"] = lead.registration.closed_at or now
        with transaction.atomic():
            if not Lead.objects.filter(pk=lead.pk, status=lead.status).update(**fields):
                continue
            audit_record(
                actor=None,
                verb=VERBS[target],
                target=lead,
                partner=lead.partner,
                before={"status": lead.status},
                after={"status": target, "registration": lead.registration_id},
                reason=f"its registration is {lead.registration.get_status_display().lower()}",
                label=lead.name,
            )
        moved += 1
    return moved


def on_registration_won(*, registration: Registration, actor=None) -> None:
    """dealreg's won listener: the lead behind a won registration is won at once."""
    ids = list(Lead.objects.filter(registration=registration).values_list("pk", flat=True))
    if ids:
        leads_sync_outcomes(lead_ids=ids)
