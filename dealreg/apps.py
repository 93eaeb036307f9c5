from django.apps import AppConfig


class DealregConfig(AppConfig):
    name = "dealreg"
    verbose_name = "Deal registration"

    def ready(self) -> None:
        from dealreg import integrations, reminders  # noqa: F401

        integrations.register()
        from dealreg import hooks_partners

        hooks_partners.register()  # a prospect's customer list matched against our accounts (a count only)
        from dealreg import search

        search.register()  # registrations and accounts in the managers' global search
        from dealreg import importers  # noqa: F401 -- CSV importers: accounts, opportunities, registrations
        from prm.demo import register_demo_step

        register_demo_step("deals", "dealreg.demo.seed_deals", order=10)  # seed_demo runs it
