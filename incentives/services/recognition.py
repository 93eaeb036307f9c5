"""Recognition: partner of the quarter or the year, and custom badges a channel manager awards a partner (DOMAIN.md
"Incentives and earnings": "recognition (partner of the quarter/year, shown on the profile)").

- `recognition_award`: any channel manager awards; the title is required (a partner of the quarter or year gets
  one from the kind and the date when left blank); the same kind and title twice for one partner is refused while
  the first stands. The partner's people are told, with the citation and a link to their portal.
- `recognition_withdraw`: with a reason; the award is never deleted, `withdrawn_at` hides it and keeps the record.
- `recognitions_for(partner)`: the partner's current awards, newest first (its portal, the manager's partner page).

Both writes are audit-recorded.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from incentives.models import Recognition
from partners.models import Partner, PartnerMembership
from partners.selectors import partner_people
from prm.access import is_channel_manager
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify_each

Kind = Recognition.Kind
TITLE_MAX = Recognition._meta.get_field("title").max_length or 80
CITATION_MAX = Recognition._meta.get_field("citation").max_length or 1000
REASON_MAX = 1000
# A partner still applying, declined or offboarded is not one to celebrate in the program.
AWARDABLE = (Partner.Status.ONBOARDING, Partner.Status.ACTIVE, Partner.Status.DORMANT)


def suggested_title(kind: str, awarded_on: date | None) -> str:
    """The title a partner of the quarter or year gets when none is given ("Partner of the quarter, Q3 2026");
    "" for a badge, which always needs its own."""
    if awarded_on is None:
        return ""
    if kind == Kind.PARTNER_OF_QUARTER:
        return f"Partner of the quarter, Q{(awarded_on.month - 1) // 3 + 1} {awarded_on.year}"
    if kind == Kind.PARTNER_OF_YEAR:
        return f"Partner of the year, {awarded_on.year}"
    return ""


def _day(value: date) -> str:
    return date_format(value, "M j, Y")


# --- Reads --------------------------------------------------------------------------------------------------------


def recognitions_for(partner: Partner) -> QuerySet[Recognition]:
    """The partner's current (not withdrawn) awards, newest first."""
    return Recognition.objects.filter(partner=partner, withdrawn_at__isnull=True).order_by("-awarded_on", "-pk")


def recognition_list(*, kind: str = "", partner_id: int | None = None, withdrawn: bool = False) -> QuerySet:
    """Every award for the channel team (current ones, or the withdrawn ones apart), newest first."""
    found = Recognition.objects.select_related("partner", "awarded_by").filter(withdrawn_at__isnull=not withdrawn)
    if kind in Kind.values:
        found = found.filter(kind=kind)
    if partner_id is not None:
        found = found.filter(partner_id=partner_id)
    return found.order_by("-withdrawn_at", "-awarded_on", "-pk") if withdrawn else found.order_by("-awarded_on", "-pk")


def recognition_counts(*, partner_id: int | None = None) -> dict[str, int]:
    """Current awards by kind, and "all" (one query)."""
    found = Recognition.objects.filter(withdrawn_at__isnull=True)
    if partner_id is not None:
        found = found.filter(partner_id=partner_id)
    counts = found.aggregate(all=Count("pk"), **{k: Count("pk", filter=Q(kind=k)) for k in Kind.values})
    return {key: value or 0 for key, value in counts.items()}


# --- Writes -------------------------------------------------------------------------------------------------------


def _require_manager(actor: User | None, what: str) -> None:
    if not is_channel_manager(actor):
        raise PermissionDenied(f"Only channel managers {what} recognition.")


def _clean(kind: object, title: object, citation: object, awarded_on: date | None) -> tuple[str, str, str]:
    """The kind, title and citation as saved (trimmed, the title suggested when left blank), or a ValidationError
    naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    kind = str(kind or "")
    if kind not in Kind.values:
        errors["kind"] = ["Choose partner of the quarter, partner of the year or a badge."]
    if awarded_on is None:
        errors["awarded_on"] = ["Give the date of the award."]
    elif awarded_on > timezone.localdate():
        errors["awarded_on"] = [
            f"The award date {_day(awarded_on)} is in the future: award it on the day, today or earlier."
        ]
    title = " ".join(str(title or "").split()) or suggested_title(kind, awarded_on)
    if not title and "kind" not in errors:
        example = "“Fastest mover”" if kind == Kind.BADGE else "“Partner of the quarter, Q3 2026”"
        errors["title"] = [f"Give the award a title the partner will see, e.g. {example}."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Keep the title under {TITLE_MAX} characters (it has {len(title)}): shorten it."]
    citation = str(citation or "").strip()
    if len(citation) > CITATION_MAX:
        errors["citation"] = [
            f"Keep the citation under {CITATION_MAX:,} characters (it has {len(citation):,}): shorten it."
        ]
    if errors:
        raise ValidationError(errors)
    return kind, title, citation


def recognition_award(
    *,
    actor: User,
    partner: Partner,
    kind: str,
    title: str = "",
    citation: str = "",
    awarded_on: date | None = None,
) -> Recognition:
    """A channel manager awards the partner a recognition (shown on its portal and on its page). A blank title of a
    partner of the quarter or year is suggested from the date. Refused, with the field that is wrong, for a blank
    badge title, a date to come, or a kind and title the partner already holds. The partner's people are told."""
    _require_manager(actor, "award")
    kind, title, citation = _clean(kind, title, citation, awarded_on)
    assert awarded_on is not None  # _clean refused a missing date
    with transaction.atomic():
        # Lock the partner: two managers awarding the same title at once find each other's award here.
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        if partner.status not in AWARDABLE:
            raise ValidationError(
                {"partner": [f"{partner.name} is {partner.get_status_display().lower()}: it is not in the program."]}
            )
        held = recognitions_for(partner).filter(kind=kind, title__iexact=title).first()
        if held is not None:
            raise ValidationError(
                {
                    "title": [
                        f"{partner.name} already holds “{held.title}” ({held.get_kind_display().lower()}, awarded "
                        f"{_day(held.awarded_on)}). Choose another title, or withdraw the earlier award first."
                    ]
                }
            )
        recognition = Recognition.objects.create(
            partner=partner, kind=kind, title=title, citation=citation, awarded_on=awarded_on, awarded_by=actor
        )
        event = audit_record(
            actor=actor,
            verb="recognition.awarded",
            target=recognition,
            partner=partner,
            after={"kind": kind, "title": title, "awarded_on": awarded_on.isoformat(), "citation": citation},
            label=f"{title} ({partner.name})",
        )
        everyone = tuple(PartnerMembership.Role.values)  # good news is for the whole company, not only its admins
        notify_each(
            key=f"audit:{event.pk}:incentives_recognition_awarded",
            template="incentives_recognition_awarded",
            users=partner_people(partner, roles=everyone),
            partner=partner,
            url=f"{reverse('portal:home')}#recognition",
            label="See it on your portal",
            context={
                "recognition": recognition,
                "kind": recognition.get_kind_display(),
                "awarded_by": actor.display_name,
            },
        )
    return recognition


def recognition_withdraw(*, actor: User, recognition: Recognition, reason: str) -> Recognition:
    """Withdraw an award with a reason: it leaves the partner's portal and page but is never deleted (the reason
    and the time are kept with it). Withdrawing it twice is refused."""
    _require_manager(actor, "withdraw")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the award is withdrawn: the reason is kept with it."]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [f"Keep the reason under {REASON_MAX:,} characters (it has {len(reason):,}): shorten it."]}
        )
    with transaction.atomic():
        now = timezone.now()
        # Compare-and-set: a double click or a colleague withdrawing at the same moment changes it once.
        changed = Recognition.objects.filter(pk=recognition.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_reason=reason
        )
        if not changed:
            raise ValidationError(f"“{recognition.title}” was withdrawn already.")
        recognition.refresh_from_db()
        event = audit_record(
            actor=actor,
            verb="recognition.withdrawn",
            target=recognition,
            partner=recognition.partner,
            before={"withdrawn": False},
            after={"withdrawn": True, "title": recognition.title},
            reason=reason,
            label=f"{recognition.title} ({recognition.partner.name})",
        )
        # The partner's admins are told why (the award was shown to the whole company).
        notify_each(
            key=f"audit:{event.pk}:incentives_recognition_withdrawn",
            template="incentives_recognition_withdrawn",
            users=partner_people(recognition.partner),
            partner=recognition.partner,
            url=reverse("portal:home"),
            label="Open your portal",
            context={"recognition": recognition, "reason": reason, "actor": actor.display_name},
        )
    return recognition
