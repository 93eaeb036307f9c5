"""Create a believable demo program with partners at every stage of the journey. Safe to run again: it only adds
what is missing (a partner that exists is left as it is).

Everything goes through the same services the app uses, so the audit trail, checklists and inbox look real.
Emails sent while seeding go nowhere (an in-memory backend), so `make run` stays readable.
"""

from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
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
from prm.audit import audit_record
from prm.demo import demo_steps
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
        None,
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


class Command(BaseCommand):
    help = "Create demo data: channel manager, admin, a program with tiers, partners at every stage. Idempotent."

    def handle(self, *args, **options) -> None:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = self._seed()
        self.stdout.write(f"Demo data ready ({created} partners added, {Partner.objects.count()} in all).")
        if settings.DEBUG:
            self._print_logins()

    def _seed(self) -> int:
        with transaction.atomic():
            manager = self._user(*MANAGER, staff=True)
            manager.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])
            self._user(*ADMIN, staff=True, superuser=True)
            self._program()
        created = 0
        for spec in PARTNERS:
            if not Partner.objects.filter(name=spec[0]).exists():
                with transaction.atomic():
                    self._partner(manager, *spec)
                created += 1
        created += self._applications(manager)
        self._deals(manager)
        for _name, step in demo_steps():  # enablement, MDF, insights… (each app registers its own, prm.demo)
            step(stdout=self.stdout)
        services.tiers_evaluate_all(now=timezone.now())  # proposals for the manager to decide
        return created

    def _program(self) -> None:
        program = services.program_get()
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

    def _partner(self, manager, name, type_, website, parent_name, stage, tier_name, people, extra) -> Partner:
        parent = Partner.objects.get(name=parent_name) if parent_name else None
        partner = services.partner_create(actor=manager, name=name, type=type_, parent=parent)
        Partner.objects.filter(pk=partner.pk).update(website=website, owner=manager)
        partner.refresh_from_db()
        admin = None
        for email, first, last, role in people:
            user = self._user(email, first, last)
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
        days_ago = {"active": 120, "dormant": 300, "onboarding:agreement": 6, "onboarding:start": 5}[stage]
        approved = timezone.now() - timedelta(days=days_ago)
        Partner.objects.filter(pk=partner.pk).update(created_at=approved, approved_at=approved)
        if stage == "onboarding:start":
            return partner  # nothing done yet: the agreement is what its people see first
        services.agreement_accept(
            actor=admin, partner=partner, signer_name=admin.get_full_name(), signer_title="Managing director"
        )
        if stage.startswith("onboarding"):
            return partner
        services.partner_update_profile(actor=manager, partner=partner, data={**PROFILE, **extra})
        pending = PartnerStep.objects.filter(partner=partner, completed_at__isnull=True).select_related("step")
        for step in pending:
            if services.onboarding_step_tickable(step.step):  # the kick-off call, ticked by the manager
                services.onboarding_step_complete(actor=manager, partner_step=step)
        partner.refresh_from_db()
        activated = approved + timedelta(days=9 if type_ != Partner.Type.DISTRIBUTOR else 16)
        Partner.objects.filter(pk=partner.pk).update(activated_at=activated, last_activity_at=timezone.now())
        if tier_name:
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
            services.requirement_tick(
                actor=manager, partner=partner, requirement=plan, ticked=True, note="Q3 plan signed off"
            )
        return partner

    def _applications(self, manager) -> int:
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
        for data in applications:
            if Partner.objects.filter(name=data["name"]).exists():
                continue
            application = services.application_submit(**data)
            made += 1
            if data["name"] == "Spamco Deals":
                services.application_decline(
                    actor=manager,
                    partner=application.partner,
                    reason="We only work with partners who deliver implementation services.",
                )
        if not Partner.objects.filter(name="Pine Ridge IT").exists():
            atlas = Partner.objects.get(name="Atlas Distribution")
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

    def _deals(self, manager) -> None:
        """Accounts of the direct team, and registrations in every state, including a conflict to resolve."""
        from dealreg import services as deals
        from dealreg.models import Account, Registration

        if Registration.objects.exists():
            return
        if not Account.objects.exists():
            deals.account_create(
                actor=manager,
                data={
                    "name": "Umbrella Health Inc.",
                    "website": "https://umbrella-health.com",
                    "country": "US",
                    "industry": "Healthcare",
                    "size": "enterprise",
                    "is_customer": True,
                    "account_owner": "Maya Chen",
                },
            )
            initech = deals.account_create(
                actor=manager,
                data={
                    "name": "Initech GmbH",
                    "website": "https://initech.de",
                    "country": "DE",
                    "industry": "Software",
                    "size": "midmarket",
                    "is_named_account": True,
                    "account_owner": "Jon Direct",
                },
            )
            deals.opportunity_create(
                actor=manager,
                account=initech,
                data={
                    "title": "Initech platform rollout",
                    "stage": "open",
                    "amount": "120000",
                    "currency": "EUR",
                    "owner_name": "Jon Direct",
                },
            )
        anna = User.objects.get(email="anna@northwind.example.com")
        marco = User.objects.get(email="marco@atlas-dist.example.com")
        grace = User.objects.get(email="grace@brightpath.example.com")
        northwind, atlas, brightpath = (u.membership.partner for u in (anna, marco, grace))

        def register(actor, partner, submit=True, **data):
            base = {
                "country": "DE",
                "contact_name": "Pat Buyer",
                "contact_email": "pat@customer.example.com",
                "value": "48000",
                "currency": "EUR",
                "stage": "discovery",
                "involvement": "sourced",
                "products": "Platform",
                "expected_close": (timezone.now() + timedelta(days=60)).date(),
            }
            registration = deals.registration_save_draft(actor=actor, partner=partner, data={**base, **data})
            return deals.registration_submit(actor=actor, registration=registration) if submit else registration

        globex = register(
            anna, northwind, name="Globex Corporation", website="https://globex.com", stage="proposal", value="85000"
        )
        deals.registration_approve(actor=manager, registration=globex, reason="Clean registration.")
        register(marco, atlas, name="Globex Corp.", website="https://www.globex.com", stage="discovery")
        register(
            anna,
            northwind,
            name="Umbrella Health",
            website="https://umbrella-health.com",
            country="US",
            involvement="influenced",
            value="30000",
            currency="USD",
        )
        register(grace, brightpath, name="Initech", website="https://initech.de", involvement="influenced")
        register(
            marco, atlas, name="Hooli Logistics", website="https://hooli-logistics.fr", country="FR", value="22000"
        )
        register(
            grace,
            brightpath,
            submit=False,
            name="Vandelay Industries",
            website="https://vandelay.com",
            country="US",
            currency="USD",
        )

    def _user(self, email: str, first: str, last: str, *, staff: bool = False, superuser: bool = False) -> User:
        user, made = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "is_staff": staff, "is_superuser": superuser},
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _print_logins(self) -> None:
        rows = [
            ("Channel manager", MANAGER[0], "/manage/"),
            ("Admin (Django admin)", ADMIN[0], "/admin/"),
            ("Partner admin, Northwind (VAR, Silver)", "anna@northwind.example.com", "/portal/"),
            ("Partner seller, Northwind", "sam@northwind.example.com", "/portal/"),
            ("Partner admin, Atlas (distributor, Gold)", "marco@atlas-dist.example.com", "/portal/"),
            ("Partner admin, Bluepeak (onboarding)", "ravi@bluepeak.example.com", "/portal/"),
            ("Partner admin, Cobalt IT (new reseller)", "nadia@cobalt-it.example.com", "/portal/"),
            ("Partner marketing, Brightpath", "dev@brightpath.example.com", "/portal/mdf/"),
        ]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for label, email, where in rows:
            self.stdout.write(f"  {label:<42} {email:<32} → {where}")
        self.stdout.write("  Public application form: /apply/\n")
