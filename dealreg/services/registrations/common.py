"""What the registration services share: who may act, who is told, and how a refused transition explains itself."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dealreg.models import Conflict, Registration
from partners.models import Partner
from partners.selectors import channel_managers, partner_admins
from prm.access import is_channel_manager, user_membership
from prm.models import User
from prm.notifications import notify

PENDING = (Registration.Status.SUBMITTED, Registration.Status.NEEDS_INFO)
REASON_MAX = 2000


def require_manager(actor: User) -> None:
    if not is_channel_manager(actor):
        raise ValidationError("Only channel managers can decide on deal registrations.")


def require_member(actor: User, partner: Partner) -> None:
    membership = user_membership(actor)
    if membership is None or membership.partner_id != partner.pk:
        raise ValidationError("Only your company's people can work on its deal registrations.")


def clean_text(value: str | None, *, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"Give {what}: the partner receives it.")
    if len(value) > REASON_MAX:
        raise ValidationError(f"Keep {what} under {REASON_MAX} characters (it has {len(value)}).")
    return value


def refused(registration: Registration, action: str) -> ValidationError:
    """Why a compare-and-set found the registration in another state than expected (a double click, or a
    colleague who was quicker)."""
    current = Registration.objects.filter(pk=registration.pk).select_related("decided_by").first()
    if current is None:
        return ValidationError("This registration no longer exists.")
    status = current.get_status_display().lower()
    if current.decided_at and current.status in (Registration.Status.APPROVED, Registration.Status.REJECTED):
        who = current.decided_by.display_name if current.decided_by else "automatically"
        when = date_format(timezone.localtime(current.decided_at), "DATETIME_FORMAT")
        return ValidationError(
            f"This registration was already {status} ({who}, {when}), so it cannot be {action} now. "
            "Nothing was changed."
        )
    return ValidationError(f"This registration is {status}, so it cannot be {action} now. Nothing was changed.")


def partner_recipients(registration: Registration) -> list[User]:
    """The partner's admins and whoever created the registration (once each)."""
    people = {user.pk: user for user in partner_admins(partner=registration.partner).filter(is_active=True)}
    creator = registration.created_by
    if creator is not None and creator.is_active and creator.pk not in people:
        people[creator.pk] = creator
    return list(people.values())


def tell_partner(*, registration: Registration, event_pk: int, template: str, context: dict) -> None:
    url = reverse("portal:deal_detail", args=[registration.pk])
    for user in partner_recipients(registration):
        notify(
            key=f"audit:{event_pk}:{template}:{user.pk}",
            template=template,
            recipient=user,
            partner=registration.partner,
            url=url,
            context={
                "registration": registration,
                "action_url": f"{_site()}{url}",
                "action_label": "Open the registration",
                **context,
            },
        )


def tell_managers(*, registration: Registration, event_pk: int, template: str, context: dict) -> None:
    url = reverse("manage:deal_detail", args=[registration.pk])
    for manager in channel_managers():
        notify(
            key=f"audit:{event_pk}:{template}:{manager.pk}",
            template=template,
            recipient=manager,
            partner=registration.partner,
            url=url,
            context={
                "registration": registration,
                "action_url": f"{_site()}{url}",
                "action_label": "Open the registration",
                **context,
            },
        )


def _site() -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/")


def open_partner_conflicts(registration: Registration) -> list[Conflict]:
    """Unresolved conflicts, in either direction, between this registration and another partner's ACTIVE one."""
    return list(
        Conflict.objects.filter(kind=Conflict.Kind.REGISTRATION, resolved_at__isnull=True)
        .filter(
            Q(registration=registration, other_registration__status__in=Registration.ACTIVE)
            | Q(other_registration=registration, registration__status__in=Registration.ACTIVE)
        )
        .select_related("registration", "other_registration")
    )


def refresh_flags(registration_ids: set[int]) -> None:
    """Recompute has_conflict and has_priority of pending registrations after another one left the active set
    (rejected, or resolved): a later registration can become the first, or be left with no conflict at all."""
    for registration in Registration.objects.filter(pk__in=registration_ids, status__in=PENDING):
        partner_conflicts = open_partner_conflicts(registration)
        other_conflicts = Conflict.objects.filter(registration=registration, resolved_at__isnull=True).exclude(
            kind=Conflict.Kind.REGISTRATION
        )
        has_conflict = bool(partner_conflicts) or other_conflicts.exists()
        earlier = False
        for conflict in partner_conflicts:
            if conflict.verdict != Conflict.Verdict.SAME:
                continue
            other = (
                conflict.other_registration if conflict.registration_id == registration.pk else conflict.registration
            )
            if other.submitted_at and registration.submitted_at and other.submitted_at < registration.submitted_at:
                earlier = True
        Registration.objects.filter(pk=registration.pk).update(has_conflict=has_conflict, has_priority=not earlier)
