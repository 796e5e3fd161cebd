from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save


class DirectoryConfig(AppConfig):
    name = "sciaticare.directory"
    label = "directory"

    def ready(self) -> None:
        from sciaticare.directory import search_table
        from sciaticare.directory.services.erasure import erase_patient_data
        from sciaticare.privacy import erasure

        # Derived data only: the search table follows a therapist's is_active.
        post_save.connect(
            search_table.user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="directory.search_table.user_saved",
        )
        # The public profile answers this process keeps follow each change it makes.
        from sciaticare.directory.models import (
            Credential,
            Review,
            SessionType,
            TherapistLocation,
            TherapistProfile,
        )
        from sciaticare.directory.selectors.profile import forget_kept

        for signal in (post_save, post_delete):
            for model in (TherapistProfile, TherapistLocation, SessionType, Credential, Review):
                signal.connect(forget_kept, sender=model, dispatch_uid="kept-profile")
        # Privacy erases through each app's own writes (privacy/erasure.py).
        erasure.register_eraser(self.label, erase_patient_data)
