import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciaticare.accounts.models import User
from sciaticare.core.errors import DomainError
from sciaticare.intake import services


class Command(BaseCommand):
    help = "Import the licensed item text of a built-in instrument (ODI, STarT Back) from a FHIR R4 Questionnaire JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--by", required=True, help="Email of the clinic admin who holds the licence."
        )
        parser.add_argument(
            "--licence", required=True, help="The licence statement (holder and reference)."
        )
        parser.add_argument(
            "--clinic",
            type=int,
            help="Id of the clinic whose licence covers the text (needed if --by runs several).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        admin = User.objects.filter(email__iexact=options["by"]).first()
        if admin is None:
            raise CommandError(f"No account with the email {options['by']}.")
        try:
            resource = json.loads(options["file"].read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {options['file']} as JSON: {exc}") from None
        try:
            imported = services.import_questionnaire(
                admin=admin,
                resource=resource,
                licence_statement=options["licence"],
                clinic_id=options.get("clinic"),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Imported {imported.code} {imported.version}.")
