"""Registrations for the page tests, saved through the model (so the match keys are set) in any state."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from dealreg.models import Conflict, Registration


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    name = factory.Sequence(lambda n: f"Customer {n} Inc")
    website = factory.Sequence(lambda n: f"https://customer{n}.com")
    country = "US"
    contact_name = "Jane Buyer"
    contact_email = factory.Sequence(lambda n: f"jane{n}@customer.example.com")
    products = "Platform"
    value = Decimal("25000")
    currency = "USD"
    stage = Registration.Stage.DISCOVERY
    involvement = Registration.Involvement.SOURCED
    status = Registration.Status.DRAFT


def submitted(partner, *, age: timedelta = timedelta(hours=1), due_in: timedelta = timedelta(days=2), **kwargs):
    """A registration submitted `age` ago whose decision is due `due_in` from now (negative: overdue)."""
    now = timezone.now()
    registration = RegistrationFactory(partner=partner, status=Registration.Status.SUBMITTED, **kwargs)
    Registration.objects.filter(pk=registration.pk).update(
        submitted_at=now - age, decision_due_at=now + due_in, created_at=now - age
    )
    registration.refresh_from_db()
    return registration


def approved(partner, *, days_left: int = 30, **kwargs):
    """An approved registration whose protection ends `days_left` calendar days from today (late that day, so the
    count is the same at any hour: "now + 5 days + 1 hour" was 6 days away after 23:00)."""
    now = timezone.now()
    ends = timezone.make_aware(datetime.combine(timezone.localdate(now) + timedelta(days=days_left), time(23, 59)))
    return RegistrationFactory(
        partner=partner,
        status=Registration.Status.APPROVED,
        submitted_at=now - timedelta(days=5),
        decided_at=now - timedelta(days=4),
        protected_until=ends,
        **kwargs,
    )


def partner_conflict(registration: Registration, other: Registration, score: int = 96) -> Conflict:
    """Record that `registration` collides with another partner's `other` (as the submit service would)."""
    Registration.objects.filter(pk__in=[registration.pk, other.pk]).update(has_conflict=True)
    registration.refresh_from_db()
    return Conflict.objects.create(
        registration=registration,
        kind=Conflict.Kind.REGISTRATION,
        other_registration=other,
        verdict=Conflict.Verdict.SAME,
        score=score,
        reasons=[f"same registrable domain {other.domain}", "names match after removing legal forms"],
    )
