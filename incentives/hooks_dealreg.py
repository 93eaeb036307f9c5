"""The earnings calculator on dealreg's pages (dealreg/hooks.py `register_deal_estimator`): "on this deal you would
earn …" on the partner's registration page and in the deal form's live panel. dealreg never imports incentives."""

from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from dealreg.models import Registration
from incentives.models import EarningLine
from prm.money import Totals

CLOSED = (Registration.Status.LOST, Registration.Status.REJECTED, Registration.Status.EXPIRED)


def estimate(*, registration: Registration | None = None, partner: Any = None, data: Any = None) -> str | None:
    from incentives.services import calculate_for

    if registration is not None:
        if registration.status == Registration.Status.WON:
            lines = list(EarningLine.objects.filter(registration=registration).order_by("pk"))
            if not lines:
                return None
            context = {"lines": lines, "total": Totals((ln.amount, ln.currency) for ln in lines)}
            return render_to_string("incentives/portal/_deal_earned.html", context)
        if registration.status in CLOSED or not (registration.value and registration.value > 0):
            return None
        result = calculate_for(registration)
        if result.version is None:
            return None
        lead = "If you win it at this value, this deal earns you"
        return render_to_string(
            "incentives/portal/_deal_estimate.html", {"estimate": result, "lead": lead, "plan_link": True}
        )
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
    if result.version is None:
        return None
    return render_to_string(
        "incentives/portal/_deal_estimate.html",
        {"estimate": result, "lead": "On this deal, won today, you would earn", "plan_link": True},
    )


def register() -> None:
    from dealreg.hooks import register_deal_estimator

    register_deal_estimator("incentives", estimate)
