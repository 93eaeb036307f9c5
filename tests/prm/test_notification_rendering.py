"""Every notification template, rendered the way `notify` renders it (with the shared footer), with realistic objects:
no unformatted amount, no raw markup in the subject or the text body, HTML that parses with its tags balanced, and a
link to the object whenever the notification has one (issue 15, quality bar "every message and email rendered in
tests contains no raw markup and no unformatted amount")."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Conflict, Registration
from enablement.models import CertificationAward
from insights.models.customers import CustomerContract
from insights.models.reviews import ActionItem, Review
from mdf.services import common as mdf_common
from partners.models import AgreementAcceptance, AgreementVersion, Application, Invitation, PartnerMembership, Tier
from partners.models.onboarding import ChecklistStep
from prm.models import ALWAYS_SENT_TEMPLATES, Notification, NotificationCategory, notification_category
from prm.money import format_money
from prm.notifications import notify
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.enablement.factories import AwardFactory, CertificationFactory, CourseFactory, EnrollmentFactory
from tests.factories import ChannelManagerFactory, MembershipFactory, PartnerFactory, UserFactory
from tests.mdf.factories import approved_request, claimed_request

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "notifications"
TEMPLATES = sorted(p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))

# An amount printed as the raw Decimal: "90000.00 USD", "USD 90000.00", or four or more digits before the cents
# without grouping ("12500.00").
RAW_AMOUNT = [
    re.compile(r"\b\d+\.\d{2}\s?[A-Z]{3}\b"),
    re.compile(r"\b[A-Z]{3}\s?\d+\.\d{2}\b"),
    re.compile(r"(?<![\d,.])\d{4,}\.\d{2}\b"),
    re.compile(r"Decimal\("),
]
# Markup that must never reach a subject or a text body.
RAW_MARKUP = ["<", ">", "{{", "}}", "{%", "%}", "&amp;", "&lt;", "&gt;", "&#x27;", "&#39;", "&quot;", "None"]
VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"}


class BalancedHTML(HTMLParser):
    """Collects problems: a closing tag that closes nothing, tags left open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


USD = "USD"
REG_VALUE = Decimal("90000.00")


@pytest.fixture
def world(db):
    """One of everything a notification talks about, with names that need escaping (& and ') and amounts over a
    thousand."""
    now = timezone.now()
    today = timezone.localdate()
    partner = PartnerFactory(name="Smith & Jones O'Hara", website="https://smith-jones.example.com")
    manager = ChannelManagerFactory(first_name="Maya", last_name="O'Neil", email="maya@startup.example.com")
    partner.owner = manager
    partner.save(update_fields=["owner"])
    admin = MembershipFactory(
        partner=partner, role=PartnerMembership.Role.ADMIN, user=UserFactory(first_name="Anna", last_name="D'Arcy")
    ).user
    seller = MembershipFactory(partner=partner, role=PartnerMembership.Role.SALES).user

    registration = RegistrationFactory(
        partner=partner,
        name="Globex & Sons",
        value=REG_VALUE,
        currency=USD,
        status=Registration.Status.APPROVED,
        protected_until=now + timedelta(days=80),
        decision_due_at=now + timedelta(hours=20),
        decision_reason="Looks good & fair.",
        has_priority=True,
    )
    registration.refresh_from_db()
    conflict = Conflict(
        registration=registration,
        kind=Conflict.Kind.REGISTRATION,
        verdict=Conflict.Verdict.SAME,
        score=92,
        reasons=["Same domain (globex.com)", "Names match after normalisation"],
    )

    fund_request = approved_request(
        partner=partner, amount="12500.00", total_cost=Decimal("30000.00"), requested_amount=Decimal("15000.00")
    )
    fund_request.decision_reason = "Great plan & timing."
    claimed = claimed_request(partner=partner, claimed="11250.50")
    claim = claimed.claim
    claim.decision_reason = "Proof checks out."
    claim.payout_reference = "PAY-2026-0042"
    period = fund_request.budget.period

    tier = Tier.objects.create(
        name="Gold",
        rank=3,
        discount_percent=Decimal("15.00"),
        mdf_eligible=True,
        deal_protection_days=120,
        other_benefits="Early product access",
    )
    silver = Tier.objects.create(name="Silver", rank=2, discount_percent=Decimal("10.00"))
    certification = CertificationFactory(name="Certified Seller", validity_months=12)
    course = CourseFactory(title="Selling the platform")
    enrollment = EnrollmentFactory(course=course, partner=partner, user=seller)
    award = AwardFactory(certification=certification, partner=partner, user=seller)
    previous_award = CertificationAward(certification=certification, partner=partner, user=seller, expires_at=today)

    contract = CustomerContract.objects.create(
        customer_name="Initech & Co",
        partner=partner,
        starts_on=today - timedelta(days=300),
        term_months=12,
        amount=Decimal("48000.00"),
        currency="EUR",
        renewal_on=today + timedelta(days=60),
    )
    review = Review.objects.create(partner=partner, scheduled_on=today + timedelta(days=7), title="Q3 business review")
    following = Review(partner=partner, scheduled_on=today + timedelta(days=97), title="Q4 business review")
    item = ActionItem.objects.create(
        review=review, partner=partner, title="Plan a joint webinar", owner=admin, due_on=today - timedelta(days=3)
    )
    application = Application.objects.get_or_create(
        partner=partner, defaults={"contact_name": "Rosa Díaz", "contact_email": "rosa@smith-jones.example.com"}
    )[0]
    application.duplicates = [{"name": "Smith and Jones", "status": "active", "reason": "Same website domain"}]
    invitation = Invitation(
        partner=partner,
        email="newhire@smith-jones.example.com",
        role=PartnerMembership.Role.SALES,
        invited_by=admin,
        expires_at=now + timedelta(days=7),
    )
    version = AgreementVersion(version="2.0", title="Partner agreement", body="1. Fair play.")
    acceptance = AgreementAcceptance(signer_name="Anna D'Arcy", signer_title="CEO", accepted_at=now)
    step = ChecklistStep(kind="profile", title="Complete your company profile", help_text="So customers find you.")
    progress = SimpleNamespace(done=2, total=5, current=SimpleNamespace(step=step))
    shortfall = SimpleNamespace(tier=tier, threshold=2, now=1, before=2)

    return SimpleNamespace(**locals())


def _mdf(w, request=None, **extra):
    request = request or w.fund_request
    return {"request": request, "partner": w.partner, **mdf_common._amounts(request), **extra}


def _registration(w, **extra):
    return {"registration": w.registration, "partner": w.partner, **extra}


def _earned(w) -> dict:
    """As incentives.services.ledger tells a partner: ledger lines with their calculation in words, and the total."""
    from prm.money import Totals

    lines = [
        SimpleNamespace(
            amount=Decimal("7200.00"),
            currency=USD,
            calculation=f"8% of {format_money(REG_VALUE, USD)} sourced deal “Globex & Sons” under plan v3",
            payable_on=w.today + timedelta(days=30),
        ),
        SimpleNamespace(
            amount=Decimal("1500.00"),
            currency=USD,
            calculation="First-win bonus",
            payable_on=w.today + timedelta(days=30),
        ),
    ]
    return {
        "partner": w.partner,
        "lines": lines,
        "what": "Globex & Sons",
        "reason": "",
        "total": Totals((line.amount, line.currency) for line in lines),
        "payable_on": w.today + timedelta(days=30),
    }


def _question(w, **extra) -> dict:
    """As incentives.services.questions tells the channel team (asked) or the partner (answered)."""
    line = SimpleNamespace(
        pk=42,
        amount=Decimal("7200.00"),
        currency=USD,
        calculation=f"8% of {format_money(REG_VALUE, USD)} sourced deal “Globex & Sons” under plan v3",
        earned_on=w.today - timedelta(days=12),
    )
    return {
        "partner": w.partner,
        "line": line,
        "kind": "Deal payout",
        "question": SimpleNamespace(pk=7, status="open"),
        "message": 'Why 8% & not the 10% we agreed for "EMEA"?\nThanks, Anna',
        "author": w.seller.display_name,
        "asker": w.seller.display_name,
        "follow_up": False,
        **extra,
    }


def _extra_context_modules() -> list:
    """Apps that came later keep their templates' contexts in tests/prm/notification_contexts/<app>.py, each with a
    `contexts(w) -> dict[str, dict]` built on the same `world`."""
    package = Path(__file__).parent / "notification_contexts"
    return [
        importlib.import_module(f"tests.prm.notification_contexts.{path.stem}")
        for path in sorted(package.glob("*.py"))
        if not path.name.startswith("_")
    ]


def contexts(w) -> dict[str, dict]:
    """What each sender passes (see the `notify` call of each template), built from the objects above."""
    claim_amounts = {
        "amount": format_money(Decimal("11250.50"), w.claimed.currency),
        "claimed": format_money(w.claim.amount_claimed, w.claim.currency),
        "actual_cost": format_money(w.claim.actual_cost, w.claim.currency),
    }
    result = {
        "application_declined": {"application": w.application, "partner": w.partner, "reason": "Not a fit, yet."},
        "application_new": {
            "application": w.application,
            "partner": w.partner,
            "duplicates": w.application.duplicates,
        },
        "application_received": {"application": w.application, "partner": w.partner},
        "deal_approved": _registration(w, automatic=False),
        "deal_closed": _registration(
            w, won=True, amount=Decimal("88500.00"), reason="Signed & sealed.", by_manager=True
        ),
        "deal_conflict_resolved": _registration(w, is_holder=True, reason="First to register."),
        "deal_expired": _registration(w),
        "deal_expiry_reminder": _registration(w, days_left=7, can_extend=True, extension_days=30),
        "deal_extension_decided": _registration(w, approved=True, reason="Fair enough.", extension_days=30),
        "deal_extension_requested": _registration(w, for_manager=True, reason="Legal review.", extension_days=30),
        "deal_info_requested": _registration(
            w, question="Who is the buyer & when?", edit_path=f"/portal/deals/{w.registration.pk}/edit/"
        ),
        "deal_new": _registration(w, conflicts=[w.conflict]),
        "deal_rejected": _registration(w, reason="A named account of our direct team."),
        "deal_sla_breached": _registration(w),
        "deal_sla_reminder": _registration(w, hours_left=4),
        "deal_submitted": _registration(
            w,
            has_conflict=True,
            has_priority=True,
            conflict_words=["another partner registered this customer"],
            has_partner_conflict=True,
        ),
        "enablement_attempt_granted": {"course": w.course, "reason": "Network trouble."},
        "enablement_certification_revoked": {"certification": w.certification, "holder": w.seller, "reason": "Shared."},
        "enablement_certified": {
            "award": w.award,
            "certification": w.certification,
            "holder": w.seller,
            "previous": w.previous_award,
            "renewed": True,
            "verify_url": f"{settings.SITE_URL}/verify/ABC123/",
        },
        "enablement_course_completed": {
            "course": w.course,
            "enrollment": w.enrollment,
            "award": w.award,
            "awards": [w.award],
        },
        "enablement_expired": {
            "award": w.award,
            "certification": w.certification,
            "holder": w.seller,
            "for_holder": False,
            "shortfall": w.shortfall,
        },
        "enablement_expiry_reminder": {
            "award": w.award,
            "certification": w.certification,
            "holder": w.seller,
            "for_holder": True,
            "days_left": 30,
        },
        "enablement_nudge": {"course": w.course, "enrollment": w.enrollment, "idle_days": 14},
        "enablement_tier_shortfall": {
            "award": w.award,
            "certification": w.certification,
            "holder": w.seller,
            "partner": w.partner,
            "shortfall": w.shortfall,
        },
        "insights_action_added": {"item": w.item, "review": w.review, "partner": w.partner},
        "insights_action_overdue": {"item": w.item, "partner": w.partner, "days_late": 3},
        "insights_digest": {
            "week": "1–7 Dec",
            "since": w.now - timedelta(days=7),
            "sections": [
                {
                    "title": "Won deals",
                    "url": "/manage/deals/",
                    "more": 2,
                    "lines": [
                        {
                            "text": f"Smith & Jones won Globex: {format_money(REG_VALUE, USD)}",
                            "url": "/manage/deals/1/",
                            "yours": True,
                        }
                    ],
                }
            ],
        },
        "insights_renewal_reminder": {"contract": w.contract, "days_left": 60},
        "insights_review_cancelled": {"review": w.review, "following": w.following, "reason": "Holidays."},
        "insights_review_held": {"review": w.review, "following": w.following, "items": [w.item]},
        "insights_review_reminder": {"review": w.review, "partner": w.partner, "days_left": 7, "for_manager": True},
        "invitation": {
            "invitation": w.invitation,
            "inviter": w.admin,
            "partner": w.partner,
            "link": "/invitations/abc/",
        },
        "invitation_accepted": {"member": w.seller, "partner": w.partner, "role": "Sales"},
        "invitation_expiring": {"invitation": w.invitation, "partner": w.partner},
        "mdf_allocated": {
            "partner": w.partner,
            "period": w.period,
            "correction": False,
            "amount": format_money(Decimal("25000.00"), USD),
            "available": format_money(Decimal("37500.00"), USD),
            "expires_on": "31 March 2027",
            "memo": "Q1 allocation",
        },
        "mdf_claim_approved": _mdf(w, w.claimed, claim=w.claim, partial=True, **claim_amounts),
        "mdf_claim_info_requested": _mdf(w, w.claimed, claim=w.claim, question="Add the invoice & photos."),
        "mdf_claim_paid": _mdf(w, w.claimed, claim=w.claim, paid_on="4 December 2026", **claim_amounts),
        "mdf_claim_rejected": _mdf(w, w.claimed, claim=w.claim, reason="No proof."),
        "mdf_claim_reminder": _mdf(w, days_left=5),
        "mdf_claim_submitted": _mdf(w, w.claimed, claim=w.claim, again=False, **claim_amounts),
        "mdf_deadline_extended": _mdf(w, reason="Invoices are late."),
        "mdf_funds_expired": {
            "partner": w.partner,
            "period": w.period,
            "amount": format_money(Decimal("7200.00"), USD),
        },
        "mdf_funds_expiring": {
            "partner": w.partner,
            "period": w.period,
            "available": format_money(Decimal("7200.00"), USD),
            "expires_on": "31 March 2027",
        },
        "mdf_request_approved": _mdf(w, partial=True),
        "mdf_request_awaiting_admin": _mdf(
            w, band=format_money(Decimal("10000.00"), USD), first_approver=w.manager, reason="Big event."
        ),
        "mdf_request_cancelled": _mdf(w, reason="Venue fell through.", released=format_money(Decimal("12500"), USD)),
        "mdf_request_expired": _mdf(w),
        "mdf_request_first_approval": _mdf(w),
        "mdf_request_info_requested": _mdf(w, question="How many leads & from where?"),
        "mdf_request_rejected": _mdf(w, reason="Out of budget."),
        "mdf_request_submitted": _mdf(w, again=False),
        "mdf_sla_breached": _mdf(w, what="request", due=w.now),
        "mdf_sla_reminder": _mdf(w, what="request", due=w.now + timedelta(hours=4), hours_left=4),
        "membership_removed": {"actor": w.admin, "partner": w.partner, "reason": "Left the company."},
        "membership_role_changed": {
            "actor": w.admin,
            "membership": SimpleNamespace(partner=w.partner),
            "before": "Sales",
            "after": "Admin",
            "reason": "",
        },
        "onboarding_agreement_accepted": {"acceptance": w.acceptance, "version": w.version, "partner": w.partner},
        "onboarding_agreement_new": {"version": w.version, "partner": w.partner, "gated": True},
        "onboarding_checklist_changed": {
            "change": "added",
            "step": w.step,
            "old_title": "",
            "partner": w.partner,
            "progress": w.progress,
        },
        "onboarding_digest": {
            "manager": w.manager,
            "total": 3,
            "stalled": 1,
            "yours": 1,
            "more": 0,
            "rows": [
                SimpleNamespace(partner=w.partner, step_title=w.step.title, days=9, done=2, total=5, stalled=True)
            ],
        },
        "onboarding_escalation": {
            "partner": w.partner,
            "step": w.step,
            "days": 21,
            "done": 2,
            "total": 5,
            "is_owner": True,
            "tickable": False,
        },
        "onboarding_step_done": {"actor": w.admin, "partner": w.partner, "step": w.step},
        "onboarding_step_reminder": {
            "partner": w.partner,
            "step": w.step,
            "days": 7,
            "done": 2,
            "total": 5,
            "owner": w.manager,
            "second": True,
        },
        "partner_activated": {"partner": w.partner, "days_to_activate": 18, "for_partner": True, "reactivated": False},
        "partner_dormant": {"partner": w.partner, "idle_days": 90, "last_seen": w.today - timedelta(days=90)},
        "partner_owner_assigned": {"actor": w.admin, "partner": w.partner, "previous": None},
        "partner_owner_changed": {"owner": w.manager, "partner": w.partner},
        "partner_profile_updated": {
            "actor": w.admin,
            "partner": w.partner,
            "fields": ["website", "regions"],
            "audience": "manager",
        },
        "partner_welcome": {
            "application": w.application,
            "partner": w.partner,
            "invitation": w.invitation,
            "owner": w.manager,
            "steps": [SimpleNamespace(step=w.step)],
        },
        "program_tier_updated": {
            "partner": w.partner,
            "tier": w.tier,
            "headline": "The Gold tier changed",
            "lines": ["Discount: 10% → 15%", "Registered deals protected for 120 days"],
        },
        "reseller_invited": {"application": w.application, "partner": w.partner, "distributor": w.partner},
        "tier_changed": {
            "partner": w.partner,
            "before": w.silver,
            "after": w.tier,
            "is_promotion": True,
            "benefits": w.tier.benefit_lines(),
            "needs": [],
            "reason": "",
        },
        "tier_proposals_waiting": {
            "proposals": [
                SimpleNamespace(partner=w.partner, current_tier=w.silver, proposed_tier=w.tier, is_promotion=True)
            ],
            "count": 1,
            "more": 0,
        },
        "incentives_earned": _earned(w),
        "incentives_line_held": {
            "partner": w.partner,
            "line": _earned(w)["lines"][0],
            "reason": "The customer has not paid yet.",
            "released": False,
        },
        "setup_mdf_period_changed": {
            "partner": w.partner,
            "period": w.period,
            "was": "1 January 2027 – 31 March 2027",
            "now": "1 February 2027 – 30 April 2027",
            "expires_on": "30 May 2027",
        },
        "incentives_plan_published": {
            "partner": w.partner,
            "version": SimpleNamespace(
                number=3,
                effective_from=w.today + timedelta(days=30),
                first_win_bonus=Decimal("1500.00"),
                first_win_currency=USD,
                notes="A bigger boost for EMEA & APAC.",
            ),
            "lines": ["Sourced deals earn 8% of the won amount (was 6%)."],
            "notes": "A bigger boost for EMEA & APAC.",
        },
        "setup_deal_policy_changed": {
            "partner": w.partner,
            "lines": ["Newly approved registrations are protected for 120 days (was 90).", "Extensions: 30 days."],
            "tier_protection": 120,
            "tier": w.tier,
        },
        "membership_mfa_required": {"partner": w.partner, "actor": w.admin, "required": True},
        "incentives_recognition_awarded": {
            "partner": w.partner,
            "recognition": SimpleNamespace(
                kind="badge",
                title="Fastest mover & co",
                citation="Three new logos in EMEA & a case study.",
                awarded_on=w.today,
                get_kind_display=lambda: "Badge",
            ),
            "kind": "Badge",
            "awarded_by": w.manager.display_name,
        },
        "incentives_recognition_withdrawn": {
            "partner": w.partner,
            "recognition": SimpleNamespace(title="Partner of the quarter, Q3 2026"),
            "reason": "Awarded to the wrong company & fixed.",
            "actor": w.manager.display_name,
        },
        "incentives_payout_paid": {
            "partner": w.partner,
            "run": SimpleNamespace(pk=12),
            "lines": _earned(w)["lines"],
            "total": _earned(w)["total"],
            "reference": "WIRE-2026-0412 & co",
            "paid_on": w.today,
        },
        "incentives_question_asked": _question(w),
        "incentives_question_answered": _question(
            w, author=w.manager.display_name, message="Plan v3 applies: the deal was approved in March & won in May."
        ),
        "webhook_disabled": {
            "endpoint": SimpleNamespace(
                url="https://crm.smith-jones.example.com/hooks/prm?source=prm&v=2",
                description="Smith & Jones O'Hara CRM sync",
            ),
            "reason": "30 attempts in a row failed and nothing was delivered for 24 hours (last: The receiver "
            "answered 503.).",
            "failures": 30,
            "last_error": "The receiver answered 503.",
        },
        "security_sign_in_failures": {"failures": 10, "address": "203.0.113.66", "user": w.seller},
        "daily_summary": {
            "day": w.today,
            "count": 1,
            "groups": [
                {
                    "label": "MDF",
                    "items": [
                        {
                            "subject": f"MDF request approved: Roadshow ({format_money(Decimal('12500'), USD)})",
                            "excerpt": "Your request is approved.",
                            "url": f"{settings.SITE_URL}/portal/mdf/requests/1/",
                            "created_at": w.now,
                        }
                    ],
                }
            ],
        },
    }
    for module in _extra_context_modules():
        result.update(module.contexts(w))
    return result


# Where each notification links to (empty: no object; the invitation has its own link in the body).
NO_URL = {"invitation", "application_received", "application_declined", "reseller_invited", "partner_welcome"}
NO_URL |= {name for module in _extra_context_modules() for name in getattr(module, "NO_URL", ())}
# Who gets it: an account, or an address without one.
NO_ACCOUNT = {"invitation", "application_received", "application_declined", "reseller_invited", "partner_welcome"}
NO_ACCOUNT |= {name for module in _extra_context_modules() for name in getattr(module, "NO_ACCOUNT", ())}
# Amounts each template must show, formatted with their currency.
EXPECTED_AMOUNTS = {
    "deal_new": "$90,000.00",
    "deal_closed": "$88,500.00",
    "insights_renewal_reminder": "€48,000.00",
    "mdf_request_approved": "$12,500.00",
    "mdf_request_submitted": "$15,000.00",
    "mdf_claim_paid": "$11,250.50",
    "mdf_allocated": "$25,000.00",
    "mdf_funds_expired": "$7,200.00",
    "incentives_plan_published": "$1,500.00",
    "incentives_earned": "$7,200.00",
    "incentives_line_held": "$7,200.00",
    "incentives_question_asked": "$7,200.00",
    "incentives_payout_paid": "$7,200.00",
    "incentives_question_answered": "$7,200.00",
}


def test_every_template_has_a_context_and_a_category_rule(world):
    """A new template without a realistic context here (or a category) fails this test, not production."""
    missing = sorted(set(TEMPLATES) - set(contexts(world)))
    assert not missing, f"Templates without a realistic context in this test: {missing}"
    assert len(TEMPLATES) > 70
    for name in TEMPLATES:
        category = notification_category(name)
        assert category in NotificationCategory.values or name in ALWAYS_SENT_TEMPLATES, name


@pytest.fixture
def rendered(world, monkeypatch):
    """Each template rendered by notify (send_email=False), as {name: Notification}."""
    ctxs = contexts(world)
    result = {}
    for name in TEMPLATES:
        if name not in ctxs:
            continue  # test_every_template_has_a_context_and_a_category_rule names it
        url = "" if name in NO_URL else f"/portal/things/{name}/"
        recipient = None if name in NO_ACCOUNT else world.seller
        result[name] = notify(
            key=f"render:{name}",
            template=name,
            recipient=recipient,
            email=None if recipient else "rosa@smith-jones.example.com",
            partner=world.partner,
            url=url,
            context=ctxs[name],
            send_email=False,
        )
    return result


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_clean(rendered, name):
    if name not in rendered:
        pytest.fail(f"{name} has no context in contexts(): add what its sender passes")
    n: Notification = rendered[name]
    for part, text in (("subject", n.subject), ("text body", n.body_text)):
        for pattern in RAW_AMOUNT:
            assert not pattern.search(text), f"{name} {part} has an unformatted amount: {pattern.search(text)[0]!r}"
        for markup in RAW_MARKUP:
            assert markup not in text, f"{name} {part} has raw markup {markup!r}: {text[:400]}"
    assert n.subject.strip(), name
    assert "Hello" not in n.subject
    # The names that need escaping come through as written in the text body, escaped in the HTML.
    html_text = re.sub(r"<[^>]+>", " ", n.body_html)
    for pattern in RAW_AMOUNT:
        assert not pattern.search(html_text), f"{name} HTML has an unformatted amount: {pattern.search(html_text)[0]!r}"
    assert "{{" not in n.body_html
    assert "{%" not in n.body_html
    assert "&amp;amp;" not in n.body_html
    if "Smith & Jones O'Hara" in n.body_text:
        assert "Smith &amp; Jones O&#x27;Hara" in n.body_html, name

    parser = BalancedHTML()
    parser.feed(n.body_html)
    parser.close()
    assert not parser.problems, f"{name}: {parser.problems}"
    assert parser.stack == [], f"{name}: tags left open {parser.stack}"
    assert "<!-- message -->" in n.body_html
    assert "<!-- /message -->" in n.body_html

    if n.url:
        link = f"{settings.SITE_URL}{n.url}"
        assert link in parser.links, f"{name}: no link to {n.url} in the HTML"
        assert link in n.body_text, f"{name}: no link to {n.url} in the text"
    if name == "incentives_earned":
        assert "$8,700.00" in n.subject  # the total
    if name in EXPECTED_AMOUNTS:
        assert EXPECTED_AMOUNTS[name] in n.body_text, f"{name}: {EXPECTED_AMOUNTS[name]} not in {n.body_text}"
        assert EXPECTED_AMOUNTS[name] in n.body_html, name


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_email_has_its_footer(rendered, name):
    """An unsubscribe link for the category, or why there is none."""
    if name not in rendered:
        pytest.fail(f"{name} has no context in contexts(): add what its sender passes")
    n = rendered[name]
    category = notification_category(name)
    if name in NO_ACCOUNT:
        assert "You have no account there, so there is nothing to unsubscribe from" in n.body_text
        assert "You have no account there" in n.body_html
        assert "/notifications/unsubscribe/" not in n.body_text
    elif name == "daily_summary":
        assert "Stop emails about daily summaries:" in n.body_text
    elif not category:
        assert "It is about your account or its security, so it is always sent." in n.body_text
        assert reverse("notification_preferences") in n.body_text
    else:
        label = NotificationCategory(category).label
        assert f"Stop emails about {label}: {settings.SITE_URL}/notifications/unsubscribe/" in n.body_text
        assert f"Stop emails about {label}</a>" in n.body_html
    assert n.body_text.count("/notifications/unsubscribe/") <= 1


def test_the_inbox_renders_every_message_without_raw_markup(rendered, world, client):
    """Each message as the inbox shows it: the list (subject, excerpt, category) and the message page."""
    client.force_login(world.seller)
    page = client.get("/inbox/").content.decode()
    for name, n in rendered.items():
        if n.recipient_id != world.seller.pk or name == "daily_summary":
            continue
        assert n.excerpt == "" or "<" not in n.excerpt
        for pattern in RAW_AMOUNT:
            assert not pattern.search(n.excerpt), name
        message = client.get(f"/inbox/{n.pk}/message/")
        assert message.status_code == 200, name
        body = message.context["body"]
        for unsafe in ("<script", "style=", "{{"):
            assert unsafe not in body, name
        assert "Stop emails about" not in body, name  # the footer stays in the email
        html_text = re.sub(r"<[^>]+>", " ", body)
        for pattern in RAW_AMOUNT:
            assert not pattern.search(html_text), f"{name}: {pattern.search(html_text)[0]!r}"
    assert "Smith &amp; Jones" in page or "Globex" in page
