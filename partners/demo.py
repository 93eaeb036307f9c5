"""The partners app's demo: the channel manager and admin users, the program with tiers, partners at every stage of
the journey (applications, onboarding, active in tiers, dormant) and the applications queue. Registered as the
first demo step (prm.demo); `seed_demo` runs every app's steps in order. Idempotent: a partner that exists is left
as it is. Everything goes through the services, so the audit trail, checklists and inbox look real.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from partners import services
from partners.models import (
    Checklist,
    ChecklistStep,
    Partner,
    PartnerMembership,
    PartnerStep,
    Program,
    Tier,
    TierRequirement,
)
from partners.services.setup import program_admins_group
from prm.audit import audit_record
from prm.demo import days_ago as days_ago_at
from prm.demo import demo_clock
from prm.models import CHANNEL_MANAGERS_GROUP, User

DEMO_PASSWORD = "demo-partner-2026"  # noqa: S105 -- demo data, printed only with DEBUG on

PROFILE = {
    "functions": ["sell", "service"],
    "regions": ["emea"],
    "segments": ["midmarket", "smb"],
    "description": "Implementation, licences and managed services for mid-sized companies.",
}

# name, type, website, parent, stage, tier, people (email, first, last, role), extra profile fields
PARTNERS = [
    (
        "Northwind Solutions",
        Partner.Type.VAR,
        "https://northwind-solutions.com",
        None,
        "active",
        "Silver",
        [
            ("anna@northwind.example.com", "Anna", "Keller", PartnerMembership.Role.ADMIN),
            ("sam@northwind.example.com", "Sam", "Ortiz", PartnerMembership.Role.SALES),
            ("lee@northwind.example.com", "Lee", "Park", PartnerMembership.Role.TECHNICAL),
        ],
        {"countries": ["DE", "AT", "CH"], "seller_count": 12, "route_to_market": "resellers", "influence": "high"},
    ),
    (
        "Atlas Distribution",
        Partner.Type.DISTRIBUTOR,
        "https://atlas-distribution.com",
        None,
        "active",
        "Gold",
        [
            ("marco@atlas-dist.example.com", "Marco", "Rossi", PartnerMembership.Role.ADMIN),
            ("ines@atlas-dist.example.com", "Inès", "Laurent", PartnerMembership.Role.SALES),
            ("tom@atlas-dist.example.com", "Tom", "Becker", PartnerMembership.Role.FINANCE),
        ],
        {"countries": ["FR", "IT", "ES"], "seller_count": 40, "route_to_market": "distribution"},
    ),
    (
        "Brightpath Advisors",
        Partner.Type.CONSULTANT,
        "https://brightpath-advisors.com",
        None,
        "active",
        "Silver",  # its marketing person requests MDF: a Silver benefit
        [
            ("grace@brightpath.example.com", "Grace", "Okafor", PartnerMembership.Role.ADMIN),
            ("dev@brightpath.example.com", "Dev", "Patel", PartnerMembership.Role.MARKETING),
        ],
        {"commercial_model": "referral", "influence": "mid"},
    ),
    (
        "Bluepeak Consulting",
        Partner.Type.SI,
        "https://bluepeak-consulting.com",
        None,
        "onboarding:agreement",
        None,
        [
            ("ravi@bluepeak.example.com", "Ravi", "Menon", PartnerMembership.Role.ADMIN),
            ("julia@bluepeak.example.com", "Julia", "Schmidt", PartnerMembership.Role.SALES),
        ],
        {},
    ),
    (
        "Cobalt IT",
        Partner.Type.RESELLER,
        "https://cobalt-it.com",
        "Atlas Distribution",
        "onboarding:start",
        None,
        [
            ("nadia@cobalt-it.example.com", "Nadia", "Haddad", PartnerMembership.Role.ADMIN),
            ("piotr@cobalt-it.example.com", "Piotr", "Nowak", PartnerMembership.Role.SALES),
        ],
        {},
    ),
    (
        "Quartz Systems",
        Partner.Type.MSP,
        "https://quartz-systems.com",
        None,
        "dormant",
        "Registered",
        [
            ("li@quartz.example.com", "Li", "Wei", PartnerMembership.Role.ADMIN),
            ("omar@quartz.example.com", "Omar", "Said", PartnerMembership.Role.TECHNICAL),
        ],
        {},
    ),
]
MANAGER = ("manager@example.com", "Maya", "Chen")
ADMIN = ("admin@example.com", "Ops", "Admin")

TIERS = [
    ("Registered", 1, Decimal("10"), False, None, "Partner portal access\nSales and technical training", []),
    (
        "Silver",
        2,
        Decimal("20"),
        True,
        90,
        "Co-marketing campaigns",
        [
            (TierRequirement.Kind.CERTIFIED_PEOPLE, Decimal("2"), ""),
            (TierRequirement.Kind.APPROVED_REGISTRATIONS, Decimal("3"), ""),
            (TierRequirement.Kind.QUALITATIVE, None, "Joint marketing plan agreed"),
        ],
    ),
    (
        "Gold",
        3,
        Decimal("30"),
        True,
        120,
        "Early product access\nA named solutions engineer",
        [
            (TierRequirement.Kind.CERTIFIED_PEOPLE, Decimal("5"), ""),
            (TierRequirement.Kind.APPROVED_REGISTRATIONS, Decimal("10"), ""),
            (TierRequirement.Kind.WON_REVENUE, Decimal("250000"), ""),
        ],
    ),
]


def seed_partners(*, stdout: Any = None) -> int:
    """Users, program, tiers, partners and applications; returns how many partners it added."""
    with transaction.atomic():
        manager = _user(*MANAGER, staff=True)
        manager.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])
        manager.groups.add(program_admins_group())  # she runs the program setup
        _user(*ADMIN, staff=True, superuser=True)
        _program()
    created = 0
    for spec in PARTNERS:
        if not Partner.objects.filter(name=spec[0]).exists():
            with transaction.atomic():
                _partner(manager, *spec)
            created += 1
    created += _applications(manager)
    if stdout is not None:
        stdout.write(f"Demo partners ready ({created} added, {Partner.objects.count()} in all).")
    return created


def demo_manager() -> User:
    """The demo's channel manager (the other apps' demo steps act as her)."""
    return User.objects.get(email=MANAGER[0])


def evaluate_tiers(*, stdout: Any = None) -> None:
    """The last step: tier proposals for the manager to decide, on everything the other apps seeded."""
    services.tiers_evaluate_all(now=timezone.now())


def _program() -> None:
    program = services.program_get()
    # The demo is a program already running: the first-run setup wizard is not offered.
    Program.objects.filter(pk=program.pk, setup_wizard=Program.Wizard.PENDING).update(
        setup_wizard=Program.Wizard.DONE, setup_wizard_at=timezone.now()
    )
    if not program.description:
        Program.objects.filter(pk=program.pk).update(
            description="Sell, deliver and recommend our platform. Register your deals to protect them, "
            "get certified, and grow from Registered to Gold with better margins and funds.",
            pmi_stage=Program.Stage.EXPANSION,
        )
    for name, rank, discount, mdf, protection, other, requirements in TIERS:
        tier, made = Tier.objects.get_or_create(
            name=name,
            defaults={
                "rank": rank,
                "discount_percent": discount,
                "mdf_eligible": mdf,
                "deal_protection_days": protection,
                "other_benefits": other,
            },
        )
        if made:
            for order, (kind, threshold, label) in enumerate(requirements, start=1):
                TierRequirement.objects.create(tier=tier, kind=kind, threshold=threshold, label=label, order=order)
    checklist, made = Checklist.objects.get_or_create(
        partner_type=Partner.Type.DISTRIBUTOR, defaults={"name": "Distributor onboarding"}
    )
    if made:
        steps = [
            (ChecklistStep.Kind.AGREEMENT, "Accept the partner agreement"),
            (ChecklistStep.Kind.PROFILE, "Complete your company profile"),
            (ChecklistStep.Kind.INVITE, "Invite your channel team"),
            (ChecklistStep.Kind.MANUAL, "Ordering and logistics set up"),
        ]
        for order, (kind, title) in enumerate(steps, start=1):
            ChecklistStep.objects.create(checklist=checklist, order=order, kind=kind, title=title)


def _partner(manager, name, type_, website, parent_name, stage, tier_name, people, extra) -> Partner:
    # Each step is stamped on the partner's own story line (prm.demo.demo_clock): added, agreement a day later,
    # profile after three days, active after nine (sixteen for a distributor), so its timeline reads like months.
    days_ago = {"active": 120, "dormant": 300, "onboarding:agreement": 6, "onboarding:start": 5}[stage]
    approved = timezone.now() - timedelta(days=days_ago)
    activated = approved + timedelta(days=9 if type_ != Partner.Type.DISTRIBUTOR else 16)
    parent = Partner.objects.get(name=parent_name) if parent_name else None
    with demo_clock(approved):
        partner = services.partner_create(actor=manager, name=name, type=type_, parent=parent)
        Partner.objects.filter(pk=partner.pk).update(website=website, owner=manager)
        partner.refresh_from_db()
        admin = None
        for email, first, last, role in people:
            user = _user(email, first, last)
            if not PartnerMembership.objects.filter(user=user).exists():
                membership = PartnerMembership.objects.create(user=user, partner=partner, role=role)
                audit_record(
                    actor=manager,
                    verb="membership.created",
                    target=membership,
                    partner=partner,
                    after={"user": email, "role": role},
                    reason="demo data",
                )
            if role == PartnerMembership.Role.ADMIN:
                admin = user
    Partner.objects.filter(pk=partner.pk).update(created_at=approved, approved_at=approved)
    if stage == "onboarding:start":
        return partner  # nothing done yet: the agreement is what its people see first
    with demo_clock(approved + timedelta(days=1, hours=2)):
        services.agreement_accept(
            actor=admin, partner=partner, signer_name=admin.get_full_name(), signer_title="Managing director"
        )
    if stage.startswith("onboarding"):
        return partner
    with demo_clock(approved + timedelta(days=3, hours=5)):
        services.partner_update_profile(actor=manager, partner=partner, data={**PROFILE, **extra})
    pending = PartnerStep.objects.filter(partner=partner, completed_at__isnull=True).select_related("step")
    with demo_clock(activated):
        for step in pending:
            if services.onboarding_step_tickable(step.step):  # the kick-off call, ticked by the manager
                services.onboarding_step_complete(actor=manager, partner_step=step)
    partner.refresh_from_db()
    Partner.objects.filter(pk=partner.pk).update(activated_at=activated, last_activity_at=timezone.now())
    if tier_name:
        with demo_clock(activated + timedelta(days=1)):
            services.partner_set_tier(
                actor=manager,
                partner=partner,
                tier=Tier.objects.get(name=tier_name),
                reason="Placed at launch of the program.",
            )
    if stage == "dormant":
        Partner.objects.filter(pk=partner.pk).update(last_activity_at=timezone.now() - timedelta(days=140))
        services.partners_mark_dormant(now=timezone.now())
    if name == "Northwind Solutions":
        plan = TierRequirement.objects.get(label="Joint marketing plan agreed")
        with demo_clock(days_ago_at(20)):
            services.requirement_tick(
                actor=manager, partner=partner, requirement=plan, ticked=True, note="Q3 plan signed off"
            )
    return partner


def _applications(manager) -> int:
    made = 0
    applications = [
        {
            "name": "Helios Cloud Services",
            "type": Partner.Type.MSP,
            "website": "https://helios-cloud.io",
            "contact_name": "Hana Sato",
            "contact_email": "hana@helios-cloud.io",
            "regions": ["apac"],
            "countries": ["JP", "SG"],
            "description": "Managed cloud operations for retail chains.",
            "why": "Our customers ask for your platform; we want to run it for them.",
        },
        {
            "name": "Northwind Solutions GmbH",
            "type": Partner.Type.VAR,
            "website": "https://northwind-solutions.com",
            "contact_name": "Jonas Frei",
            "contact_email": "jonas@northwind-solutions.com",
            "regions": ["emea"],
            "description": "Licences and services in DACH.",
            "why": "We'd like to resell in Switzerland.",
        },
        {
            "name": "Spamco Deals",
            "type": Partner.Type.RESELLER,
            "website": "https://spamco-deals.biz",
            "contact_name": "Max Deal",
            "contact_email": "max@spamco-deals.biz",
            "regions": ["na"],
            "description": "Anything cheap.",
            "why": "Discounts.",
        },
    ]
    # Applications came in over the last two weeks (the queue shows how long each has waited).
    arrived = {"Helios Cloud Services": 3, "Northwind Solutions GmbH": 9, "Spamco Deals": 12}
    for data in applications:
        if Partner.objects.filter(name=data["name"]).exists():
            continue
        with demo_clock(days_ago_at(arrived[data["name"]], hour=9)):
            application = services.application_submit(**data)
        made += 1
        if data["name"] == "Spamco Deals":
            with demo_clock(days_ago_at(10, hour=15)):
                services.application_decline(
                    actor=manager,
                    partner=application.partner,
                    reason="We only work with partners who deliver implementation services.",
                )
    if not Partner.objects.filter(name="Pine Ridge IT").exists():
        atlas = Partner.objects.get(name="Atlas Distribution")
        with demo_clock(days_ago_at(4, hour=11)):
            services.reseller_invite(
                actor=User.objects.get(email="marco@atlas-dist.example.com"),
                distributor=atlas,
                name="Pine Ridge IT",
                website="https://pineridge-it.com",
                contact_name="Owen Hart",
                contact_email="owen@pineridge-it.com",
                why="A long-standing reseller of ours in Lyon.",
            )
        made += 1
    return made


def _user(email: str, first: str, last: str, *, staff: bool = False, superuser: bool = False) -> User:
    user, made = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "is_staff": staff, "is_superuser": superuser},
    )
    if made:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def print_logins(*, stdout: Any = None) -> None:
    """The demo logins, printed only with DEBUG on (make run)."""
    if not settings.DEBUG or stdout is None:
        return
    rows = [
        ("Channel manager", MANAGER[0], "/manage/"),
        ("Admin (superuser; Django admin at /admin/)", ADMIN[0], "/manage/"),
        ("Partner admin, Northwind (VAR, Silver)", "anna@northwind.example.com", "/portal/"),
        ("Partner seller, Northwind", "sam@northwind.example.com", "/portal/"),
        ("Partner admin, Atlas (distributor, Gold)", "marco@atlas-dist.example.com", "/portal/"),
        ("Partner admin, Bluepeak (onboarding)", "ravi@bluepeak.example.com", "/portal/"),
        ("Partner admin, Cobalt IT (new reseller)", "nadia@cobalt-it.example.com", "/portal/agreement/"),
        ("Partner marketing, Brightpath (MDF)", "dev@brightpath.example.com", "/portal/"),
    ]
    stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}), and where each lands after signing in:")
    for label, email, where in rows:
        stdout.write(f"  {label:<42} {email:<32} → {where}")
    stdout.write("  Public application form: /apply/\n")
