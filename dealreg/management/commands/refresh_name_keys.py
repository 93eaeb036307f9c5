"""Recompute the name keys of names written in other scripts, as migration 0012 does: after installing the
optional `japanese` extra on a running site, so that Japanese names already stored get their Japanese reading."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

refresh_name_keys = import_module("dealreg.migrations.0012_japanese_name_keys").refresh_name_keys


class Command(BaseCommand):
    help = "Recompute the match keys of account and registration names written in other scripts than Latin."

    def handle(self, *args, **options):
        changed = refresh_name_keys(apps, None)
        self.stdout.write(f"{changed} name keys recomputed")
