"""Program setup, MDF: the settings and the budget periods, changed by a program admin.

Program admins only (`partners.manage_program`); every write is locked, validated and audited with what it was and
what it became. Periods never overlap (a day belongs to one period, which is how `period_for` finds it) and end
after they start; a period whose unused funds already expired keeps its dates. When a period's dates move, the
partners with a budget in it are told (their funds now expire on another day).
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mdf.models import Budget, MdfSettings, Period
from mdf.services.common import fmt_date
from mdf.services.periods import SETTINGS_FIELDS, funds_expire_on, mdf_settings, period_bounds
from partners.models import PartnerMembership
from partners.selectors import partner_people
from partners.services.setup import can_manage_program
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify_each

PERIOD_FIELDS = ("name", "starts_on", "ends_on")


def _check(actor: User, what: str) -> None:
    if not can_manage_program(actor):
        raise ValidationError(f"Only program admins can {what}.")


def mdf_settings_change(*, actor: User, data: dict[str, Any]) -> tuple[MdfSettings, list[str]]:
    """Change the MDF settings (a form validated the values). Existing periods keep their dates; a change of fiscal
    calendar applies to periods created from now on. Audited with the fields that changed. Returns the settings and
    the names of the fields that changed."""
    _check(actor, "change the MDF settings")
    unknown = set(data) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        settings = MdfSettings.objects.select_for_update().get(pk=mdf_settings().pk)
        before = {name: getattr(settings, name) for name in data}
        changed = [name for name, value in data.items() if before[name] != value]
        if not changed:
            return settings, []
        for name in changed:
            setattr(settings, name, data[name])
        settings.full_clean()
        settings.save()
        audit_record(
            actor=actor,
            verb="mdf.settings_updated",
            target=settings,
            before={name: str(before[name]) for name in changed},
            after={name: str(data[name]) for name in changed},
        )
    return settings, changed


# --- Periods ----------------------------------------------------------------------------------------------------


def period_rows() -> list[dict[str, Any]]:
    """Every period, newest first, with how many budgets it holds."""
    budgets: dict[int, int] = {}
    for period_id in Budget.objects.values_list("period_id", flat=True):
        budgets[period_id] = budgets.get(period_id, 0) + 1
    return [{"period": p, "budgets": budgets.get(p.pk, 0)} for p in Period.objects.order_by("-starts_on")]


def suggest_next_period() -> dict[str, Any]:
    """The period after the latest one, by the fiscal calendar of the settings (a starting point for the form)."""
    latest = Period.objects.order_by("-ends_on").first()
    day = latest.ends_on + timedelta(days=1) if latest else timezone.localdate()
    starts, ends, name = period_bounds(day, mdf_settings())
    if latest and starts <= latest.ends_on:  # the settings changed: start right after the latest period
        starts = latest.ends_on + timedelta(days=1)
    return {"name": name, "starts_on": starts, "ends_on": ends}


def _clean_period(values: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = " ".join((values.get("name") or "").split())
    if not name:
        errors["name"] = "Give the period a name, e.g. “FY2027 Q1”."
    elif len(name) > 40:
        errors["name"] = "The name can be at most 40 characters."
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts, date):
        errors["starts_on"] = "Give the first day of the period."
    if not isinstance(ends, date):
        errors["ends_on"] = "Give the last day of the period."
    if errors:
        raise ValidationError(errors)
    if ends <= starts:
        raise ValidationError({"ends_on": "The period must end after it starts."})
    if (ends - starts).days > 366:
        raise ValidationError({"ends_on": "A period can be at most a year long."})
    others = Period.objects.exclude(pk=exclude_pk) if exclude_pk else Period.objects.all()
    overlap = others.filter(starts_on__lte=ends, ends_on__gte=starts).order_by("starts_on").first()
    if overlap is not None:
        raise ValidationError(
            {
                "starts_on": f"These dates overlap {overlap.name} ({fmt_date(overlap.starts_on)} – "
                f"{fmt_date(overlap.ends_on)}): a day belongs to one period only."
            }
        )
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a period called {name}."})
    return {"name": name, "starts_on": starts, "ends_on": ends}


def period_create(*, actor: User, data: dict[str, Any]) -> Period:
    """Add a budget period. Audited."""
    _check(actor, "add MDF periods")
    with transaction.atomic():
        MdfSettings.objects.select_for_update().get(pk=mdf_settings().pk)  # one period write at a time
        values = _clean_period(data)
        try:
            with transaction.atomic():
                period = Period.objects.create(**values)
        except IntegrityError:
            raise ValidationError({"starts_on": "Another period already starts on that day."}) from None
        audit_record(
            actor=actor,
            verb="mdf.period_created",
            target=period,
            after={"name": period.name, "starts_on": str(period.starts_on), "ends_on": str(period.ends_on)},
        )
    return period


def period_update(*, actor: User, period: Period, data: dict[str, Any]) -> tuple[Period, list[str]]:
    """Rename a period or move its dates (not once its unused funds expired). Audited with what changed. Returns the
    period and the names of the fields that changed."""
    _check(actor, "change MDF periods")
    with transaction.atomic():
        MdfSettings.objects.select_for_update().get(pk=mdf_settings().pk)
        locked = Period.objects.select_for_update().get(pk=period.pk)
        before = {name: getattr(locked, name) for name in PERIOD_FIELDS}
        values = _clean_period({**before, **data}, exclude_pk=locked.pk)
        changed = [name for name in PERIOD_FIELDS if before[name] != values[name]]
        if not changed:
            return locked, []
        if locked.funds_expired_at is not None and ({"starts_on", "ends_on"} & set(changed)):
            raise ValidationError(
                {"ends_on": f"The unused funds of {locked.name} already expired: its dates cannot change."}
            )
        for name in changed:
            setattr(locked, name, values[name])
        try:
            with transaction.atomic():
                locked.save(update_fields=changed)
        except IntegrityError:
            raise ValidationError({"starts_on": "Another period already starts on that day."}) from None
        event = audit_record(
            actor=actor,
            verb="mdf.period_changed",
            target=locked,
            before={name: str(before[name]) for name in changed},
            after={name: str(values[name]) for name in changed},
        )
        if {"starts_on", "ends_on"} & set(changed):
            _announce_dates(event_pk=event.pk, period=locked, before=before)
    return locked, changed


def _announce_dates(*, event_pk: int, period: Period, before: dict[str, Any]) -> int:
    """Tell the partners with a budget in the period (admins and marketing people) that its dates moved, and when
    their unused funds now expire. Returns how many people were told."""
    url = reverse("portal:mdf")
    told = 0
    budgets = Budget.objects.filter(period=period).select_related("partner").order_by("partner__name")
    for budget in budgets:
        told += notify_each(
            key=f"audit:{event_pk}:mdf_period:{budget.partner_id}",
            template="setup_mdf_period_changed",
            users=partner_people(budget.partner, roles=(PartnerMembership.Role.MARKETING,)),
            partner=budget.partner,
            url=url,
            label="See your funds",
            context={
                "period": period,
                "was": f"{fmt_date(before['starts_on'])} – {fmt_date(before['ends_on'])}",
                "now": f"{fmt_date(period.starts_on)} – {fmt_date(period.ends_on)}",
                "expires_on": fmt_date(funds_expire_on(period)),
            },
        )
    return told
