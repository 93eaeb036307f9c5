"""Helpers for the onboarding tests: a partner in onboarding on the default checklist (migration 0004: agreement,
profile, invite, manual kick-off call), and a finished profile."""

from datetime import datetime, timedelta
from importlib import import_module

import pytest
from django.utils import timezone

from partners import services
from partners.models import AgreementAcceptance, AgreementVersion, ChecklistStep, Partner, PartnerStep

Kind = ChecklistStep.Kind
GATE = "partners.middleware.AgreementGateMiddleware"

COMPLETE_PROFILE = {
    "website": "https://northwind.example.com",
    "description": "Cloud migrations for mid-sized manufacturers.",
    "regions": ["emea"],
    "segments": ["midmarket"],
    "functions": ["sell", "service"],
}


def start_onboarding(partner: Partner, *, owner=None, approved_at: datetime | None = None) -> list[PartnerStep]:
    """Put the partner where an approved application leaves it (nothing signed yet), then start its checklist."""
    forget_acceptances(partner)
    partner.status = Partner.Status.ONBOARDING
    partner.approved_at = approved_at or timezone.now()
    partner.activated_at = None
    partner.owner = owner
    partner.save()
    return services.onboarding_start(partner=partner, actor=owner)


def complete_profile(partner: Partner) -> None:
    for name, value in COMPLETE_PROFILE.items():
        setattr(partner, name, value)
    partner.save()


def step_of(partner: Partner, kind: str) -> PartnerStep:
    return PartnerStep.objects.select_related("step").get(partner=partner, step__kind=kind)


def days(n: float) -> timedelta:
    return timedelta(days=n)


@pytest.fixture
def gate(settings):
    """The agreement gate switched on (the lead adds it to MIDDLEWARE for real)."""
    if GATE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, GATE]
    return settings


def accept_current_agreement(partner: Partner) -> None:
    """The partner's company has signed the current agreement (so the portal's agreement gate lets it in)."""
    version = AgreementVersion.objects.get(is_current=True)
    AgreementAcceptance.objects.get_or_create(partner=partner, version=version, defaults={"signer_name": "Signer"})


def forget_acceptances(*partners: Partner) -> None:
    """Whatever the factories did, these partners have not signed anything."""
    AgreementAcceptance.objects.filter(partner__in=partners).delete()


@pytest.fixture
def program_defaults(db):
    """The rows migration 0004 creates (program settings, default checklist, agreement 1.0). A live-server test
    flushes the database when it ends, and --reuse-db keeps that flushed database for the next PostgreSQL run, so
    put them back when they are missing."""
    from django.apps import apps

    import_module("partners.migrations.0004_program_defaults").create_defaults(apps, None)
