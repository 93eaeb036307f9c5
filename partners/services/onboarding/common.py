"""What the onboarding services share: the program settings and who to tell."""

from django.db.models import Q

from partners.models import ChecklistStep, Partner, PartnerMembership, Program
from partners.selectors import owner_or_managers  # noqa: F401 -- the onboarding services take it from here
from prm.models import CHANNEL_MANAGERS_GROUP, User

Kind = ChecklistStep.Kind
Status = Partner.Status


def program_settings() -> Program:
    return Program.objects.get_or_create(pk=1)[0]


def partner_admins(partner: Partner) -> list[User]:
    return list(
        User.objects.filter(
            membership__partner=partner,
            membership__role=PartnerMembership.Role.ADMIN,
            membership__is_active=True,
            is_active=True,
        ).order_by("email")
    )


def channel_managers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=CHANNEL_MANAGERS_GROUP))
        .distinct()
        .order_by("email")
    )
