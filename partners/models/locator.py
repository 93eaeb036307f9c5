"""A partner's public profile for the partner locator (/partners/find/): what a visitor may see, chosen by the
partner's admins. Nothing is public until `listed` is on and the partner is active."""

from django.conf import settings
from django.db import models

from partners.models.partner import Partner


class PublicProfile(models.Model):
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="public_profile")
    listed = models.BooleanField(
        "show us in the partner locator",
        default=False,
        help_text="Visitors of the public partner locator can find this profile and contact you.",
    )
    headline = models.CharField(max_length=160, blank=True, help_text="One line under your name.")
    description = models.TextField(max_length=3000, blank=True)
    logo = models.FileField(upload_to="locator/logos/", blank=True, help_text="PNG, JPEG, WebP or SVG, up to 1 MB.")
    services = models.JSONField(default=list, blank=True, help_text="What you do for customers.")
    public_website = models.URLField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["listed"], name="partners_profile_listed")]

    def __str__(self) -> str:
        return f"Public profile of {self.partner}"
