"""System checks of prm's own settings (run by `manage.py check`; the deploy ones by `check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_mfa_check(app_configs, **kwargs) -> list[Warning]:
    if getattr(settings, "PRM_REQUIRE_MFA_FOR_STAFF", False):
        return []
    return [
        Warning(
            "Staff can sign in with a password alone: REQUIRE_MFA_FOR_STAFF is off.",
            hint="Channel managers approve deals, MDF and payouts. Unset REQUIRE_MFA_FOR_STAFF (it is on by default "
            "without DEBUG) so every staff account must set up an authenticator app or a security key.",
            id="prm.W001",
        )
    ]
