"""Test helpers for recruitment: a valid application (form data or through the service) and two-tier setups."""

from typing import Any

from partners import services
from partners.models import Application, ChecklistStep, Partner, PartnerMembership, PartnerStep
from tests.factories import MembershipFactory, PartnerFactory


def application_form_data(**overrides: Any) -> dict[str, Any]:
    """What a person types into /apply/."""
    data = {
        "name": "Bluepeak Consulting",
        "website": "https://www.bluepeak.io/en",
        "type": Partner.Type.SI,
        "regions": [Partner.Region.EMEA, Partner.Region.NA],
        "countries": ["GB", "DE"],
        "contact_name": "Jo Bloggs",
        "contact_email": "jo@bluepeak.io",
        "contact_title": "Head of Alliances",
        "contact_phone": "+44 20 7946 0958",
        "description": "Data platform implementations for mid-market retailers.",
        "why": "Our customers keep asking for your product.",
    }
    data.update(overrides)
    return data


def submit_application(**overrides: Any) -> Application:
    """An application made through the service, as the public form does."""
    data = application_form_data(**overrides)
    data.setdefault("submitted_ip", "203.0.113.7")
    return services.application_submit(**data)


def give_steps(partner: Partner, *, done: int) -> None:
    """Copy the default checklist (4 steps, from the migrations) to `partner`, the first `done` of them completed."""
    from django.utils import timezone

    steps = ChecklistStep.objects.filter(checklist__partner_type="").order_by("order")
    for i, step in enumerate(steps):
        PartnerStep.objects.create(
            partner=partner, step=step, order=step.order, completed_at=timezone.now() if i < done else None
        )


def admin_of(partner: Partner, email: str):
    return MembershipFactory(partner=partner, role=PartnerMembership.Role.ADMIN, user__email=email).user


def seller_of(partner: Partner, email: str):
    return MembershipFactory(partner=partner, role=PartnerMembership.Role.SALES, user__email=email).user


def distributor(name: str, **kwargs: Any) -> Partner:
    return PartnerFactory(name=name, type=Partner.Type.DISTRIBUTOR, **kwargs)


def reseller(name: str, parent: Partner, **kwargs: Any) -> Partner:
    return PartnerFactory(name=name, type=Partner.Type.RESELLER, parent=parent, **kwargs)


def stub_onboarding_start_if_missing(monkeypatch) -> list[Partner] | None:
    """The onboarding helper's `onboarding_start` may not exist yet in this branch: stand in for it only then,
    recording the partners it was called for. Returns None when the real one is in place."""
    if hasattr(services, "onboarding_start"):
        return None
    calls: list[Partner] = []

    def fake_onboarding_start(*, partner: Partner, actor=None) -> list:
        calls.append(partner)
        return []

    monkeypatch.setattr(services, "onboarding_start", fake_onboarding_start, raising=False)
    return calls
