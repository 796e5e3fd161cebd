from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciaticare.accounts import services
from sciaticare.accounts.models import User


class Command(BaseCommand):
    help = "Make an API token for an account and print it (shown once; only a digest is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="script", help="What the token is for.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="How many days the token works (default: API_TOKEN_LIFETIME_DAYS, 90).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No account with the email {options['email']}.")
        days = options["days"]
        if days is not None and not 1 <= days <= 3660:
            raise CommandError("--days is a whole number of days from 1 to 3660.")
        lifetime = timedelta(days=days) if days is not None else None
        token, raw = services.create_api_token(user=user, name=options["name"], lifetime=lifetime)
        self.stderr.write(
            f"Token “{token.name}” for {user.email}, working until "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC; it is shown once:"
        )
        self.stdout.write(raw)
