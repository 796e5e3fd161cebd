"""Credential documents move from files on the machine that took the upload (the default
storage, ``var/private/``) into their rows: every app machine can then serve them, and a
database backup holds them (docs/scale.md: nothing the app keeps lives in local files).

Forward, each file is read into its row; a row whose file is missing keeps an empty document
and is named on the console (the operator may still have the file, e.g. in an older copy of
``var/private/``). Backward, each document is written back to a new file. The files are left in
place going forward: delete ``var/private/credentials/`` once the move is checked.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models


def files_into_rows(apps, schema_editor):
    Credential = apps.get_model("directory", "Credential")
    missing = []
    for credential in Credential.objects.only("pk", "old_document").iterator():
        name = credential.old_document.name
        if name and default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                credential.document = stored.read()
        else:
            missing.append(credential.pk)
            credential.document = b""
        credential.save(update_fields=["document"])
    if missing:
        print(f"\n  Credentials whose document file was missing (kept, empty): {missing}")


def rows_into_files(apps, schema_editor):
    Credential = apps.get_model("directory", "Credential")
    for credential in Credential.objects.only("pk", "document", "document_type").iterator():
        name = f"credentials/{uuid.uuid4().hex}.{credential.document_type or 'bin'}"
        credential.old_document = default_storage.save(name, ContentFile(bytes(credential.document)))
        credential.save(update_fields=["old_document"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_table")]

    operations = [
        migrations.RenameField("credential", "document", "old_document"),
        migrations.AlterField(
            "credential", "old_document", models.FileField(max_length=200, blank=True, default="")
        ),
        migrations.AddField(
            "credential", "document", models.BinaryField(editable=False, default=b"")
        ),
        migrations.RunPython(files_into_rows, rows_into_files, elidable=False),
        migrations.RemoveField("credential", "old_document"),
        migrations.AlterField("credential", "document", models.BinaryField(editable=False)),
    ]
