"""Make an API token for a user and print it (the only time it is shown)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.services import token_create


class Command(BaseCommand):
    help = "Make an API token acting with the permissions of the user with --email, and print it once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True, help="The token's owner (a channel manager or partner member).")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")

    def handle(self, *args, email: str, name: str, days: int | None, **options) -> None:
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, plaintext = token_create(actor=None, user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        scope = f"partner {token.partner.name}" if token.partner_id else "staff (channel manager)"
        self.stderr.write(f"Token “{token.name}” for {user.email}, {scope}. It is shown once: keep it now.")
        self.stdout.write(plaintext)
