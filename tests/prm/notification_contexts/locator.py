"""Contexts of the partner locator's notifications (partners.services.locator)."""

from datetime import timedelta

from django.utils import timezone

from partners.models.locator import ContactRequest

# The confirmation link goes to a visitor without an account (the rendering test gives it a URL, as the sender does).
NO_ACCOUNT = {"locator_contact_confirm"}


def contexts(w) -> dict[str, dict]:
    request = ContactRequest(
        partner=w.partner,
        company_name="Initech & Co",
        country="DE",
        contact_name="Rosa D'Souza",
        contact_email="rosa@initech.example.com",
        interest="Analytics & reporting",
        expires_at=timezone.now() + timedelta(hours=48),
    )
    return {
        "locator_contact_confirm": {"request": request, "partner": w.partner, "hours": 48},
        "locator_profile_listed": {
            "partner": w.partner,
            "actor": w.admin,
            "listed": True,
            "active": True,
            "public_url": "/partners/find/smith-jones-ohara/",
        },
    }
