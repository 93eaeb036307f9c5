"""Factories for registration tests: registrations in any state, written straight to the database (the services
are what the tests exercise)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from dealreg.models import Registration
from tests.factories import PartnerFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Customer {n} Industries")
    website = factory.Sequence(lambda n: f"https://customer{n}.example.org")
    country = "DE"
    contact_name = "Jo Buyer"
    contact_email = "jo@customer.example.org"
    value = Decimal("25000")
    status = Registration.Status.DRAFT


class SubmittedRegistrationFactory(RegistrationFactory):
    """An active registration as another partner left it: submitted a while ago, waiting for a decision."""

    status = Registration.Status.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))
    has_priority = True
