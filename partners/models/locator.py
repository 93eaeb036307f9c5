"""A partner's public profile for the partner locator (/partners/find/): what a visitor may see, chosen by the
partner's admins. Nothing is public until `listed` is on and the partner is active.

A visitor's "contact this partner" request waits here (`ContactRequest`) until its sender confirms it from the
emailed link; only then does it become a lead offered to that partner."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from partners.models.partner import Partner
from prm.uploads import private_storage, upload_path

LOGO_MAX_BYTES = 1024 * 1024


class PublicProfile(models.Model):
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="public_profile")
    listed = models.BooleanField(
        "show us in the partner locator",
        default=False,
        help_text="Visitors of the public partner locator can find this profile and contact you.",
    )
    # The profile's address (/partners/find/<slug>/): made from the name when the profile is first saved, then kept,
    # so shared links keep working when the company is renamed.
    slug = models.SlugField(max_length=80, unique=True, null=True, blank=True, editable=False)
    headline = models.CharField(max_length=160, blank=True, help_text="One line under your name.")
    description = models.TextField(max_length=3000, blank=True)
    # Private storage: the file is served by the locator's own view (only for a listed, active partner, never
    # sniffed or run), not by a media URL.
    logo = models.FileField(
        storage=private_storage,
        upload_to=upload_path("locator/logos"),
        max_length=300,
        blank=True,
        help_text="PNG, JPEG or WebP, up to 1 MB.",
    )
    services = models.JSONField(default=list, blank=True, help_text="What you do for customers.")
    public_website = models.URLField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["listed"], name="partners_profile_listed"),
            # The locator joins listed profiles to their partners: a small index of exactly those rows.
            models.Index(fields=["partner"], condition=Q(listed=True), name="partners_profile_listed_pk"),
        ]

    def __str__(self) -> str:
        return f"Public profile of {self.partner}"


class ContactRequest(models.Model):
    """A visitor asked to be contacted by a listed partner. Pending until the visitor opens the emailed link and
    confirms; then a lead is created for that partner (`lead_id`). Unconfirmed requests expire."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the email confirmation"
        CONFIRMED = "confirmed", "Confirmed"

    class Size(models.TextChoices):
        MICRO = "1-10", "1–10 employees"
        SMALL = "11-50", "11–50 employees"
        MEDIUM = "51-200", "51–200 employees"
        LARGE = "201-1000", "201–1,000 employees"
        XLARGE = "1001-5000", "1,001–5,000 employees"
        ENTERPRISE = "5000+", "More than 5,000 employees"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="locator_contacts")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    company_name = models.CharField(max_length=200)
    website = models.URLField(max_length=300, blank=True)
    country = CountryField()
    contact_name = models.CharField(max_length=160)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    industry = models.CharField(max_length=80, blank=True)
    size = models.CharField(max_length=10, choices=Size.choices, blank=True)
    interest = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=3000, blank=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The lead made from it (leads.Lead); an id, not a foreign key: partners sits below the leads app.
    lead_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar = [models.Index(fields=["partner", "-created_at"], name="partners_contact_partner")]

    def __str__(self) -> str:
        return f"{self.company_name} → {self.partner} ({self.get_status_display()})"
