from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sciaticare.records"
    label = "records"

    def ready(self) -> None:
        # The therapist's brief is intake's page: summaries imported from another system join
        # it through a seam.
        from sciaticare.intake.brief_sections import use_brief_section
        from sciaticare.records.import_selectors import brief_section

        use_brief_section(brief_section)
