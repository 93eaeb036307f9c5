"""Onboarding: configurable checklists of steps, each partner's progress, and the versioned partner agreement."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from partners.models.partner import Partner


class Checklist(models.Model):
    """An ordered list of steps. The one without a partner type is the default; others apply to one type."""

    name = models.CharField(max_length=120)
    partner_type = models.CharField(
        max_length=20, blank=True, choices=Partner.Type.choices, help_text="Leave empty for the default checklist."
    )

    class Meta:
        ordering = ("partner_type", "name")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partner_type"], name="checklist_one_per_partner_type"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistStep(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Accept the partner agreement"
        PROFILE = "profile", "Complete the company profile"
        INVITE = "invite", "Invite a colleague"
        COURSE = "course", "Complete a course"
        FIRST_DEAL = "first_deal", "Register a first deal"
        MANUAL = "manual", "Manual step (the channel manager checks it)"

    # Kinds the system detects by itself; a manual step is ticked by a channel manager.
    DETECTED = frozenset({Kind.AGREEMENT, Kind.PROFILE, Kind.INVITE, Kind.COURSE, Kind.FIRST_DEAL})

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=160)
    help_text = models.TextField(blank=True, help_text="Shown to the partner: what to do and why.")
    course_key = models.CharField(
        max_length=80, blank=True, help_text="For 'complete a course': the course's key in Enablement."
    )
    # A retired step is no longer given to partners (new ones, or those who had not done it); partners who did it
    # keep it, done. Kept rather than deleted because their copies point at it.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("checklist", "order", "pk")

    def __str__(self) -> str:
        return f"{self.checklist}: {self.order}. {self.title}"


class PartnerStep(models.Model):
    """One partner's copy of a checklist step, made when the partner is approved."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="onboarding_steps")
    step = models.ForeignKey(ChecklistStep, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detected = models.BooleanField(default=False, help_text="Completed by the system, not by a person.")

    class Meta:
        ordering = ("partner", "order", "pk")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partner", "step"], name="partnerstep_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.step.title}"

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None


class AgreementVersion(models.Model):
    """The partner agreement's text. Publishing a new version makes it current; partners accept it again."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=160, default="Partner agreement")
    body = models.TextField()
    is_current = models.BooleanField(default=False)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-published_at",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="agreement_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    """Who signed which version for which partner, when, under which name."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="agreement_acceptances")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField(max_length=160)
    signer_title = models.CharField(max_length=160, blank=True)
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ("-accepted_at",)
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["partner", "version"], name="agreement_accepted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} accepted v{self.version.version} ({self.signer_name})"
