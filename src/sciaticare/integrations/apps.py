from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Other systems around a clinic: the therapist's own calendar (CalDAV, both ways), moving in
    from another clinic system (CSV), and events out to the clinic's own systems (webhooks)."""

    name = "sciaticare.integrations"
    label = "integrations"

    def ready(self) -> None:
        # Each integration subscribes to the lower apps' after-commit hooks here.
        from sciaticare.integrations import tasks_webhooks

        tasks_webhooks.connect()

        # Imports: an uploaded CSV of patients left without a decision is emptied after 7 days.
        from sciaticare.integrations.services.imports import purge_stale_files
        from sciaticare.privacy import erasure

        erasure.register_purge(self.label, "uploaded import file(s)", purge_stale_files)

        from sciaticare.integrations import tasks
        from sciaticare.integrations.services.calendars import ConnectedCalendars
        from sciaticare.scheduling import external_busy

        # Calendars: appointments written into the therapist's calendar; its busy times block
        # slots wherever scheduling computes them.
        tasks.connect_calendars()
        external_busy.use_source(ConnectedCalendars())
