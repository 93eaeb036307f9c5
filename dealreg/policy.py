"""The deal registration policy (one row) and the business-day clock the decision SLA runs on."""

from dealreg.models import DealregPolicy
from prm.sla import add_business_days  # noqa: F401 -- re-exported for dealreg callers


def policy_get() -> DealregPolicy:
    """The policy row (pk=1, created by a migration; recreated with defaults if someone removed it)."""
    policy, _ = DealregPolicy.objects.get_or_create(pk=1)
    return policy


def protection_days(policy: DealregPolicy, partner) -> int:
    """How long an approved registration of `partner` is protected: its tier's deal protection when the tier
    promises one (a benefit partners are shown on the program page), else the policy's exclusivity window."""
    tier = getattr(partner, "tier", None)
    if tier is not None and tier.deal_protection_days:
        return tier.deal_protection_days
    return policy.exclusivity_days
