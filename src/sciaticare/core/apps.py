from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared plumbing; an app so that it can own the rate counters' table, and give the
    pure modules Django's translation (core.translation)."""

    name = "sciaticare.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.utils import translation as django_translation

        from sciaticare.core import prepared_statements, translation

        # Prepared statements outlive a rollback (core/prepared_statements.py).
        connection_created.connect(prepared_statements.keep_across_rollbacks)

        translation.install(
            gettext=django_translation.gettext,
            ngettext=django_translation.ngettext,
            get_language=django_translation.get_language,
        )
