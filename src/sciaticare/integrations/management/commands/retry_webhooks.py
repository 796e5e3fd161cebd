"""Send the webhook deliveries that are due (docs/integrations.md, "Webhooks"): run every few
minutes by the machine's scheduler, for a task backend that cannot wait, or a task lost with
its worker; `--enqueue` queues them for the worker instead."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.integrations.tasks_webhooks import send_due


class Command(BaseCommand):
    help = "Send (or, with --enqueue, queue) the webhook deliveries that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue them for the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_due(enqueue=options["enqueue"])
        self.stdout.write(
            f"{count} webhook deliveries {'queued' if options['enqueue'] else 'sent'}."
        )
