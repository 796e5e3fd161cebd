from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from sciaticare.web import backups


class Command(BaseCommand):
    help = "Back up the database to a file while the app keeps running (docs/backup.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "target", nargs="?", type=Path, help="Default: var/backups/sciaticare-<time>.<ext>"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        suffix = "sqlite3" if engine.endswith("sqlite3") else "dump"
        target = (
            options["target"]
            or settings.VAR_DIR / "backups" / f"sciaticare-{timezone.now():%Y%m%dT%H%M%SZ}.{suffix}"
        )
        backups.backup(target)
        self.stdout.write(str(target))
