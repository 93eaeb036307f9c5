from django.apps import AppConfig


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "Platform"

    def ready(self) -> None:
        from prm import converters

        converters.register()  # <id:pk> in every URLconf: row ids that fit a 64-bit key, else 404
