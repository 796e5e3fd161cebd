from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "sciaticare.exercises"
    label = "exercises"

    def ready(self) -> None:
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.exercises.services.plans import erase_patient_data
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, erase_patient_data)
