from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciaticare.accounts import services
from sciaticare.accounts.models import User


class Command(BaseCommand):
    help = "Make an API token for an account and print it (shown once; only a digest is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="script", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No account with the email {options['email']}.")
        token, raw = services.create_api_token(user=user, name=options["name"])
        self.stderr.write(f"Token “{token.name}” for {user.email}; it is shown once:")
        self.stdout.write(raw)
