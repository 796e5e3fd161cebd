from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sciaticare.intake"
    label = "intake"

    def ready(self) -> None:
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.intake.services import erase_patient_data
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, erase_patient_data)
