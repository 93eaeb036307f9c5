from django.apps import AppConfig


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "Platform"

    def ready(self) -> None:
        from prm import checks, converters, lookups, sso  # noqa: F401 -- checks and sso register themselves

        converters.register()  # <id:pk> in every URLconf: row ids that fit a 64-bit key, else 404
        lookups.register()  # integer __in ignores numbers no column can hold (they match nothing)
