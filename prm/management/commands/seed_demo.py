"""Create a believable demo program. Safe to run again: it only adds what is missing."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from partners.models import Partner, PartnerMembership
from prm.audit import audit_record
from prm.models import CHANNEL_MANAGERS_GROUP, User

DEMO_PASSWORD = "demo-partner-2026"  # noqa: S105 -- demo data, printed only with DEBUG on

# name, type, status, parent, people: (email, first, last, role)
PARTNERS = [
    (
        "Northwind Solutions",
        Partner.Type.VAR,
        Partner.Status.ACTIVE,
        None,
        [
            ("anna@northwind.example.com", "Anna", "Keller", PartnerMembership.Role.ADMIN),
            ("sam@northwind.example.com", "Sam", "Ortiz", PartnerMembership.Role.SALES),
            ("lee@northwind.example.com", "Lee", "Park", PartnerMembership.Role.TECHNICAL),
        ],
    ),
    (
        "Bluepeak Consulting",
        Partner.Type.SI,
        Partner.Status.ONBOARDING,
        None,
        [
            ("ravi@bluepeak.example.com", "Ravi", "Menon", PartnerMembership.Role.ADMIN),
            ("julia@bluepeak.example.com", "Julia", "Schmidt", PartnerMembership.Role.SALES),
        ],
    ),
    (
        "Atlas Distribution",
        Partner.Type.DISTRIBUTOR,
        Partner.Status.ACTIVE,
        None,
        [
            ("marco@atlas-dist.example.com", "Marco", "Rossi", PartnerMembership.Role.ADMIN),
            ("ines@atlas-dist.example.com", "Inès", "Laurent", PartnerMembership.Role.SALES),
            ("tom@atlas-dist.example.com", "Tom", "Becker", PartnerMembership.Role.FINANCE),
        ],
    ),
    (
        "Cobalt IT",
        Partner.Type.RESELLER,
        Partner.Status.ONBOARDING,
        "Atlas Distribution",
        [
            ("nadia@cobalt-it.example.com", "Nadia", "Haddad", PartnerMembership.Role.ADMIN),
            ("piotr@cobalt-it.example.com", "Piotr", "Nowak", PartnerMembership.Role.SALES),
        ],
    ),
    (
        "Brightpath Advisors",
        Partner.Type.CONSULTANT,
        Partner.Status.ACTIVE,
        None,
        [
            ("grace@brightpath.example.com", "Grace", "Okafor", PartnerMembership.Role.ADMIN),
            ("dev@brightpath.example.com", "Dev", "Patel", PartnerMembership.Role.MARKETING),
        ],
    ),
]
MANAGER = ("manager@example.com", "Maya", "Chen")
ADMIN = ("admin@example.com", "Ops", "Admin")


class Command(BaseCommand):
    help = "Create demo data: a channel manager, an admin, five partners with their people. Idempotent."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            manager = self._user(*MANAGER, staff=True)
            manager.groups.add(Group.objects.get_or_create(name=CHANNEL_MANAGERS_GROUP)[0])
            self._user(*ADMIN, staff=True, superuser=True)
            created = 0
            for name, type_, status, parent_name, people in PARTNERS:
                partner = Partner.objects.filter(name=name).first()
                if partner is None:
                    parent = Partner.objects.get(name=parent_name) if parent_name else None
                    partner = Partner.objects.create(name=name, type=type_, status=status, parent=parent)
                    audit_record(
                        actor=manager,
                        verb="partner.created",
                        target=partner,
                        partner=partner,
                        after={"name": name, "type": type_, "status": status},
                        reason="demo data",
                    )
                    created += 1
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
        self.stdout.write(f"Demo data ready ({created} partners added, {Partner.objects.count()} in all).")
        if settings.DEBUG:
            self._print_logins()

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
            ("Partner admin, Northwind (VAR)", "anna@northwind.example.com", "/portal/"),
            ("Partner seller, Northwind", "sam@northwind.example.com", "/portal/"),
            ("Partner admin, Atlas (distributor)", "marco@atlas-dist.example.com", "/portal/"),
            ("Partner admin, Cobalt IT (reseller)", "nadia@cobalt-it.example.com", "/portal/"),
        ]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for label, email, where in rows:
            self.stdout.write(f"  {label:<38} {email:<32} → {where}")
        self.stdout.write("")
