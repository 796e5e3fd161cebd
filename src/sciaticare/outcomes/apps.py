from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "sciaticare.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        # Privacy erases through each app's own writes and runs the daily purges
        # (privacy/erasure.py).
        from sciaticare.outcomes import services
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, services.erase_patient_data)
        erasure.register_purge(self.label, "old report(s)", services.purge_old_reports)
