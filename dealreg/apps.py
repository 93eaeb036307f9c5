from django.apps import AppConfig


class DealregConfig(AppConfig):
    name = "dealreg"
    verbose_name = "Deal registration"

    def ready(self) -> None:
        from dealreg import integrations, reminders  # noqa: F401

        integrations.register()
