from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    """Incentive plans, earnings and payouts (DOMAIN.md "Incentives and earnings"). Reads registrations, tiers and
    renewals; no other app imports it: it registers with the other apps' hooks here."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "incentives"
    verbose_name = "Incentives and earnings"

    # Each module registers with one other app's hooks (see its docstring).
    HOOK_MODULES = (
        "incentives.signals",  # dealreg's won hook, insights' renewals
        "incentives.hooks_dealreg",  # the earnings calculator on the registration page and the pre-check
        "incentives.hooks_partners",  # recognition on the partner page and the portal
        "incentives.hooks_insights",  # incentive cost in partner ROI, earnings on the dashboard, the digest
    )

    def ready(self) -> None:
        from importlib import import_module

        from prm.demo import register_demo_step

        for name in self.HOOK_MODULES:
            module = import_module(name)
            if hasattr(module, "register"):
                module.register()
        register_demo_step("incentives", "incentives.demo.seed_incentives", order=50)  # seed_demo runs it
