from django.apps import AppConfig


class DealregConfig(AppConfig):
    name = "dealreg"
    verbose_name = "Deal registration"

    def ready(self) -> None:
        from dealreg import integrations

        integrations.register()
