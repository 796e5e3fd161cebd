"""Background work of the directory, through Django's Tasks API.

``expire_credentials`` runs once a day. Nothing in the Tasks API repeats a task by itself, so
the daily run comes from the machine's scheduler: cron or a systemd timer runs
``manage.py expire_credentials --enqueue`` (the task then runs on the ``db_worker``), or
``manage.py expire_credentials`` to do the work at once without a worker
(docs/architecture.md, "Directory"). Search never depends on it having run: it compares expiry
dates itself.
"""

from django.tasks import task

from sciaticare.directory.services import credentials


@task
def expire_credentials() -> int:
    """Mark credentials past their expiry date expired; returns how many changed."""
    return credentials.expire_credentials()
