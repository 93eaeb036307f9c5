"""What a partner user should do next, by role (issue #13 §6). Every item is an action with a link.

- sales: my deals whose protection ends within 14 days, deals needing information, drafts to submit, approved
  deals to close;
- marketing and finance: this period's MDF balance, claims due (approved requests without a claim whose deadline
  is within 14 days or passed), requests and claims needing information;
- technical: my certifications due for renewal (expiring soon or expired in the last 30 days), my courses to
  finish;
- admin: the company's onboarding, people, pending invitations, agreement and profile, and all of the above for
  the whole company; a distributor's admin also sees its resellers (count by status, their open deals).
Anyone sees their own certifications to renew and courses to finish.

The number of queries is fixed: each list is one query with a limit (and one more to count it), whatever the
number of deals, requests or people.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dealreg.models import Registration
from enablement.models import EXPIRING_SOON_DAYS, CertificationAward, Enrollment
from mdf.ledger import Balance, balance_of
from mdf.models import Budget, Claim, FundRequest
from mdf.services.common import REQUESTER_ROLES
from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerMembership
from partners.selectors import partner_members, partner_open_invitations

Role = PartnerMembership.Role
SOON_DAYS = 14  # deals whose protection ends, claims whose deadline comes, within this many days
EXPIRED_RECENTLY_DAYS = 30  # an expired certification is still worth renewing for this long
LIMIT = 5  # items shown per list; the rest behind "N more"

DEAL_ROLES = (Role.ADMIN, Role.SALES)
MDF_ROLES = (Role.ADMIN, Role.MARKETING, Role.FINANCE)
TRAINING_ROLES = (Role.ADMIN, Role.TECHNICAL)


@dataclass
class Action:
    text: str
    url: str
    when: str = ""  # "protection ends Dec 12", "due in 3 days"
    urgent: bool = False


@dataclass
class ActionList:
    key: str
    title: str
    actions: list[Action] = field(default_factory=list)
    more: int = 0  # how many more than shown
    more_url: str = ""


@dataclass
class Section:
    key: str
    title: str
    lists: list[ActionList] = field(default_factory=list)
    links: list[Action] = field(default_factory=list)  # always-there actions ("Register a deal")
    note: str = ""  # e.g. "Yours" / "Everyone at Northwind"

    @property
    def count(self) -> int:
        return sum(len(lst.actions) + lst.more for lst in self.lists)


@dataclass
class ResellerSummary:
    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count)
    open_deals: int
    busiest: list[tuple[Partner, int]]  # resellers with the most open deals


@dataclass
class PortalHome:
    partner: Partner
    membership: PartnerMembership
    sections: list[Section]
    mdf_balance: Balance | None = None
    mdf_period: str = ""
    member_count: int = 0
    open_invitations: int = 0
    agreement: AgreementVersion | None = None
    agreement_acceptance: AgreementAcceptance | None = None
    resellers: ResellerSummary | None = None

    @property
    def is_admin(self) -> bool:
        return self.membership.is_admin

    @property
    def in_program(self) -> bool:
        """Active or dormant: the partner registers deals, learns and uses MDF."""
        return self.partner.status in (Partner.Status.ACTIVE, Partner.Status.DORMANT)


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return date_format(value, "M j")


def _in_days(days: int) -> str:
    if days < 0:
        return f"{-days} day{'s' * (-days != 1)} overdue"
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _limited(queryset, key: str, title: str, make, more_url: str = "") -> ActionList:
    """Up to LIMIT actions from the queryset, and how many more there are (one query, or two when there are more)."""
    rows = list(queryset[: LIMIT + 1])
    more = 0
    if len(rows) > LIMIT:
        more = queryset.count() - LIMIT
        rows = rows[:LIMIT]
    return ActionList(key, title, [make(row) for row in rows], more, more_url)


# --- Deals ---------------------------------------------------------------------------------------------------------


def _deals(partner: Partner, user, company: bool, now: datetime) -> Section:
    base = Registration.objects.filter(partner=partner).only(
        "pk", "name", "status", "protected_until", "expected_close", "updated_at", "created_by_id"
    )
    if not company:
        base = base.filter(created_by=user)
    soon = now + timedelta(days=SOON_DAYS)
    deals_url = reverse("portal:deals")
    Status = Registration.Status

    def detail(r: Registration, anchor: str = "") -> str:
        return reverse("portal:deal_detail", args=[r.pk]) + anchor

    def expiring(r: Registration) -> Action:
        days = (timezone.localdate(r.protected_until) - timezone.localdate(now)).days
        return Action(f"Extend or close “{r.name}”", detail(r, "#extend"), f"protection ends {_in_days(days)}", True)

    def needs_info(r: Registration) -> Action:
        return Action(f"Answer the question on “{r.name}”", detail(r, "#update"), f"asked {_day(r.updated_at)}", True)

    def draft(r: Registration) -> Action:
        return Action(f"Submit your draft “{r.name}”", detail(r), f"started {_day(r.updated_at)}")

    def to_close(r: Registration) -> Action:
        when = f"expected to close {_day(r.expected_close)}" if r.expected_close else ""
        overdue = bool(r.expected_close and r.expected_close < timezone.localdate(now))
        return Action(f"Close “{r.name}” as won or lost", detail(r, "#close-won"), when, overdue)

    approved = base.filter(status=Status.APPROVED)
    lists = [
        _limited(
            approved.filter(protected_until__gte=now, protected_until__lte=soon).order_by("protected_until", "pk"),
            "expiring",
            f"Protection ending within {SOON_DAYS} days",
            expiring,
            f"{deals_url}?status=approved",
        ),
        _limited(
            base.filter(status=Status.NEEDS_INFO).order_by("updated_at", "pk"),
            "needs_info",
            "Needing information",
            needs_info,
            f"{deals_url}?status=needs_info",
        ),
        _limited(
            base.filter(status=Status.DRAFT).order_by("-updated_at", "pk"),
            "drafts",
            "Drafts to submit",
            draft,
            f"{deals_url}?status=draft",
        ),
        _limited(
            approved.exclude(protected_until__gte=now, protected_until__lte=soon).order_by(
                "expected_close", "protected_until", "pk"
            ),
            "to_close",
            "Approved deals to close",
            to_close,
            f"{deals_url}?status=approved",
        ),
    ]
    links = [Action("Register a deal", reverse("portal:deal_create")), Action("All deals", deals_url)]
    return Section("deals", "Deals", lists, links, "Everyone's at the company" if company else "Yours")


# --- MDF -----------------------------------------------------------------------------------------------------------


def _mdf(partner: Partner, today: date, can_request: bool) -> tuple[Section, Balance | None, str]:
    """Finance people read MDF but do not request or claim: their items open the request instead."""
    budget = (
        Budget.objects.filter(partner=partner, period__starts_on__lte=today, period__ends_on__gte=today)
        .select_related("period")
        .first()
    )
    balance = balance_of(budget) if budget is not None else None
    period_name = budget.period.name if budget is not None else ""
    mdf_url = reverse("portal:mdf")
    Status = FundRequest.Status

    def request_url(r: FundRequest, name: str) -> str:
        return reverse(name if can_request else "portal:mdf_request", args=[r.pk])

    def claim_due(r: FundRequest) -> Action:
        days = (r.claim_deadline - today).days
        return Action(
            f"File the claim for “{r.title}”" if can_request else f"Claim due for “{r.title}”",
            request_url(r, "portal:mdf_claim_new"),
            f"deadline {_day(r.claim_deadline)}, {_in_days(days)}",
            days <= 7,
        )

    def request_info(r: FundRequest) -> Action:
        return Action(
            f"Answer the question on the request “{r.title}”",
            request_url(r, "portal:mdf_request_edit"),
            "needs more information",
            True,
        )

    def claim_info(c: Claim) -> Action:
        return Action(
            f"Add the proof asked for the claim on “{c.request.title}”",
            reverse("portal:mdf_claim", args=[c.pk]),
            "more proof needed",
            True,
        )

    requests = FundRequest.objects.filter(partner=partner).only("pk", "title", "claim_deadline", "status")
    lists = [
        _limited(
            requests.filter(
                status=Status.APPROVED, claim__isnull=True, claim_deadline__lte=today + timedelta(days=SOON_DAYS)
            ).order_by("claim_deadline", "pk"),
            "claims_due",
            "Claims due",
            claim_due,
            mdf_url,
        ),
        _limited(
            requests.filter(status=Status.NEEDS_INFO).order_by("updated_at", "pk"),
            "requests_info",
            "Requests needing information",
            request_info,
            mdf_url,
        ),
        _limited(
            Claim.objects.filter(partner=partner, status=Claim.Status.NEEDS_INFO)
            .select_related("request")
            .only("pk", "request__title")
            .order_by("updated_at", "pk"),
            "claims_info",
            "Claims needing proof",
            claim_info,
            mdf_url,
        ),
    ]
    links = [Action("Request funds", reverse("portal:mdf_request_new"))] if can_request else []
    links.append(Action("My funds", mdf_url))
    return Section("mdf", "Marketing funds (MDF)", lists, links, "The company's"), balance, period_name


# --- Training ------------------------------------------------------------------------------------------------------


def _training(partner: Partner, user, company: bool, today: date) -> Section:
    awards = CertificationAward.objects.filter(
        partner=partner,
        revoked_at__isnull=True,
        renewed_by__isnull=True,
        expires_at__gte=today - timedelta(days=EXPIRED_RECENTLY_DAYS),
        expires_at__lte=today + timedelta(days=EXPIRING_SOON_DAYS),
    ).select_related("certification", "user")
    enrollments = Enrollment.objects.filter(partner=partner, status=Enrollment.Status.IN_PROGRESS).select_related(
        "course", "user"
    )
    if not company:
        awards = awards.filter(user=user)
        enrollments = enrollments.filter(user=user)
    team_url = reverse("portal:training_team")

    def renew(a: CertificationAward) -> Action:
        days = (a.expires_at - today).days
        when = f"expired {_day(a.expires_at)}" if days < 0 else f"expires {_day(a.expires_at)}, {_in_days(days)}"
        if a.user_id == user.pk:
            return Action(
                f"Renew your “{a.certification.name}”", reverse("portal:training_award", args=[a.pk]), when, days <= 14
            )
        name = a.user.get_full_name() or a.user.email
        return Action(f"Remind {name} to renew “{a.certification.name}”", team_url, when, days <= 14)

    def finish(e: Enrollment) -> Action:
        when = f"last worked on {_day(e.last_activity_at)}"
        if e.user_id == user.pk:
            return Action(f"Finish “{e.course.title}”", reverse("portal:training_course", args=[e.course.slug]), when)
        name = e.user.get_full_name() or e.user.email
        return Action(f"Encourage {name} to finish “{e.course.title}”", team_url, when)

    lists = [
        _limited(awards.order_by("expires_at", "pk"), "renewals", "Certifications to renew", renew, team_url),
        _limited(
            enrollments.order_by("-last_activity_at", "pk"),
            "courses",
            "Courses to finish",
            finish,
            team_url if company else reverse("portal:training"),
        ),
    ]
    links = [Action("My learning", reverse("portal:training")), Action("Courses", reverse("portal:training_catalogue"))]
    return Section("training", "Training", lists, links, "Everyone's at the company" if company else "Yours")


# --- The company (admins) ------------------------------------------------------------------------------------------


def _agreement(partner: Partner) -> tuple[AgreementVersion | None, AgreementAcceptance | None]:
    """The current agreement and the partner's acceptance of it, if any (one query)."""
    accepted = AgreementAcceptance.objects.filter(partner=partner, version=OuterRef("pk"))
    version = (
        AgreementVersion.objects.filter(is_current=True)
        .annotate(
            signer_name=Subquery(accepted.values("signer_name")[:1]),
            accepted_at=Subquery(accepted.values("accepted_at")[:1]),
        )
        .only("pk", "version", "title")
        .first()
    )
    if version is None or version.accepted_at is None:
        return version, None
    return version, AgreementAcceptance(
        partner=partner, version=version, signer_name=version.signer_name, accepted_at=version.accepted_at
    )


def _resellers(partner: Partner) -> ResellerSummary:
    labels = dict(Partner.Status.choices)
    counts = dict(
        Partner.objects.filter(parent=partner)
        .values("status")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_status = [(status, labels[status], counts[status]) for status in labels if counts.get(status)]
    busiest = list(
        Partner.objects.filter(parent=partner)
        .annotate(open_deals=Count("registrations", filter=Q(registrations__status__in=Registration.ACTIVE)))
        .filter(open_deals__gt=0)
        .only("pk", "name", "status")
        .order_by("-open_deals", "name")[:LIMIT]
    )
    open_deals = Registration.objects.filter(partner__parent=partner, status__in=Registration.ACTIVE).count()
    return ResellerSummary(
        total=sum(counts.values()),
        by_status=by_status,
        open_deals=open_deals,
        busiest=[(p, p.open_deals) for p in busiest],
    )


# --- Putting it together -------------------------------------------------------------------------------------------


def portal_home(*, membership: PartnerMembership, user=None, now: datetime | None = None) -> PortalHome:
    """The viewer's home: sections of actions for its role, scoped to its partner (and to itself unless admin)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    partner, role = membership.partner, membership.role
    user = user or membership.user
    company = membership.is_admin
    home = PortalHome(partner=partner, membership=membership, sections=[])
    if home.in_program:
        if role in DEAL_ROLES:
            home.sections.append(_deals(partner, user, company, now))
        if role in MDF_ROLES:
            section, home.mdf_balance, home.mdf_period = _mdf(partner, today, role in REQUESTER_ROLES)
            home.sections.append(section)
        training = _training(partner, user, company, today)
        if role in TRAINING_ROLES or training.count:
            home.sections.append(training)
        if company and partner.is_distributor:
            home.resellers = _resellers(partner)
    home.member_count = partner_members(partner=partner).count()
    home.open_invitations = partner_open_invitations(partner=partner).count()
    if company:
        home.agreement, home.agreement_acceptance = _agreement(partner)
    return home
