"""Every read the deal registration pages need, scoped to the viewer. Lists are bounded: the partner is joined
and open conflicts are counted in the same query, so a page costs the same at any size."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dealreg.models import Conflict, Registration
from partners.models import Partner
from prm.access import scoped_get

OPEN_CONFLICTS = Count("conflicts", filter=Q(conflicts__resolved_at__isnull=True), distinct=True)


def _get(filters: Any, key: str) -> Any:
    """Filters come as a dict (request.GET, cleaned_data) or an object with attributes (a dataclass)."""
    if filters is None:
        return None
    if isinstance(filters, Mapping):
        return filters.get(key) or None
    return getattr(filters, key, None) or None


def _base() -> QuerySet[Registration]:
    return Registration.objects.select_related("partner", "account", "created_by").annotate(
        open_conflicts=OPEN_CONFLICTS
    )


def _filter_common(qs: QuerySet[Registration], filters: Any) -> QuerySet[Registration]:
    if status := _get(filters, "status"):
        qs = qs.filter(status__in=Registration.ACTIVE) if status == "active" else qs.filter(status=status)
    if stage := _get(filters, "stage"):
        qs = qs.filter(stage=stage)
    if involvement := _get(filters, "involvement"):
        qs = qs.filter(involvement=involvement)
    if q := _get(filters, "q"):
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(website__icontains=q.strip()))
    if _get(filters, "conflict"):
        qs = qs.filter(has_conflict=True)
    return qs


def registration_list_for_partner(*, partner: Partner, filters: Any = None) -> QuerySet[Registration]:
    """The partner's own registrations, newest first (filters: status or "active", stage, involvement, q)."""
    qs = _filter_common(_base().filter(partner=partner), filters)
    return qs.order_by("-created_at", "-pk")


def registration_list(*, filters: Any = None) -> QuerySet[Registration]:
    """Every partner's registrations for the channel team (filters: status, partner (id), stage, involvement,
    q, conflict, min_value, max_value, older_than_days)."""
    qs = _filter_common(_base(), filters)
    if partner := _get(filters, "partner"):
        qs = qs.filter(partner_id=getattr(partner, "pk", partner))
    if (min_value := _get(filters, "min_value")) is not None:
        qs = qs.filter(value__gte=min_value)
    if (max_value := _get(filters, "max_value")) is not None:
        qs = qs.filter(value__lte=max_value)
    if older_than := _get(filters, "older_than_days"):
        qs = qs.filter(submitted_at__lte=timezone.now() - timedelta(days=int(older_than)))
    return qs.order_by("-submitted_at", "-created_at", "-pk")


def review_queue() -> QuerySet[Registration]:
    """Submitted registrations waiting for a decision, oldest first (the SLA clock runs from submission)."""
    return _base().filter(status=Registration.Status.SUBMITTED).order_by("submitted_at", "pk")


def access_registration(*, partner: Partner, pk: int) -> Registration:
    """One of the partner's registrations, or 404 (another partner's registration does not exist for it)."""
    return scoped_get(Registration.objects.select_related("partner", "created_by", "account"), partner=partner, pk=pk)


@dataclass
class ConflictView:
    """For the manager's side-by-side view: the registration, what it collides with (its own findings) and
    the later registrations that found it (incoming), each with the other side's details and the reasons."""

    registration: Registration
    conflicts: list[Conflict]
    incoming: list[Conflict]

    @property
    def open_partner_conflicts(self) -> list[Conflict]:
        return [
            c
            for c in (*self.conflicts, *self.incoming)
            if c.kind == Conflict.Kind.REGISTRATION and c.resolved_at is None
        ]


def conflict_view(*, registration: Registration) -> ConflictView:
    related = ("account", "opportunity", "other_registration__partner", "registration__partner")
    return ConflictView(
        registration=registration,
        conflicts=list(registration.conflicts.select_related(*related).order_by("resolved_at", "-score", "pk")),
        incoming=list(
            Conflict.objects.filter(other_registration=registration)
            .select_related(*related)
            .order_by("resolved_at", "-score", "pk")
        ),
    )
