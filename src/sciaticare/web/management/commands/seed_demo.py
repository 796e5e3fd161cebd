from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from sciaticare.accounts import demo as accounts_demo
from sciaticare.intake import demo as intake_demo


class Command(BaseCommand):
    help = "Create the demo data (idempotent: existing rows are kept, missing ones are added)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            accounts = accounts_demo.seed()
            intake_demo.seed(accounts)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(accounts)} demo logins."))
