"""Applications to join the program: what the applicant told us, and what the duplicate check found."""

from django.conf import settings
from django.db import models

from partners.models.partner import Partner


class Application(models.Model):
    """The application behind a partner in status `applied` (from /apply/ or a distributor's invitation)."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="application")
    contact_name = models.CharField(max_length=160)
    contact_email = models.EmailField()
    contact_title = models.CharField("job title", max_length=160, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    why = models.TextField("why partner with us", max_length=4000, blank=True)
    duplicates = models.JSONField(
        default=list, blank=True, help_text="What the duplicate check found: [{partner_id, name, reason}]."
    )
    invited_by_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="reseller_applications"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("-submitted_at",)

    def __str__(self) -> str:
        return f"Application from {self.partner.name} ({self.contact_email})"

    @property
    def is_flagged(self) -> bool:
        return bool(self.duplicates)


class Prospect(models.Model):
    """A company a channel manager is thinking of recruiting (not yet an applicant): scored for ideal-partner fit,
    optionally with the overlap between its customer list and ours (a count only; names are never kept)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        INVITED = "invited", "Invited to apply"
        DROPPED = "dropped", "Not pursued"

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=300, blank=True)
    domain = models.CharField(max_length=253, blank=True, db_index=True, help_text="Derived from the website.")
    type = models.CharField(max_length=20, choices=Partner.Type.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    regions = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True, help_text="ISO country codes.")
    verticals = models.JSONField(default=list, blank=True)
    segments = models.JSONField(default=list, blank=True)
    seller_count = models.PositiveIntegerField("number of sellers", null=True, blank=True)
    contact_name = models.CharField(max_length=160, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(max_length=4000, blank=True)
    customer_list_rows = models.PositiveIntegerField(null=True, blank=True)
    customer_overlap = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many of its customers are our accounts or customers (names not kept)."
    )
    customer_list_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        from prm.names import registrable_domain

        self.domain = registrable_domain(self.website)
        super().save(*args, **kwargs)
