from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "sciaticare.interop"
    label = "interop"

    def ready(self) -> None:
        # Privacy erases through each app's own writes and runs the daily purges
        # (privacy/erasure.py).
        from sciaticare.interop import services_archive
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, services_archive.erase_patient_data)
        erasure.register_purge(self.label, "old archive(s)", services_archive.purge_expired_exports)
