from partners.models.locator import PublicProfile
from partners.models.onboarding import AgreementAcceptance, AgreementVersion, Checklist, ChecklistStep, PartnerStep
from partners.models.partner import Invitation, Partner, PartnerMembership, PartnerNote
from partners.models.program import Program, RequirementTick, Tier, TierProposal, TierRequirement
from partners.models.recruitment import Application, Prospect

__all__ = [
    "AgreementAcceptance",
    "AgreementVersion",
    "Application",
    "Checklist",
    "ChecklistStep",
    "Invitation",
    "Partner",
    "PartnerMembership",
    "PartnerNote",
    "PartnerStep",
    "Program",
    "Prospect",
    "PublicProfile",
    "RequirementTick",
    "Tier",
    "TierProposal",
    "TierRequirement",
]
