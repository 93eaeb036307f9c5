from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "CSV imports"

    def ready(self) -> None:
        from prm.models import AUDIT_SENTENCES

        AUDIT_SENTENCES["import.applied"] = "imported {file}: {created} created, {updated} updated, {skipped} skipped"
