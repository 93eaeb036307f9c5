"""Migrate the provider's database, register prm as an OpenID Connect client and create its users."""

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

from sso_test_idp.validators import UNVERIFIED_GROUP


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--redirect-uri", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--user", action="append", default=[], help="email (verified) or email:unverified")

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0)
        Application.objects.update_or_create(
            client_id=options["client_id"],
            defaults={
                "name": "prm",
                "client_secret": options["client_secret"],
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": options["redirect_uri"],
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
            },
        )
        unverified, _ = Group.objects.get_or_create(name=UNVERIFIED_GROUP)
        for spec in options["user"]:
            email, _, flag = spec.partition(":")
            user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
            user.set_password(options["password"])
            user.save()
            if flag == "unverified":
                user.groups.add(unverified)
        self.stdout.write(f"identity provider ready: {len(options['user'])} users")
