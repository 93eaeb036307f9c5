from insights.models.customers import CustomerContract, RenewalOutcome
from insights.models.health import HealthSnapshot
from insights.models.money import DirectRevenue, ProgramCost
from insights.models.reviews import ActionItem, Review, ReviewPlan
from insights.models.summary import PartnerWonMonth, RegistrationMonth, SummaryState

__all__ = [
    "ActionItem",
    "CustomerContract",
    "DirectRevenue",
    "HealthSnapshot",
    "PartnerWonMonth",
    "ProgramCost",
    "RegistrationMonth",
    "RenewalOutcome",
    "Review",
    "ReviewPlan",
    "SummaryState",
]
