from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"

    def ready(self) -> None:
        from partners import reminders  # noqa: F401 -- registers the invitation reminder with the daily sweep
