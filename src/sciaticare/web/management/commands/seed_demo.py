from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from sciaticare.accounts import demo as accounts_demo
from sciaticare.billing import demo as billing_demo
from sciaticare.directory import demo as directory_demo
from sciaticare.intake import demo as intake_demo
from sciaticare.outcomes import demo as outcomes_demo
from sciaticare.records import demo as records_demo
from sciaticare.reminders import demo as reminders_demo
from sciaticare.scheduling import demo as scheduling_demo


class Command(BaseCommand):
    help = "Create the demo data (idempotent: existing rows are kept, missing ones are added)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            accounts = accounts_demo.seed()
            directory_demo.seed(accounts)
            intake_demo.seed(accounts)
            scheduling_demo.seed(accounts)
            records_demo.seed(accounts)
            outcomes_demo.seed(accounts)
            reminders_demo.seed(accounts)
            money = billing_demo.seed(accounts)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(accounts)} demo logins."))
        if money:
            self.stdout.write(money)
