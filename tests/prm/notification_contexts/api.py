"""Realistic contexts for the API token notifications (api.services._notify_token), built on the rendering test's
`world`: a partner token made by its company's admin, and a staff token revoked from the command line."""

from datetime import timedelta

from api.models import ApiToken


def contexts(w) -> dict[str, dict]:
    partner_token = ApiToken(
        user=w.seller,
        partner=w.partner,
        name="Smith & Jones O'Hara CRM sync",
        prefix="ab12cd34",
        expires_at=w.now + timedelta(days=90),
    )
    staff_token = ApiToken(user=w.manager, partner=None, name="Finance export", prefix="9f8e7d6c")
    return {
        "api_token_created": {"token": partner_token, "actor": w.admin, "owner": w.seller, "partner": w.partner},
        "api_token_revoked": {"token": staff_token, "actor": None, "owner": w.manager, "partner": None},
    }
