from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sciaticare.billing"
    label = "billing"

    def ready(self) -> None:
        from sciaticare.billing import desk, tasks
        from sciaticare.billing.services.cards import erase_patient_data
        from sciaticare.privacy import erasure

        # Privacy erases through each app's own writes (privacy/erasure.py).
        erasure.register_eraser(self.label, erase_patient_data)
        # Booking asks billing for the policy's words, the deposit's hold and the payment
        # (scheduling/payments.py); cancellations, no-shows and completed sessions reach
        # billing's tasks through scheduling's after-commit hooks; a payment that goes through
        # gets its receipt by mail.
        desk.connect()
        tasks.connect()
