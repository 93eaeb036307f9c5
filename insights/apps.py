from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from prm.demo import register_demo_step

        register_demo_step("insights", "insights.demo.seed_insights", order=40)  # seed_demo runs it
        register_demo_step("health", "insights.demo.health.seed_health", order=85)  # after every app's data
        # Reminder sweeps (renewals, reviews, action items), signal receivers, and the metric providers that tier
        # requirements read (so a tier and the scorecard agree on every number).
        from insights import (  # noqa: F401
            integrations,
            queues,
            reminders,
            signals,
        )

        integrations.register()
        from insights.health import health_for_partners
        from partners.fit import register_health_source

        register_health_source(health_for_partners)  # ideal-partner fit values the best partners by health too
        from insights import importers  # noqa: F401 -- the contracts CSV importer (imports.registry)
