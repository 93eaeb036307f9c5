"""The public partner locator (/partners/find/…) and the partner admin's public profile page in the portal."""

from django.urls import path

from partners.views import locator, locator_portal

portal_urlpatterns = [
    path("profile/public/", locator_portal.public_profile, name="public_profile"),
    path("profile/public/logo/", locator_portal.public_profile_logo, name="public_profile_logo"),
]

public_urlpatterns = [
    path("partners/find/", locator.find, name="locator"),
    # Before the profile routes: "confirm" is a reserved slug (partners.services.locator.RESERVED_SLUGS).
    path("partners/find/confirm/<str:token>/", locator.contact_confirm, name="locator_confirm"),
    path("partners/find/confirm/<str:token>/done/", locator.contact_confirmed, name="locator_confirmed"),
    path("partners/find/<slug:slug>/", locator.profile, name="locator_profile"),
    path("partners/find/<slug:slug>/logo/", locator.logo, name="locator_logo"),
    path("partners/find/<slug:slug>/contact/", locator.contact, name="locator_contact"),
    path("partners/find/<slug:slug>/contact/sent/", locator.contact_sent, name="locator_contact_sent"),
]
