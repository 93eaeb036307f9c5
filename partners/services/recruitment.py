"""Recruitment: applications (from the public form or a distributor) and the channel team's decision on them.

An application is a Partner in status `applied` plus its Application row (what the applicant told us and what the
duplicate check found). Approving moves the partner to onboarding and invites the contact as its first admin;
declining tells the applicant why. Both are compare-and-set on `applied`, so a decision is taken once.
"""

__all__ = [
    "ApprovalResult",
    "application_approve",
    "application_decline",
    "application_submit",
    "reseller_invite",
]

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_countries import countries as all_countries

from partners.models import Application, Invitation, Partner, PartnerMembership
from partners.selectors_recruitment import application_duplicates
from prm.access import is_channel_manager, user_membership
from prm.audit import audit_record
from prm.models import CHANNEL_MANAGERS_GROUP, User
from prm.notifications import notify

DECLINE_REASON_MAX = 2000


def _channel_managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=CHANNEL_MANAGERS_GROUP))
        .distinct()
        .order_by("email")
    )


def _require_manager(actor: User) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can decide on applications.")


def _clean_choices(values: list[str] | None, allowed, what: str) -> list[str]:
    values = list(dict.fromkeys(values or []))  # keep the order, drop repeats
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}.")
    return values


def _application_create(
    *,
    actor: User | None,
    source: str,
    parent: Partner | None,
    name: str,
    type: str,
    website: str,
    contact_name: str,
    contact_email: str,
    contact_title: str = "",
    contact_phone: str = "",
    regions: list[str] | None = None,
    countries: list[str] | None = None,
    description: str = "",
    why: str = "",
    submitted_ip: str | None = None,
) -> Application:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the company's name.")
    if type not in Partner.Type.values:
        raise ValidationError("Choose a partner type.")
    regions = _clean_choices(regions, Partner.Region.values, "region")
    countries = _clean_choices([c.upper() for c in countries or []], dict(all_countries), "country code")
    contact_email = contact_email.strip().lower()
    duplicates = application_duplicates(name=name, website=website, email=contact_email)
    now = timezone.now()
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name,
            type=type,
            status=Partner.Status.APPLIED,
            source=source,
            parent=parent,
            website=website,
            regions=regions,
            countries=countries,
            description=description,
            applied_at=now,
            status_changed_at=now,
        )
        application = Application.objects.create(
            partner=partner,
            contact_name=" ".join(contact_name.split()),
            contact_email=contact_email,
            contact_title=contact_title,
            contact_phone=contact_phone,
            why=why,
            duplicates=duplicates,
            invited_by_partner=parent if source == Partner.Source.DISTRIBUTOR else None,
            submitted_by=actor,
            submitted_ip=submitted_ip,
        )
        audit_record(
            actor=actor,
            verb="application.submitted",
            target=application,
            partner=partner,
            after={
                "name": partner.name,
                "type": partner.type,
                "status": partner.status,
                "source": source,
                "contact_email": contact_email,
                "invited_by": parent.name if parent else "",
                "duplicates": [d["partner_id"] for d in duplicates],
            },
        )
        _recheck_waiting_duplicates(duplicates)
        url = reverse("manage:application_detail", args=[partner.pk])
        for manager in _channel_managers():
            notify(
                key=f"application-new:{application.pk}:{manager.pk}",
                template="application_new",
                recipient=manager,
                partner=partner,
                url=url,
                context={"application": application, "partner": partner, "duplicates": duplicates},
            )
    return application


def _recheck_waiting_duplicates(findings: list[dict[str, Any]]) -> None:
    """An earlier application that waits for review now has a look-alike too: refresh its findings, so the
    reviewer sees the pair whichever one they open first."""
    waiting_ids = [f["partner_id"] for f in findings if f["status"] == Partner.Status.APPLIED][:10]
    for earlier in Application.objects.select_for_update().select_related("partner").filter(partner_id__in=waiting_ids):
        earlier.duplicates = application_duplicates(
            name=earlier.partner.name,
            website=earlier.partner.website,
            email=earlier.contact_email,
            exclude_partner_id=earlier.partner_id,
        )
        earlier.save(update_fields=["duplicates"])


def application_submit(
    *,
    name: str,
    type: str,
    website: str,
    contact_name: str,
    contact_email: str,
    contact_title: str = "",
    contact_phone: str = "",
    regions: list[str] | None = None,
    countries: list[str] | None = None,
    description: str = "",
    why: str = "",
    submitted_ip: str | None = None,
) -> Application:
    """A company applies on the public form. Creates the partner (status applied) and its application, flags
    look-alikes of existing partners, confirms to the applicant and tells every channel manager."""
    with transaction.atomic():
        application = _application_create(
            actor=None,
            source=Partner.Source.APPLICATION,
            parent=None,
            name=name,
            type=type,
            website=website,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_title=contact_title,
            contact_phone=contact_phone,
            regions=regions,
            countries=countries,
            description=description,
            why=why,
            submitted_ip=submitted_ip,
        )
        notify(
            key=f"application-received:{application.pk}",
            template="application_received",
            email=application.contact_email,
            partner=application.partner,
            context={"application": application, "partner": application.partner},
        )
    return application


def reseller_invite(
    *,
    actor: User,
    distributor: Partner,
    name: str,
    website: str,
    contact_name: str,
    contact_email: str,
    type: str = Partner.Type.RESELLER,
    why: str = "",
) -> Application:
    """A distributor's admin proposes a reseller to sit under it. It becomes an application the channel team
    approves in the same queue; the reseller's contact is told what happens next."""
    membership = user_membership(actor)
    if (
        not distributor.is_distributor
        or membership is None
        or membership.partner_id != distributor.pk
        or not membership.is_admin
    ):
        raise ValidationError("Only a distributor's admins can invite resellers.")
    with transaction.atomic():
        application = _application_create(
            actor=actor,
            source=Partner.Source.DISTRIBUTOR,
            parent=distributor,
            name=name,
            type=type,
            website=website,
            contact_name=contact_name,
            contact_email=contact_email,
            why=why,
        )
        notify(
            key=f"reseller-invited:{application.pk}",
            template="reseller_invited",
            email=application.contact_email,
            partner=application.partner,
            context={"application": application, "partner": application.partner, "distributor": distributor},
        )
    return application


# --- Decisions -------------------------------------------------------------------------------------------------


def _already_decided(partner_pk: int) -> ValidationError:
    partner = Partner.objects.filter(pk=partner_pk).select_related("application__decided_by").first()
    if partner is None:
        return ValidationError("This application no longer exists.")
    application = getattr(partner, "application", None)
    if (
        partner.status in (Partner.Status.ONBOARDING, Partner.Status.DECLINED)
        and application
        and application.decided_at
    ):
        verb = "declined" if partner.status == Partner.Status.DECLINED else "approved"
        who = application.decided_by.display_name if application.decided_by else "someone"
        when = date_format(timezone.localtime(application.decided_at), "DATETIME_FORMAT")
        return ValidationError(f"This application was already {verb} by {who} ({when}). Nothing was changed.")
    return ValidationError(
        f"This application is no longer waiting: {partner.name} is {partner.get_status_display().lower()}. "
        "Nothing was changed."
    )


@dataclass
class ApprovalResult:
    partner: Partner
    invitation: Invitation | None = None
    # Why the contact could not be invited (they already belong to another partner…); the manager invites
    # someone else from the partner's page.
    invitation_problem: str = ""
    steps: list[Any] = field(default_factory=list)


def application_approve(*, actor: User, partner: Partner) -> ApprovalResult:
    """Approve a waiting application: the partner starts onboarding (its checklist is created), the approving
    manager becomes its owner unless it has one, its contact is invited as the partner's admin and welcomed."""
    from partners import services  # the package: onboarding_start lives in the onboarding helper's module

    _require_manager(actor)
    now = timezone.now()
    with transaction.atomic():
        changed = Partner.objects.filter(pk=partner.pk, status=Partner.Status.APPLIED).update(
            status=Partner.Status.ONBOARDING, approved_at=now, status_changed_at=now, updated_at=now
        )
        if changed != 1:
            raise _already_decided(partner.pk)
        Partner.objects.filter(pk=partner.pk, owner__isnull=True).update(owner=actor)
        partner.refresh_from_db()
        application = Application.objects.select_for_update().filter(partner=partner).first()
        if application is not None:
            application.decided_by = actor
            application.decided_at = now
            application.save(update_fields=["decided_by", "decided_at"])
        event = audit_record(
            actor=actor,
            verb="application.approved",
            target=application or partner,
            partner=partner,
            before={"status": Partner.Status.APPLIED},
            after={"status": partner.status, "owner": partner.owner.email if partner.owner else ""},
        )
        steps = services.onboarding_start(partner=partner, actor=actor) or []
        result = ApprovalResult(partner=partner, steps=list(steps))
        if application is None:
            result.invitation_problem = "There is no application with a contact to invite."
        else:
            try:
                result.invitation, _token = services.invitation_create(
                    actor=actor, partner=partner, email=application.contact_email, role=PartnerMembership.Role.ADMIN
                )
            except ValidationError as exc:
                result.invitation_problem = exc.messages[0]
            notify(
                key=f"audit:{event.pk}:welcome",
                template="partner_welcome",
                email=application.contact_email,
                partner=partner,
                context={
                    "application": application,
                    "partner": partner,
                    "owner": partner.owner,
                    "invitation": result.invitation,
                    "steps": result.steps,
                },
            )
    return result


def application_decline(*, actor: User, partner: Partner, reason: str) -> Partner:
    """Decline a waiting application. The reason is required: the applicant receives it by email."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason: the applicant receives it by email.")
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationError(f"Keep the reason under {DECLINE_REASON_MAX} characters (it has {len(reason)}).")
    now = timezone.now()
    with transaction.atomic():
        changed = Partner.objects.filter(pk=partner.pk, status=Partner.Status.APPLIED).update(
            status=Partner.Status.DECLINED, status_changed_at=now, updated_at=now
        )
        if changed != 1:
            raise _already_decided(partner.pk)
        partner.refresh_from_db()
        application = Application.objects.select_for_update().filter(partner=partner).first()
        if application is not None:
            application.decided_by = actor
            application.decided_at = now
            application.decision_reason = reason
            application.save(update_fields=["decided_by", "decided_at", "decision_reason"])
        event = audit_record(
            actor=actor,
            verb="application.declined",
            target=application or partner,
            partner=partner,
            before={"status": Partner.Status.APPLIED},
            after={"status": partner.status},
            reason=reason,
        )
        if application is not None:
            notify(
                key=f"audit:{event.pk}:applicant",
                template="application_declined",
                email=application.contact_email,
                partner=partner,
                context={"application": application, "partner": partner, "reason": reason},
            )
    return partner
