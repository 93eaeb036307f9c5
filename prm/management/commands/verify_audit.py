from django.core.management.base import BaseCommand, CommandError

from prm.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options) -> None:
        checked, broken = audit_verify()
        if broken is not None:
            where = f"event #{broken.event_id}" if broken.event_id else "the chain head"
            raise CommandError(
                f"Audit chain broken at {where}: {broken.problem}. {checked} events before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
