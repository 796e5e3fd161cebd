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
