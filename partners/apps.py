from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from partners import reminders, search, signals  # noqa: F401 -- daily sweeps; activity on sign-in
        from prm.demo import register_demo_step

        search.register()  # partners and people in the managers' global search
        from partners import importers  # noqa: F401 -- the partners CSV importer (imports.registry)
        from partners.services import locator, prospects  # noqa: F401 -- their audit sentences, in every process

        # seed_demo runs every app's steps in order: the program and partners first, tiers evaluated at the end.
        register_demo_step("partners", "partners.demo.seed_partners", order=0)
        register_demo_step("prospects", "partners.demo_prospects.seed_prospects", order=45)  # after deals, insights
        register_demo_step("locator", "partners.demo_locator.seed_locator", order=60)  # after the apps' partners
        register_demo_step("tiers", "partners.demo.evaluate_tiers", order=90)
        register_demo_step("logins", "partners.demo.print_logins", order=100)
