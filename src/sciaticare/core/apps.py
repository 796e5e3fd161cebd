from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared plumbing; an app so that it can own the rate counters' table, and give the
    pure modules Django's translation (core.translation)."""

    name = "sciaticare.core"
    label = "core"

    def ready(self) -> None:
        from django.utils import translation as django_translation

        from sciaticare.core import translation

        translation.install(
            gettext=django_translation.gettext,
            ngettext=django_translation.ngettext,
            get_language=django_translation.get_language,
        )
