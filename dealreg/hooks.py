"""How later apps hear that a deal was won, without dealreg importing them.

`insights` turns a won registration into a customer contract; it registers a listener in its AppConfig.ready():

    from dealreg.hooks import register_won_listener

    register_won_listener("insights-contract", contract_from_won)   # contract_from_won(*, registration, actor)

`registration_close` calls every listener once the won transaction has committed (a rolled-back close calls
nothing); a failing listener is logged and does not undo the win or stop the other listeners.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dealreg.models import Registration

WonListener = Callable[..., Any]
_LISTENERS: dict[str, WonListener] = {}


def register_won_listener(name: str, func: WonListener) -> WonListener:
    """Register `func(*, registration, actor)` under `name` (registering a name again replaces it)."""
    _LISTENERS[name] = func
    return func


def won_listeners() -> list[WonListener]:
    return list(_LISTENERS.values())


def announce_won(*, registration: "Registration", actor: Any = None) -> None:
    """Call every listener with the won registration (on commit: see registration_close)."""
    import logging

    for name, func in list(_LISTENERS.items()):
        try:
            func(registration=registration, actor=actor)
        except Exception:  # a listener's failure must not turn a recorded win into an error page
            logging.getLogger(__name__).exception("Won listener %s failed for registration %s", name, registration.pk)


# --- What a deal earns the partner ------------------------------------------------------------------------------
# The registration pages and the deal form's live panel show "on this deal you would earn …" when an app that knows
# incentives registers an estimator (incentives does, in its AppConfig.ready()):
#
#     from dealreg.hooks import register_deal_estimator
#
#     register_deal_estimator("incentives", estimate)
#     # estimate(*, registration=None, partner=None, data=None, audience="partner") -> HTML or None
#
# Either `registration` (the registration page) or `partner` and `data` (the form being typed: amount as a positive
# Decimal, currency, involvement, products, country, already checked by dealreg). `audience` is "partner" (the
# portal: "earns you") or "manager" (the manager's page: "earns the partner"). An estimator returns HTML it rendered
# itself (render_to_string gives a SafeString): the app that knows the plan owns the words and the look, dealreg
# only places the panels. None (or "") when it has nothing to say. A failing estimator is logged and skipped: the
# page still renders.

DealEstimator = Callable[..., Any]
_ESTIMATORS: dict[str, DealEstimator] = {}
AUDIENCES = ("partner", "manager")


def register_deal_estimator(name: str, func: DealEstimator) -> DealEstimator:
    """Register `func` under `name` (registering a name again replaces it)."""
    _ESTIMATORS[name] = func
    return func


def unregister_deal_estimator(name: str) -> None:
    _ESTIMATORS.pop(name, None)


def deal_estimates(
    *,
    registration: "Registration | None" = None,
    partner: Any = None,
    data: dict[str, Any] | None = None,
    audience: str = "partner",
) -> list[str]:
    """The HTML panels of every estimator that has something to say, in registration order."""
    import logging

    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}")
    panels = []
    for name, func in list(_ESTIMATORS.items()):
        try:
            html = func(registration=registration, partner=partner, data=data, audience=audience)
        except Exception:  # an estimate must never turn the page into an error
            logging.getLogger(__name__).exception(
                "Deal estimator %s failed (registration %s)", name, registration.pk if registration else None
            )
            continue
        if html:
            panels.append(html)
    return panels
