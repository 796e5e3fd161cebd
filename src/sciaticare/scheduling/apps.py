from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciaticare.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        # The services call hooks after commit; mail and waitlist offers plug in here, so
        # booking code never imports mail or task code.
        from sciaticare.directory import sessions
        from sciaticare.intake import care
        from sciaticare.privacy import erasure
        from sciaticare.scheduling import notifications, tasks
        from sciaticare.scheduling.ledger import AppointmentLedger
        from sciaticare.scheduling.selectors import care as care_selectors
        from sciaticare.scheduling.services.erasure import erase_patient_data

        notifications.connect()
        tasks.connect()
        # Reviews need a completed session with the therapist: appointments are that record.
        sessions.use_ledger(AppointmentLedger())
        # Intake's access rules ask who treats a patient: appointments answer.
        care.use_care(care_selectors)
        # Privacy erases through each app's own writes (privacy/erasure.py).
        erasure.register_eraser(self.label, erase_patient_data)
        # A search or slot list in this process shows a booked or freed time at once
        # (bookable.recent, core/kept_answers.py).
        from django.db.models.signals import post_delete, post_save

        from sciaticare.scheduling.models import Appointment, DateException, TimeOff, WorkingHours
        from sciaticare.scheduling.selectors.bookable import forget_appointment, forget_calendar

        for signal in (post_save, post_delete):
            signal.connect(forget_appointment, sender=Appointment, dispatch_uid="next-free")
            for model in (WorkingHours, DateException, TimeOff):
                signal.connect(forget_calendar, sender=model, dispatch_uid="kept-slots")
