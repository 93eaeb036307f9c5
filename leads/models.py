"""Leads: the startup's own prospects, matched to partners by capability and offered to them (DOMAIN.md "Leads").

A lead's company is a `MatchKeysMixin` (name, website, country with normalised keys), so the account matcher judges
it like a registration's customer. A lead is offered to one partner (the manager's pick, the top-ranked partner, or
the partner a visitor chose on the locator) or to the top N at once (first to accept wins); an offer is answered
before its deadline or expires. Accepting creates the partner's deal registration (`Lead.registration`).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from dealreg.models import Account, MatchKeysMixin


class Lead(MatchKeysMixin):
    """A prospect handed to partners. The inherited `name`, `website` and `country` describe the company."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        UNASSIGNED = "unassigned", "Back with us (nobody accepted)"
        CONVERTED = "converted", "Converted (registration approved)"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        MANAGER = "manager", "Entered by the channel team"
        IMPORT = "import", "Imported from CSV"
        LOCATOR = "locator", "Partner locator"
        API = "api", "API"
        EVENT = "event", "Event"
        INBOUND = "inbound", "Inbound (website, email)"
        OTHER = "other", "Other"

    class MatchKind(models.TextChoices):
        NONE = "", "No match"
        CUSTOMER = "customer", "Existing customer"
        REGISTRATION = "registration", "Protected registration"
        DIRECT = "direct", "Our direct sales team"

    Size = Account.Size
    # Statuses in which a partner holds the lead (it counts against the partner's open capacity).
    HELD = (Status.ACCEPTED, Status.CONVERTED)
    OPEN = (Status.NEW, Status.OFFERED, Status.UNASSIGNED)

    contact_name = models.CharField(max_length=160)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, choices=Account.Size.choices, blank=True)
    products = models.ManyToManyField("dealreg.Product", blank=True, related_name="leads")
    interest = models.CharField(
        "product interest", max_length=300, blank=True, help_text="What they asked about, in their words."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANAGER, db_index=True)
    notes = models.TextField(blank=True, max_length=4000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    preferred_partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preferred_leads",
        help_text="The partner a visitor chose on the partner locator.",
    )
    # The account matcher's verdict before anyone is offered the lead.
    match_kind = models.CharField(max_length=20, choices=MatchKind.choices, blank=True, default="")
    match_reason = models.TextField(blank=True)
    match_checked_at = models.DateTimeField(null=True, blank=True)
    match_confirmed_at = models.DateTimeField(null=True, blank=True)
    match_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_confirm_reason = models.TextField(blank=True)
    # Who holds it once accepted, and the registration accepting created.
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    registration = models.ForeignKey(
        "dealreg.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes: ClassVar = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["partner", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_match_confirmation(self) -> bool:
        """Flagged by the matcher and nobody confirmed yet: no offer goes out until a manager does."""
        return bool(self.match_kind) and self.match_confirmed_at is None

    @property
    def region(self) -> str:
        from leads.regions import region_of

        return region_of(str(self.country or ""))


class LeadOffer(models.Model):
    """A lead offered to one partner, answered before `deadline`. Several may be open at once (top N); the first
    to accept wins and the others are withdrawn. The score and its reasons are kept as they were when offered."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired (no answer in time)"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Mode(models.TextChoices):
        MANUAL = "manual", "Picked by a channel manager"
        AUTO = "auto", "Offered automatically to the top partner"
        TOP_N = "top_n", "Offered to the top partners, first to accept wins"
        LOCATOR = "locator", "Chosen by the customer on the partner locator"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="lead_offers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OFFERED, db_index=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.MANUAL)
    offered_at = models.DateTimeField()
    deadline = models.DateTimeField(db_index=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True, max_length=2000)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.IntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)  # [{"points": 25, "text": "Covers Germany"}, ...]

    class Meta:
        ordering = ("-offered_at", "-pk")
        constraints: ClassVar = [
            # First to accept wins, by construction: a lead has at most one accepted offer.
            models.UniqueConstraint(fields=["lead"], condition=Q(status="accepted"), name="lead_one_accepted_offer"),
            models.UniqueConstraint(
                fields=["lead", "partner"], condition=Q(status="offered"), name="lead_one_open_offer_per_partner"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"{self.lead} → {self.partner_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OFFERED

    @property
    def hours_to_answer(self) -> float | None:
        if self.responded_at is None:
            return None
        return (self.responded_at - self.offered_at).total_seconds() / 3600


class DistributionSettings(models.Model):
    """How leads are assigned (one row, pk=1), published to partners in plain words (leads.wording)."""

    class Mode(models.TextChoices):
        MANUAL = "manual", "A channel manager picks the partner from the ranked list"
        AUTO = "auto", "Offer automatically to the top-ranked partner"
        TOP_N = "top_n", "Offer to the top few partners at once: the first to accept wins"

    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.MANUAL)
    top_n = models.PositiveSmallIntegerField(
        "how many partners at once", default=3, help_text="For 'offer to the top few': 2 to 10."
    )
    response_hours = models.PositiveSmallIntegerField(
        "time to answer (business hours)", default=16, help_text="An offer not answered in time moves on."
    )
    day_starts_at = models.PositiveSmallIntegerField("business day starts (hour)", default=9)
    day_ends_at = models.PositiveSmallIntegerField("business day ends (hour)", default=17)
    max_open_leads = models.PositiveSmallIntegerField("open leads a partner can hold before it ranks lower", default=5)
    note = models.TextField(
        "anything else partners should know", blank=True, max_length=2000, help_text="Shown under the rules."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "lead distribution settings"
        verbose_name_plural = "lead distribution settings"

    def __str__(self) -> str:
        return "Lead distribution settings"
