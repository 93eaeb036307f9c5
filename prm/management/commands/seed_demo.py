"""Create a believable demo program: every app seeds its own part (its demo step, registered in its AppConfig with
prm.demo.register_demo_step), in order: partners and the program, deals, enablement, MDF, a year of insights
history, then the tier evaluation. Safe to run again: each step only adds what is missing.

Emails sent while seeding go nowhere (an in-memory backend), so `make run` stays readable.
"""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from prm.demo import demo_steps


class Command(BaseCommand):
    help = "Create demo data: channel manager, admin, a program with tiers, partners at every stage. Idempotent."

    def handle(self, *args, **options) -> None:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for _name, step in demo_steps():
                step(stdout=self.stdout)
