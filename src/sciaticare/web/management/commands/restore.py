from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sciaticare.web import backups


class Command(BaseCommand):
    help = "Replace the database's content with a backup. Stop the app first (docs/backup.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["source"]
        if not source.is_file():
            raise CommandError(f"No backup at {source}.")
        db = connection.settings_dict
        if not options["yes"]:
            answer = input(
                f"Replace everything in {db['NAME']} with {source}? Type 'restore' to go on: "
            )
            if answer.strip() != "restore":
                raise CommandError("Nothing was changed.")
        connection.close()
        backups.restore(source, db=db)
        self.stdout.write(f"Restored {source} into {db['NAME']}.")
