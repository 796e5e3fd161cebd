"""DeletionRequest now belongs to the privacy app, which keeps its table
(privacy 0001): the accounts app forgets it in its state only, so no row is touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_names_refuse_control_characters"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeletionRequest")],
            database_operations=[],
        ),
    ]
