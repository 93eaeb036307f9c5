from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    """Incentive plans, earnings and payouts (DOMAIN.md "Incentives and earnings"). Reads registrations, tiers and
    renewals; no other app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "incentives"
    verbose_name = "Incentives and earnings"

    def ready(self) -> None:
        # dealreg's won hook and the renewal receiver (see incentives/signals.py).
        from incentives import signals  # noqa: F401
