from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared plumbing; an app only so that it can own the rate counters' table."""

    name = "sciaticare.core"
    label = "core"
