"""The earnings calculator on dealreg's pages (dealreg/hooks.py `register_deal_estimator`): "on this deal you would
earn …" on the partner's registration page and in the deal form's live panel, "earns the partner …" on the manager's
registration page. dealreg never imports incentives.

- An open deal (draft, submitted, needs info, approved) with a value: the estimate on its value under the version
  that will apply (the version in force at approval once approved, else today's; `calculate_for` decides).
- A won deal: the lines it accrued (amounts, calculation, state), each linking to its line; no estimate.
- Lost, rejected or expired deals, deals without a value, and no plan in force: nothing.
"""

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from dealreg.models import Registration
from incentives.models import EarningLine
from prm.money import Totals

OPEN = (
    Registration.Status.DRAFT,
    Registration.Status.SUBMITTED,
    Registration.Status.NEEDS_INFO,
    Registration.Status.APPROVED,
)
LEADS = {
    # (audience, what): the sentence before the total
    ("partner", "registration"): "If you win it at this value, this deal earns you",
    ("partner", "typed"): "On this deal, won today, you would earn",
    ("manager", "registration"): "If it is won at this value, this deal earns the partner",
}


def _earned(registration: Registration, audience: str) -> str | None:
    lines = list(EarningLine.objects.filter(registration=registration).order_by("pk"))
    if not lines:
        return None
    context = {
        "lines": lines,
        "total": Totals((line.amount, line.currency) for line in lines),
        "audience": audience,
        "partner_id": registration.partner_id,
    }
    return render_to_string("incentives/portal/_deal_earned.html", context)


def _estimate_panel(estimate, *, lead: str, audience: str) -> str | None:
    if estimate.version is None:  # no plan in force: nothing to say
        return None
    context = {"estimate": estimate, "lead": lead, "plan_link": audience == "partner", "audience": audience}
    return render_to_string("incentives/portal/_deal_estimate.html", context)


def estimate(
    *, registration: Registration | None = None, partner: Any = None, data: Any = None, audience: str = "partner"
) -> str | None:
    """dealreg's estimator: HTML for the registration page or the deal form's live panel, or None."""
    from incentives.services import calculate_for

    if registration is not None:
        if registration.status == Registration.Status.WON:
            return _earned(registration, audience)
        if registration.status not in OPEN or not (registration.value and registration.value > 0):
            return None
        lead = LEADS.get((audience, "registration"), LEADS[("partner", "registration")])
        return _estimate_panel(calculate_for(registration), lead=lead, audience=audience)
    amount = (data or {}).get("amount")
    if partner is None or not isinstance(amount, Decimal) or amount <= 0:
        return None
    result = calculate_for(
        partner=partner,
        amount=amount,
        currency=data.get("currency") or "",
        involvement=data.get("involvement") or "",
        products=data.get("products") or "",
        country=data.get("country") or "",
    )
    return _estimate_panel(result, lead=LEADS[("partner", "typed")], audience="partner")


def register() -> None:
    from dealreg.hooks import register_deal_estimator

    register_deal_estimator("incentives", estimate)
