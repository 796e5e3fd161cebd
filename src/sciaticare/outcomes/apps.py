from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "sciaticare.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        # Records sits below outcomes and may not read the diary: it asks this seam instead.
        from sciaticare.directory import outcome_figures
        from sciaticare.outcomes.practice_selectors import outcome_terms
        from sciaticare.outcomes.selectors import recent_diary_line
        from sciaticare.records import diary

        diary.use_diary_summary(recent_diary_line)
        # The directory ranks by reported relief without importing outcomes.
        outcome_figures.use_outcome_figures(outcome_terms)
        # The therapist's brief is intake's page: the home exercises join it through a seam.
        from sciaticare.intake.brief_sections import use_brief_section
        from sciaticare.outcomes.exercise_selectors import brief_section

        use_brief_section(brief_section)
        # Privacy erases through each app's own writes and runs the daily purges
        # (privacy/erasure.py).
        from sciaticare.outcomes import services
        from sciaticare.privacy import erasure

        erasure.register_eraser(self.label, services.erase_patient_data)
        erasure.register_purge(self.label, "old report(s)", services.purge_old_reports)
