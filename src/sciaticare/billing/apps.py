from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sciaticare.billing"
    label = "billing"

    def ready(self) -> None:
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.billing.services import payments
        from sciaticare.billing.services.cards import erase_patient_data
        from sciaticare.billing.tasks import send_receipt_later
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, erase_patient_data)
        # Every payment that goes through gets its receipt by mail.
        if send_receipt_later not in payments.on_succeeded:
            payments.on_succeeded.append(send_receipt_later)
