from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "sciaticare.reminders"
    label = "reminders"

    def ready(self) -> None:
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.privacy import erasure
        from sciaticare.reminders.services.erasure import erase_patient_data

        erasure.register_eraser(self.label, erase_patient_data)
