from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from sciaticare.accounts import demo as accounts_demo
from sciaticare.accounts.models import User
from sciaticare.billing import demo as billing_demo
from sciaticare.directory import demo as directory_demo
from sciaticare.exercises import demo as exercises_demo
from sciaticare.intake import demo as intake_demo
from sciaticare.integrations import demo as integrations_demo
from sciaticare.outcomes import demo as outcomes_demo
from sciaticare.outcomes.selectors import entries_of
from sciaticare.records import demo as records_demo
from sciaticare.reminders import demo as reminders_demo
from sciaticare.scheduling import demo as scheduling_demo


def _diary(patient: User) -> dict[date, exercises_demo.DiaryDay]:
    """A patient's pain diary as the exercises demo reads it (outcomes owns the diary)."""
    return {
        entry.day: exercises_demo.DiaryDay(entry.leg_pain, "flare_up" in entry.tags)
        for entry in entries_of(patient=patient)
    }


class Command(BaseCommand):
    help = "Create the demo data (idempotent: existing rows are kept, missing ones are added)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            accounts = accounts_demo.seed()
            directory_demo.seed(accounts)
            intake_demo.seed(accounts)
            scheduling_demo.seed(accounts)
            records_demo.seed(accounts)
            outcomes_demo.seed_diaries(accounts)  # the exercises demo reads Maya's diary
            exercises_demo.seed(accounts, diary=_diary)
            # Its programme patients' diaries, then the stored outcome figures of everything.
            outcomes_demo.seed(accounts)
            reminders_demo.seed(accounts)
            money = billing_demo.seed(accounts)
            # Last: its files' appointments are laid around every other demo booking.
            integrations_demo.seed(accounts)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(accounts)} demo logins."))
        if money:
            self.stdout.write(money)
