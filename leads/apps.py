from django.apps import AppConfig


class LeadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "leads"
    verbose_name = "Leads"

    def ready(self) -> None:
        from dealreg.hooks import register_won_listener
        from leads import hooks
        from leads.services.registration import on_registration_won
        from prm.demo import register_demo_step

        register_won_listener("leads-won", on_registration_won)
        hooks.register()
        # After the deals, enablement and MDF steps (it offers leads to their partners), before insights (40).
        register_demo_step("leads", "leads.demo.seed_leads", order=35)
