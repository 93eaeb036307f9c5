from django.core.management.base import BaseCommand, CommandError

from prm.audit import audit_check


class Command(BaseCommand):
    help = (
        "Check the audit trail: every event's keyed hash and link (AUDIT_HMAC_KEY), and every signed checkpoint in "
        "AUDIT_CHECKPOINT_DIR. Reports the first event that does not match and exits with status 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, help="Events read per query (default 2000).")

    def handle(self, *args, **options) -> None:
        result = audit_check(batch_size=options["batch_size"])
        broken = result.broken
        if broken is not None:
            where = broken.where or (f"event #{broken.event_id}" if broken.event_id else "the chain head")
            message = f"Audit chain broken at {where}: {broken.problem}."
            if broken.event_id:
                when = broken.created_at.isoformat() if broken.created_at else "time unknown"
                message += f" The event: {broken.verb or 'verb unknown'} at {when}."
            if broken.intact_before is not None:
                message += f" {broken.intact_before} events before it are intact."
            raise CommandError(message)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.events} events verified. {result.checkpoints} checkpoints match."
            )
        )
