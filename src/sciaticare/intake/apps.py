from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sciaticare.intake"
    label = "intake"

    def ready(self) -> None:
        # The directory sits below intake and may not read it: search asks this seam for the
        # searcher's fit instead.
        from sciaticare.directory import fit
        from sciaticare.intake.selectors import search_fit

        fit.use_fit_source(lambda user: search_fit(user=user))
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.intake.services import erase_patient_data
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, erase_patient_data)
