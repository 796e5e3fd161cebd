from typing import Any

from django.core.management.base import BaseCommand

from sciaticare.directory import search_table


class Command(BaseCommand):
    help = (
        "Rewrite the directory's search table from profiles, locations and session types. "
        "The services keep it in sync; run this after loading data around them, or to repair it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_table.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{count} search row(s) written."))
