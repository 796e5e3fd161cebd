from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sciaticare.billing"
    label = "billing"

    def ready(self) -> None:
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.billing.services.cards import erase_patient_data
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, erase_patient_data)
