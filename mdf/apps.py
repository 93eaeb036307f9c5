from django.apps import AppConfig


class MdfConfig(AppConfig):
    name = "mdf"
    verbose_name = "MDF"
