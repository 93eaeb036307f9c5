from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from partners import reminders, signals  # noqa: F401 -- daily sweeps; activity on sign-in
